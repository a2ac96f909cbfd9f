// wasm2c through libwabt, in process: core module bytes → C (module.c/module.h) plus the glue that implements
// aot_abi.h for it. wabt's c-writer headers compile as C++20 (stack.md §5), unlike wabt/interp.
//
// Names: every import is renamed to module "w", field "i<index>", and every export to "e<index>", before wasm2c
// runs, so the C symbols are predictable (`Z_wZ_i3`, `Z_mZ_e0`) without re-implementing wasm2c's name mangling, two
// imports with the same names but different types stay apart, and all imports arrive through one pointer
// (`struct Z_w_instance_t*`, which the glue defines as `struct weft_aot_imports`). Every module is named "m": symbols
// are hidden inside each `.so`, which is loaded RTLD_LOCAL, so equal names in different modules never meet.

#include <wabt/apply-names.h>
#include <wabt/binary-reader-ir.h>
#include <wabt/binary-reader.h>
#include <wabt/c-writer.h>
#include <wabt/cast.h>
#include <wabt/error-formatter.h>
#include <wabt/generate-names.h>
#include <wabt/ir.h>
#include <wabt/stream.h>
#include <wabt/validator.h>

#include <map>
#include <sstream>

#include "aot_abi_text.hpp"
#include "aot_module_info.hpp"
#include "weft/runtime/aot_cache.hpp"

namespace weft::runtime {
namespace {

Result<void> read_module(std::span<const uint8_t> wasm, std::string_view name, wabt::Module* module) {
  wabt::Errors errors;
  wabt::Features features;
  wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
  std::string file(name);
  bool ok = wabt::Succeeded(wabt::ReadBinaryIr(file.c_str(), wasm.data(), wasm.size(), options, &errors, module)) &&
            wabt::Succeeded(wabt::ValidateModule(module, &errors, wabt::ValidateOptions(features)));
  if (!ok) {
    std::string message = errors.empty() ? std::string("unknown error")
                                         : wabt::FormatErrorsToString(errors, wabt::Location::Type::Binary);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return fail("core module " + file + " is invalid: " + message);
  }
  return {};
}

std::optional<CoreType> core_type(wabt::Type t) {
  if (t == wabt::Type::I32) return CoreType::i32;
  if (t == wabt::Type::I64) return CoreType::i64;
  if (t == wabt::Type::F32) return CoreType::f32;
  if (t == wabt::Type::F64) return CoreType::f64;
  return std::nullopt;
}

Result<CoreFuncType> func_type(const wabt::FuncSignature& sig, std::string_view name, std::string_view what) {
  CoreFuncType out;
  for (auto t : sig.param_types) {
    auto c = core_type(t);
    if (!c) return fail("core module " + std::string(name) + ": " + std::string(what) + " takes a " + t.GetName() +
                        ", which the AOT engine does not support");
    out.params.push_back(*c);
  }
  for (auto t : sig.result_types) {
    auto c = core_type(t);
    if (!c) return fail("core module " + std::string(name) + ": " + std::string(what) + " returns a " + t.GetName() +
                        ", which the AOT engine does not support");
    out.results.push_back(*c);
  }
  if (out.results.size() > 1)
    return fail("core module " + std::string(name) + ": " + std::string(what) +
                " returns several values, which the AOT engine does not support");
  return out;
}

CoreExternKind extern_kind(wabt::ExternalKind k) {
  switch (k) {
    case wabt::ExternalKind::Table: return CoreExternKind::table;
    case wabt::ExternalKind::Memory: return CoreExternKind::memory;
    case wabt::ExternalKind::Global: return CoreExternKind::global;
    default: return CoreExternKind::func;
  }
}

const char* c_type(CoreType t) {
  switch (t) {
    case CoreType::i32: return "u32";
    case CoreType::i64: return "u64";
    case CoreType::f32: return "f32";
    case CoreType::f64: return "f64";
  }
  return "u32";
}

/// `(u32)` → `uint64_t` bits, and back.
std::string box(CoreType t, const std::string& value) {
  if (t == CoreType::f32) return "weft_box_f32(" + value + ")";
  if (t == CoreType::f64) return "weft_box_f64(" + value + ")";
  return "(uint64_t)(" + value + ")";
}
std::string unbox(CoreType t, const std::string& bits) {
  if (t == CoreType::f32) return "weft_unbox_f32(" + bits + ")";
  if (t == CoreType::f64) return "weft_unbox_f64(" + bits + ")";
  return std::string("(") + c_type(t) + ")(" + bits + ")";
}

/// `u32 (*)(void*, u32, f64)`
std::string pointer_type(const CoreFuncType& ft) {
  std::string out = std::string(ft.results.empty() ? "void" : c_type(ft.results[0])) + " (*)(void*";
  for (auto p : ft.params) out += std::string(", ") + c_type(p);
  return out + ")";
}

std::string signature_key(const CoreFuncType& ft) {
  std::string key;
  for (auto p : ft.params) key += char('a' + int(p));
  key += '_';
  for (auto r : ft.results) key += char('a' + int(r));
  return key;
}

// Shared by every glue file: wasm-rt's entry points as forwarders into the runtime's table.
constexpr std::string_view kGlueRuntime = R"glue(
#include <stdarg.h>
#include <string.h>

static const struct weft_aot_runtime* weft_rt;
#if WASM_RT_USE_STACK_DEPTH_COUNT
#define wasm_rt_call_stack_depth (*weft_rt->call_stack_depth)
#endif

void wasm_rt_trap(wasm_rt_trap_t code) { weft_rt->trap(code); __builtin_unreachable(); }
bool wasm_rt_is_initialized(void) { return true; }
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  wasm_rt_type_t types[params + results + 1];
  va_list args;
  va_start(args, results);
  for (uint32_t i = 0; i < params + results; ++i) types[i] = va_arg(args, wasm_rt_type_t);
  va_end(args);
  return weft_rt->register_func_type(params, results, types);
}
void wasm_rt_allocate_memory(wasm_rt_memory_t* m, uint32_t initial, uint32_t max) { weft_rt->allocate_memory(m, initial, max); }
uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* m, uint32_t delta) { return weft_rt->grow_memory(m, delta); }
void wasm_rt_free_memory(wasm_rt_memory_t* m) { weft_rt->free_memory(m); }
void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* t, uint32_t n, uint32_t max) { weft_rt->allocate_funcref_table(t, n, max); }
uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t* t, uint32_t d, wasm_rt_funcref_t v) { return weft_rt->grow_funcref_table(t, d, v); }
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* t) { weft_rt->free_funcref_table(t); }
void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* t, uint32_t n, uint32_t max) { weft_rt->allocate_externref_table(t, n, max); }
uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t* t, uint32_t d, wasm_rt_externref_t v) { return weft_rt->grow_externref_table(t, d, v); }
void wasm_rt_free_externref_table(wasm_rt_externref_table_t* t) { weft_rt->free_externref_table(t); }

