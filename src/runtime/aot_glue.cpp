// The glue of an AOT-compiled module (aot_glue.hpp): the C that implements aot_abi.h around wasm2c's output.

#include "aot_glue.hpp"

#include <wabt/cast.h>

#include <map>
#include <sstream>

#include "aot_forwarders.hpp"

namespace weft::runtime::aot_glue {

std::optional<CoreType> core_type(wabt::Type t) {
  if (t == wabt::Type::I32) return CoreType::i32;
  if (t == wabt::Type::I64) return CoreType::i64;
  if (t == wabt::Type::F32) return CoreType::f32;
  if (t == wabt::Type::F64) return CoreType::f64;
  return std::nullopt;
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

namespace {

/// `(u32)` → `uint64_t` bits, and back.
std::string box(CoreType t, const std::string& value) {
  if (t == CoreType::f32) return "weft_box_f32(" + value + ")";
  if (t == CoreType::f64) return "weft_box_f64(" + value + ")";
  return "(uint64_t)(" + value + ")";
}
}  // namespace

std::string unbox(CoreType t, const std::string& bits) {
  if (t == CoreType::f32) return "weft_unbox_f32(" + bits + ")";
  if (t == CoreType::f64) return "weft_unbox_f64(" + bits + ")";
  return std::string("(") + c_type(t) + ")(" + bits + ")";
}

namespace {

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

/// `int (*)(void*, uint64_t*, u32, f64)`: a host function's typed entry for an import of type `ft` (aot_abi.h).
std::string typed_pointer_type(const CoreFuncType& ft) {
  std::string out = "int (*)(void*, uint64_t*";
  for (auto p : ft.params) out += std::string(", ") + c_type(p);
  return out + ")";
}

}  // namespace

// Declarations every translation unit of a module sees (after aot_abi.h): the runtime's table, set once by
// weft_init_module.
const std::string_view kGlueShared = R"glue(
#include <stdarg.h>
#include <string.h>

extern const struct weft_aot_runtime* weft_rt;
#if WASM_RT_USE_STACK_DEPTH_COUNT
#define wasm_rt_call_stack_depth (*weft_rt->call_stack_depth)
#endif
)glue";

// Definitions, in main.c only: wasm-rt's entry points as forwarders into the runtime's table, and the helpers of the
// generated trampolines and invokers.
const std::string_view kGlueMain = R"glue(
const struct weft_aot_runtime* weft_rt;

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
 * the guest, and the outer call's trap must still land in the outer handler.
 * The entry saves no signal mask: wasm-rt's WASM_RT_SETJMP is sigsetjmp(.., 1), one rt_sigprocmask system call on
 * every entry into compiled code (about 5 % of a component's instantiate, perf 2026-12-05). Guest code never changes the
 * mask, and the runtime's SIGSEGV/SIGBUS handler blocks no signal while it runs (SA_NODEFER, empty sa_mask:
 * aot_runtime.c), so a trap's longjmp out of it leaves the mask as it was at the entry. wasm-rt traps with
 * siglongjmp where it handles signals, else with longjmp; each is paired with its own setjmp. */
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
#define WEFT_SETJMP(buf) sigsetjmp(buf, 0)
#else
#define WEFT_SETJMP(buf) setjmp(buf)
#endif
#if WASM_RT_USE_STACK_DEPTH_COUNT
#define WEFT_TRY_BEGIN                                                       \
  jmp_buf weft_saved;                                                        \
  memcpy(weft_saved, *weft_rt->trap_target, sizeof(jmp_buf));                    \
  uint32_t weft_saved_depth = *weft_rt->saved_call_stack_depth;              \
  *weft_rt->saved_call_stack_depth = *weft_rt->call_stack_depth;             \
  int weft_code = WEFT_SETJMP(*weft_rt->trap_target);
#define WEFT_TRY_END                                                         \
  memcpy(*weft_rt->trap_target, weft_saved, sizeof(jmp_buf));                    \
  *weft_rt->saved_call_stack_depth = weft_saved_depth;                       \
  return weft_code;
#else
#define WEFT_TRY_BEGIN                                                       \
  jmp_buf weft_saved;                                                        \
  memcpy(weft_saved, *weft_rt->trap_target, sizeof(jmp_buf));                    \
  int weft_code = WEFT_SETJMP(*weft_rt->trap_target);
#define WEFT_TRY_END                                                         \
  memcpy(*weft_rt->trap_target, weft_saved, sizeof(jmp_buf));                    \
  return weft_code;
#endif

#define WEFT_SLOT(env, i) (&((struct weft_aot_slot*)(*(struct weft_aot_imports**)(void*)(env) + 1))[i])
)glue";

