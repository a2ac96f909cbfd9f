// Fuzz target: canonical-ABI lifting (spec §4.3), the host reading values a hostile guest laid out. The input picks a
// value type (a small recursive grammar over every CType kind, nesting and widths bounded), the flat core values a
// guest would pass, a pointer, and the bytes of one page of guest memory. Lifting from the flat values and loading
// from memory must either produce a value or fail with an error that names what is wrong — never read outside the
// memory, never build more elements than the budget, never crash.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "weft/runtime/canonical_abi.hpp"

namespace {

using weft::runtime::CoreValue;
using weft::runtime::CType;
using weft::runtime::CTypePtr;
using K = CType::Kind;

constexpr uint32_t kMaxFuzzDepth = 6;
constexpr size_t kMaxFuzzMembers = 6;
constexpr size_t kFuzzElementBudget = 4096;  // small: a list of zero-sized elements costs no memory, only time

/// A cursor over the input that yields zeros once it runs out (so every prefix describes some type).
struct Input {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
  uint8_t byte() { return pos < bytes.size() ? bytes[pos++] : 0; }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(byte()) << (8 * i);
    return v;
  }
};

/// The one resource type every handle of the input refers to, so handles 1–3 of the table are live for it.
const weft::runtime::ResourceTypePtr& fuzz_resource() {
  static const auto resource = [] {
    auto r = std::make_shared<weft::runtime::ResourceType>();
    r->name = "fuzz-resource";
    return r;
  }();
  return resource;
}

constexpr size_t kMaxFlags = 64;   // the type resolver refuses more labels (component_types.cpp)
constexpr size_t kMaxEnumCases = 300;  // past a u8 discriminant

/// Labels "n0", "n1", … for every labelled type, made once: building them per input cost most of each execution.
const std::vector<std::string>& labels() {
  static const auto all = [] {
    std::vector<std::string> names;
    for (size_t i = 0; i < kMaxEnumCases; ++i) names.push_back("n" + std::to_string(i));
    return names;
  }();
  return all;
}

CTypePtr compound(K kind, std::vector<CTypePtr> elems, size_t names) {
  auto t = std::make_shared<CType>();
  t->kind = kind;
  uint32_t depth = 0;
  for (const auto& e : elems)
    if (e) depth = std::max(depth, e->depth);
  t->depth = depth + 1;
  t->elems = std::move(elems);
  t->names.assign(labels().begin(), labels().begin() + long(names));
  return t;
}

/// An enum or flags type is its label count alone, so each one is built once per process and shared, as the type
/// resolver shares one node between every use of a type index (an enum of 300 labels is ≈ 10 KB of strings).
CTypePtr labels_only(K kind, size_t count) {
  static std::vector<CTypePtr> enums(kMaxEnumCases + 1), flags(kMaxFlags + 1);
  auto& slot = kind == K::flags ? flags.at(count) : enums.at(count);
  if (!slot) slot = compound(kind, {}, count);
  return slot;
}

CTypePtr read_type(Input& in, uint32_t depth) {
  constexpr int kKinds = int(K::borrow) + 1;
  auto kind = K(in.byte() % kKinds);
  if (depth >= kMaxFuzzDepth && kind >= K::list) kind = K::u32;
  size_t members = in.byte() % (kMaxFuzzMembers + 1);
  switch (kind) {
    case K::list:
    case K::option: return compound(kind, {read_type(in, depth + 1)}, 0);
    case K::record:
    case K::tuple: {
      std::vector<CTypePtr> elems;
      for (size_t i = 0; i < members; ++i) elems.push_back(read_type(in, depth + 1));
      return compound(kind, std::move(elems), kind == K::record ? members : 0);
    }
    case K::variant: {
      std::vector<CTypePtr> cases;
      for (size_t i = 0; i < members + 1; ++i) cases.push_back(in.byte() & 1 ? read_type(in, depth + 1) : nullptr);
      return compound(kind, std::move(cases), members + 1);
    }
    case K::result: {
      CTypePtr ok = in.byte() & 1 ? read_type(in, depth + 1) : nullptr;
      CTypePtr err = in.byte() & 1 ? read_type(in, depth + 1) : nullptr;
      return compound(kind, {ok, err}, 0);
    }
    case K::enum_:
    case K::flags: {
      size_t names = kind == K::flags ? in.byte() % (kMaxFlags + 1) : 1 + in.byte() % kMaxEnumCases;
      return labels_only(kind, names);
    }
    case K::own:
    case K::borrow: {
      auto t = std::make_shared<CType>();
      t->kind = kind;
      t->resource = fuzz_resource();
      return t;
    }
    default: return weft::runtime::prim_type(kind);
  }
}

/// A core module with one exported page of memory, at most one page: (module (memory (export "memory") 1 1)).
constexpr uint8_t kOnePageMemoryModule[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                    // magic, version
    0x05, 0x04, 0x01, 0x01, 0x01, 0x01,                                // memory section: min 1, max 1
    0x07, 0x0a, 0x01, 0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,  // export "memory" memory 0
};

struct Guest {
  std::unique_ptr<weft::runtime::CoreEngine> engine = weft::runtime::make_interpreter_engine();
  weft::runtime::CoreExtern memory;
  Guest() {
    auto module = engine->load(kOnePageMemoryModule, "one-page-memory");
    if (!module.ok()) __builtin_trap();
    auto instance = engine->instantiate(*module, {});
    if (!instance.ok()) __builtin_trap();
    memory = *engine->export_of(*instance, "memory");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace weft::runtime;
  static Guest guest;
  Input in{std::span(data, size)};
  CTypePtr type = read_type(in, 0);

  std::vector<CoreValue> flat;
  for (CoreType slot : flatten(*type)) flat.push_back({slot, in.u64()});
  uint32_t pointer = uint32_t(in.u64());

  std::span<uint8_t> memory = guest.engine->memory(guest.memory);
  std::memset(memory.data(), 0, memory.size());
  size_t rest = in.pos < size ? size - in.pos : 0;
  std::memcpy(memory.data(), data + in.pos, std::min(rest, memory.size()));

  HandleTable handles;
  for (uint32_t rep = 1; rep <= 3; ++rep)
    if (!handles.add(fuzz_resource(), rep, rep != 2).ok()) __builtin_trap();  // handle 2 is a borrow
  CanonContext cx;
  cx.engine = guest.engine.get();
  cx.memory = guest.memory;
  cx.handles = &handles;
  cx.element_budget = kFuzzElementBudget;

  auto lifted = lift_flat(cx, flat, *type);
  if (!lifted.ok() && lifted.error().message.empty()) __builtin_trap();  // every refusal names its reason
  cx.element_budget = kFuzzElementBudget;
  auto loaded = load(cx, pointer, *type);
  if (!loaded.ok() && loaded.error().message.empty()) __builtin_trap();
  // A loaded value lies wholly inside the memory, whatever its discriminants say (the canonical ABI checks the whole
  // element before it reads any of it).
  if (loaded.ok() && uint64_t(pointer) + size_of(*type) > memory.size()) __builtin_trap();
  return 0;
}
