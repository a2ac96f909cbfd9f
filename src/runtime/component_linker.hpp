#pragma once
// Internal to weft-runtime: the values that populate a component instance's index spaces during instantiation, and
// the evaluator that computes them lazily (memoised, in definition order where order matters).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "weft/runtime/component_instance.hpp"

namespace weft::runtime::linker {

struct Evaluator;

/// A component-level function: served by the host, or a core function lifted with canonical options.
struct Func {
  std::shared_ptr<const FuncSig> sig;
  // For errors (name()): the interface and function of a host function, the index of a lifted one. Views into the
  // component, which outlives its instances: a link names a few hundred functions and joins a name only for an error.
  std::string_view interface_name, function_name;
  uint32_t lifted_index = 0;
  const HostCall* host = nullptr;   // host function
  const DirectHostCall* direct = nullptr;  // host function: its direct entry, when its type has one
  Evaluator* owner = nullptr;       // lifted: the evaluator whose core index spaces the options refer to
  CoreExtern core;                  // lifted: the core function
  CanonOptions options;             // lifted

  /// `interface#function` of a host function, `lifted func N` of a lifted one.
  [[nodiscard]] std::string name() const {
    if (function_name.empty()) return "lifted func " + std::to_string(lifted_index);
    return std::string(interface_name) + "#" + std::string(function_name);
  }
};
using FuncPtr = std::shared_ptr<Func>;

/// An entry of a type index space.
struct TypeVal {
  enum class Kind : uint8_t { value, func, resource, instance, component } kind = Kind::value;
  CTypePtr value;
  std::shared_ptr<const FuncSig> func;
  ResourceTypePtr resource;
  const TypeDef* def = nullptr;  // instance/component types
  struct Scope* scope = nullptr;  // where `def` was defined (for its outer aliases)
};

struct InstanceVal;
struct ComponentVal {
  const Component* def = nullptr;
  Evaluator* outer = nullptr;  // the evaluator the component was defined in
};
using Item = std::variant<FuncPtr, TypeVal, std::shared_ptr<InstanceVal>, ComponentVal>;

struct InstanceVal {
  /// By export name: views into the component (its declarators, instance and export definitions), which outlives its
  /// instances — an instance of WASI's interfaces has dozens of exports, each key copied was an allocation.
  std::map<std::string_view, Item, std::less<>> exports;
};

/// A type index space with outer aliases resolved through `outer`.
struct Scope {
  Scope* outer = nullptr;
  virtual ~Scope() = default;
  [[nodiscard]] virtual Result<TypeVal> type(uint32_t index) = 0;
  [[nodiscard]] Result<TypeVal> outer_type(uint32_t count, uint32_t index);
};

/// A type index space built declarator by declarator (instance and component type bodies).
struct LocalScope final : Scope {
  std::vector<TypeVal> types;
  Result<TypeVal> type(uint32_t index) override;
};

/// Resolves a `deftype` in `scope`; `name` labels fresh resource types.
[[nodiscard]] Result<TypeVal> resolve_typedef(const TypeDef& def, Scope& scope, const std::string& name);

/// Whether a resolved type names a resource anywhere inside (own/borrow), or is one, or is an instance or component
/// type: such a type is resolved again for every instance, which keeps its own resource identities.
[[nodiscard]] bool names_resource(const TypeVal& t);

/// The type declarators of a host import's instance type that name no resource, by declarator index (nullopt: resolve
/// it), shared by every instance of one decoded component: a root component resolves them in the same scope each
/// time, and only the host's and the guest's resources differ between instances. Per thread, so a lookup takes no
/// lock; null until share_import_types(). Shared, so a later entry that empties the bounded cache leaves it valid.
using SharedDeclarators = std::shared_ptr<const std::vector<std::optional<TypeVal>>>;
[[nodiscard]] SharedDeclarators shared_import_types(const TypeDef* instance_type);
/// Remembers them after the first instance resolved them. The entry holds `instance_type`, so its address cannot
/// name another definition while the entry lives.
void share_import_types(std::shared_ptr<const TypeDef> instance_type, std::vector<std::optional<TypeVal>> declarators);
[[nodiscard]] Result<CTypePtr> resolve_valtype(const ValType& vt, Scope& scope);

}  // namespace weft::runtime::linker
