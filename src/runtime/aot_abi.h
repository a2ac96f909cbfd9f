/* The C ABI between weft-runtime and one AOT-compiled core module (a `.so` built from wasm2c output plus generated
 * glue, see aot_glue.cpp). Included by the runtime (C and C++) and pasted verbatim at the top of every generated glue
 * file, so both sides always agree; its text is part of the cache key, so a change here rebuilds every cached module.
 *
 * Why a table of function pointers instead of exporting wasm-rt-impl's symbols from the executable: the engine is
 * linked statically into weft-runtime, weft-pack, the tests and the benchmarks; exporting from each of them needs
 * -rdynamic or a dynamic list per executable, and a `.so` that failed to bind would silently pick up a second copy
 * of the runtime (with its own jmp_buf and func-type registry). With the table, every `.so` is linked `-z defs`
 * against libc alone, and the one wasm-rt-impl of the process is the one whose addresses are in the table. */
#ifndef WEFT_RUNTIME_AOT_ABI_H_
#define WEFT_RUNTIME_AOT_ABI_H_

#include <setjmp.h>
#include <stdint.h>

#include "wasm-rt.h"

#define WEFT_AOT_ABI_VERSION 7
/* longjmp value of a trap raised by a host function (its kind and message wait in the engine); wasm-rt's own trap
 * codes are all below it. */
#define WEFT_AOT_HOST_TRAP 100

/* What the runtime lends every module: wasm-rt-impl's globals and functions, the engine's budgeted allocators and the
 * host-call entry. */
struct weft_aot_runtime {
  uint32_t abi_version;
  jmp_buf* trap_target;           /* wasm-rt-impl's wasm_rt_jmp_buf: where every trap longjmps */
  uint32_t* call_stack_depth;     /* explicit-bounds builds only (WASM_RT_USE_STACK_DEPTH_COUNT), else NULL */
  uint32_t* saved_call_stack_depth;
  void (*trap)(wasm_rt_trap_t code); /* does not return */
  /* One registry for the whole process, so call_indirect compares type ids across modules. */
  uint32_t (*register_func_type)(uint32_t params, uint32_t results, const wasm_rt_type_t* types);
  void (*allocate_memory)(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages);
  uint32_t (*grow_memory)(wasm_rt_memory_t* memory, uint32_t delta);
  void (*free_memory)(wasm_rt_memory_t* memory);
  void (*allocate_funcref_table)(wasm_rt_funcref_table_t* table, uint32_t elements, uint32_t max_elements);
  uint32_t (*grow_funcref_table)(wasm_rt_funcref_table_t* table, uint32_t delta, wasm_rt_funcref_t init);
  void (*free_funcref_table)(wasm_rt_funcref_table_t* table);
  void (*allocate_externref_table)(wasm_rt_externref_table_t* table, uint32_t elements, uint32_t max_elements);
  uint32_t (*grow_externref_table)(wasm_rt_externref_table_t* table, uint32_t delta, wasm_rt_externref_t init);
  void (*free_externref_table)(wasm_rt_externref_table_t* table);
};

/* A host function's boxed entry: the arguments' raw bits in `args` (i32/f32 in the low 32 bits), the result's in
 * `results[0]`; nonzero = trapped (the trap's kind and message wait in the engine until the outermost call returns). */
typedef int (*weft_aot_host_entry)(void* context, const uint64_t* args, uint64_t* results);

/* One import of an instance, in import order. A function import calls, in this order of preference:
 * - `fn(instance, a0, a1, …)` when it is another module's guest function of the same type;
 * - `typed(host_context, results, a0, a1, …)` when it is a host function with a typed entry: the arguments as the
 *   import's C types (u32, u64, f32, f64), the result's raw bits in `results[0]`, nonzero = trapped (the engine holds
 *   the trap). One indirect call from the trampoline into the host function's own code (core_engine.hpp);
 * - else `host(host_context, args, results)` (boxed_host_entry: the generic path).
 * Memory, table and global imports point at the exporting instance's object in `object`. */
struct weft_aot_slot {
  void (*fn)(void);
  void* instance;
  void* object;
  void (*typed)(void);
  weft_aot_host_entry host;
  void* host_context;
};

