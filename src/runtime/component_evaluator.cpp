// The evaluator of one (nested) component instance (component_evaluator.hpp): imports from the host or the
// instantiating component, the component index spaces, and core instances on the engine.

#include "component_evaluator.hpp"

namespace weft::runtime::linker {

Evaluator::Evaluator(State& s, const Component& c, Evaluator* parent, std::map<std::string, Item, std::less<>> args)
    : st(s), comp(c), args(std::move(args)) {
  outer = parent;
  types.size(c.types.size());
  funcs.size(c.funcs.size());
  instances.size(c.instances.size());
  core_instances.size(c.core_instances.size());
  core_funcs.size(c.core_funcs.size());
  memories.size(c.core_memories.size());
  components.size(c.component_space.size());
  module_space_ids.size(c.module_space.size());
  module_ids.resize(c.modules.size());
}

Evaluator* Evaluator::walk_out(uint32_t count) {
  Evaluator* e = this;
  for (uint32_t i = 0; i < count && e; ++i) e = e->parent();
  return e;
}

Result<Item> Evaluator::import_item(uint32_t import_index) {
  const Import& imp = comp.imports.at(import_index);
  if (parent()) {  // nested: supplied by the instantiating component
    for (const auto& [name, item] : args)
      if (name == imp.name || interface_names_compatible(name, imp.name)) return item;
    return fail("nested component import '" + imp.name + "' was not supplied");
  }
  if (imp.desc.sort == Sort::instance) return host_instance(imp);
  return fail("import '" + imp.name + "': only interface (instance) imports are served by the host");
}

Result<Item> Evaluator::host_instance(const Import& imp) {
  const HostInterface* host = st.host->find(imp.name);
  if (!host) return fail("import '" + imp.name + "' is not provided by this runtime");
  WEFT_TRY(TypeVal it, type(imp.desc.type_index));
  if (it.kind != TypeVal::Kind::instance) return fail("import '" + imp.name + "' is not typed as an instance");
  st.scopes.push_back(std::make_unique<LocalScope>());
  LocalScope& ls = *st.scopes.back();
  ls.outer = it.scope;
  ls.types.reserve(it.def->decls.size());  // at most one type per declarator
  auto inst = std::make_shared<InstanceVal>();
  // The declarators that name no resource, resolved by an earlier instance of this decoded component (the instance
  // type is one of its definitions, which the shared entry holds), or learned by this one for the next.
  const TypeEntry& entry = comp.types[imp.desc.type_index];
  const bool shareable = entry.kind == TypeEntry::Kind::def && entry.def.get() == it.def;
  SharedDeclarators shared = shareable ? shared_import_types(it.def) : nullptr;
  std::vector<std::optional<TypeVal>> learned;
  if (shareable && !shared) learned.resize(it.def->decls.size());
  for (size_t i = 0; i < it.def->decls.size(); ++i) {
    const TypeDecl& d = it.def->decls[i];
    switch (d.kind) {
      case TypeDecl::Kind::core_type: break;
      case TypeDecl::Kind::type: {
        if (shared && (*shared)[i]) {
          ls.types.push_back(*(*shared)[i]);
          break;
        }
        WEFT_TRY(TypeVal t, resolve_typedef(*d.type, ls, imp.name));
        if (!learned.empty() && !names_resource(t)) learned[i] = t;
        ls.types.push_back(t);
        break;
      }
      case TypeDecl::Kind::alias: {
        if (d.alias->target != Alias::Target::outer || d.alias->sort != Sort::type)
          return fail("import '" + imp.name + "': only outer type aliases are supported in instance types");
        WEFT_TRY(TypeVal t, ls.outer_type(d.alias->outer_count, d.alias->outer_index));
        ls.types.push_back(t);
        break;
      }
      case TypeDecl::Kind::export_:
        if (d.desc.sort == Sort::type) {
          TypeVal t;
          if (d.desc.type_is_sub_resource) {
            auto r = host->resources.find(d.name);
            t.kind = TypeVal::Kind::resource;
            if (r != host->resources.end()) {
              t.resource = r->second;
            } else if (host->fallback) {
              t.resource = std::make_shared<ResourceType>();
              t.resource->name = imp.name + "/" + d.name;
            } else {
              return fail("import '" + imp.name + "': this runtime does not provide resource '" + d.name + "'");
            }
          } else {
            WEFT_TRY(t, ls.type(d.desc.type_index));
          }
          ls.types.push_back(t);
          inst->exports[d.name] = t;
        } else if (d.desc.sort == Sort::func) {
          WEFT_TRY(TypeVal ft, ls.type(d.desc.type_index));
          if (ft.kind != TypeVal::Kind::func) return fail("import '" + imp.name + "': '" + d.name + "' is not a function type");
          auto fn = host->functions.find(d.name);
          if (fn == host->functions.end() && !host->fallback)
            return fail("import '" + imp.name + "': this runtime does not provide function '" + d.name + "'");
          // The host function reads the arguments of its own type: the guest must declare exactly that type. (The
          // fallback of an interface that refuses everything reads none.)
          if (fn != host->functions.end())
            if (auto why = wit::mismatch(*ft.func, *fn->second.type); !why.empty())
              return fail("import '" + imp.name + "': function '" + d.name + "' is declared as " +
                          wit::describe(*ft.func) + ", the host's is " + wit::describe(*fn->second.type) + " (" + why +
                          ")");
          auto f = std::make_shared<Func>();
          f->sig = ft.func;
          f->interface_name = imp.name;
          f->function_name = d.name;
          f->host = fn != host->functions.end() ? &fn->second.call : &host->fallback;
          if (fn != host->functions.end() && fn->second.direct) f->direct = &fn->second.direct;
          inst->exports[d.name] = f;
        } else {
          return fail("import '" + imp.name + "': export '" + d.name + "' of sort " + sort_name(d.desc.sort) +
                      " is not supported");
        }
        break;
      case TypeDecl::Kind::import_: return fail("import '" + imp.name + "': import declarator in an instance type");
    }
  }
  if (!learned.empty()) share_import_types(entry.def, std::move(learned));
  return Item{inst};
}

Result<TypeVal> Evaluator::type(uint32_t index) {
  // Alias chains recurse through here: each case lives in its own function so the recursive path keeps small frames
  // (sanitizer builds give every local its own slot): under ASan one level costs ≈ 7 KiB, so kMaxResolveDepth levels
  // fit a quarter of the 8 MiB main-thread stack.
  return memo(types, index, "type", [this, index]() -> Result<TypeVal> {
    const TypeEntry& e = comp.types[index];
    switch (e.kind) {
      case TypeEntry::Kind::def: return defined_type(index);
      case TypeEntry::Kind::import_: return imported_type(e.import_index);
      case TypeEntry::Kind::alias: return aliased_type(e.alias);
    }
    return fail("bad type entry");
  });
}

Result<TypeVal> Evaluator::defined_type(uint32_t index) {
  const TypeEntry& e = comp.types[index];
  // The name labels a resource type (for errors); other types need none.
  WEFT_TRY(TypeVal t, resolve_typedef(*e.def, *this,
                                      e.def->kind == TypeDef::Kind::resource ? "resource #" + std::to_string(index)
                                                                             : std::string()));
  if (t.kind == TypeVal::Kind::resource && e.def->destructor) {
    // The guest's destructor runs with the rep when the last own handle is dropped.
    WEFT_TRY(CoreExtern dtor, core_func(*e.def->destructor));
    WEFT_TRY_VOID(expect_func_type(dtor, {{CoreType::i32}, {}},
                                   [&] { return "destructor of resource type " + std::to_string(index); }));
    CoreEngine* engine = st.engine;
    t.resource->host_drop = [engine, dtor](uint32_t rep) {
      std::vector<CoreValue> out;
      CoreValue arg[] = {CoreValue::i32(rep)};
      (void)engine->call(dtor, arg, out);
    };
  }
  return t;
}

Result<TypeVal> Evaluator::imported_type(uint32_t import_index) {
  WEFT_TRY(Item item, import_item(import_index));
  if (auto* t = std::get_if<TypeVal>(&item)) return *t;
  return fail("type import '" + comp.imports[import_index].name + "' was given a non-type");
}

Result<TypeVal> Evaluator::aliased_type(const Alias& alias) {
  WEFT_TRY(Item item, alias_item(alias));
  if (auto* t = std::get_if<TypeVal>(&item)) return *t;
  return fail("type alias '" + alias.name + "' does not name a type");
}

Result<Item> Evaluator::alias_item(const Alias& a) {
  if (a.target == Alias::Target::outer) {
    Evaluator* e = walk_out(a.outer_count);
    if (!e) return fail("outer alias count " + std::to_string(a.outer_count) + " reaches past the root component");
    switch (a.sort) {
      case Sort::type: { WEFT_TRY(TypeVal t, e->type(a.outer_index)); return Item{t}; }
      case Sort::func: { WEFT_TRY(FuncPtr f, e->func(a.outer_index)); return Item{f}; }
      case Sort::instance: { WEFT_TRY(auto i, e->instance(a.outer_index)); return Item{i}; }
      case Sort::component: return e->component(a.outer_index);
      default: return fail(std::string("outer alias of sort ") + sort_name(a.sort) + " is not supported");
    }
  }
  if (a.target != Alias::Target::export_) return fail("core export alias used as a component item");
  WEFT_TRY(auto inst, instance(a.instance));
  auto it = inst->exports.find(a.name);
  if (it == inst->exports.end())
    return fail("instance " + std::to_string(a.instance) + " has no export '" + a.name + "'");
  return it->second;
}

Result<Item> Evaluator::component(uint32_t index) {
  return memo(components, index, "component", [&]() -> Result<Item> {
    const ComponentEntry& e = comp.component_space[index];
    switch (e.kind) {
      case ComponentEntry::Kind::def: return Item{ComponentVal{comp.components.at(e.defined).get(), this}};
      case ComponentEntry::Kind::import_: return import_item(e.import_index);
      case ComponentEntry::Kind::alias: return alias_item(e.alias);
    }
    return fail("bad component entry");
  });
}

Result<FuncPtr> Evaluator::func(uint32_t index) {
  return memo(funcs, index, "func", [&]() -> Result<FuncPtr> {
    const FuncDef& d = comp.funcs[index];
    if (d.kind == FuncDef::Kind::lift) {
      WEFT_TRY(TypeVal t, type(d.type_index));
      if (t.kind != TypeVal::Kind::func) return fail("canon lift with type " + std::to_string(d.type_index) + ", not a function type");
      WEFT_TRY(CoreExtern core, core_func(d.core_func));
      auto where = [index] { return "canon lift of func " + std::to_string(index); };
      WEFT_TRY_VOID(expect_func_type(core, flatten(*t.func, false), where));
      WEFT_TRY_VOID(check_options(d.options, t.func.get(), where));
      auto f = std::make_shared<Func>();
      f->sig = t.func;
      f->lifted_index = index;
      f->owner = this;
      f->core = core;
      f->options = d.options;
      return f;
    }
    Item item;
    if (d.kind == FuncDef::Kind::import_) {
      WEFT_TRY(item, import_item(d.import_index));
    } else {
      WEFT_TRY(item, alias_item(d.alias));
    }
    if (auto* f = std::get_if<FuncPtr>(&item)) return *f;
    return fail("func " + std::to_string(index) + " is not a function");
  });
}

Result<std::shared_ptr<InstanceVal>> Evaluator::instance(uint32_t index) {
  return memo(instances, index, "instance", [&]() -> Result<std::shared_ptr<InstanceVal>> {
    const InstanceDef& d = comp.instances[index];
    Item item;
    switch (d.kind) {
      case InstanceDef::Kind::import_: {
        WEFT_TRY(item, import_item(d.import_index));
        break;
      }
      case InstanceDef::Kind::alias: {
        WEFT_TRY(item, alias_item(d.alias));
        break;
      }
      case InstanceDef::Kind::exports: {
        auto inst = std::make_shared<InstanceVal>();
        for (const auto& a : d.args) {
          WEFT_TRY(Item x, sort_item(a.sort, a.index));
          inst->exports[a.name] = x;
        }
        return inst;
      }
      case InstanceDef::Kind::instantiate: return instantiate_component(d);
    }
    if (auto* i = std::get_if<std::shared_ptr<InstanceVal>>(&item)) return *i;
    return fail("instance " + std::to_string(index) + " is not an instance");
  });
}

Result<Item> Evaluator::sort_item(Sort sort, uint32_t index) {
  switch (sort) {
    case Sort::func: { WEFT_TRY(FuncPtr f, func(index)); return Item{f}; }
    case Sort::type: { WEFT_TRY(TypeVal t, type(index)); return Item{t}; }
    case Sort::instance: { WEFT_TRY(auto i, instance(index)); return Item{i}; }
    case Sort::component: return component(index);
    default: return fail(std::string("items of sort ") + sort_name(sort) + " cannot be passed between components");
  }
}

Result<std::shared_ptr<InstanceVal>> Evaluator::instantiate_component(const InstanceDef& d) {
  WEFT_TRY(Item citem, component(d.component));
  auto* cv = std::get_if<ComponentVal>(&citem);
  if (!cv) return fail("instantiate of component " + std::to_string(d.component) + ", which is not a component");
  std::map<std::string, Item, std::less<>> child_args;
  for (const auto& a : d.args) {
    WEFT_TRY(Item x, sort_item(a.sort, a.index));
    child_args[a.name] = x;
  }
  st.evaluators.push_back(std::make_unique<Evaluator>(st, *cv->def, cv->outer, std::move(child_args)));
  Evaluator& child = *st.evaluators.back();
  WEFT_TRY_VOID(child.run());
  return child.exports();
}

Result<std::shared_ptr<InstanceVal>> Evaluator::exports() {
  auto inst = std::make_shared<InstanceVal>();
  for (const auto& e : comp.exports) {
    WEFT_TRY(Item x, sort_item(e.sort, e.index));
    inst->exports[e.name] = x;
  }
  return inst;
}

Result<ModuleId> Evaluator::module(uint32_t index) {
  return memo(module_space_ids, index, "core module", [&]() -> Result<ModuleId> {
    const ModuleEntry& e = comp.module_space[index];
    if (e.is_alias) {
      Evaluator* o = walk_out(e.alias.outer_count);
      if (!o || e.alias.target != Alias::Target::outer) return fail("unsupported core module alias");
      return o->module(e.alias.outer_index);
    }
    auto& slot = module_ids.at(e.defined);
    if (!slot) {
      WEFT_TRY(ModuleId id, st.engine->load(comp.modules[e.defined], "#" + std::to_string(index)));
      slot = id;
    }
    return *slot;
  });
}

Result<std::shared_ptr<CoreInstanceVal>> Evaluator::core_instance(uint32_t index) {
  return memo(core_instances, index, "core instance", [&]() -> Result<std::shared_ptr<CoreInstanceVal>> {
    const CoreInstanceDef& d = comp.core_instances[index];
    auto out = std::make_shared<CoreInstanceVal>();
    if (d.kind == CoreInstanceDef::Kind::exports) {
      for (const auto& a : d.args) {
        WEFT_TRY(CoreExtern x, core_item(a.sort, a.index));
        out->items[a.name] = x;
      }
      return out;
    }
    if (d.kind != CoreInstanceDef::Kind::instantiate) return fail("core instance aliases are not supported");
    if (++st.core_instances > st.limits.core_instances)
      return fail("more than " + std::to_string(st.limits.core_instances) + " core instances");
    WEFT_TRY(ModuleId mid, module(d.module));
    std::vector<CoreExtern> externs;
    externs.reserve(st.engine->imports(mid).size());
    for (const auto& imp : st.engine->imports(mid)) {
      const CoreInstanceDef::Arg* arg = nullptr;
      for (const auto& a : d.args)
        if (a.name == imp.module) arg = &a;
      auto where = [&] {
        return "core instance " + std::to_string(index) + " (module " + std::to_string(d.module) + "): import " +
               imp.module + "." + imp.name;
      };
      if (!arg) return fail(where() + " is not provided");
      WEFT_TRY(auto from, core_instance(arg->index));
      auto x = core_export(*from, imp.name);
      if (!x) return fail(where() + " is not exported by core instance " + std::to_string(arg->index));
      if (x->kind != imp.kind)
        return fail(where() + " is a core " + kind_name(imp.kind) + " but core instance " +
                    std::to_string(arg->index) + " exports a core " + kind_name(x->kind));
      if (imp.kind == CoreExternKind::func) WEFT_TRY_VOID(expect_func_type(*x, imp.func_type, where));
      externs.push_back(*x);
    }
    auto inst = st.engine->instantiate(mid, externs);
    if (!inst) return fail("core instance " + std::to_string(index) + ": " + inst.error().message);
    out->engine_instance = *inst;
    return out;
  });
}

std::optional<CoreExtern> Evaluator::core_export(const CoreInstanceVal& ci, std::string_view name) {
  if (ci.engine_instance) return st.engine->export_of(*ci.engine_instance, name);
  auto it = ci.items.find(name);
  if (it == ci.items.end()) return std::nullopt;
  return it->second;
}

Result<CoreExtern> Evaluator::core_alias(const Alias& a, const char* what, CoreExternKind kind) {
  if (a.target != Alias::Target::core_export) return fail(std::string(what) + " alias must be a core export alias");
  WEFT_TRY(auto ci, core_instance(a.instance));
  auto x = core_export(*ci, a.name);
  if (!x) return fail("core instance " + std::to_string(a.instance) + " has no export '" + a.name + "'");
  // The engine trusts the kind of every extern it is handed (wabt's interpreter casts without checking in release
  // builds): an alias must name an export of the sort it claims.
  if (x->kind != kind)
    return fail(std::string(what) + " alias of core instance " + std::to_string(a.instance) + " export '" + a.name +
                "' names a core " + kind_name(x->kind) + ", not a core " + kind_name(kind));
  return *x;
}

Result<CoreExtern> Evaluator::core_item(Sort sort, uint32_t index) {
  switch (sort) {
    case Sort::core_func: return core_func(index);
    case Sort::core_memory: return memory(index);
    case Sort::core_table:
      if (index >= comp.core_tables.size()) return fail("core table index out of range");
      return core_alias(comp.core_tables[index].alias, "core table", CoreExternKind::table);
    case Sort::core_global:
      if (index >= comp.core_globals.size()) return fail("core global index out of range");
      return core_alias(comp.core_globals[index].alias, "core global", CoreExternKind::global);
    default: return fail(std::string("core export of sort ") + sort_name(sort) + " is not supported");
  }
}

Result<CoreExtern> Evaluator::memory(uint32_t index) {
  return memo(memories, index, "core memory",
              [&]() -> Result<CoreExtern> {
                return core_alias(comp.core_memories[index].alias, "core memory", CoreExternKind::memory);
              });
}

Result<void> Evaluator::run() {
  for (uint32_t i = 0; i < comp.core_instances.size(); ++i) WEFT_TRY_VOID(core_instance(i));
  for (uint32_t i = 0; i < comp.instances.size(); ++i) WEFT_TRY_VOID(instance(i));
  return ok();
}

Result<CanonContext> Evaluator::context(const CanonOptions& o) {
  CanonContext cx;
  cx.engine = st.engine;
  cx.handles = &st.handles;
  cx.encoding = o.encoding;
  if (o.memory) {
    WEFT_TRY(cx.memory, memory(*o.memory));
    cx.memory_access = st.engine->memory_access(*cx.memory);
  }
  if (o.realloc) {
    WEFT_TRY(cx.realloc, core_func(*o.realloc));
  }
  return cx;
}

Result<void> Evaluator::expect_func_type(CoreExtern func, const CoreFuncType& expected, Where where) {
  CoreFuncType actual = st.engine->func_type(func);
  if (actual == expected) return ok();
  return fail(where() + ": core function of type " + describe(actual) + ", expected " + describe(expected));
}

Result<void> Evaluator::check_options(const CanonOptions& o, const FuncSig* lifted, Where where) {
  if (o.memory) {
    auto m = memory(*o.memory);
    if (!m) return fail(where() + ": memory option: " + m.error().message);
  }
  if (o.realloc) {
    WEFT_TRY(CoreExtern realloc, core_func(*o.realloc));
    // realloc(old ptr, old size, align, new size) -> ptr (canonical ABI).
    static const CoreFuncType kRealloc{{CoreType::i32, CoreType::i32, CoreType::i32, CoreType::i32}, {CoreType::i32}};
    WEFT_TRY_VOID(expect_func_type(realloc, kRealloc, [&] { return where() + ": realloc option"; }));
  }
  if (o.post_return) {
    if (!lifted) return fail(where() + ": post-return is an option of canon lift only");
    WEFT_TRY(CoreExtern post, core_func(*o.post_return));
    // post-return takes what the lifted core function returned and returns nothing.
    WEFT_TRY_VOID(expect_func_type(post, {flatten(*lifted, false).results, {}},
                                   [&] { return where() + ": post-return option"; }));
  }
  return ok();
}

}  // namespace weft::runtime::linker