// After wasm2c's prelude (which includes module.h and defines memory_init), in every translation unit: the instance
// as weft-runtime allocates it, with the values its code reads (weft_aot_module_values, set by weft_instantiate).
// Every data segment is translated with one placeholder byte, so wasm2c's memory_init size argument,
// `(dropped ? 0 : 1)` (or 0 for an active segment, dropped once instantiated), is nonzero exactly while the segment
// may be read; the real size comes from the values.
const std::string_view kGlueAfterPrelude = R"glue(
struct weft_instance {
  Z_m_instance_t wasm;
  const struct weft_aot_module_values* values;
};
#define WEFT_VALUES(instance) (((const struct weft_instance*)(const void*)(instance))->values)
static inline void weft_memory_init(wasm_rt_memory_t* dest, const struct weft_aot_data_segment* segment, u32 live,
                                    u32 dest_addr, u32 src_addr, u32 n) {
  memory_init(dest, segment->bytes, live ? segment->size : 0, dest_addr, src_addr, n);
}
#define memory_init(dest, segment, live, dest_addr, src_addr, n) \
  weft_memory_init(dest, segment, live, dest_addr, src_addr, n)

/* Loads and stores with the linear memory's base read once per function instead of after every store.
 * wasm2c's i32_load & co. read `mem->data` at each access, and every store into linear memory is a byte copy that may
 * alias anything, `mem->data` included, so gcc reloads the base after each store: five extra loads per character in
 * the JSON workload's string loop (perf annotate, 2026-12-05), 3-5 % of its time. With guard pages the base never
 * changes while the memory exists: wasm-rt-impl reserves the whole 8 GiB at allocation (or the engine's pool lends
 * one) and memory.grow opens pages in place (mprotect), so reading it is a pure function of `mem`. It is read by an asm
 * without side effects or memory operands, which gcc treats exactly so and computes once per function (the same asm
 * on the same `mem` is one value). It runs only where a load or store runs, i.e. in guest code, after instantiate
 * allocated the memory: nothing before the allocation reads guest memory through these, so there is no earlier
 * value to reuse. The explicit-bounds build (no guard pages: memory.grow reallocates) keeps wasm2c's functions.
 * Loads keep wasm2c's forced read (the value passed to an empty asm): an out-of-bounds load whose value is unused
 * must still fault and trap, as on the interpreter (MemoryBase tests, core_engine_test.cpp). */
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER && !WABT_BIG_ENDIAN && defined(__GNUC__) && \
    (defined(__x86_64__) || defined(__aarch64__))
static inline u8* weft_memory_base(wasm_rt_memory_t* mem) {
  u8* base;
#if defined(__x86_64__)
  __asm__("movq %c2(%1), %0" : "=r"(base) : "r"(mem), "i"(offsetof(wasm_rt_memory_t, data)));
#else
  __asm__("ldr %0, [%1, %c2]" : "=r"(base) : "r"(mem), "i"(offsetof(wasm_rt_memory_t, data)));
#endif
  return base;
}
/* The forced read is applied to the value as the load returns it (widened, in the register class of its type), as
 * wabt later did too (WebAssembly/wabt pull request 2808): forcing the raw narrow value can cost gcc an extra
 * register move after the widening load, and a float passed in a general register costs a move out of and back into
 * an SSE register (n-body 0.61-0.67x -> 0.54-0.56x native, docs/performance.md). The value still depends on the load, so the load still happens and faults where it must. */
