// Canonical ABI (sync): layout, flattening, load/store and lift/lower. Internally a malformed guest value throws
// CanonFault (canonical_memory.hpp), caught at every public function of this file and turned into an error.

#include "weft/runtime/canonical_abi.hpp"

#include "canonical_memory.hpp"

#include <algorithm>
#include <cstring>

namespace weft::runtime {
namespace {

using K = CType::Kind;
using namespace canon;

template <class F>
auto guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const CanonFault& e) {
    return fail(e.message);
  }
}

uint32_t align_to(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

uint32_t discriminant_size(size_t cases) { return cases <= 256 ? 1 : cases <= 65536 ? 2 : 4; }

uint32_t max_case_align(const CType& t) {
  uint32_t a = 1;
  for (const auto& c : t.elems)
    if (c) a = std::max(a, align_of(*c));
  return a;
}

/// Cases of variant-like types: enum has only names, option/result keep their payloads in elems.
size_t case_count(const CType& t) { return t.kind == K::enum_ ? t.names.size() : t.kind == K::option || t.kind == K::result ? 2 : t.elems.size(); }
const CType* case_type(const CType& t, uint32_t i) {
  if (t.kind == K::enum_) return nullptr;
  if (t.kind == K::option) return i == 1 ? t.elems[0].get() : nullptr;
  return i < t.elems.size() ? t.elems[i].get() : nullptr;
}
bool is_variant_like(K k) { return k == K::variant || k == K::enum_ || k == K::option || k == K::result; }

/// flatten(t).size() without building the slot vectors (lifting a variant skips its unused payload slots; flattening
/// each nested variant again allocated once per level): a variant is its discriminant plus its widest case.
size_t flat_count(const CType& t) {
  switch (t.kind) {
    case K::string:
    case K::list: return 2;
    case K::record:
    case K::tuple: {
      size_t n = 0;
      for (const auto& f : t.elems) n += flat_count(*f);
      return n;
    }
    case K::flags: return (t.names.size() + 31) / 32;
    default: break;
  }
  if (!is_variant_like(t.kind)) return 1;
  size_t widest = 0;
  for (uint32_t i = 0; i < case_count(t); ++i)
    if (const CType* c = case_type(t, i)) widest = std::max(widest, flat_count(*c));
  return 1 + widest;
}

void require_scalar(uint64_t c) {
  if (!valid_scalar(c)) fault("char " + std::to_string(c) + " is not a Unicode scalar value");
}
/// Lifting's check of a case index (lowering names no case count: the host made the value).
void require_case(uint32_t index, size_t cases) {
  if (index >= cases)
    fault("case index " + std::to_string(index) + " is out of range (" + std::to_string(cases) + " cases)");
}

/// The canonical ABI's check before a value is loaded from or stored to `ptr` as a whole (function parameters,
/// results and return areas): aligned, and all of its bytes inside the memory — before anything is read or written,
/// so a store never leaves a partial value behind its fault.
void require_value_area(CanonContext& cx, uint32_t ptr, uint32_t size, uint32_t align, std::string_view what) {
  if (ptr % align) fault(std::string(what) + " " + std::to_string(ptr) + " is misaligned");
  (void)at(cx, ptr, size);
}

CoreType join(CoreType a, CoreType b) {
  if (a == b) return a;
  if ((a == CoreType::i32 && b == CoreType::f32) || (a == CoreType::f32 && b == CoreType::i32)) return CoreType::i32;
  return CoreType::i64;
}

// ---- handles ----

Val lift_handle(CanonContext& cx, uint32_t handle, const CType& t) {
  if (!cx.handles) fault("resource handle without a handle table");
  if (t.kind == K::own) {
    auto e = cx.handles->remove(handle, t.resource.get());
    if (!e) fault(e.error().message);
    return Val::handle(e->rep);
  }
  auto e = cx.handles->get(handle, t.resource.get());
  if (!e) fault(e.error().message);
  return Val::handle((*e)->rep);
}

uint32_t lower_handle(CanonContext& cx, const Val& v, const CType& t) {
  if (!cx.handles) fault("resource handle without a handle table");
  if (t.kind == K::borrow) fault("lowering a borrow of " + t.resource->name + " into a guest is not supported");
  auto handle = cx.handles->add(t.resource, uint32_t(v.num), true);
  if (!handle) fault(handle.error().message);
  return *handle;
}

// ---- load / store ----

Val load_value(CanonContext& cx, uint32_t ptr, const CType& t);

Val load_list_from(CanonContext& cx, uint32_t ptr, uint32_t len, const CType& elem) {
  uint32_t es = size_of(elem);
  if (ptr % align_of(elem)) fault("list pointer is misaligned");
  at(cx, ptr, uint64_t(es) * len);
  Val v;
  if (elem.kind == K::u8 || elem.kind == K::s8) return Val::bytes(at(cx, ptr, len), len);  // lift_byte_list too
  if (len > cx.element_budget)
    fault("list of " + std::to_string(len) + " elements exceeds the " + std::to_string(kMaxLiftedElements) +
          " elements one call may pass");
  cx.element_budget -= len;
  v.items.reserve(len);
  for (uint32_t i = 0; i < len; ++i) v.items.push_back(load_value(cx, ptr + i * es, elem));
  return v;
}

uint32_t load_discriminant(CanonContext& cx, uint32_t ptr, size_t cases) {
  switch (discriminant_size(cases)) {
    case 1: return read<uint8_t>(cx, ptr);
    case 2: return read<uint16_t>(cx, ptr);
    default: return read<uint32_t>(cx, ptr);
  }
}

Val load_value(CanonContext& cx, uint32_t ptr, const CType& t) {
  switch (t.kind) {
    case K::bool_: return Val::boolean(read<uint8_t>(cx, ptr) != 0);
    case K::s8: return Val::number(uint64_t(int64_t(read<int8_t>(cx, ptr))));
    case K::u8: return Val::number(read<uint8_t>(cx, ptr));
    case K::s16: return Val::number(uint64_t(int64_t(read<int16_t>(cx, ptr))));
    case K::u16: return Val::number(read<uint16_t>(cx, ptr));
    case K::s32: return Val::number(uint64_t(int64_t(read<int32_t>(cx, ptr))));
    case K::u32: return Val::number(read<uint32_t>(cx, ptr));
    case K::s64:
    case K::u64: return Val::number(read<uint64_t>(cx, ptr));
    case K::f32: return Val::floating(read<float>(cx, ptr));
    case K::f64: return Val::floating(read<double>(cx, ptr));
    case K::char_: {
      uint32_t c = read<uint32_t>(cx, ptr);
      require_scalar(c);
      return Val::number(c);
    }
    case K::string: return Val::string(load_string_from(cx, read<uint32_t>(cx, ptr), read<uint32_t>(cx, ptr + 4)));
    case K::list: return load_list_from(cx, read<uint32_t>(cx, ptr), read<uint32_t>(cx, ptr + 4), *t.elems[0]);
    case K::record:
    case K::tuple: {
      Val v;
      v.items.reserve(t.elems.size());
      uint32_t off = 0;
      for (const auto& f : t.elems) {
        off = align_to(off, align_of(*f));
        v.items.push_back(load_value(cx, ptr + off, *f));
        off += size_of(*f);
      }
      return v;
    }
    case K::flags: {
      uint32_t s = size_of(t);
      uint64_t bits = 0;
      if (s == 1) bits = read<uint8_t>(cx, ptr);
      else if (s == 2) bits = read<uint16_t>(cx, ptr);
      else if (s >= 4) bits = read<uint32_t>(cx, ptr) | (s >= 8 ? uint64_t(read<uint32_t>(cx, ptr + 4)) << 32 : 0);
      return Val::number(bits);
    }
    case K::own:
    case K::borrow: return lift_handle(cx, read<uint32_t>(cx, ptr), t);
    default: break;
  }
  size_t n = case_count(t);
  uint32_t index = load_discriminant(cx, ptr, n);
  require_case(index, n);
  Val v = Val::cases(index);
  if (t.kind == K::enum_) v.num = index;
  if (const CType* ct = case_type(t, index)) {
    uint32_t off = align_to(discriminant_size(n), max_case_align(t));
    v.items.push_back(load_value(cx, ptr + off, *ct));
  }
  return v;
}

void store_value(CanonContext& cx, const Val& v, uint32_t ptr, const CType& t);

std::pair<uint32_t, uint32_t> store_bytes_to(CanonContext& cx, const std::string& bytes) {
  if (bytes.size() > 0xffffffffu) fault("list too large for 32-bit memory");
  uint32_t ptr = realloc_call(cx, 1, uint32_t(bytes.size()));
  if (!bytes.empty()) std::memcpy(at(cx, ptr, bytes.size()), bytes.data(), bytes.size());
  return {ptr, uint32_t(bytes.size())};
}

void store_pair(CanonContext& cx, std::pair<uint32_t, uint32_t> ptr_len, uint32_t ptr) {
  write<uint32_t>(cx, ptr, ptr_len.first);
  write<uint32_t>(cx, ptr + 4, ptr_len.second);
}

std::pair<uint32_t, uint32_t> store_list_to(CanonContext& cx, const Val& v, const CType& elem) {
  uint32_t es = size_of(elem);
  if (elem.kind == K::u8 || elem.kind == K::s8) return store_bytes_to(cx, v.str);
  uint64_t total = uint64_t(es) * v.items.size();
  if (total > 0xffffffffu) fault("list too large for 32-bit memory");
  uint32_t ptr = realloc_call(cx, align_of(elem), uint32_t(total));
  {
    for (size_t i = 0; i < v.items.size(); ++i) store_value(cx, v.items[i], ptr + uint32_t(i) * es, elem);
  }
  return {ptr, uint32_t(v.items.size())};
}

void store_value(CanonContext& cx, const Val& v, uint32_t ptr, const CType& t) {
  switch (t.kind) {
    case K::bool_: return write<uint8_t>(cx, ptr, v.num ? 1 : 0);
    case K::s8:
    case K::u8: return write<uint8_t>(cx, ptr, uint8_t(v.num));
    case K::s16:
    case K::u16: return write<uint16_t>(cx, ptr, uint16_t(v.num));
    case K::s32:
    case K::u32: return write<uint32_t>(cx, ptr, uint32_t(v.num));
    case K::s64:
    case K::u64: return write<uint64_t>(cx, ptr, v.num);
    case K::f32: return write<float>(cx, ptr, float(v.f));
    case K::f64: return write<double>(cx, ptr, v.f);
    case K::char_:
      require_scalar(v.num);
      return write<uint32_t>(cx, ptr, uint32_t(v.num));
    case K::string: return store_pair(cx, store_string_to(cx, v.str), ptr);
    case K::list: return store_pair(cx, store_list_to(cx, v, *t.elems[0]), ptr);
    case K::record:
    case K::tuple: {
      if (v.items.size() != t.elems.size()) fault("record/tuple value has the wrong number of fields");
      uint32_t off = 0;
      for (size_t i = 0; i < t.elems.size(); ++i) {
        off = align_to(off, align_of(*t.elems[i]));
        store_value(cx, v.items[i], ptr + off, *t.elems[i]);
        off += size_of(*t.elems[i]);
      }
      return;
    }
    case K::flags: {
      uint32_t s = size_of(t);
      if (s == 1) write<uint8_t>(cx, ptr, uint8_t(v.num));
      else if (s == 2) write<uint16_t>(cx, ptr, uint16_t(v.num));
      else if (s >= 4) write<uint32_t>(cx, ptr, uint32_t(v.num));
      if (s >= 8) write<uint32_t>(cx, ptr + 4, uint32_t(v.num >> 32));
      return;
    }
    case K::own:
    case K::borrow: return write<uint32_t>(cx, ptr, lower_handle(cx, v, t));
    default: break;
  }
  size_t n = case_count(t);
  uint32_t index = t.kind == K::enum_ ? uint32_t(v.num) : v.index;
  if (index >= n) fault("case index " + std::to_string(index) + " is out of range");
  switch (discriminant_size(n)) {
    case 1: write<uint8_t>(cx, ptr, uint8_t(index)); break;
    case 2: write<uint16_t>(cx, ptr, uint16_t(index)); break;
    default: write<uint32_t>(cx, ptr, index);
  }
  if (const CType* ct = case_type(t, index)) {
    if (v.items.empty()) fault("variant case " + std::to_string(index) + " needs a payload");
    store_value(cx, v.items[0], ptr + align_to(discriminant_size(n), max_case_align(t)), *ct);
  }
}

// ---- flat ----

struct FlatReader {
  std::span<const CoreValue> values;
  size_t pos = 0;
  CoreValue next(CoreType want) {
    if (pos >= values.size()) fault("too few flat values");
    CoreValue v = values[pos++];
    if (v.type != want) {
      // A joined variant slot: narrow or reinterpret to the case's own type.
      if (want == CoreType::i32) v = CoreValue::i32(uint32_t(v.bits));
      else if (want == CoreType::f32) v = {CoreType::f32, uint32_t(v.bits)};
      else if (want == CoreType::f64) v = {CoreType::f64, v.bits};
      else v = {CoreType::i64, v.bits};
    }
    return v;
  }
};

Val lift_value(CanonContext& cx, FlatReader& r, const CType& t) {
  switch (t.kind) {
    case K::bool_: return Val::boolean(r.next(CoreType::i32).as_i32() != 0);
    case K::s8: return Val::number(uint64_t(int64_t(int8_t(r.next(CoreType::i32).as_i32()))));
    case K::u8: return Val::number(uint8_t(r.next(CoreType::i32).as_i32()));
    case K::s16: return Val::number(uint64_t(int64_t(int16_t(r.next(CoreType::i32).as_i32()))));
    case K::u16: return Val::number(uint16_t(r.next(CoreType::i32).as_i32()));
    case K::s32: return Val::number(uint64_t(int64_t(int32_t(r.next(CoreType::i32).as_i32()))));
    case K::u32: return Val::number(r.next(CoreType::i32).as_i32());
    case K::s64:
    case K::u64: return Val::number(r.next(CoreType::i64).as_i64());
    case K::f32: return Val::floating(r.next(CoreType::f32).as_f32());
    case K::f64: return Val::floating(r.next(CoreType::f64).as_f64());
    case K::char_: {
      uint32_t c = r.next(CoreType::i32).as_i32();
      require_scalar(c);
      return Val::number(c);
    }
    case K::string: {
      uint32_t ptr = r.next(CoreType::i32).as_i32();
      uint32_t len = r.next(CoreType::i32).as_i32();
      return Val::string(load_string_from(cx, ptr, len));
    }
    case K::list: {
      uint32_t ptr = r.next(CoreType::i32).as_i32();
      uint32_t len = r.next(CoreType::i32).as_i32();
      return load_list_from(cx, ptr, len, *t.elems[0]);
    }
    case K::record:
    case K::tuple: {
      Val v;
      v.items.reserve(t.elems.size());
      for (const auto& f : t.elems) v.items.push_back(lift_value(cx, r, *f));
      return v;
    }
    case K::flags: {
      uint64_t bits = 0;
      size_t words = (t.names.size() + 31) / 32;
      for (size_t i = 0; i < words; ++i) bits |= uint64_t(r.next(CoreType::i32).as_i32()) << (32 * i);
      return Val::number(bits);
    }
    case K::own:
    case K::borrow: return lift_handle(cx, r.next(CoreType::i32).as_i32(), t);
    default: break;
  }
  size_t n = case_count(t);
  uint32_t index = r.next(CoreType::i32).as_i32();
  require_case(index, n);
  size_t payload_slots = flat_count(t) - 1;
  size_t start = r.pos;
  Val v = Val::cases(index);
  if (t.kind == K::enum_) v.num = index;
  if (const CType* ct = case_type(t, index)) v.items.push_back(lift_value(cx, r, *ct));
  r.pos = start + payload_slots;
  return v;
}

void lower_value(CanonContext& cx, const Val& v, const CType& t, std::vector<CoreValue>& out) {
  switch (t.kind) {
    case K::bool_: out.push_back(CoreValue::i32(v.num ? 1 : 0)); return;
    case K::s8:
    case K::u8:
    case K::s16:
    case K::u16:
    case K::s32:
    case K::u32: out.push_back(CoreValue::i32(uint32_t(v.num))); return;
    case K::char_:
      require_scalar(v.num);
      out.push_back(CoreValue::i32(uint32_t(v.num)));
      return;
    case K::s64:
    case K::u64: out.push_back(CoreValue::i64(v.num)); return;
    case K::f32: out.push_back(CoreValue::f32(float(v.f))); return;
    case K::f64: out.push_back(CoreValue::f64(v.f)); return;
    case K::string: {
      auto [p, len] = store_string_to(cx, v.str);
      out.push_back(CoreValue::i32(p));
      out.push_back(CoreValue::i32(len));
      return;
    }
    case K::list: {
      auto [p, len] = store_list_to(cx, v, *t.elems[0]);
      out.push_back(CoreValue::i32(p));
      out.push_back(CoreValue::i32(len));
      return;
    }
    case K::record:
    case K::tuple:
      if (v.items.size() != t.elems.size()) fault("record/tuple value has the wrong number of fields");
      for (size_t i = 0; i < t.elems.size(); ++i) lower_value(cx, v.items[i], *t.elems[i], out);
      return;
    case K::flags:
      for (size_t i = 0; i < (t.names.size() + 31) / 32; ++i) out.push_back(CoreValue::i32(uint32_t(v.num >> (32 * i))));
      return;
    case K::own:
    case K::borrow: out.push_back(CoreValue::i32(lower_handle(cx, v, t))); return;
    default: break;
  }
  auto slots = flatten(t);
  uint32_t index = t.kind == K::enum_ ? uint32_t(v.num) : v.index;
  if (index >= case_count(t)) fault("case index " + std::to_string(index) + " is out of range");
  out.push_back(CoreValue::i32(index));
  size_t start = out.size();
  if (const CType* ct = case_type(t, index)) {
    if (v.items.empty()) fault("variant case " + std::to_string(index) + " needs a payload");
    lower_value(cx, v.items[0], *ct, out);
  }
  // Widen each payload value to the joined slot type, then pad the unused slots with zeros.
  for (size_t i = start; i < out.size(); ++i) {
    CoreType want = slots[1 + i - start];
    CoreValue& cv = out[i];
    if (cv.type == want) continue;
    uint64_t bits = (cv.type == CoreType::i32 || cv.type == CoreType::f32) ? (cv.bits & 0xffffffffu) : cv.bits;
    cv = {want, bits};
  }
  for (size_t i = out.size() - start + 1; i < slots.size(); ++i) out.push_back({slots[i], 0});
}

}  // namespace

