#pragma once
// Resolved component-level value types and values: what the canonical ABI lifts out of and lowers into core wasm,
// and what host functions receive and return.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace weft::runtime {

/// A resource type's identity (compared by address). Host resources have a destructor called with the rep when the
/// last own handle is dropped; guest-defined ones name their core destructor in the component.
struct ResourceType {
  std::string name;  // e.g. `wasi:io/streams/output-stream`, for errors
  std::function<void(uint32_t rep)> host_drop;
  bool defined_by_guest = false;  // a `(resource (rep i32))` of the component, not an imported host resource
};
using ResourceTypePtr = std::shared_ptr<ResourceType>;

/// A resolved value type.
struct CType {
  enum class Kind : uint8_t {
    bool_, s8, u8, s16, u16, s32, u32, s64, u64, f32, f64, char_, string,
    list, record, tuple, variant, enum_, flags, option, result, own, borrow,
  } kind = Kind::bool_;
  /// record fields, tuple members, variant cases (null = no payload), list/option element ([0]), result ok/err
  /// ([0], [1], null = none).
  std::vector<std::shared_ptr<const CType>> elems;
  std::vector<std::string> names;  // record fields, variant cases, enum cases, flags
  ResourceTypePtr resource;        // own/borrow
  uint32_t depth = 1;              // nesting levels, bounded so lifting and lowering recurse boundedly
};
using CTypePtr = std::shared_ptr<const CType>;

/// Deepest value type accepted (wasmtime bounds type nesting the same way; real WIT types stay far below it).
constexpr uint32_t kMaxTypeDepth = 100;

/// Shared instances of the primitive types.
[[nodiscard]] CTypePtr prim_type(CType::Kind kind);

/// A component function type.
struct FuncSig {
  std::vector<std::string> param_names;
  std::vector<CTypePtr> params;
  CTypePtr result;  // null: no result
};

/// A component value. Numbers (bool, ints, char as a code point, handles' reps, enum/variant case index, flags bits)
/// live in `num`, floats in `f`; strings in `str`; list/record/tuple elements and variant/option/result payloads in
/// `items` (payload = items[0] when present); `index` is the case of variant/enum/option (0 none, 1 some) and result
/// (0 ok, 1 err). A `list<u8>`/`list<s8>` keeps its bytes in `str` (not one Val per byte).
struct Val {
  uint64_t num = 0;
  double f = 0;
  uint32_t index = 0;
  std::string str;
  std::vector<Val> items;

  static Val number(uint64_t v) { Val x; x.num = v; return x; }
  static Val boolean(bool v) { return number(v ? 1 : 0); }
  static Val floating(double v) { Val x; x.f = v; return x; }
  static Val string(std::string s) { Val x; x.str = std::move(s); return x; }
  static Val list(std::vector<Val> items) { Val x; x.items = std::move(items); return x; }
  static Val bytes(const void* data, size_t size);
  static Val record(std::vector<Val> fields) { return list(std::move(fields)); }
  static Val cases(uint32_t index) { Val x; x.index = index; return x; }
  static Val cases(uint32_t index, Val payload) { Val x; x.index = index; x.items.push_back(std::move(payload)); return x; }
  static Val none() { return cases(0); }
  static Val some(Val v) { return cases(1, std::move(v)); }
  static Val ok() { return cases(0); }
  static Val ok(Val v) { return cases(0, std::move(v)); }
  static Val err(Val v) { return cases(1, std::move(v)); }
  static Val handle(uint32_t rep) { return number(rep); }  // host side of own/borrow: the resource's rep

  [[nodiscard]] bool has_payload() const { return !items.empty(); }
  [[nodiscard]] const std::string& as_bytes() const { return str; }  // list<u8>
};

}  // namespace weft::runtime
