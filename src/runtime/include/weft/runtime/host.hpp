#pragma once
// Host-provided interfaces that components import (WASI 0.2, weft:app): functions on component values, and the
// resource types they hand out. Imports bind to them semver-compatibly by interface name.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/core/result.hpp"
#include "weft/runtime/host_direct.hpp"
#include "weft/runtime/host_types.hpp"
#include "weft/runtime/values.hpp"

namespace weft::runtime {

/// A host function: receives the lifted arguments, returns the result (ignored for functions without one). An error
/// traps the guest with kind `host` and the error's message.
using HostCall = std::function<Result<Val>(std::vector<Val>& args)>;

/// A host function and the WIT type it serves: a guest's import binds to it only when it declares exactly that type
/// (wit::mismatch), and `call` is never handed another number of arguments than `type` has parameters. `direct`, when
/// set, is the same function reached straight from core values (host_direct.hpp): a lowered call takes it instead
/// of lifting `Val`s for `call`.
struct HostBinding {
  std::shared_ptr<const FuncSig> type;
  HostCall call;
  DirectHostCall direct;

  /// Puts `replacement` (typically a check around the old `call`) in place of the function; the direct entry goes,
  /// since it would reach the old function without the check.
  void replace_call(HostCall replacement) {
    call = std::move(replacement);
    direct = nullptr;
  }
};

/// `body` behind an arity check: a call with another number of arguments than `params` fails (the link-time type
/// check makes that impossible; this is the backstop should a path around it ever exist).
[[nodiscard]] HostCall arity_checked(std::string name, size_t params, HostCall body);

namespace detail {
template <class F> struct Callable : Callable<decltype(&F::operator())> {};
template <class C, class R, class... A> struct Callable<R (C::*)(A...) const> {
  using Ret = R;
  using Args = std::tuple<std::decay_t<A>...>;
};
template <class C, class R, class... A> struct Callable<R (C::*)(A...)> : Callable<R (C::*)(A...) const> {};
template <class R, class... A> struct Callable<R (*)(A...)> {
  using Ret = R;
  using Args = std::tuple<std::decay_t<A>...>;
};
}  // namespace detail

struct HostInterface {
  std::string name;  // with version, e.g. `wasi:io/streams@0.2.12`
  std::map<std::string, HostBinding, std::less<>> functions;
  std::map<std::string, ResourceTypePtr, std::less<>> resources;
  /// When set, functions not in `functions` bind to it and unknown resource names get fresh resource types: for
  /// interfaces that are present but refuse everything (wasi:sockets).
  HostCall fallback;

  /// Adds (or returns) the resource type `name`, whose handles' reps are released through `drop`.
  ResourceTypePtr resource(const std::string& resource_name, std::function<void(uint32_t rep)> drop);

  /// Adds function `fn` served by the typed callable `body`, whose C++ signature is its WIT type: parameters and
  /// result are host_types.hpp values (`[](Borrow<Pollable> p) -> bool`); returning `Result<T>` lets an error trap
  /// the guest. Arguments are converted from the lifted values, the result back.
  template <class F>
  void wrap(const std::string& fn, F body) {
    wrap_as(fn, std::move(body), static_cast<typename detail::Callable<F>::Args*>(nullptr));
  }

  /// Adds function `fn` served by the member function `body` of `object` (an interface's class, kept alive by its
  /// bindings), typed as wrap() types a callable.
  template <class C, class R, class... A>
  void wrap(const std::string& fn, std::shared_ptr<C> object, R (C::*body)(A...)) {
    wrap(fn, [object = std::move(object), body](A... args) -> R { return (object.get()->*body)(std::move(args)...); });
  }

 private:
  template <class F, class... A>
  void wrap_as(const std::string& fn, F body, std::tuple<A...>*) {
    using Ret = typename detail::Callable<F>::Ret;
    using R = typename detail::Returned<Ret>::type;
    // One callable behind both entries: a body with state (a mutable lambda) sees every call, whichever path. The
    // arity check is arity_checked's, inline: one std::function per binding instead of two (every instance installs
    // every binding, so each allocation here is paid per instance).
    struct Body {
      F body;
      std::string name;  // `interface#function`, for the arity check's message
    };
    auto shared = std::make_shared<Body>(Body{std::move(body), name + "#" + fn});
    HostCall call = [shared](std::vector<Val>& args) -> Result<Val> {
      if (args.size() != sizeof...(A))
        return fail(shared->name + " called with " + std::to_string(args.size()) + " arguments, it takes " +
                    std::to_string(sizeof...(A)));
      F& body = shared->body;
      return [&]<size_t... I>(std::index_sequence<I...>) -> Result<Val> {
        if constexpr (std::is_void_v<Ret>) {
          body(wit::Conv<A>::from(args[I])...);
          return Val{};
        } else if constexpr (std::is_same_v<Ret, Result<void>>) {
          if (auto r = body(wit::Conv<A>::from(args[I])...); !r) return fail(std::move(r).error());
          return Val{};
        } else if constexpr (std::is_same_v<Ret, Result<R>>) {
          auto r = body(wit::Conv<A>::from(args[I])...);
          if (!r) return fail(std::move(r).error());
          return wit::Conv<R>::to(std::move(r).value());
        } else {
          return wit::Conv<R>::to(body(wit::Conv<A>::from(args[I])...));
        }
      }(std::index_sequence_for<A...>{});
    };
    HostBinding binding{wit::Signature<R(A...)>::get(), std::move(call), nullptr};
    if constexpr (wit::direct_signature<Ret, A...>())
      binding.direct = wit::direct_call<Ret, A...>(std::shared_ptr<F>(shared, &shared->body));
    functions[fn] = std::move(binding);
  }
};

class HostRegistry {
 public:
  /// Adds an interface; a later interface with a compatible name replaces an earlier one.
  HostInterface& add(std::string name);
  /// The interface serving an import name (`wasi:io/streams@0.2.6` finds the host's 0.2.x).
  [[nodiscard]] const HostInterface* find(std::string_view import_name) const;
  [[nodiscard]] HostInterface* find_mutable(std::string_view import_name);
  /// Every interface, in the order added.
  [[nodiscard]] const std::vector<std::unique_ptr<HostInterface>>& interfaces() const { return interfaces_; }

 private:
  /// The interface of `interfaces_` whose name is compatible with `name`, or npos. Compatible names agree up to the
  /// `@`: each interface's length up to it is kept beside it, so the names compared in full (and parsed) are only
  /// those of equal length — instantiating looks every import up, and installing compares every interface added.
  [[nodiscard]] size_t index_of(std::string_view name) const;

  std::vector<std::unique_ptr<HostInterface>> interfaces_;
  std::vector<size_t> unversioned_lengths_;  // of interfaces_[i]->name
};

}  // namespace weft::runtime