// ---- layout ----

uint32_t size_of(const CType& t) {
  switch (t.kind) {
    case K::bool_:
    case K::s8:
    case K::u8: return 1;
    case K::s16:
    case K::u16: return 2;
    case K::s32:
    case K::u32:
    case K::f32:
    case K::char_:
    case K::own:
    case K::borrow: return 4;
    case K::s64:
    case K::u64:
    case K::f64: return 8;
    case K::string:
    case K::list: return 8;
    case K::record:
    case K::tuple: {
      uint32_t s = 0;
      for (const auto& f : t.elems) s = align_to(s, align_of(*f)) + size_of(*f);
      return align_to(s, align_of(t));
    }
    case K::flags: {
      size_t n = t.names.size();
      return n == 0 ? 0 : n <= 8 ? 1 : n <= 16 ? 2 : uint32_t(4 * ((n + 31) / 32));
    }
    default: break;
  }
  size_t n = case_count(t);
  uint32_t s = align_to(discriminant_size(n), max_case_align(t));
  uint32_t payload = 0;
  for (uint32_t i = 0; i < n; ++i)
    if (const CType* c = case_type(t, i)) payload = std::max(payload, size_of(*c));
  return align_to(s + payload, align_of(t));
}

uint32_t align_of(const CType& t) {
  switch (t.kind) {
    case K::record:
    case K::tuple: {
      uint32_t a = 1;
      for (const auto& f : t.elems) a = std::max(a, align_of(*f));
      return a;
    }
    case K::flags: {
      size_t n = t.names.size();
      return n <= 8 ? 1 : n <= 16 ? 2 : 4;
    }
    case K::string:
    case K::list: return 4;
    default: break;
  }
  if (is_variant_like(t.kind)) return std::max(discriminant_size(case_count(t)), max_case_align(t));
  return size_of(t);
}

