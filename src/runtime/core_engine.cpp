// What every CoreEngine backend shares: core values and the names of core types and kinds in errors.

#include <cstring>

#include "weft/runtime/core_engine.hpp"

namespace weft::runtime {

CoreValue CoreValue::f32(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return {CoreType::f32, b};
}
CoreValue CoreValue::f64(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return {CoreType::f64, b};
}
float CoreValue::as_f32() const {
  float v;
  auto b = uint32_t(bits);
  std::memcpy(&v, &b, 4);
  return v;
}
double CoreValue::as_f64() const {
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

std::string describe(const CoreFuncType& type) {
  auto list = [](const std::vector<CoreType>& types) {
    static constexpr const char* kNames[] = {"i32", "i64", "f32", "f64"};
    std::string out = "(";
    for (size_t i = 0; i < types.size(); ++i) out += (i ? " " : "") + std::string(kNames[size_t(types[i])]);
    return out + ")";
  };
  return list(type.params) + " -> " + list(type.results);
}

namespace {
thread_local std::optional<Trap> held_host_trap;
}  // namespace

void hold_host_trap(Trap trap) { held_host_trap = std::move(trap); }

std::optional<Trap> take_held_host_trap() {
  std::optional<Trap> trap = std::move(held_host_trap);
  held_host_trap.reset();
  return trap;
}

const char* kind_name(CoreExternKind kind) {
  switch (kind) {
    case CoreExternKind::func: return "func";
    case CoreExternKind::table: return "table";
    case CoreExternKind::memory: return "memory";
    case CoreExternKind::global: return "global";
  }
  return "extern";
}

}  // namespace weft::runtime
