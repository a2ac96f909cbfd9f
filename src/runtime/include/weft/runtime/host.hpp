#pragma once
// Host-provided interfaces that components import (WASI 0.2, weft:app): functions on component values, and the
// resource types they hand out. Imports bind to them semver-compatibly by interface name.

#include <functional>
#include <cstddef>
#include <map>
#include <memory>
#include <new>
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
  /// The wrap()'ed callable both entries reach (through plain pointers, so `call` needs no allocation of its own);
  /// kept when the call is replaced, since the replacement typically calls the old `call`. A small trivially
  /// copyable callable (a lambda over a state pointer: nearly every host function) lives in `inline_body`, inside
  /// the map's node, instead of in an allocation of its own; `body` then owns nothing.
  std::shared_ptr<void> body;
  alignas(std::max_align_t) std::byte inline_body[48];

  HostBinding() = default;
  // Not copied or moved: `call` and `direct` may point into `inline_body`.
  HostBinding(const HostBinding&) = delete;
  HostBinding& operator=(const HostBinding&) = delete;

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
  HostInterface() = default;
  // Not copied or moved: a binding's arity message refers to `name` where it lives (wrap_as).
  HostInterface(const HostInterface&) = delete;
  HostInterface& operator=(const HostInterface&) = delete;

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
  void wrap(std::string fn, F body) {
    wrap_as(std::move(fn), std::move(body), static_cast<typename detail::Callable<F>::Args*>(nullptr));
  }

  /// Adds function `fn` served by the member function `body` of `object` (an interface's class, kept alive by its
  /// bindings), typed as wrap() types a callable.
  template <class C, class R, class... A>
  void wrap(std::string fn, std::shared_ptr<C> object, R (C::*body)(A...)) {
    wrap(std::move(fn), [object = std::move(object), body](A... args) -> R { return (object.get()->*body)(std::move(args)...); });
  }

 private:
  template <class F, class... A>
  void wrap_as(std::string fn, F body, std::tuple<A...>*) {
    using Ret = typename detail::Callable<F>::Ret;
    using R = typename detail::Returned<Ret>::type;
    // One callable behind both entries: a body with state (a mutable lambda) sees every call, whichever path. The
    // arity check is arity_checked's, inline. Every instance installs every binding, so each allocation here is paid
    // per host function per instance: the callable is the one allocation of its own (the std::function holds a plain
    // pointer to it, small enough to live inside the std::function; the binding owns it), and the check's message
    // names the function through the interface's name and the map's key, both of which live as long as the binding.
    auto [slot, inserted] = functions.try_emplace(std::move(fn));  // `fn` is moved only when inserted
    struct Body {
      F body;
      const std::string* interface_name;
      const std::string* function_name;
    };
    HostBinding& binding = slot->second;
    std::shared_ptr<Body> shared;
    if constexpr (sizeof(Body) <= sizeof(binding.inline_body) && alignof(Body) <= alignof(std::max_align_t) &&
                  std::is_trivially_copyable_v<F>) {
      // Trivially destructible too: nothing to run when the binding goes or is wrapped again.
      Body* in_node = ::new (static_cast<void*>(binding.inline_body)) Body{std::move(body), &name, &slot->first};
      shared = std::shared_ptr<Body>(std::shared_ptr<Body>(), in_node);  // a pointer, owning nothing
    } else {
      shared = std::make_shared<Body>(Body{std::move(body), &name, &slot->first});
    }
    HostCall call = [b = shared.get()](std::vector<Val>& args) -> Result<Val> {
      if (args.size() != sizeof...(A))
        return fail(*b->interface_name + "#" + *b->function_name + " called with " + std::to_string(args.size()) +
                    " arguments, it takes " + std::to_string(sizeof...(A)));
      F& body = b->body;
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
    binding.type = wit::Signature<R(A...)>::get();
    binding.call = std::move(call);
    binding.direct = nullptr;
    if constexpr (wit::direct_signature<Ret, A...>())
      binding.direct = wit::direct_call<Ret, A...>(std::shared_ptr<F>(shared, &shared->body));
    binding.body = std::move(shared);
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
