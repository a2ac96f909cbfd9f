#pragma once
// Direct host calls: a typed host function (HostInterface::wrap) whose parameters and result are simple enough is
// also reachable straight from the core values of a `canon lower` call — arguments read from the flat values into the
// C++ parameters, the result written back into the core result or the return area — without the lifted `Val`s of
// the generic path (canonical_abi.hpp's lift_lowered_args / lower_lowered_result). Every guest pointer and length is
// checked by the same canonical ABI functions, in the same order, with the same messages, so a call traps exactly
// where and how the generic path would.
//
// Direct parameters: scalars, std::string, Bytes, Own/Borrow, std::optional of those. Direct results: scalars,
// std::string, Bytes, Own, std::optional and Res over those (None included). Anything else (records, variants,
// enums, flags, lists of non-bytes) keeps the generic path.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/runtime/canonical_abi.hpp"
#include "weft/runtime/host_types.hpp"

namespace weft::runtime {

/// Where a direct host call failed; the trampoline turns each stage into the trap the generic path raises there
/// (`canonical-abi` for arguments and result, `host` for the host function's own error).
struct DirectFailure {
  enum class Stage : uint8_t { arguments, host, result } stage = Stage::arguments;
  std::string message;
};

/// A host function called with the core values of a lowered call: `sig` is the guest's declared type (equal to the
/// host's, checked at link time; its handle types name the resources). The entry is a plain function pointer over
/// the raw bits of the flat values (i32/f32 in the low 32 bits) — no std::function and no CoreValue boxes between
/// compiled guest code and the host body: a host call's whole budget is a few nanoseconds (docs/performance.md).
class DirectHostCall {
 public:
  /// `count` flat arguments in `args`; the flat result, if the type has one, goes to `results[0]`.
  using Entry = std::optional<DirectFailure> (*)(void* body, CanonContext& cx, const FuncSig& sig,
                                                 const uint64_t* args, size_t count, uint64_t* results);

  /// The same call for compiled code (UnboxedHostEntry::typed, over a DirectLowering): `params` are the C types of
  /// its core parameters, in order.
  struct Typed {
    void (*entry)(void) = nullptr;
    std::span<const CoreType> params;
  };

  DirectHostCall() = default;
  DirectHostCall(std::nullptr_t) {}  // NOLINT: no entry, as a null std::function was
  DirectHostCall(Entry entry, Typed typed, std::shared_ptr<void> body)
      : entry_(entry), typed_(typed), body_(std::move(body)) {}

  explicit operator bool() const { return entry_ != nullptr; }
  [[nodiscard]] void* body() const { return body_.get(); }
  [[nodiscard]] const Typed& typed() const { return typed_; }

  std::optional<DirectFailure> call(CanonContext& cx, const FuncSig& sig, const uint64_t* args, size_t count,
                                    uint64_t* results) const {
    return entry_(body_.get(), cx, sig, args, count, results);
  }

  /// The same call over CoreValues (results get the types of the flat signature): for callers that hold them.
  std::optional<DirectFailure> operator()(CanonContext& cx, const FuncSig& sig, std::span<const CoreValue> args,
                                          std::span<CoreValue> results) const {
    std::vector<uint64_t> in(args.size());
    for (size_t i = 0; i < args.size(); ++i) in[i] = args[i].bits;
    uint64_t out[kMaxFlatResults] = {};
    auto failure = call(cx, sig, in.data(), in.size(), out);
    if (!failure) {
      auto types = flatten(sig, true).results;
      for (size_t i = 0; i < results.size() && i < types.size(); ++i) results[i] = {types[i], out[i]};
    }
    return failure;
  }

 private:
  Entry entry_ = nullptr;
  Typed typed_;
  std::shared_ptr<void> body_;  // the wrap()'ed callable, shared with the generic entry
};

/// A `canon lower` of a host function with a direct entry, as its typed entry reaches it: component_trampolines.cpp
/// makes one per trampoline and keeps it as long as the engine keeps the function.
struct DirectLowering {
  void* body = nullptr;                   // the wrap()'ed callable (DirectHostCall::body)
  const FuncSig* sig = nullptr;           // the guest's declared type
  CanonContext* context = nullptr;  // the options' memory and realloc, once resolved (at the first call)
  /// Resolves `context`; the trap to raise when the options cannot be resolved.
  std::optional<Trap> (*resolve)(DirectLowering& self) = nullptr;
  /// The trap the generic path raises where a direct call failed.
  Trap (*trap)(const DirectLowering& self, DirectFailure failure) = nullptr;
};

namespace detail {
/// The WIT result of a C++ return type: `Result<T>` (an error traps the guest) stands for T.
template <class R> struct Returned { using type = R; };
template <class R> struct Returned<Result<R>> { using type = R; };
}  // namespace detail

namespace wit {

/// One direct call in progress: the flat arguments read so far, and the message of the first failure.
struct DirectCall {
  CanonContext& cx;
  const uint64_t* args;
  size_t count;
  size_t pos = 0;
  std::string error;

