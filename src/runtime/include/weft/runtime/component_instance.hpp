#pragma once
// Instantiation of a decoded component against host interfaces: walks the index spaces, instantiates core modules in
// definition order (wit-component's shim → main → adapter → fixup graph falls out of that order), builds canon
// lift/lower trampolines and resource built-ins, instantiates nested components, and calls lifted exports.

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "weft/core/result.hpp"
#include "weft/runtime/canonical_abi.hpp"
#include "weft/runtime/component_vocabulary.hpp"
#include "weft/runtime/core_engine.hpp"
#include "weft/runtime/host.hpp"

namespace weft::runtime {

/// Limits on what one component may create (spec §4.6).
struct InstanceLimits {
  size_t core_instances = 1000;
  size_t memories = 100;
  size_t tables = 1000;
};

/// What calling a lifted export produced: a value or a trap.
struct CallOutcome {
  Val value;
  std::optional<Trap> trap;
};

class ComponentInstance {
 public:
  ~ComponentInstance();
  ComponentInstance(const ComponentInstance&) = delete;
  ComponentInstance& operator=(const ComponentInstance&) = delete;

  /// Instantiates `component` (which must outlive the instance) on `engine` with imports served by `host`.
  /// Errors name the import, function, module or index that failed; a trap in a start function is an error too.
  [[nodiscard]] static Result<std::unique_ptr<ComponentInstance>> instantiate(const Component& component,
                                                                              CoreEngine& engine,
                                                                              const HostRegistry& host,
                                                                              InstanceLimits limits = {});

  /// Calls function `func` of the exported instance whose name is compatible with `instance` (or, with an empty
  /// `instance`, the exported function `func`). Errors: no such export.
  [[nodiscard]] Result<CallOutcome> call(std::string_view instance, std::string_view func, std::vector<Val> args);

  /// Name of the exported instance compatible with `instance`, if any.
  [[nodiscard]] std::optional<std::string> find_export(std::string_view instance) const;

  [[nodiscard]] HandleTable& handles();

  struct State;

 private:
  explicit ComponentInstance(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace weft::runtime