std::vector<CoreType> flatten(const CType& t) {
  switch (t.kind) {
    case K::s64:
    case K::u64: return {CoreType::i64};
    case K::f32: return {CoreType::f32};
    case K::f64: return {CoreType::f64};
    case K::string:
    case K::list: return {CoreType::i32, CoreType::i32};
    case K::record:
    case K::tuple: {
      std::vector<CoreType> out;
      for (const auto& f : t.elems) {
        auto sub = flatten(*f);
        out.insert(out.end(), sub.begin(), sub.end());
      }
      return out;
    }
    case K::flags: return std::vector<CoreType>((t.names.size() + 31) / 32, CoreType::i32);
    default: break;
  }
  if (!is_variant_like(t.kind)) return {CoreType::i32};
  std::vector<CoreType> payload;
  for (uint32_t i = 0; i < case_count(t); ++i) {
    const CType* c = case_type(t, i);
    if (!c) continue;
    auto sub = flatten(*c);
    for (size_t k = 0; k < sub.size(); ++k) {
      if (k < payload.size()) payload[k] = join(payload[k], sub[k]);
      else payload.push_back(sub[k]);
    }
  }
  payload.insert(payload.begin(), CoreType::i32);
  return payload;
}

namespace {
std::vector<CoreType> flatten_all(const std::vector<CTypePtr>& types) {
  std::vector<CoreType> out;
  for (const auto& t : types) {
    auto sub = flatten(*t);
    out.insert(out.end(), sub.begin(), sub.end());
  }
  return out;
}
CType params_tuple(const FuncSig& sig) {
  CType t;
  t.kind = K::tuple;
  t.elems = sig.params;
  return t;
}
}  // namespace

