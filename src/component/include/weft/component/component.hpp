#pragma once
// The decoded form of a WebAssembly component binary (component-model Binary.md, layer 0x0d 00 01 00), kept as the
// component's index spaces so instantiation can walk them in definition order. Decoding never executes anything and
// never crashes on bad input: every malformed byte sequence yields an error naming the section and byte offset.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::component {

/// Sorts of component and core definitions (Binary.md `sort` / `core:sort`).
enum class Sort : uint8_t {
  core_func, core_table, core_memory, core_global, core_type, core_module, core_instance,
  func, value, type, component, instance,
};
[[nodiscard]] const char* sort_name(Sort sort);

/// Primitive value types, in the binary's opcode order (0x7f bool … 0x73 string, 0x64 error-context).
enum class Prim : uint8_t { bool_, s8, u8, s16, u16, s32, u32, s64, u64, f32, f64, char_, string, error_context };
[[nodiscard]] const char* prim_name(Prim prim);

/// `valtype`: a primitive or an index into the enclosing type index space.
struct ValType {
  bool is_prim = true;
  Prim prim = Prim::bool_;
  uint32_t index = 0;
  static ValType of(Prim p) { return {true, p, 0}; }
  static ValType ref(uint32_t i) { return {false, Prim::bool_, i}; }
};

/// `externdesc`: what an import or export is, by sort and type.
struct ExternDesc {
  Sort sort = Sort::func;        // core_module, func, value, type, component or instance
  uint32_t type_index = 0;       // func/instance/component/core_module: type index; type with eq bound: that type
  bool type_is_sub_resource = false;  // `(type (sub resource))`: a fresh abstract resource type
  ValType value_type;            // sort == value
};

struct Alias;
struct TypeDef;

/// One declarator inside an instance or component type.
struct TypeDecl {
  enum class Kind : uint8_t { core_type, type, alias, export_, import_ } kind = Kind::type;
  std::string name;                     // export_/import_
  ExternDesc desc;                      // export_/import_
  std::shared_ptr<const TypeDef> type;  // type
  std::shared_ptr<const Alias> alias;   // alias
};

/// A component-level type definition (`deftype`).
struct TypeDef {
  enum class Kind : uint8_t {
    prim, record, variant, list, fixed_list, tuple, flags, enum_, option, result, own, borrow, stream, future,
    func, component, instance, resource,
  } kind = Kind::prim;
  Prim prim = Prim::bool_;
  /// record fields, variant cases (type optional), tuple members (unnamed), flags/enum labels (no type), func params.
  struct Field {
    std::string name;
    std::optional<ValType> type;
  };
  std::vector<Field> fields;
  std::optional<ValType> element;   // list/fixed_list/option/stream/future element, result ok, func result
  std::optional<ValType> error;     // result error
  uint32_t length = 0;              // fixed_list
  uint32_t resource_index = 0;      // own/borrow: type index of the resource
  std::optional<uint32_t> destructor;  // resource: core func index
  std::vector<TypeDecl> decls;      // component/instance types
};

/// `alias`: a definition taken from an instance export or an enclosing component.
struct Alias {
  Sort sort = Sort::func;
  enum class Target : uint8_t { export_, core_export, outer } target = Target::export_;
  uint32_t instance = 0;  // export_/core_export: (core) instance index
  std::string name;       // export_/core_export
  uint32_t outer_count = 0, outer_index = 0;  // outer
};

/// `canonopt`s of one canon lift/lower.
struct CanonOptions {
  enum class Encoding : uint8_t { utf8, utf16, latin1_utf16 } encoding = Encoding::utf8;
  std::optional<uint32_t> memory, realloc, post_return;  // core memory / core func indices
};

/// A core instance (`core:instance`): instantiate a module with named instances, or bundle exports.
struct CoreInstanceDef {
  enum class Kind : uint8_t { instantiate, exports, alias } kind = Kind::instantiate;
  uint32_t module = 0;
  struct Arg {
    std::string name;
    Sort sort;
    uint32_t index;
  };
  std::vector<Arg> args;  // instantiate: (name, core_instance, index); exports: (name, sort, index)
  Alias alias;
};

/// A core item other than an instance: core func, table, memory or global.
struct CoreItemDef {
  enum class Kind : uint8_t { alias, canon_lower, resource_new, resource_drop, resource_rep } kind = Kind::alias;
  Alias alias;                // alias
  uint32_t func = 0;          // canon_lower: component func index
  CanonOptions options;       // canon_lower
  uint32_t resource_type = 0; // resource_*: type index
};