static inline uint64_t weft_box_f32(float v) { uint32_t b; memcpy(&b, &v, 4); return b; }
static inline uint64_t weft_box_f64(double v) { uint64_t b; memcpy(&b, &v, 8); return b; }
static inline float weft_unbox_f32(uint64_t b) { uint32_t u = (uint32_t)b; float v; memcpy(&v, &u, 4); return v; }
static inline double weft_unbox_f64(uint64_t b) { double v; memcpy(&v, &b, 8); return v; }

/* The trap handler of this call, with the enclosing call's restored afterwards: a host function may call back into
 * the guest, and the outer call's trap must still land in the outer handler. */
#if WASM_RT_USE_STACK_DEPTH_COUNT
#define WEFT_TRY_BEGIN                                                       \
  jmp_buf weft_saved;                                                        \
  memcpy(weft_saved, *weft_rt->trap_target, sizeof(jmp_buf));                    \
  uint32_t weft_saved_depth = *weft_rt->saved_call_stack_depth;              \
  *weft_rt->saved_call_stack_depth = *weft_rt->call_stack_depth;             \
  int weft_code = WASM_RT_SETJMP(*weft_rt->trap_target);
#define WEFT_TRY_END                                                         \
  memcpy(*weft_rt->trap_target, weft_saved, sizeof(jmp_buf));                    \
  *weft_rt->saved_call_stack_depth = weft_saved_depth;                       \
  return weft_code;
#else
#define WEFT_TRY_BEGIN                                                       \
  jmp_buf weft_saved;                                                        \
  memcpy(weft_saved, *weft_rt->trap_target, sizeof(jmp_buf));                    \
  int weft_code = WASM_RT_SETJMP(*weft_rt->trap_target);
#define WEFT_TRY_END                                                         \
  memcpy(*weft_rt->trap_target, weft_saved, sizeof(jmp_buf));                    \
  return weft_code;
#endif

#define WEFT_SLOT(env, i) (&(*(struct weft_aot_imports**)(void*)(env))->slots[i])
)glue";

}  // namespace