CoreFuncType flatten(const FuncSig& sig, bool lower) {
  CoreFuncType ft;
  ft.params = flatten_all(sig.params);
  if (ft.params.size() > kMaxFlatParams) ft.params = {CoreType::i32};
  if (sig.result) ft.results = flatten(*sig.result);
  if (ft.results.size() > kMaxFlatResults) {
    if (lower) {
      ft.params.push_back(CoreType::i32);
      ft.results.clear();
    } else {
      ft.results = {CoreType::i32};
    }
  }
  return ft;
}

namespace {

void require_area_of(CanonContext& cx, uint32_t ptr, const CType& t, const char* what) {
  require_value_area(cx, ptr, size_of(t), align_of(t), what);
}

}  // namespace

Result<Val> load(CanonContext& cx, uint32_t ptr, const CType& t) {
  return guarded([&]() -> Result<Val> {
    require_area_of(cx, ptr, t, "pointer");
    return load_value(cx, ptr, t);
  });
}

Result<void> store(CanonContext& cx, const Val& v, uint32_t ptr, const CType& t) {
  return guarded([&]() -> Result<void> {
    require_area_of(cx, ptr, t, "pointer");
    store_value(cx, v, ptr, t);
    return ok();
  });
}

Result<Val> lift_flat(CanonContext& cx, std::span<const CoreValue> flat, const CType& t) {
  return guarded([&]() -> Result<Val> {
    FlatReader r{flat};
    return lift_value(cx, r, t);
  });
}

