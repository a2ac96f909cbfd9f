/* The process's one wasm-rt-impl (compiled into weft-engine from /usr/src/wasm2c/wasm-rt-impl.c) as the table every
 * AOT module receives (aot_abi.h). Memory and table allocation go through the engine's budgeted wrappers
 * (aot_engine.cpp), which call wasm-rt-impl's own functions. */
#include <signal.h>

#include "aot_abi.h"
#include "wasm-rt-impl.h"

uint32_t weft_aot_register_func_type(uint32_t params, uint32_t results, const wasm_rt_type_t* types);
void weft_aot_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages);
uint32_t weft_aot_grow_memory(wasm_rt_memory_t* memory, uint32_t delta);
void weft_aot_free_memory(wasm_rt_memory_t* memory);
void weft_aot_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements, uint32_t max_elements);
uint32_t weft_aot_grow_funcref_table(wasm_rt_funcref_table_t* table, uint32_t delta, wasm_rt_funcref_t init);
void weft_aot_free_funcref_table(wasm_rt_funcref_table_t* table);
void weft_aot_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements, uint32_t max_elements);
uint32_t weft_aot_grow_externref_table(wasm_rt_externref_table_t* table, uint32_t delta, wasm_rt_externref_t init);
void weft_aot_free_externref_table(wasm_rt_externref_table_t* table);

const struct weft_aot_runtime* weft_aot_runtime_table(void);

static void trap(wasm_rt_trap_t code) { wasm_rt_trap(code); }

/* Whether guest code runs on this thread right now (the engine sets it around each entry into a module and clears it
 * around each host call, inline: aot_engine.cpp). wasm-rt's SIGSEGV/SIGBUS handler turns every fault into a trap,
 * i.e. a longjmp to the last trap target; a fault in host code (a bug in the runtime) must crash plainly instead of
 * jumping into a stale frame. */
_Thread_local int weft_aot_guest_running;

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
static struct sigaction g_wasm_rt_segv, g_wasm_rt_bus;

static void guarded_signal_handler(int sig, siginfo_t* info, void* context) {
  if (weft_aot_guest_running) {
    const struct sigaction* wasm_rt = sig == SIGBUS ? &g_wasm_rt_bus : &g_wasm_rt_segv;
    wasm_rt->sa_sigaction(sig, info, context);
    return;
  }
  /* Host code: restore the default action; returning re-runs the faulting instruction, which now ends the process
   * (a signal sent by a process, not raised by a fault, is sent again). */
  signal(sig, SIG_DFL);
  if (info->si_code <= 0) raise(sig);
}

static void guard_signal_handlers(void) {
  struct sigaction guarded;
  for (int i = 0; i < 2; ++i) {
    int sig = i == 0 ? SIGSEGV : SIGBUS;
    struct sigaction* saved = i == 0 ? &g_wasm_rt_segv : &g_wasm_rt_bus;
    if (sigaction(sig, NULL, saved) != 0 || !(saved->sa_flags & SA_SIGINFO)) continue;
    guarded = *saved;
    guarded.sa_sigaction = guarded_signal_handler;
    /* Block nothing while the handler runs: a trap leaves it with a longjmp, and the entries into compiled code save
     * no signal mask to restore (sigsetjmp(.., 0), aot_glue.cpp: a system call per entry otherwise), so a signal the
     * kernel blocked for the handler would stay blocked, and the next fault of guest code (SIGSEGV while blocked)
     * would end the process instead of trapping. */
    guarded.sa_flags |= SA_NODEFER;
    sigemptyset(&guarded.sa_mask);
    sigaction(sig, &guarded, NULL);
  }
}
#endif

/* Called once, before the first module is loaded (aot_engine.cpp serialises it): installs wasm-rt's SIGSEGV/SIGBUS
 * handler and alternate signal stack on the calling thread when guard pages are in use. */
const struct weft_aot_runtime* weft_aot_runtime_table(void) {
  static struct weft_aot_runtime table;
  if (table.abi_version == 0) {
    wasm_rt_init();
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
    guard_signal_handlers();
#endif
    table.trap_target = &wasm_rt_jmp_buf;
#if WASM_RT_USE_STACK_DEPTH_COUNT
    table.call_stack_depth = &wasm_rt_call_stack_depth;
    table.saved_call_stack_depth = &wasm_rt_saved_call_stack_depth;
#endif
    table.trap = trap;
    table.register_func_type = weft_aot_register_func_type;
    table.allocate_memory = weft_aot_allocate_memory;
    table.grow_memory = weft_aot_grow_memory;
    table.free_memory = weft_aot_free_memory;
    table.allocate_funcref_table = weft_aot_allocate_funcref_table;
    table.grow_funcref_table = weft_aot_grow_funcref_table;
    table.free_funcref_table = weft_aot_free_funcref_table;
    table.allocate_externref_table = weft_aot_allocate_externref_table;
    table.grow_externref_table = weft_aot_grow_externref_table;
    table.free_externref_table = weft_aot_free_externref_table;
    table.abi_version = WEFT_AOT_ABI_VERSION;
  }
  return &table;
}