/* The `struct Z_w_instance_t` every generated import accessor receives (all imports are renamed into module "w").
 * wasm2c 1.0.32 passes a direct call `instance->Z_w_instance` but puts `&instance->Z_w_instance` into funcref tables
 * (funcref_table_init adds the field's offset to the instance), so a trampoline may receive either this struct or a
 * pointer to a pointer to it. `self` points at the struct itself, so `*(struct weft_aot_imports**)env` is the struct
 * in both cases. The slots follow the struct in memory (`slots == (struct weft_aot_slot*)(imports + 1)`): compiled
 * code finds slot i at a constant offset from the struct, one load fewer on every import call. */
struct weft_aot_imports {
  struct weft_aot_imports* self;
  struct weft_aot_slot* slots;
};

/* Calls `fn(instance, args…)` with wasm-rt's trap handler set (and the enclosing one restored afterwards); returns 0
 * or the trap code. */
typedef int (*weft_aot_invoker)(void (*fn)(void), void* instance, const uint64_t* args, uint64_t* results);

/* Export i of an instance: a function (`fn` + `invoker`) or a memory/table/global object. */
struct weft_aot_export {
  void (*fn)(void);
  weft_aot_invoker invoker;
  void* object;
};

/* Data segment i of the module being instantiated. */
struct weft_aot_data_segment {
  const uint8_t* bytes; /* never NULL, even for an empty segment */
  uint32_t size;        /* bytes */
  uint32_t offset;      /* an active segment's offset when it is an i32.const (else computed by the compiled code) */
};

/* What the compiled code of a module reads from the module instead of compiling it in (aot_module_shape.hpp): every
 * data segment's bytes and size, constant segment offsets and constant global initialisers. Modules that differ only
 * there (JS apps of one world: one engine, each its own snapshot) share one object; compiling megabytes of snapshot
 * as C initialisers would also cost minutes for nothing. Must stay valid as long as any instance of the module. */
struct weft_aot_module_values {
  const struct weft_aot_data_segment* data_segments; /* one per data segment */
  const uint64_t* globals; /* one per defined global: the bits of its constant initial value (i32/f32: low 32) */
};

/* An exported function whose whole body passes its parameters on, in order, to `call_indirect` of its own type on
 * one constant element of one table: wit-component's shim module, through whose table a core module's import reaches
 * the fixup module's function. The engine may call the element directly once the table can no longer change
 * (aot_forwarders.hpp). The table is the module's import `table_import`, or else its export `table_export`. */
struct weft_aot_forwarder {
  uint32_t export_index;
  uint32_t table_import; /* UINT32_MAX: the table is defined here */
  uint32_t table_export; /* UINT32_MAX: the table is imported */
  uint32_t element;
  uint32_t type_id; /* the function's own type as call_indirect compares it (set by init_module) */
};

/* The one symbol a module `.so` exports (`weft_aot_module`). */
struct weft_aot_module {
  uint32_t abi_version;
  uint32_t instance_size; /* bytes */
  uint32_t export_count;
  void (*init_module)(const struct weft_aot_runtime* runtime);
  /* Initialises globals, memories, tables and segments (an active segment out of its memory's bounds traps, with
   * wasm-rt's out-of-bounds code) and runs the start function; 0 or the trap code. The instance keeps `values`. */
  int (*instantiate)(void* instance, struct weft_aot_imports* imports, const struct weft_aot_module_values* values);
  void (*free_instance)(void* instance);
  void (*exports)(void* instance, struct weft_aot_export* out);
  uint32_t forwarder_count;
  const struct weft_aot_forwarder* forwarders;
  /* Nonzero when the module's code may change a table after instantiation (table.set, table.grow, table.fill,
   * table.copy or table.init anywhere in it; a passive segment can only be applied by table.init). */
  uint32_t mutates_tables;
  /* Per import: a function import's trampoline (the address wasm2c puts into a table for it), else NULL. */
  void (*const* import_trampolines)(void);
};

#endif /* WEFT_RUNTIME_AOT_ABI_H_ */