Result<std::vector<CoreValue>> lower_flat(CanonContext& cx, const Val& v, const CType& t) {
  return guarded([&]() -> Result<std::vector<CoreValue>> {
    std::vector<CoreValue> out;
    lower_value(cx, v, t, out);
    return out;
  });
}

LoweredShape lowered_shape(const FuncSig& sig) {
  LoweredShape shape;
  shape.params_in_memory = flatten_all(sig.params).size() > kMaxFlatParams;
  shape.result_in_memory = sig.result && flatten(*sig.result).size() > kMaxFlatResults;
  return shape;
}

CoreFuncType flatten_lowered(const FuncSig& sig, LoweredShape& shape) {
  CoreFuncType ft;
  ft.params = flatten_all(sig.params);
  shape.params_in_memory = ft.params.size() > kMaxFlatParams;
  if (shape.params_in_memory) ft.params = {CoreType::i32};
  if (sig.result) ft.results = flatten(*sig.result);
  shape.result_in_memory = ft.results.size() > kMaxFlatResults;
  if (shape.result_in_memory) {
    ft.params.push_back(CoreType::i32);
    ft.results.clear();
  }
  return ft;
}

Result<std::vector<Val>> lift_lowered_args(CanonContext& cx, const FuncSig& sig, std::span<const CoreValue> args) {
  return lift_lowered_args(cx, sig, lowered_shape(sig), args);
}