#define WEFT_FORCE_READ_u32(value) __asm__("" ::"r"(value))
#define WEFT_FORCE_READ_u64(value) __asm__("" ::"r"(value))
#if defined(__x86_64__)
#define WEFT_FORCE_READ_f32(value) __asm__("" ::"x"(value))
#define WEFT_FORCE_READ_f64(value) __asm__("" ::"x"(value))
#else
#define WEFT_FORCE_READ_f32(value) __asm__("" ::"w"(value))
#define WEFT_FORCE_READ_f64(value) __asm__("" ::"w"(value))
#endif
#define WEFT_DEFINE_LOAD(name, t1, t2, t3)                                \
  static inline t3 weft_##name(wasm_rt_memory_t* mem, u64 addr) {         \
    t1 result;                                                            \
    wasm_rt_memcpy(&result, weft_memory_base(mem) + addr, sizeof(t1));    \
    t3 value = (t3)(t2)result;                                            \
    WEFT_FORCE_READ_##t3(value);                                          \
    return value;                                                         \
  }
#define WEFT_DEFINE_STORE(name, t1, t2)                                   \
  static inline void weft_##name(wasm_rt_memory_t* mem, u64 addr, t2 value) { \
    t1 wrapped = (t1)value;                                               \
    wasm_rt_memcpy(weft_memory_base(mem) + addr, &wrapped, sizeof(t1));   \
  }
WEFT_DEFINE_LOAD(i32_load, u32, u32, u32)
WEFT_DEFINE_LOAD(i64_load, u64, u64, u64)
WEFT_DEFINE_LOAD(f32_load, f32, f32, f32)
WEFT_DEFINE_LOAD(f64_load, f64, f64, f64)
WEFT_DEFINE_LOAD(i32_load8_s, s8, s32, u32)
WEFT_DEFINE_LOAD(i64_load8_s, s8, s64, u64)
WEFT_DEFINE_LOAD(i32_load8_u, u8, u32, u32)
WEFT_DEFINE_LOAD(i64_load8_u, u8, u64, u64)
WEFT_DEFINE_LOAD(i32_load16_s, s16, s32, u32)
WEFT_DEFINE_LOAD(i64_load16_s, s16, s64, u64)
WEFT_DEFINE_LOAD(i32_load16_u, u16, u32, u32)
WEFT_DEFINE_LOAD(i64_load16_u, u16, u64, u64)
WEFT_DEFINE_LOAD(i64_load32_s, s32, s64, u64)
WEFT_DEFINE_LOAD(i64_load32_u, u32, u64, u64)
WEFT_DEFINE_STORE(i32_store, u32, u32)
WEFT_DEFINE_STORE(i64_store, u64, u64)
WEFT_DEFINE_STORE(f32_store, f32, f32)
WEFT_DEFINE_STORE(f64_store, f64, f64)
WEFT_DEFINE_STORE(i32_store8, u8, u32)
WEFT_DEFINE_STORE(i32_store16, u16, u32)
WEFT_DEFINE_STORE(i64_store8, u8, u64)
WEFT_DEFINE_STORE(i64_store16, u16, u64)
WEFT_DEFINE_STORE(i64_store32, u32, u64)
#define i32_load(mem, addr) weft_i32_load(mem, addr)
#define i64_load(mem, addr) weft_i64_load(mem, addr)
#define f32_load(mem, addr) weft_f32_load(mem, addr)
#define f64_load(mem, addr) weft_f64_load(mem, addr)
#define i32_load8_s(mem, addr) weft_i32_load8_s(mem, addr)
#define i64_load8_s(mem, addr) weft_i64_load8_s(mem, addr)
#define i32_load8_u(mem, addr) weft_i32_load8_u(mem, addr)
#define i64_load8_u(mem, addr) weft_i64_load8_u(mem, addr)
#define i32_load16_s(mem, addr) weft_i32_load16_s(mem, addr)
#define i64_load16_s(mem, addr) weft_i64_load16_s(mem, addr)
#define i32_load16_u(mem, addr) weft_i32_load16_u(mem, addr)
#define i64_load16_u(mem, addr) weft_i64_load16_u(mem, addr)
#define i64_load32_s(mem, addr) weft_i64_load32_s(mem, addr)
#define i64_load32_u(mem, addr) weft_i64_load32_u(mem, addr)
#define i32_store(mem, addr, value) weft_i32_store(mem, addr, value)
#define i64_store(mem, addr, value) weft_i64_store(mem, addr, value)
#define f32_store(mem, addr, value) weft_f32_store(mem, addr, value)
#define f64_store(mem, addr, value) weft_f64_store(mem, addr, value)
#define i32_store8(mem, addr, value) weft_i32_store8(mem, addr, value)
#define i32_store16(mem, addr, value) weft_i32_store16(mem, addr, value)
#define i64_store8(mem, addr, value) weft_i64_store8(mem, addr, value)
#define i64_store16(mem, addr, value) weft_i64_store16(mem, addr, value)
#define i64_store32(mem, addr, value) weft_i64_store32(mem, addr, value)
#endif
)glue";

