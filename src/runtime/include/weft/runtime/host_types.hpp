#pragma once
// The WIT types of host functions, derived from C++ signatures. A host interface declares each function once with
// its type spelled in C++ (`iface.wrap("…read", [](Borrow<InputStream>, uint64_t) -> Res<Bytes, StreamError> {…})`),
// and the linker compares what a guest declares for that import against it (match_func_type) before binding: a guest
// cannot make a host function read arguments it was never given, or cases its tables do not have.
//
// Spelling: C++ scalars stand for themselves (bool, uint8_t … int64_t, float, double, char32_t, std::string); the
// templates below for the WIT constructors; a named type (record, variant, enum, flags) is a struct with
// `static CTypePtr type()` built from record()/variant()/enumeration()/flags(); a WIT enum may also be a C++ enum
// (cases in WIT order) with `CTypePtr wit_type(E)` declared beside it; a flags type may derive from FlagSet; a
// resource is a struct with `static constexpr std::string_view name` equal to the host resource's name
// (`wasi:io/streams/output-stream`).

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/runtime/values.hpp"

namespace weft::runtime::wit {

// Spellings that are also the values typed host functions take and return (HostInterface::wrap); List, Option and
// Tuple are spelling only (std::vector, std::optional and std::pair are their values).
struct Bytes {  // list<u8>
  std::string data;
};
struct None {};  // `_`: result<_, E>, result<T>, result
template <class T> struct List;      // list<T>
template <class T> struct Option;    // option<T>
template <class... T> struct Tuple;  // tuple<T…>
/// result<T, E>.
template <class T = None, class E = None>
struct Res {
  bool is_ok = true;
  T value{};
  E error{};
  static Res ok(T v = {}) { return {true, std::move(v), {}}; }
  static Res err(E e = {}) { return {false, {}, std::move(e)}; }
};
template <class R> struct Own { uint32_t rep = 0; };     // own<R>: the rep of a host object
template <class R> struct Borrow { uint32_t rep = 0; };  // borrow<R>

/// Named types. Field, case and flag names are part of the type (component-model type equality), in WIT order.
[[nodiscard]] CTypePtr record(std::initializer_list<std::pair<std::string, CTypePtr>> fields);
/// Cases with a null type carry no payload.
[[nodiscard]] CTypePtr variant(std::initializer_list<std::pair<std::string, CTypePtr>> cases);
[[nodiscard]] CTypePtr enumeration(std::initializer_list<std::string> cases);
[[nodiscard]] CTypePtr flags(std::initializer_list<std::string> names);
/// own<R>/borrow<R> of the host resource named `resource_name`; a guest's handle type matches when it refers to the
/// host resource of that name (not to a resource the guest defines).
[[nodiscard]] CTypePtr handle(CType::Kind own_or_borrow, std::string_view resource_name);
/// A constructed type (list, option, result, tuple) over `elems`, its nesting depth computed.
[[nodiscard]] CTypePtr compose(CType::Kind kind, std::vector<CTypePtr> elems);

/// The CTypePtr a C++ spelling stands for. The primary template serves named types; C++ enums name their WIT enum
/// through `wit_type(E)`, found beside the enum by argument-dependent lookup.
template <class T> struct Of {
  static CTypePtr get() {
    if constexpr (std::is_enum_v<T>) return wit_type(T{});
    else return T::type();
  }
};
template <class T> [[nodiscard]] CTypePtr of() { return Of<T>::get(); }

#define WEFT_WIT_PRIM(cpp, kind) \
  template <> struct Of<cpp> { static CTypePtr get() { return prim_type(CType::Kind::kind); } }
WEFT_WIT_PRIM(bool, bool_);
WEFT_WIT_PRIM(int8_t, s8);
WEFT_WIT_PRIM(uint8_t, u8);
WEFT_WIT_PRIM(int16_t, s16);
WEFT_WIT_PRIM(uint16_t, u16);
WEFT_WIT_PRIM(int32_t, s32);
WEFT_WIT_PRIM(uint32_t, u32);
WEFT_WIT_PRIM(int64_t, s64);
WEFT_WIT_PRIM(uint64_t, u64);
WEFT_WIT_PRIM(float, f32);
WEFT_WIT_PRIM(double, f64);
WEFT_WIT_PRIM(char32_t, char_);
WEFT_WIT_PRIM(std::string, string);
#undef WEFT_WIT_PRIM

template <> struct Of<None> { static CTypePtr get() { return nullptr; } };
template <> struct Of<Bytes> { static CTypePtr get() { return compose(CType::Kind::list, {of<uint8_t>()}); } };
template <class T> struct Of<List<T>> { static CTypePtr get() { return compose(CType::Kind::list, {of<T>()}); } };
template <class T> struct Of<Option<T>> { static CTypePtr get() { return compose(CType::Kind::option, {of<T>()}); } };
template <class T, class E> struct Of<Res<T, E>> {
  static CTypePtr get() { return compose(CType::Kind::result, {of<T>(), of<E>()}); }
};
template <class... T> struct Of<Tuple<T...>> {
  static CTypePtr get() { return compose(CType::Kind::tuple, {of<T>()...}); }
};
template <class T> struct Of<std::vector<T>> { static CTypePtr get() { return of<List<T>>(); } };
template <class T> struct Of<std::optional<T>> { static CTypePtr get() { return of<Option<T>>(); } };
template <class A, class B> struct Of<std::pair<A, B>> { static CTypePtr get() { return of<Tuple<A, B>>(); } };
template <class R> struct Of<Own<R>> { static CTypePtr get() { return handle(CType::Kind::own, R::name); } };
template <class R> struct Of<Borrow<R>> { static CTypePtr get() { return handle(CType::Kind::borrow, R::name); } };

/// The function type a C++ signature `R(A…)` stands for (`void` result: none).
template <class Sig> struct Signature;
template <class R, class... A> struct Signature<R(A...)> {
  /// Built once per C++ signature and shared (types are immutable once built): building them — every field and case
  /// name of WASI's records and enums — for every function of every host interface was a third of the time it took
  /// to set up an instance's host interfaces.
  static std::shared_ptr<const FuncSig> get() {
    static const std::shared_ptr<const FuncSig> shared = [] {
      auto sig = std::make_shared<FuncSig>();
      (sig->params.push_back(of<A>()), ...);
      if constexpr (!std::is_void_v<R>) sig->result = of<R>();
      return std::shared_ptr<const FuncSig>(std::move(sig));
    }();
    return shared;
  }
};

/// Conversion between lifted values and the C++ values of typed host functions: scalars, C++ enums (WIT enums),
/// std::string, Bytes, std::vector, std::optional, std::pair, Res, Own and Borrow; a named type provides
/// `static T from_val(const Val&)` where it is a parameter and `Val to_val() &&` where it is a result. Values arrive
/// checked against the type (the linker compared it; lifting checks case indices), so `from` trusts the shape.
template <class T> struct Conv {
  static T from(const Val& v) {
    if constexpr (std::is_same_v<T, bool>) return v.num != 0;
    else if constexpr (std::is_floating_point_v<T>) return T(v.f);
    else if constexpr (std::is_integral_v<T> || std::is_enum_v<T>) return T(v.num);  // enum: its case index
    else return T::from_val(v);
  }
  static Val to(T x) {
    if constexpr (std::is_same_v<T, bool>) return Val::boolean(x);
    else if constexpr (std::is_enum_v<T>) return Val::number(uint64_t(x));
    else if constexpr (std::is_floating_point_v<T>) return Val::floating(double(x));
    else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) return Val::number(uint64_t(int64_t(x)));
    else if constexpr (std::is_integral_v<T>) return Val::number(uint64_t(x));
    else return std::move(x).to_val();
  }
};
template <> struct Conv<std::string> {
  static std::string from(const Val& v) { return v.str; }
  static Val to(std::string x) { return Val::string(std::move(x)); }
};
template <> struct Conv<Bytes> {
  static Bytes from(const Val& v) { return {v.str}; }
  static Val to(Bytes x) { Val v; v.str = std::move(x.data); return v; }
};
template <> struct Conv<None> {
  static None from(const Val&) { return {}; }
};
template <class T> struct Conv<std::vector<T>> {
  static std::vector<T> from(const Val& v) {
    std::vector<T> out;
    out.reserve(v.items.size());
    for (const auto& item : v.items) out.push_back(Conv<T>::from(item));
    return out;
  }
  static Val to(std::vector<T> x) {
    std::vector<Val> items;
    items.reserve(x.size());
    for (auto& e : x) items.push_back(Conv<T>::to(std::move(e)));
    return Val::list(std::move(items));
  }
};
template <class T> struct Conv<std::optional<T>> {
  static std::optional<T> from(const Val& v) {
    if (v.index == 0) return std::nullopt;
    return Conv<T>::from(v.items.at(0));
  }
  static Val to(std::optional<T> x) { return x ? Val::some(Conv<T>::to(std::move(*x))) : Val::none(); }
};
template <class A, class B> struct Conv<std::pair<A, B>> {
  static std::pair<A, B> from(const Val& v) { return {Conv<A>::from(v.items.at(0)), Conv<B>::from(v.items.at(1))}; }
  static Val to(std::pair<A, B> x) {
    return Val::record({Conv<A>::to(std::move(x.first)), Conv<B>::to(std::move(x.second))});
  }
};
template <class T, class E> struct Conv<Res<T, E>> {
  static Res<T, E> from(const Val& v) {
    if (v.index == 0) {
      if constexpr (std::is_same_v<T, None>) return Res<T, E>::ok();
      else return Res<T, E>::ok(Conv<T>::from(v.items.at(0)));
    }
    if constexpr (std::is_same_v<E, None>) return Res<T, E>::err();
    else return Res<T, E>::err(Conv<E>::from(v.items.at(0)));
  }
  static Val to(Res<T, E> x) {
    if (x.is_ok) {
      if constexpr (std::is_same_v<T, None>) return Val::ok();
      else return Val::ok(Conv<T>::to(std::move(x.value)));
    }
    if constexpr (std::is_same_v<E, None>) return Val::cases(1);
    else return Val::err(Conv<E>::to(std::move(x.error)));
  }
};
template <class R> struct Conv<Own<R>> {
  static Own<R> from(const Val& v) { return {uint32_t(v.num)}; }
  static Val to(Own<R> x) { return Val::handle(x.rep); }
};
template <class R> struct Conv<Borrow<R>> {
  static Borrow<R> from(const Val& v) { return {uint32_t(v.num)}; }
  static Val to(Borrow<R> x) { return Val::handle(x.rep); }
};

/// Base of a named flags type (`struct PathFlags : FlagSet<PathFlags> { static CTypePtr type(); }`): bit i is the
/// i-th name of the WIT flags.
template <class Self> struct FlagSet {
  uint64_t bits = 0;

  [[nodiscard]] bool has(uint64_t mask) const { return (bits & mask) != 0; }
  static Self from_val(const Val& v) {
    Self s;
    s.bits = v.num;
    return s;
  }
  Val to_val() && { return Val::number(bits); }
};

/// Why the guest's type `guest` differs from the host's `host`, or "" when they are the same type: same structure,
/// same record field, variant/enum case and flag names in the same order, handles of the same host resource.
/// Parameter names are not compared (the canonical ABI passes parameters by position).
[[nodiscard]] std::string mismatch(const CType& guest, const CType& host);
[[nodiscard]] std::string mismatch(const FuncSig& guest, const FuncSig& host);

/// WIT-like text of a type (`result<u64, variant{last-operation-failed(own<…/error>), closed}>`), abbreviated below
/// the top levels.
[[nodiscard]] std::string describe(const CType* type);
[[nodiscard]] std::string describe(const FuncSig& sig);

}  // namespace weft::runtime::wit