Result<void> lower_lowered_result(CanonContext& cx, const FuncSig& sig, const Val& result,
                                  std::span<const CoreValue> args, std::span<CoreValue> results) {
  return lower_lowered_result(cx, sig, lowered_shape(sig), result, args, results);
}

Result<std::vector<Val>> lift_lowered_args(CanonContext& cx, const FuncSig& sig, LoweredShape shape,
                                           std::span<const CoreValue> args) {
  return guarded([&]() -> Result<std::vector<Val>> {
    if (shape.params_in_memory) {
      if (args.empty()) fault("missing parameter pointer");
      CType tuple = params_tuple(sig);
      uint32_t ptr = args[0].as_i32();
      require_area_of(cx, ptr, tuple, "parameter pointer");
      return load_value(cx, ptr, tuple).items;
    }
    FlatReader r{args};
    std::vector<Val> out;
    out.reserve(sig.params.size());
    for (const auto& p : sig.params) out.push_back(lift_value(cx, r, *p));
    return out;
  });
}

Result<void> lower_lowered_result(CanonContext& cx, const FuncSig& sig, LoweredShape shape, const Val& result,
                                  std::span<const CoreValue> args, std::span<CoreValue> results) {
  return guarded([&]() -> Result<void> {
    if (!sig.result) return ok();
    if (shape.result_in_memory) {
      if (args.empty()) fault("missing return pointer");
      uint32_t retptr = args.back().as_i32();
      require_area_of(cx, retptr, *sig.result, "return pointer");
      store_value(cx, result, retptr, *sig.result);
      return ok();
    }
    std::vector<CoreValue> out;
    lower_value(cx, result, *sig.result, out);
    for (size_t i = 0; i < out.size() && i < results.size(); ++i) results[i] = out[i];
    return ok();
  });
}