Result<std::string> write_glue(const wabt::Module& module, const AotModuleInfo& info, std::string_view name) {
  std::ostringstream g;
  g << "\n/* Glue generated by weft-runtime for core module " << name << " (aot_glue.cpp). */\n";
  // Imports: trampolines for functions, accessors for everything else.
  for (size_t i = 0; i < info.imports.size(); ++i) {
    const auto& imp = info.imports[i];
    std::string sym = "Z_wZ_" + module.imports[i]->field_name;  // the C field aot_translate gave it
    switch (imp.kind) {
      case CoreExternKind::func: {
        // Another module's function: called directly. A host function: its typed entry (one indirect call, the
        // arguments as they are), or the boxed entry with the arguments' bits in an array. Either returns nonzero
        // when the host trapped; the trap is raised here, in C, once the host's C++ frames are gone.
        const auto& ft = imp.func_type;
        std::string ret = ft.results.empty() ? "void" : c_type(ft.results[0]);
        std::string args;
        for (size_t p = 0; p < ft.params.size(); ++p) args += ", a" + std::to_string(p);
        g << ret << " " << sym << "(struct Z_w_instance_t* env";
        for (size_t p = 0; p < ft.params.size(); ++p) g << ", " << c_type(ft.params[p]) << " a" << p;
        g << ") {\n  struct weft_aot_slot* s = WEFT_SLOT(env, " << i << ");\n";
        g << "  if (s->fn) return ((" << pointer_type(ft) << ")s->fn)(s->instance" << args << ");\n";
        g << "  uint64_t results[2];\n";
        g << "  if (__builtin_expect(s->typed != 0, 1)) {\n";
        g << "    if (__builtin_expect(((" << typed_pointer_type(ft) << ")s->typed)(s->host_context, results" << args
          << "), 0))\n      wasm_rt_trap((wasm_rt_trap_t)WEFT_AOT_HOST_TRAP);\n";
        g << "  } else {\n    uint64_t boxed[" << ft.params.size() + 1 << "];\n";
        for (size_t p = 0; p < ft.params.size(); ++p)
          g << "    boxed[" << p << "] = " << box(ft.params[p], "a" + std::to_string(p)) << ";\n";
        g << "    if (s->host(s->host_context, boxed, results)) wasm_rt_trap((wasm_rt_trap_t)WEFT_AOT_HOST_TRAP);\n";
        g << "  }\n";
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
  g << aot_forwarders::write_forwarder_glue(module, info)
    << "static void weft_init_module(const struct weft_aot_runtime* runtime) {\n"
    << "  weft_rt = runtime;\n  Z_m_init_module();\n  weft_init_forwarders();\n}\n"
    << "static int weft_instantiate(void* instance, struct weft_aot_imports* imports,\n"
    << "                            const struct weft_aot_module_values* values) {\n"
    << "  (void)imports;\n  ((struct weft_instance*)instance)->values = values;\n"
    << "  WEFT_TRY_BEGIN\n  if (weft_code == 0) Z_m_instantiate((Z_m_instance_t*)instance"
    << (has_imports ? ", (struct Z_w_instance_t*)(void*)imports" : "") << ");\n  WEFT_TRY_END\n}\n"
    << "static void weft_free_instance(void* instance) { Z_m_free((Z_m_instance_t*)instance); }\n"
    << "__attribute__((visibility(\"default\"))) const struct weft_aot_module weft_aot_module = {\n"
    << "  WEFT_AOT_ABI_VERSION, sizeof(struct weft_instance), " << info.exports.size()
    << ", weft_init_module, weft_instantiate, weft_free_instance, weft_exports,\n  "
    << aot_forwarders::module_fields() << "};\n";
  return g.str();
}

}  // namespace weft::runtime::aot_glue