  uint64_t next() { return args[pos++]; }  // the caller checked the count against the flat signature
  bool failed(std::string message) {
    error = std::move(message);
    return false;
  }
  template <class T>
  bool check(const Result<T>& r) {
    return r.ok() || failed(r.error().message);
  }

  // write_guest and check_value_area with the common case decided here, inline, when the context reaches the memory
  // directly; anything else (no direct access, out of bounds, misaligned) goes through them for the same message.
  [[gnu::always_inline]] bool write(uint32_t ptr, const void* data, uint32_t size) {
    if (cx.memory_access.available()) {
      std::span<uint8_t> m = cx.memory_access.current();
      if (uint64_t(ptr) + size <= m.size()) {
        std::memcpy(m.data() + ptr, data, size);
        return true;
      }
    }
    return check(write_guest(cx, ptr, data, size));
  }
  [[gnu::always_inline]] bool value_area(uint32_t ptr, uint32_t size, uint32_t align, std::string_view what) {
    if (cx.memory_access.available() && ptr % align == 0 &&
        uint64_t(ptr) + size <= cx.memory_access.current().size())
      return true;
    return check(check_value_area(cx, ptr, size, align, what));
  }
};

constexpr uint32_t align_up(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

/// How a C++ value crosses directly. `param`: it can be read from flat arguments (`flat` slots); `result`: it can be
/// written back; `in_memory` results go through the return area (`size`/`align` bytes, the canonical layout).
///
/// `plain`: storing it is writing its bytes, nothing else to check (no char to validate, no handle to move, no string
/// to allocate), so once its area is checked it can be `put` at a host address (the return area's fast path).
template <class T, class = void> struct Direct {
  static constexpr bool param = false, result = false, in_memory = false, plain = false;
  static constexpr size_t flat = 0;
  static constexpr uint32_t size = 0, align = 1;
};

template <class T>
struct Direct<T, std::enable_if_t<std::is_arithmetic_v<T>>> {
  static constexpr bool param = true, result = true, in_memory = false;
  static constexpr bool wide = sizeof(T) == 8;  // i64 / f64
  static constexpr bool plain = !std::is_same_v<T, char32_t>;  // a char is checked first
  static constexpr size_t flat = 1;
  static constexpr uint32_t size = std::is_same_v<T, bool> ? 1 : sizeof(T), align = size;

  /// As the generic path: through the lifted value (a float goes through double, as `Val::f` does).
  static bool lift(DirectCall& c, const CType&, T& out) {
    uint64_t bits = c.next();
    if constexpr (std::is_same_v<T, bool>) {
      out = uint32_t(bits) != 0;
    } else if constexpr (std::is_same_v<T, float>) {
      float f;
      auto low = uint32_t(bits);
      std::memcpy(&f, &low, 4);
      out = float(double(f));
    } else if constexpr (std::is_same_v<T, double>) {
      std::memcpy(&out, &bits, 8);
    } else if constexpr (std::is_same_v<T, char32_t>) {
      if (!c.check(check_char(uint32_t(bits)))) return false;
      out = char32_t(uint32_t(bits));
    } else if constexpr (wide) {
      out = T(bits);
    } else {
      out = T(uint32_t(bits));
    }
    return true;
  }
  static bool lower(DirectCall& c, const CType&, T v, CoreValue& out) {
    if constexpr (std::is_same_v<T, bool>) out = CoreValue::i32(v ? 1 : 0);
    else if constexpr (std::is_same_v<T, float>) out = CoreValue::f32(float(double(v)));
    else if constexpr (std::is_same_v<T, double>) out = CoreValue::f64(v);
    else if constexpr (std::is_same_v<T, char32_t>) {
      if (!c.check(check_char(uint64_t(v)))) return false;
      out = CoreValue::i32(uint32_t(v));
    } else if constexpr (wide) out = CoreValue::i64(uint64_t(v));
    else out = CoreValue::i32(uint32_t(int64_t(v)));
    return true;
  }
  static bool store(DirectCall& c, const CType&, T v, uint32_t ptr) {
    if constexpr (std::is_same_v<T, bool>) {
      uint8_t b = v ? 1 : 0;
      return c.write(ptr, &b, 1);
    } else if constexpr (std::is_same_v<T, char32_t>) {
      if (!c.check(check_char(uint64_t(v)))) return false;
      auto u = uint32_t(v);
      return c.write(ptr, &u, 4);
    } else if constexpr (std::is_same_v<T, float>) {
      float f = float(double(v));
      return c.write(ptr, &f, 4);
    } else {
      return c.write(ptr, &v, sizeof(T));
    }
  }
  /// store's bytes at `at`, whose area is checked (plain types only).
  static void put(uint8_t* at, T v) {
    static_assert(plain);
    if constexpr (std::is_same_v<T, bool>) {
      *at = v ? 1 : 0;
    } else if constexpr (std::is_same_v<T, float>) {
      float f = float(double(v));
      std::memcpy(at, &f, 4);
    } else {
      std::memcpy(at, &v, sizeof(T));
    }
  }
};

/// Strings and byte lists: (ptr, len) in two flat slots, 8 bytes aligned to 4 in memory.
template <class T, bool kBytes>
struct DirectText {
  static constexpr bool param = true, result = true, in_memory = true, plain = false;
  static constexpr size_t flat = 2;
  static constexpr uint32_t size = 8, align = 4;
  static std::string& text(T& v) {
    if constexpr (kBytes) return v.data;
    else return v;
  }
  static bool lift(DirectCall& c, const CType&, T& out) {
    auto ptr = uint32_t(c.next());
    auto len = uint32_t(c.next());
    auto r = kBytes ? lift_byte_list(c.cx, ptr, len) : lift_string(c.cx, ptr, len);
    if (!c.check(r)) return false;
    text(out) = std::move(r).value();
    return true;
  }
  static bool store(DirectCall& c, const CType&, T& v, uint32_t ptr) {
    return c.check(kBytes ? store_byte_list_at(c.cx, text(v), ptr) : store_string_at(c.cx, text(v), ptr));
  }
};
template <> struct Direct<std::string> : DirectText<std::string, false> {};
template <> struct Direct<Bytes> : DirectText<Bytes, true> {};

/// Handles: the rep of the guest's handle (own moves out of the guest's table, borrow stays), the guest's handle
/// type naming the resource.
template <class H>
struct DirectHandle {
  static constexpr bool param = true, in_memory = false, plain = false;
  static constexpr size_t flat = 1;
  static constexpr uint32_t size = 4, align = 4;
  static bool lift(DirectCall& c, const CType& t, H& out) {
    auto rep = lift_handle_rep(c.cx, uint32_t(c.next()), t);
    if (!c.check(rep)) return false;
    out.rep = *rep;
    return true;
  }
};
template <class R> struct Direct<Borrow<R>> : DirectHandle<Borrow<R>> {
  static constexpr bool result = false;  // lowering a borrow into a guest is refused; the generic path says so
};
template <class R> struct Direct<Own<R>> : DirectHandle<Own<R>> {
  static constexpr bool result = true;
  static bool lower(DirectCall& c, const CType& t, Own<R> v, CoreValue& out) {
    auto handle = lower_handle_rep(c.cx, v.rep, t);
    if (!c.check(handle)) return false;
    out = CoreValue::i32(*handle);
    return true;
  }
  static bool store(DirectCall& c, const CType& t, Own<R> v, uint32_t ptr) {
    auto handle = lower_handle_rep(c.cx, v.rep, t);
    if (!c.check(handle)) return false;
    return c.write(ptr, &*handle, 4);
  }
};

/// `_` of result<_, E>: no payload.
template <> struct Direct<None> {
  static constexpr bool param = false, result = true, in_memory = false, plain = true;
  static constexpr size_t flat = 0;
  static constexpr uint32_t size = 0, align = 1;
  static void put(uint8_t*, None) {}
};

/// Two-case variants (option, result) in memory: a one-byte discriminant, then the payload at its alignment.
template <class Ok, class Err>
struct DirectCases {
  static constexpr uint32_t align = std::max({uint32_t(1), Direct<Ok>::align, Direct<Err>::align});
  static constexpr uint32_t payload = align_up(1, align);
  static constexpr uint32_t size = align_up(payload + std::max(Direct<Ok>::size, Direct<Err>::size), align);

  template <class V>
  static bool store_case(DirectCall& c, const CType* t, uint32_t index, V* value, uint32_t ptr) {
    auto disc = uint8_t(index);
    if (!c.write(ptr, &disc, 1)) return false;
    if constexpr (!std::is_same_v<V, None>) return Direct<V>::store(c, *t, *value, ptr + payload);
    return true;
  }
  /// store_case into a checked area at `at`, when the case's payload is plain; false (nothing written) otherwise.
  template <class V>
  static bool put_case(uint8_t* at, uint32_t index, V* value) {
    if constexpr (Direct<V>::plain) {
      *at = uint8_t(index);
      if constexpr (!std::is_same_v<V, None>) Direct<V>::put(at + payload, *value);
      return true;
    } else {
      return false;
    }
  }
};

template <class T>
struct Direct<std::optional<T>> : DirectCases<None, T> {
  static constexpr bool param = Direct<T>::param;
  static constexpr bool result = Direct<T>::result && !std::is_same_v<T, None>;
  static constexpr bool in_memory = true;
  static constexpr size_t flat = param ? 1 + Direct<T>::flat : 0;

  /// As the generic path: the case index checked, the payload read from its slots, unused slots skipped.
  static bool lift(DirectCall& c, const CType& t, std::optional<T>& out) {
    auto index = uint32_t(c.next());
    if (!c.check(check_case_index(index, 2))) return false;
    size_t start = c.pos;
    if (index == 1) {
      T v{};
      if (!Direct<T>::lift(c, *t.elems[0], v)) return false;
      out = std::move(v);
    } else {
      out.reset();
    }
    c.pos = start + Direct<T>::flat;
    return true;
  }
  static bool store(DirectCall& c, const CType& t, std::optional<T>& v, uint32_t ptr) {
    if (!v) return DirectCases<None, T>::template store_case<None>(c, nullptr, 0, nullptr, ptr);
    return DirectCases<None, T>::store_case(c, t.elems[0].get(), 1, &*v, ptr);
  }
  /// store into a checked area at `at` when that is only bytes (none, or a plain payload); false otherwise.
  static bool try_put(uint8_t* at, std::optional<T>& v) {
    if (!v) return DirectCases<None, T>::template put_case<None>(at, 0, nullptr);
    return DirectCases<None, T>::put_case(at, 1, &*v);
  }
};

template <class T, class E>
struct Direct<Res<T, E>> : DirectCases<T, E> {
  static constexpr bool param = false, in_memory = true;  // as a parameter its slots join: the generic path
  static constexpr bool result = Direct<T>::result && Direct<E>::result;
  static constexpr size_t flat = 0;
  static bool store(DirectCall& c, const CType& t, Res<T, E>& v, uint32_t ptr) {
    if (v.is_ok) return DirectCases<T, E>::store_case(c, t.elems[0].get(), 0, &v.value, ptr);
    return DirectCases<T, E>::store_case(c, t.elems[1].get(), 1, &v.error, ptr);
  }
  static bool try_put(uint8_t* at, Res<T, E>& v) {
    if (v.is_ok) return DirectCases<T, E>::put_case(at, 0, &v.value);
    return DirectCases<T, E>::put_case(at, 1, &v.error);
  }
};

/// Whether `Ret(A…)` (a wrap()'ed callable's C++ signature; Result<R> stands for R) has a direct path.
template <class Ret, class... A>
constexpr bool direct_signature() {
  using R = typename detail::Returned<Ret>::type;
  constexpr size_t flat = (size_t(0) + ... + Direct<A>::flat);
  if constexpr (!(true && ... && Direct<A>::param)) return false;
  else if constexpr (flat > kMaxFlatParams) return false;
  else if constexpr (std::is_void_v<R>) return true;
  else return Direct<R>::result;
}

/// Writes a direct call's result into the return area as lower_lowered_result writes a lifted one, after checking
/// all of it: every check, in the generic path's order, with its message.
template <class R>
[[gnu::noinline]] std::optional<DirectFailure> lower_direct_checked(DirectCall& c, const FuncSig& sig, R& value) {
  static_assert(Direct<R>::in_memory);
  using Stage = DirectFailure::Stage;
  if (!sig.result) return std::nullopt;
  if (c.count == 0) return DirectFailure{Stage::result, "missing return pointer"};
  auto retptr = uint32_t(c.args[c.count - 1]);
  if (!c.value_area(retptr, Direct<R>::size, Direct<R>::align, "return pointer") ||
      !Direct<R>::store(c, *sig.result, value, retptr))
    return DirectFailure{Stage::result, std::move(c.error)};
  return std::nullopt;
}

/// Writes a direct call's result as lower_lowered_result writes a lifted one: into the core result, or into the
/// return area named by the last argument (lower_direct_checked). The common case of a two-case result (option,
/// result) is decided here, inline: when the case it holds stores only bytes (none, ok of `_`, a plain scalar
/// payload) and the whole return area is aligned and inside memory — value_area's condition, after which none of
/// store's checks can fail — its bytes are put there directly. Anything else (a string or handle payload, no memory
/// reachable directly, a misaligned or out-of-bounds area, no result in the guest's type) takes
/// lower_direct_checked, which fails where and as the generic path does.
template <class R>
[[gnu::always_inline]] inline std::optional<DirectFailure> lower_direct(DirectCall& c, const FuncSig& sig, R&& value,
                                                                        uint64_t* results) {
  if constexpr (!Direct<R>::in_memory) {
    if (!sig.result) return std::nullopt;
    CoreValue out;
    if (!Direct<R>::lower(c, *sig.result, std::move(value), out))
      return DirectFailure{DirectFailure::Stage::result, std::move(c.error)};
    results[0] = out.bits;
    return std::nullopt;
  } else {
    if constexpr (requires(uint8_t* at, R& v) { Direct<R>::try_put(at, v); }) {
      const MemoryAccess& memory = c.cx.memory_access;
      if (sig.result && c.count != 0 && memory.available()) [[likely]] {
        auto retptr = uint32_t(c.args[c.count - 1]);
        std::span<uint8_t> bytes = memory.current();
        if (retptr % Direct<R>::align == 0 && uint64_t(retptr) + Direct<R>::size <= bytes.size() &&
            Direct<R>::try_put(bytes.data() + retptr, value)) [[likely]]
          return std::nullopt;
      }
    }
    return lower_direct_checked<R>(c, sig, value);
  }
}

/// The direct entry of a wrap()'ed callable of type `F` and C++ signature `Ret(A…)` (direct_signature is true).
template <class Ret, class F, class... A>
[[gnu::always_inline]] inline std::optional<DirectFailure> direct_entry(void* body, CanonContext& cx, const FuncSig& sig, const uint64_t* args,
                                          size_t count, uint64_t* results) {
  using R = typename detail::Returned<Ret>::type;
  using Stage = DirectFailure::Stage;
  constexpr size_t flat = (size_t(0) + ... + Direct<A>::flat);
  F& fn = *static_cast<F*>(body);
  DirectCall c{cx, args, count, 0, {}};
  if (count < flat || sig.params.size() != sizeof...(A)) [[unlikely]]
    return DirectFailure{Stage::arguments, "too few flat values"};
  std::tuple<A...> values{};
  bool lifted = [&]<size_t... I>(std::index_sequence<I...>) {
    return (true && ... && Direct<A>::lift(c, *sig.params[I], std::get<I>(values)));
  }(std::index_sequence_for<A...>{});
  if (!lifted) return DirectFailure{Stage::arguments, std::move(c.error)};

  if constexpr (std::is_void_v<Ret>) {
    std::apply(fn, std::move(values));
    return std::nullopt;
  } else if constexpr (std::is_same_v<Ret, Result<void>>) {
    if (auto r = std::apply(fn, std::move(values)); !r) return DirectFailure{Stage::host, std::move(r).error().message};
    return std::nullopt;
  } else if constexpr (std::is_same_v<Ret, Result<R>>) {
    auto r = std::apply(fn, std::move(values));
    if (!r) return DirectFailure{Stage::host, std::move(r).error().message};
    return lower_direct<R>(c, sig, std::move(r).value(), results);
  } else {
    return lower_direct<R>(c, sig, std::apply(fn, std::move(values)), results);
  }
}

template <class... T> struct Types {};
template <class... T, class... U> Types<T..., U...> operator+(Types<T...>, Types<U...>) { return {}; }

/// The C types of a direct parameter's flat core values, as compiled code passes them (an optional: its case index,
/// then its payload's: the one case with a payload needs no joining).
template <class T> struct FlatC {
  using type = Types<uint32_t>;  // i32: bool, integers up to 32 bits, char32_t, handles
};
template <class T>
  requires(std::is_arithmetic_v<T> && sizeof(T) == 8 && !std::is_floating_point_v<T>)
struct FlatC<T> {
  using type = Types<uint64_t>;
};
template <> struct FlatC<float> { using type = Types<float>; };
template <> struct FlatC<double> { using type = Types<double>; };
template <> struct FlatC<std::string> { using type = Types<uint32_t, uint32_t>; };
template <> struct FlatC<Bytes> { using type = Types<uint32_t, uint32_t>; };
template <class T> struct FlatC<std::optional<T>> {
  using type = decltype(Types<uint32_t>{} + typename FlatC<T>::type{});
};

/// A lowered call's core parameters as C types: the flat parameters, then the return pointer when the result goes
/// through memory.
template <class Ret, class... A>
using LoweredC = decltype((Types<>{} + ... + typename FlatC<A>::type{}) +
                          std::conditional_t<Direct<typename detail::Returned<Ret>::type>::in_memory,
                                             Types<uint32_t>, Types<>>{});

template <class P> constexpr CoreType core_type_of() {
  if constexpr (std::is_same_v<P, uint64_t>) return CoreType::i64;
  else if constexpr (std::is_same_v<P, float>) return CoreType::f32;
  else if constexpr (std::is_same_v<P, double>) return CoreType::f64;
  else return CoreType::i32;
}
template <class P> uint64_t flat_bits(P v) {
  if constexpr (std::is_same_v<P, float>) {
    uint32_t b;
    std::memcpy(&b, &v, 4);
    return b;
  } else if constexpr (std::is_same_v<P, double>) {
    uint64_t b;
    std::memcpy(&b, &v, 8);
    return b;
  } else {
    return uint64_t(v);
  }
}

/// The typed entry (UnboxedHostEntry::typed) of a wrap()'ed callable of type `F` and C++ signature `Ret(A…)`: the
/// direct entry over the C values compiled code passes, with everything a host call from compiled code needs around
/// it — the guest flag cleared, nothing thrown out, a failure held as the trap the generic path raises.
template <class Ret, class F, class Args, class Flat> struct TypedEntry;
template <class Ret, class F, class... A, class... P>
struct TypedEntry<Ret, F, Types<A...>, Types<P...>> {
  static constexpr CoreType params[sizeof...(P) + 1] = {core_type_of<P>()..., CoreType::i32};  // + 1: never empty

  static int call(void* context, uint64_t* results, P... p) noexcept {
    auto& lowering = *static_cast<DirectLowering*>(context);
    GuestRunning host_code(false);
    try {
      if (!lowering.context) [[unlikely]] {
        if (auto trap = lowering.resolve(lowering)) return held(std::move(*trap));
      }
      // The resolved context itself, not a copy (80 bytes per call): only a lift's element budget changes in it, and
      // it starts afresh here. A call re-entering this function (through realloc) comes after this call's lift.
      CanonContext& cx = *lowering.context;
      cx.element_budget = kMaxLiftedElements;
      const uint64_t args[sizeof...(P) + 1] = {flat_bits(p)..., 0};
      auto failure = direct_entry<Ret, F, A...>(lowering.body, cx, *lowering.sig, args, sizeof...(P), results);
      if (!failure) [[likely]] return 0;
      return held(lowering.trap(lowering, std::move(*failure)));
    } catch (const std::exception& e) {
      return held(Trap{"host", std::string("host function failed: ") + e.what()});
    }
  }

 private:
  /// Holds `trap` for the generated trampoline to raise: out of line, off the path of a call that succeeds.
  [[gnu::cold, gnu::noinline]] static int held(Trap trap) noexcept {
    hold_host_trap(std::move(trap));
    return 1;
  }
};

template <class Ret, class... A, class F>
DirectHostCall direct_call(std::shared_ptr<F> body) {
  using Entry = TypedEntry<Ret, F, Types<A...>, LoweredC<Ret, A...>>;
  DirectHostCall::Typed typed{reinterpret_cast<void (*)(void)>(&Entry::call),
                              std::span<const CoreType>(Entry::params, std::size(Entry::params) - 1)};
  return DirectHostCall(&direct_entry<Ret, F, A...>, typed, std::move(body));
}

}  // namespace wit
}  // namespace weft::runtime