Result<std::string> lift_string(CanonContext& cx, uint32_t ptr, uint32_t len) {
  return guarded([&]() -> Result<std::string> { return load_string_from(cx, ptr, len); });
}

Result<std::string> lift_byte_list(CanonContext& cx, uint32_t ptr, uint32_t len) {
  return guarded([&]() -> Result<std::string> {
    return std::string(reinterpret_cast<const char*>(at(cx, ptr, len)), len);
  });
}

Result<uint32_t> lift_handle_rep(CanonContext& cx, uint32_t handle, const CType& t) {
  return guarded([&]() -> Result<uint32_t> { return uint32_t(lift_handle(cx, handle, t).num); });
}

Result<uint32_t> lower_handle_rep(CanonContext& cx, uint32_t rep, const CType& t) {
  return guarded([&]() -> Result<uint32_t> { return lower_handle(cx, Val::handle(rep), t); });
}

Result<void> check_char(uint64_t c) {
  return guarded([&]() -> Result<void> {
    require_scalar(c);
    return ok();
  });
}

Result<void> check_case_index(uint32_t index, size_t cases) {
  return guarded([&]() -> Result<void> {
    require_case(index, cases);
    return ok();
  });
}

Result<void> check_value_area(CanonContext& cx, uint32_t ptr, uint32_t size, uint32_t align, std::string_view what) {
  return guarded([&]() -> Result<void> {
    require_value_area(cx, ptr, size, align, what);
    return ok();
  });
}

