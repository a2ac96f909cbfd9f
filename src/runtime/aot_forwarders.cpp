// Translate time: wit-component's shim exports and table-mutating code (aot_forwarders.hpp).

#include "aot_forwarders.hpp"

#include <wabt/cast.h>

#include <cstdint>
#include <optional>
#include <sstream>

namespace weft::runtime::aot_forwarders {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

struct Forwarder {
  uint32_t export_index = 0;
  uint32_t table_import = kNone;
  uint32_t table_export = kNone;
  uint32_t element = 0;
};

bool changes_a_table(wabt::ExprType type) {
  switch (type) {
    case wabt::ExprType::TableSet:
    case wabt::ExprType::TableGrow:
    case wabt::ExprType::TableFill:
    case wabt::ExprType::TableCopy:
    case wabt::ExprType::TableInit:
      return true;
    default:
      return false;
  }
}

/// Whether any instruction of `exprs`, nested blocks included, may change a table.
bool any_changes_a_table(const wabt::ExprList& exprs) {
  for (const wabt::Expr& e : exprs) {
    if (changes_a_table(e.type())) return true;
    if (const auto* b = wabt::dyn_cast<wabt::BlockExpr>(&e); b && any_changes_a_table(b->block.exprs)) return true;
    if (const auto* l = wabt::dyn_cast<wabt::LoopExpr>(&e); l && any_changes_a_table(l->block.exprs)) return true;
    if (const auto* i = wabt::dyn_cast<wabt::IfExpr>(&e);
        i && (any_changes_a_table(i->true_.exprs) || any_changes_a_table(i->false_)))
      return true;
    if (const auto* t = wabt::dyn_cast<wabt::TryExpr>(&e)) {
      if (any_changes_a_table(t->block.exprs)) return true;
      for (const auto& c : t->catches)
        if (any_changes_a_table(c.exprs)) return true;
    }
  }
  return false;
}

const char* rt_type(CoreType t) {
  switch (t) {
    case CoreType::i32: return "WASM_RT_I32";
    case CoreType::i64: return "WASM_RT_I64";
    case CoreType::f32: return "WASM_RT_F32";
    case CoreType::f64: return "WASM_RT_F64";
  }
  return "WASM_RT_I32";
}

bool same_signature(const wabt::FuncSignature& a, const wabt::FuncSignature& b) {
  return a.param_types == b.param_types && a.result_types == b.result_types;
}

/// The (table, element) a defined function passes its parameters on to, when its whole body is exactly
/// `local.get 0 … local.get n-1; i32.const K; call_indirect <table> (type <its own type>)` and it has no locals.
std::optional<std::pair<uint32_t, uint32_t>> forwarded_element(const wabt::Module& module, const wabt::Func& func) {
  const size_t params = func.decl.sig.param_types.size();
  if (func.local_types.size() != 0 || func.exprs.size() != params + 2) return std::nullopt;
  auto e = func.exprs.begin();
  for (size_t p = 0; p < params; ++p, ++e) {
    const auto* get = wabt::dyn_cast<wabt::LocalGetExpr>(&*e);
    if (!get || func.GetLocalIndex(get->var) != p) return std::nullopt;
  }
  const auto* k = wabt::dyn_cast<wabt::ConstExpr>(&*e++);
  if (!k || k->const_.type() != wabt::Type::I32) return std::nullopt;
  const auto* call = wabt::dyn_cast<wabt::CallIndirectExpr>(&*e);
  if (!call) return std::nullopt;
  // The element is checked against the function's own type; the call site's type must be that type too.
  const wabt::FuncType* site = call->decl.has_func_type ? module.GetFuncType(call->decl.type_var) : nullptr;
  if (!same_signature(site ? site->sig : call->decl.sig, func.decl.sig)) return std::nullopt;
  return std::pair<uint32_t, uint32_t>{module.GetTableIndex(call->table), k->const_.u32()};
}

std::vector<Forwarder> find_forwarders(const wabt::Module& module) {
  // Import index of each imported table, export index of each exported table, by table index.
  std::vector<uint32_t> table_imports, table_exports(module.tables.size(), kNone);
  for (uint32_t i = 0; i < module.imports.size(); ++i)
    if (module.imports[i]->kind() == wabt::ExternalKind::Table) table_imports.push_back(i);
  for (uint32_t i = 0; i < module.exports.size(); ++i) {
    const auto* exp = module.exports[i];
    if (exp->kind != wabt::ExternalKind::Table) continue;
    wabt::Index table = module.GetTableIndex(exp->var);
    if (table < table_exports.size() && table_exports[table] == kNone) table_exports[table] = i;
  }
  std::vector<Forwarder> out;
  for (uint32_t i = 0; i < module.exports.size(); ++i) {
    const auto* exp = module.exports[i];
    if (exp->kind != wabt::ExternalKind::Func) continue;
    // Names or indices alike: the glue is written after wasm2c's names are applied.
    wabt::Index func = module.GetFuncIndex(exp->var);
    if (func < module.num_func_imports || func >= module.funcs.size()) continue;
    auto element = forwarded_element(module, *module.funcs[func]);
    if (!element || element->first >= module.tables.size()) continue;
    const auto& table = *module.tables[element->first];
    if (table.elem_type != wabt::Type::FuncRef) continue;
    Forwarder f;
    f.export_index = i;
    f.element = element->second;
    if (element->first < table_imports.size()) f.table_import = table_imports[element->first];
    else f.table_export = table_exports[element->first];
    // A table defined here and not exported: the engine has no handle on it (wit-component always exports it).
    if (f.table_import == kNone && f.table_export == kNone) continue;
    out.push_back(f);
  }
  return out;
}

}  // namespace

