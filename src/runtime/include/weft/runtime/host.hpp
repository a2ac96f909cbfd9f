#pragma once
// Host-provided interfaces that components import (WASI 0.2, weft:app): functions on component values, and the
// resource types they hand out. Imports bind to them semver-compatibly by interface name.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/result.hpp"
#include "weft/runtime/host_types.hpp"
#include "weft/runtime/values.hpp"

namespace weft::runtime {

/// A host function: receives the lifted arguments, returns the result (ignored for functions without one). An error
/// traps the guest with kind `host` and the error's message.
using HostCall = std::function<Result<Val>(std::vector<Val>& args)>;

/// A host function and the WIT type it serves: a guest's import binds to it only when it declares exactly that type
/// (wit::mismatch), and `call` is never handed another number of arguments than `type` has parameters.
struct HostBinding {
  std::shared_ptr<const FuncSig> type;
  HostCall call;
};

/// `body` behind an arity check: a call with another number of arguments than `params` fails (the link-time type
/// check makes that impossible; this is the backstop should a path around it ever exist).
[[nodiscard]] HostCall arity_checked(std::string name, size_t params, HostCall body);

struct HostInterface {
  std::string name;  // with version, e.g. `wasi:io/streams@0.2.12`
  std::map<std::string, HostBinding, std::less<>> functions;
  std::map<std::string, ResourceTypePtr, std::less<>> resources;
  /// When set, functions not in `functions` bind to it and unknown resource names get fresh resource types: for
  /// interfaces that are present but refuse everything (wasi:sockets).
  HostCall fallback;

  /// Adds (or returns) the resource type `name`, whose handles' reps are released through `drop`.
  ResourceTypePtr resource(const std::string& resource_name, std::function<void(uint32_t rep)> drop);

  /// Adds function `fn` of the WIT type spelled by the C++ signature `Sig` (host_types.hpp), served by `body`.
  template <class Sig>
  void func(const std::string& fn, HostCall body) {
    auto type = wit::Signature<Sig>::get();
    functions[fn] = {type, arity_checked(name + "#" + fn, type->params.size(), std::move(body))};
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
  std::vector<std::unique_ptr<HostInterface>> interfaces_;
};

}  // namespace weft::runtime