Result<AotModuleInfo> describe_aot_module(std::span<const uint8_t> wasm, std::string_view name) {
  wabt::Module module;
  WEFT_TRY_VOID(read_module(wasm, name, &module));
  AotModuleInfo info;
  for (const auto* imp : module.imports) {
    CoreImport out{imp->module_name, imp->field_name, extern_kind(imp->kind()), {}};
    if (const auto* f = wabt::dyn_cast<wabt::FuncImport>(imp)) {
      WEFT_TRY(out.func_type, func_type(f->func.decl.sig, name, "import " + imp->module_name + "." + imp->field_name));
    } else if (imp->kind() == wabt::ExternalKind::Tag) {
      return fail("core module " + std::string(name) + " imports a tag, which the AOT engine does not support");
    }
    info.imports.push_back(std::move(out));
  }
  // Import index of the n-th imported function/table/memory/global.
  std::map<std::pair<CoreExternKind, uint32_t>, uint32_t> imported;
  std::map<CoreExternKind, uint32_t> counts;
  for (uint32_t i = 0; i < info.imports.size(); ++i) imported[{info.imports[i].kind, counts[info.imports[i].kind]++}] = i;
  for (const auto* exp : module.exports) {
    auto kind = extern_kind(exp->kind);
    if (exp->kind == wabt::ExternalKind::Tag)
      return fail("core module " + std::string(name) + " exports a tag, which the AOT engine does not support");
    info.exports.push_back({exp->name, kind});
    CoreFuncType ft;
    if (kind == CoreExternKind::func) {
      const wabt::Func* f = module.GetFunc(exp->var);
      WEFT_TRY(ft, func_type(f->decl.sig, name, "export " + exp->name));
    }
    info.export_func_types.push_back(std::move(ft));
    auto it = imported.find({kind, exp->var.index()});
    info.export_import.push_back(it == imported.end() ? std::nullopt : std::optional<uint32_t>(it->second));
  }
  for (size_t i = module.num_memory_imports; i < module.memories.size(); ++i)
    info.memory_pages.push_back(module.memories[i]->page_limits.initial);
  for (size_t i = module.num_table_imports; i < module.tables.size(); ++i)
    info.table_elements.push_back(module.tables[i]->elem_limits.initial);
  for (const auto* g : module.globals)
    if (!core_type(g->type))
      return fail("core module " + std::string(name) + " has a " + g->type.GetName() +
                  " global, which the AOT engine does not support");
  return info;
}