std::string write_forwarder_glue(const wabt::Module& module, const AotModuleInfo& info) {
  bool mutates = false;
  for (const wabt::Func* f : module.funcs)
    if (any_changes_a_table(f->exprs)) {
      mutates = true;
      break;
    }
  // A module that may change tables later gets no forwarders at all: the engine could not trust their elements.
  std::vector<Forwarder> forwarders = mutates ? std::vector<Forwarder>{} : find_forwarders(module);
  std::ostringstream g;
  g << "static struct weft_aot_forwarder weft_forwarders[" << std::max<size_t>(forwarders.size(), 1) << "] = {";
  for (const auto& f : forwarders)
    g << "{" << f.export_index << "u, " << f.table_import << "u, " << f.table_export << "u, " << f.element
      << "u, 0u}, ";
  g << "};\n#define weft_forwarder_count " << forwarders.size() << "u\n";
  // The type ids come from the process's registry, so they are known once the module is loaded: the engine then
  // compares an element's type with one load instead of registering the type again at every instantiate.
  g << "static void weft_init_forwarders(void) {\n";
  for (size_t i = 0; i < forwarders.size(); ++i) {
    const CoreFuncType& ft = info.export_func_types[forwarders[i].export_index];
    g << "  weft_forwarders[" << i << "].type_id = wasm_rt_register_func_type(" << ft.params.size() << ", "
      << ft.results.size();
    for (auto t : ft.params) g << ", " << rt_type(t);
    for (auto t : ft.results) g << ", " << rt_type(t);
    g << ");\n";
  }
  g << "}\n";
  g << "#define weft_mutates_tables " << (mutates ? 1 : 0) << "u\n";
  g << "static void (*const weft_import_trampolines[" << std::max<size_t>(info.imports.size(), 1) << "])(void) = {";
  for (size_t i = 0; i < info.imports.size(); ++i)  // the C field aot_translate gave each import
    g << (info.imports[i].kind == CoreExternKind::func ? "(void (*)(void))Z_wZ_" + module.imports[i]->field_name
                                                       : std::string("0"))
      << ", ";
  g << "};\n";
  return g.str();
}

std::string module_fields() {
  return "weft_forwarder_count, weft_forwarders, weft_mutates_tables, weft_import_trampolines";
}

}  // namespace weft::runtime::aot_forwarders
