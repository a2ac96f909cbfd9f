#pragma once
// Internal to weft-runtime. The evaluator of one (nested) component instance: lazy, memoised resolution of the decoded
// index spaces. Core instances and component instances are created eagerly in index order, because wit-component
// relies on that order for side effects (the fixup module fills the shim's table after main and the adapter exist);
// everything else is computed on first use.

#include <type_traits>

#include "component_linker.hpp"

namespace weft::runtime {

struct ComponentInstance::State {
  CoreEngine* engine = nullptr;
  const HostRegistry* host = nullptr;
  InstanceLimits limits;
  HandleTable handles;
  std::vector<std::unique_ptr<linker::Evaluator>> evaluators;
  std::vector<std::unique_ptr<linker::LocalScope>> scopes;
  size_t core_instances = 0;
  size_t resolving = 0;  // depth of nested lazy resolutions
  linker::Evaluator* root = nullptr;
};

namespace linker {

constexpr size_t kMaxResolveDepth = 256;

/// Resolved externs of a core instance: an engine instance or a bundle of exports.
struct CoreInstanceVal {
  std::optional<InstanceId> engine_instance;
  std::map<std::string_view, CoreExtern, std::less<>> items;  // names: views into the component
};

/// Where a link-time check is made, for its error message: a callable that builds the text only when the check
/// fails (building it for every check that passes was a good part of an instantiate's allocations). Borrows the
/// callable: use it within the call it is passed to.
class Where {
 public:
  template <class F>
    requires std::is_invocable_r_v<std::string, const F&>
  Where(const F& describe)  // NOLINT: implicit, so call sites pass a lambda
      : object_(&describe), describe_([](const void* o) { return (*static_cast<const F*>(o))(); }) {}
  [[nodiscard]] std::string operator()() const { return describe_(object_); }

 private:
  const void* object_;
  std::string (*describe_)(const void*);
};

template <class T>
struct Memo {
  std::vector<std::optional<T>> values;
  std::vector<bool> busy;
  void size(size_t n) {
    values.resize(n);
    busy.resize(n);
  }
};

struct Evaluator final : Scope {
  using State = ComponentInstance::State;
  Evaluator(State& s, const Component& c, Evaluator* parent, std::map<std::string, Item, std::less<>> args);
  State& st;
  const Component& comp;
  std::map<std::string, Item, std::less<>> args;  // nested: instantiation arguments by import name
  Memo<TypeVal> types;
  Memo<FuncPtr> funcs;
  Memo<std::shared_ptr<InstanceVal>> instances;
  Memo<std::shared_ptr<CoreInstanceVal>> core_instances;
  Memo<CoreExtern> core_funcs;
  Memo<CoreExtern> memories;
  // Component and core module index spaces are memoised too: an outer alias may name its own entry (count 0), and
  // only the memo's cycle check and depth bound stop that from recursing until the native stack runs out.
  Memo<Item> components;
  Memo<ModuleId> module_space_ids;
  std::vector<std::optional<ModuleId>> module_ids;  // per defined module: loaded once
  Evaluator* parent() const { return static_cast<Evaluator*>(outer); }

  /// Computes index `index` of a memoised index space once; refuses cycles and nesting beyond kMaxResolveDepth.
  template <class T, class F>
  Result<T> memo(Memo<T>& m, uint32_t index, const char* what, F&& compute);
  Evaluator* walk_out(uint32_t count);

  // ---- imports ----

  Result<Item> import_item(uint32_t import_index);
  Result<Item> host_instance(const Import& imp);

  // ---- index spaces ----

  Result<TypeVal> type(uint32_t index) override;
  Result<TypeVal> defined_type(uint32_t index);
  Result<TypeVal> imported_type(uint32_t import_index);
  Result<TypeVal> aliased_type(const Alias& alias);
  Result<Item> alias_item(const Alias& a);
  Result<Item> component(uint32_t index);
  Result<FuncPtr> func(uint32_t index);
  Result<std::shared_ptr<InstanceVal>> instance(uint32_t index);
  Result<Item> sort_item(Sort sort, uint32_t index);
  Result<std::shared_ptr<InstanceVal>> instantiate_component(const InstanceDef& d);
  Result<std::shared_ptr<InstanceVal>> exports();

  // ---- core ----

  Result<ModuleId> module(uint32_t index);
  Result<std::shared_ptr<CoreInstanceVal>> core_instance(uint32_t index);
  std::optional<CoreExtern> core_export(const CoreInstanceVal& ci, std::string_view name);
  Result<CoreExtern> core_alias(const Alias& a, const char* what, CoreExternKind kind);
  Result<CoreExtern> core_item(Sort sort, uint32_t index);
  Result<CoreExtern> memory(uint32_t index);
  Result<CoreExtern> core_func(uint32_t index);  // component_trampolines.cpp
  /// canon lower: a host function of the flat lowered signature that calls `target`.
  Result<CoreExtern> lower_trampoline(const CoreItemDef& d);
  /// canon resource.new / resource.drop / resource.rep.
  Result<CoreExtern> resource_builtin(const CoreItemDef& d);
  Result<void> run();

  /// Fails naming `where` unless `func` has exactly the core type `expected`.
  Result<void> expect_func_type(CoreExtern func, const CoreFuncType& expected, Where where);
  /// A canon lift's or lower's options, checked at link time: memory is a memory, realloc has realloc's core type,
  /// post-return (lift only: `lifted` set) takes the lifted function's flat results.
  Result<void> check_options(const CanonOptions& o, const FuncSig* lifted, Where where);

  /// Canonical context of a lifted or lowered function's options.
  Result<CanonContext> context(const CanonOptions& o);
};

template <class T, class F>
Result<T> Evaluator::memo(Memo<T>& m, uint32_t index, const char* what, F&& compute) {
  if (index >= m.values.size())
    return fail(std::string(what) + " index " + std::to_string(index) + " out of range (" +
                std::to_string(m.values.size()) + " defined)");
  if (m.values[index]) return *m.values[index];
  if (m.busy[index]) return fail(std::string(what) + " " + std::to_string(index) + " depends on itself");
  // Chains of aliases and type references resolve recursively: bound the depth so hostile input cannot exhaust
  // the native stack.
  if (st.resolving >= kMaxResolveDepth)
    return fail(std::string(what) + " " + std::to_string(index) + ": definitions nested deeper than " +
                std::to_string(kMaxResolveDepth));
  m.busy[index] = true;
  ++st.resolving;
  Result<T> r = compute();
  --st.resolving;
  m.busy[index] = false;
  if (r.ok()) m.values[index] = r.value();
  return r;
}

/// Calls a component function (host or lifted) with lifted values.
CallOutcome call_func(Func& f, std::vector<Val>& args);

}  // namespace linker
}  // namespace weft::runtime