Result<AotSource> translate_to_c(std::span<const uint8_t> wasm, std::string_view name) {
  WEFT_TRY(AotModuleInfo info, describe_aot_module(wasm, name));
  wabt::Module module;
  WEFT_TRY_VOID(read_module(wasm, name, &module));
  for (size_t i = 0; i < module.imports.size(); ++i) {
    module.imports[i]->module_name = "w";
    module.imports[i]->field_name = "i" + std::to_string(i);
  }
  for (size_t i = 0; i < module.exports.size(); ++i) module.exports[i]->name = "e" + std::to_string(i);
  if (wabt::Failed(wabt::GenerateNames(&module)) || wabt::Failed(wabt::ApplyNames(&module)))
    return fail("core module " + std::string(name) + ": wasm2c could not name its functions");
  wabt::MemoryStream c_stream, h_stream;
  wabt::WriteCOptions options;
  options.module_name = "m";
  if (wabt::Failed(wabt::WriteC(&c_stream, &h_stream, "module.h", &module, options)))
    return fail("core module " + std::string(name) + ": wasm2c could not translate it");
  AotSource out;
  const auto& c = c_stream.output_buffer().data;
  const auto& h = h_stream.output_buffer().data;
  out.module.assign(c.begin(), c.end());
  out.header.assign(h.begin(), h.end());

  std::ostringstream g;
  g << "/* Generated by weft-runtime for core module " << name << " (aot_translate.cpp). */\n"
    << kAotAbiText << kGlueRuntime << "\n#include \"module.c\"\n\n";
  // Imports: trampolines for functions, accessors for everything else.
  for (size_t i = 0; i < info.imports.size(); ++i) {
    const auto& imp = info.imports[i];
    std::string sym = "Z_wZ_i" + std::to_string(i);
    switch (imp.kind) {
      case CoreExternKind::func: {
        const auto& ft = imp.func_type;
        std::string ret = ft.results.empty() ? "void" : c_type(ft.results[0]);
        g << ret << " " << sym << "(struct Z_w_instance_t* env";
        for (size_t p = 0; p < ft.params.size(); ++p) g << ", " << c_type(ft.params[p]) << " a" << p;
        g << ") {\n  struct weft_aot_slot* s = WEFT_SLOT(env, " << i << ");\n";
        g << "  if (s->fn) return ((" << pointer_type(ft) << ")s->fn)(s->instance";
        for (size_t p = 0; p < ft.params.size(); ++p) g << ", a" << p;
        g << ");\n  uint64_t args[" << ft.params.size() + 1 << "], results[2];\n";
        for (size_t p = 0; p < ft.params.size(); ++p)
          g << "  args[" << p << "] = " << box(ft.params[p], "a" + std::to_string(p)) << ";\n";
        g << "  if (weft_rt->call_host(s->engine, s->host, args, results)) wasm_rt_trap((wasm_rt_trap_t)WEFT_AOT_HOST_TRAP);\n";
        if (!ft.results.empty()) g << "  return " << unbox(ft.results[0], "results[0]") << ";\n";
        g << "}\n";
        break;
      }
      case CoreExternKind::memory:
        g << "wasm_rt_memory_t* " << sym << "(struct Z_w_instance_t* env) { return WEFT_SLOT(env, " << i
          << ")->object; }\n";
        break;
      case CoreExternKind::table: {
        const auto* t = wabt::cast<wabt::TableImport>(module.imports[i]);
        const char* type = t->table.elem_type == wabt::Type::ExternRef ? "wasm_rt_externref_table_t" : "wasm_rt_funcref_table_t";
        g << type << "* " << sym << "(struct Z_w_instance_t* env) { return WEFT_SLOT(env, " << i << ")->object; }\n";
        break;
      }
      case CoreExternKind::global: {
        const auto* gl = wabt::cast<wabt::GlobalImport>(module.imports[i]);
        auto t = core_type(gl->global.type);
        if (!t)
          return fail("core module " + std::string(name) + " imports a " + gl->global.type.GetName() +
                      " global, which the AOT engine does not support");
        g << c_type(*t) << "* " << sym << "(struct Z_w_instance_t* env) { return WEFT_SLOT(env, " << i
          << ")->object; }\n";
        break;
      }
    }
  }
  // One invoker per signature of an exported function.
  std::map<std::string, CoreFuncType> signatures;
  for (size_t i = 0; i < info.exports.size(); ++i)
    if (info.exports[i].kind == CoreExternKind::func)
      signatures.emplace(signature_key(info.export_func_types[i]), info.export_func_types[i]);
  for (const auto& [key, ft] : signatures) {
    g << "static int weft_invoke_" << key
      << "(void (*fn)(void), void* instance, const uint64_t* args, uint64_t* results) {\n"
      << "  WEFT_TRY_BEGIN\n  if (weft_code == 0) {\n    ";
    std::string call = "((" + pointer_type(ft) + ")fn)(instance";
    for (size_t p = 0; p < ft.params.size(); ++p) call += ", " + unbox(ft.params[p], "args[" + std::to_string(p) + "]");
    call += ")";
    if (ft.results.empty()) g << call << ";\n";
    else g << "results[0] = " << box(ft.results[0], call) << ";\n";
    g << "  }\n  WEFT_TRY_END\n}\n";
  }
  g << "static void weft_exports(void* instance, struct weft_aot_export* out) {\n"
    << "  (void)instance;\n  memset(out, 0, " << info.exports.size() << " * sizeof(*out));\n";
  for (size_t i = 0; i < info.exports.size(); ++i) {
    std::string sym = "Z_mZ_e" + std::to_string(i);
    if (info.exports[i].kind == CoreExternKind::func)
      g << "  out[" << i << "].fn = (void (*)(void))" << sym << ";\n  out[" << i << "].invoker = weft_invoke_"
        << signature_key(info.export_func_types[i]) << ";\n";
    else
      g << "  out[" << i << "].object = " << sym << "((Z_m_instance_t*)instance);\n";
  }
  g << "}\n";
  bool has_imports = !info.imports.empty();
  g << "static void weft_init_module(const struct weft_aot_runtime* runtime) { weft_rt = runtime; Z_m_init_module(); }\n"
    << "static int weft_instantiate(void* instance, struct weft_aot_imports* imports) {\n"
    << "  (void)imports;\n  WEFT_TRY_BEGIN\n  if (weft_code == 0) Z_m_instantiate((Z_m_instance_t*)instance"
    << (has_imports ? ", (struct Z_w_instance_t*)(void*)imports" : "") << ");\n  WEFT_TRY_END\n}\n"
    << "static void weft_free_instance(void* instance) { Z_m_free((Z_m_instance_t*)instance); }\n"
    << "__attribute__((visibility(\"default\"))) const struct weft_aot_module weft_aot_module = {\n"
    << "  WEFT_AOT_ABI_VERSION, sizeof(Z_m_instance_t), " << info.exports.size()
    << ", weft_init_module, weft_instantiate, weft_free_instance, weft_exports};\n";
  out.glue = g.str();
  return out;
}

}  // namespace weft::runtime
