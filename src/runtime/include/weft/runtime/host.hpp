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
#include "weft/runtime/values.hpp"

namespace weft::runtime {

/// A host function: receives the lifted arguments, returns the result (ignored for functions without one). An error
/// traps the guest with kind `host` and the error's message.
using HostCall = std::function<Result<Val>(std::vector<Val>& args)>;

struct HostInterface {
  std::string name;  // with version, e.g. `wasi:io/streams@0.2.12`
  std::map<std::string, HostCall, std::less<>> functions;
  std::map<std::string, ResourceTypePtr, std::less<>> resources;
  /// When set, functions not in `functions` bind to it and unknown resource names get fresh resource types: for
  /// interfaces that are present but refuse everything (wasi:sockets).
  HostCall fallback;

  /// Adds (or returns) the resource type `name`, whose handles' reps are released through `drop`.
  ResourceTypePtr resource(const std::string& resource_name, std::function<void(uint32_t rep)> drop);
};

class HostRegistry {
 public:
  /// Adds an interface; a later interface with a compatible name replaces an earlier one.
  HostInterface& add(std::string name);
  /// The interface serving an import name (`wasi:io/streams@0.2.6` finds the host's 0.2.x).
  [[nodiscard]] const HostInterface* find(std::string_view import_name) const;
  [[nodiscard]] HostInterface* find_mutable(std::string_view import_name);

 private:
  std::vector<std::unique_ptr<HostInterface>> interfaces_;
};

}  // namespace weft::runtime
