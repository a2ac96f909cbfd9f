#pragma once
// The WIT types of host functions, derived from C++ signatures. A host interface declares each function once with
// its type spelled in C++ (`iface.func<Res<Bytes, StreamError>(Borrow<InputStream>, uint64_t)>("…read", body)`),
// and the linker compares what a guest declares for that import against it (match_func_type) before binding: a guest
// cannot make a host function read arguments it was never given, or cases its tables do not have.
//
// Spelling: C++ scalars stand for themselves (bool, uint8_t … int64_t, float, double, char32_t, std::string); the
// templates below for the WIT constructors; a named type (record, variant, enum, flags) is a struct with
// `static CTypePtr type()` built from record()/variant()/enumeration()/flags(); a resource is a struct with
// `static constexpr std::string_view name` equal to the host resource's name (`wasi:io/streams/output-stream`).

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "weft/runtime/values.hpp"

namespace weft::runtime::wit {

struct Bytes;                                          // list<u8>
template <class T> struct List;                        // list<T>
template <class T> struct Option;                      // option<T>
struct None;                                           // `_`: result<_, E>, result<T>, result
template <class T = None, class E = None> struct Res;  // result<T, E>
template <class... T> struct Tuple;                    // tuple<T…>
template <class R> struct Own;                         // own<R>
template <class R> struct Borrow;                      // borrow<R>

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

/// The CTypePtr a C++ spelling stands for. The primary template serves named types.
template <class T> struct Of { static CTypePtr get() { return T::type(); } };
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
template <class R> struct Of<Own<R>> { static CTypePtr get() { return handle(CType::Kind::own, R::name); } };
template <class R> struct Of<Borrow<R>> { static CTypePtr get() { return handle(CType::Kind::borrow, R::name); } };

/// The function type a C++ signature `R(A…)` stands for (`void` result: none).
template <class Sig> struct Signature;
template <class R, class... A> struct Signature<R(A...)> {
  static std::shared_ptr<const FuncSig> get() {
    auto sig = std::make_shared<FuncSig>();
    (sig->params.push_back(of<A>()), ...);
    if constexpr (!std::is_void_v<R>) sig->result = of<R>();
    return sig;
  }
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