Result<void> write_guest(CanonContext& cx, uint32_t ptr, const void* data, uint32_t size) {
  return guarded([&]() -> Result<void> {
    std::memcpy(at(cx, ptr, size), data, size);
    return ok();
  });
}

Result<void> store_string_at(CanonContext& cx, const std::string& s, uint32_t ptr) {
  return guarded([&]() -> Result<void> {
    store_pair(cx, store_string_to(cx, s), ptr);
    return ok();
  });
}

Result<void> store_byte_list_at(CanonContext& cx, const std::string& bytes, uint32_t ptr) {
  return guarded([&]() -> Result<void> {
    store_pair(cx, store_bytes_to(cx, bytes), ptr);
    return ok();
  });
}

Result<std::vector<CoreValue>> lower_lifted_args(CanonContext& cx, const FuncSig& sig, const std::vector<Val>& args) {
  return guarded([&]() -> Result<std::vector<CoreValue>> {
    if (args.size() != sig.params.size()) fault("wrong number of arguments");
    std::vector<CoreValue> out;
    if (flatten_all(sig.params).size() > kMaxFlatParams) {
      CType tuple = params_tuple(sig);
      uint32_t ptr = realloc_call(cx, align_of(tuple), size_of(tuple));
      store_value(cx, Val::list(args), ptr, tuple);
      return std::vector<CoreValue>{CoreValue::i32(ptr)};
    }
    for (size_t i = 0; i < args.size(); ++i) lower_value(cx, args[i], *sig.params[i], out);
    return out;
  });
}

Result<Val> lift_lifted_result(CanonContext& cx, const FuncSig& sig, std::span<const CoreValue> results) {
  return guarded([&]() -> Result<Val> {
    if (!sig.result) return Val{};
    if (flatten(*sig.result).size() > kMaxFlatResults) {
      if (results.empty()) fault("missing result pointer");
      uint32_t ptr = results[0].as_i32();
      require_area_of(cx, ptr, *sig.result, "result pointer");
      return load_value(cx, ptr, *sig.result);
    }
    FlatReader r{results};
    return lift_value(cx, r, *sig.result);
  });
}

}  // namespace weft::runtime