/// A component-level function: imported, aliased, or `canon lift`ed from a core function.
struct FuncDef {
  enum class Kind : uint8_t { import_, alias, lift } kind = Kind::import_;
  uint32_t import_index = 0;  // import_: index into Component::imports
  Alias alias;
  uint32_t core_func = 0;     // lift
  uint32_t type_index = 0;    // lift: func type
  CanonOptions options;       // lift
};

/// An entry of the component type index space.
struct TypeEntry {
  enum class Kind : uint8_t { def, import_, alias } kind = Kind::def;
  std::shared_ptr<const TypeDef> def;
  uint32_t import_index = 0;
  Alias alias;
};

/// A component instance: imported, instantiated from a component, bundled exports, or aliased.
struct InstanceDef {
  enum class Kind : uint8_t { import_, instantiate, exports, alias } kind = Kind::import_;
  uint32_t import_index = 0;
  uint32_t component = 0;
  struct Arg {
    std::string name;
    Sort sort;
    uint32_t index;
  };
  std::vector<Arg> args;  // instantiate: `with` arguments; exports: the bundled exports
  Alias alias;
};

struct Component;

/// An entry of the (core) module or component index space: defined here or aliased from an enclosing component.
struct ModuleEntry {
  bool is_alias = false;
  uint32_t defined = 0;  // index into Component::modules
  Alias alias;
};
struct ComponentEntry {
  enum class Kind : uint8_t { def, import_, alias } kind = Kind::def;
  uint32_t defined = 0;  // index into Component::components
  uint32_t import_index = 0;
  Alias alias;
};

struct Import {
  std::string name;
  ExternDesc desc;
};
struct Export {
  std::string name;
  Sort sort = Sort::func;
  uint32_t index = 0;
  std::optional<ExternDesc> desc;  // optional ascribed type
};

/// A decoded component. Index spaces hold entries in definition order; `modules` holds the core module binaries.
struct Component {
  std::vector<std::vector<uint8_t>> modules;
  std::vector<std::unique_ptr<Component>> components;

  std::vector<ModuleEntry> module_space;
  std::vector<ComponentEntry> component_space;
  std::vector<CoreInstanceDef> core_instances;
  std::vector<CoreItemDef> core_funcs, core_tables, core_memories, core_globals;
  std::vector<TypeEntry> types;
  std::vector<FuncDef> funcs;
  std::vector<InstanceDef> instances;
  std::vector<Import> imports;
  std::vector<Export> exports;
};

/// Decodes a component binary. Errors read `component <section> section at offset <n>: <reason>` (offsets are
/// absolute in `bytes`).
[[nodiscard]] Result<Component> decode_component(std::span<const uint8_t> bytes);
/// The same, decoded once per process for equal bytes: a component instantiated again (benchmarks, tests, a host
/// that links one component several times) shares one immutable decoded form. Components are remembered with a copy
/// of their bytes and reused only for bytes equal to it in full; errors are not remembered.
[[nodiscard]] Result<std::shared_ptr<const Component>> decode_component_shared(std::span<const uint8_t> bytes);

/// True when `bytes` start with the component preamble (magic + version 0x0d + layer 1), false for core modules.
[[nodiscard]] bool is_component_binary(std::span<const uint8_t> bytes);
/// True when `bytes` start with the core-module preamble (magic + version 1).
[[nodiscard]] bool is_core_module_binary(std::span<const uint8_t> bytes);

// ---- interface names -----------------------------------------------------------------------------------------------

/// `ns:pkg/iface@1.2.3` split into parts; `version` empty when absent.
struct InterfaceName {
  std::string ns, package, interface, version;
  [[nodiscard]] std::string unversioned() const { return ns + ":" + package + "/" + interface; }
};
/// Parses an interface name; nullopt for plain names such as `run` or `import-func-run`.
[[nodiscard]] std::optional<InterfaceName> parse_interface_name(std::string_view name);

/// Semver compatibility as the component model applies it to imports: equal unversioned names and versions with the
/// same first non-zero component (`0.2.6` ~ `0.2.12`, `1.0.0` ~ `1.4.2`, `0.0.1` only ~ itself).
[[nodiscard]] bool interface_names_compatible(std::string_view a, std::string_view b);

/// Summary of a component's outside view, for tools such as `weft-pack check`.
struct ComponentSummary {
  struct Item {
    std::string name;
    Sort sort;
  };
  std::vector<Item> imports, exports;
  /// The `wasi:cli/run@0.2.x` export's full name when the component exports a 0.2 `run` interface.
  std::optional<std::string> cli_run_export;
};
[[nodiscard]] ComponentSummary summarize(const Component& component);

}  // namespace weft::component
