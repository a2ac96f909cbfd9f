// CoreEngine backend 2 over AOT-compiled modules (aot_engine.hpp). Every guest call goes through a generated C
// invoker that owns the wasm-rt trap handler (setjmp) for its duration, so a trap's longjmp never crosses a C++ frame:
// host functions are entered from generated C trampolines through the slot's entry (the host function's own typed
// entry, core_engine.hpp, or boxed_host_entry for the others), which catches everything and reports a host trap as a
// return value; the trampoline raises it once the C++ frames are gone.

#include "weft/runtime/aot_engine.hpp"

#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <array>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "aot_abi.h"
#include "aot_forwarder_links.hpp"
#include "aot_module_info.hpp"
#include "aot_module_shape.hpp"

extern "C" const struct weft_aot_runtime* weft_aot_runtime_table(void);

namespace weft::runtime {
namespace {

constexpr uint64_t kPageSize = 65536;  // bytes
// Spec §4.6: limits over everything one runtime instantiates (the interpreter applies the same ones).
constexpr size_t kMaxMemories = 100;
constexpr size_t kMaxTables = 1000;
constexpr uint64_t kMaxTableElements = 1000000;  // all tables together, at instantiation and at every table.grow
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
constexpr size_t kMemoryReservation = size_t(8) << 30;  // bytes: what wasm-rt-impl maps per memory (guard pages)
#endif

class AotEngine;

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
/// Released linear memories (their 8 GiB reservations), kept for the next memory of the process: mapping a
/// reservation, faulting its pages in as the data segments are copied, and unmapping it again were ≈ 30 % of an
/// instantiate and its teardown (perf, 2026-12-05). A reservation comes back as a fresh one would be: every byte of
/// [0, size) zero, everything past it inaccessible (the guard region that makes out-of-bounds accesses trap).
/// Zeroing is done when a memory is given back, and only where the guest touched it: the pages `mincore` reports
/// resident are cleared with memset (they stay resident, so the next instance does not fault them in again); every
/// other page is dropped with MADV_DONTNEED, which also covers pages swapped out meanwhile (they read as zero
/// afterwards). Bounded: kMaxPooled reservations, kMaxResidentBytes kept resident in all.
class MemoryPool {
 public:
  static MemoryPool& instance() {
    static MemoryPool* pool = new MemoryPool;  // never destroyed: memories may be released during exit
    return *pool;
  }

  /// A pooled reservation with [0, bytes) readable, writable and zero and the rest inaccessible, or nullptr. One
  /// whose accessible size is `bytes` already is taken first: it needs no mprotect (a system call, expensive in a VM)
  /// while the instance is being made.
  uint8_t* take(uint64_t bytes) {
    Entry e;
    {
      std::lock_guard lock(mutex_);
      if (entries_.empty()) return nullptr;
      auto fits = std::find_if(entries_.rbegin(), entries_.rend(), [&](const Entry& x) { return x.accessible == bytes; });
      auto chosen = fits != entries_.rend() ? std::prev(fits.base()) : std::prev(entries_.end());
      e = *chosen;
      entries_.erase(chosen);
      resident_ -= e.resident;
    }
    // The pooled bytes past `bytes` become the guard region again; a larger memory opens more of the zero pages.
    bool ok = e.accessible > bytes ? ::mprotect(e.data + bytes, e.accessible - bytes, PROT_NONE) == 0
                                   : bytes == e.accessible || ::mprotect(e.data + e.accessible, bytes - e.accessible,
                                                                         PROT_READ | PROT_WRITE) == 0;
    if (!ok) {
      ::munmap(e.data, kMemoryReservation);
      return nullptr;
    }
    std::lock_guard lock(mutex_);
    lent_[e.data] = Lent{std::max(e.extent, bytes), bytes};
    return e.data;
  }

  /// Takes back a reservation whose [0, accessible) the guest may have written; false when the pool is full or the
  /// bytes could not be cleared (the caller unmaps it). A reservation taken from the pool goes back at the size it
  /// was taken at (the guest's growth becomes guard region again): the next instance of the same module takes it
  /// without an mprotect, and the system call is paid here, in the teardown, instead.
  bool give(uint8_t* data, uint64_t accessible) {
    uint64_t extent = accessible;  // bytes that may be resident: a pooled reservation's earlier lives reached further
    uint64_t initial = accessible;  // the size to pool it at
    uint64_t budget;
    {
      std::lock_guard lock(mutex_);
      if (auto it = lent_.find(data); it != lent_.end()) {
        extent = std::max(extent, it->second.extent);
        initial = std::min(initial, it->second.initial);
        lent_.erase(it);
      }
      if (entries_.size() >= kMaxPooled) return false;
      budget = kMaxResidentBytes - std::min(resident_, kMaxResidentBytes);
    }
    const uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));
    const uint64_t pages = (extent + page - 1) / page, open_pages = (accessible + page - 1) / page;
    std::vector<unsigned char> in_core(pages);
    if (pages && ::mincore(data, pages * page, in_core.data()) != 0) return false;
    uint64_t resident = 0;
    for (uint64_t first = 0; first < pages;) {
      const bool open = first < open_pages, in = in_core[first] & 1;
      uint64_t end = first + 1;
      while (end < pages && bool(in_core[end] & 1) == in && (end < open_pages) == open) ++end;
      const uint64_t length = (end - first) * page;
      if (in && resident + length <= budget) {
        if (open) std::memset(data + first * page, 0, length);  // past `accessible` they are zero since last time
        resident += length;
      } else if (::madvise(data + first * page, length, MADV_DONTNEED) != 0) {
        return false;
      }
      first = end;
    }
    // [initial, accessible) is zero now (cleared above), and stays so behind the guard.
    if (initial < accessible && ::mprotect(data + initial, accessible - initial, PROT_NONE) != 0) return false;
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxPooled) return false;
    entries_.push_back({data, initial, pages * page, resident});
    resident_ += resident;
    return true;
  }

 private:
  static constexpr size_t kMaxPooled = 16;                           // reservations (address space only)
  static constexpr uint64_t kMaxResidentBytes = uint64_t(64) << 20;  // zero pages kept resident, all together
  struct Entry {
    uint8_t* data = nullptr;
    uint64_t accessible = 0;  // bytes readable and writable (all zero)
    uint64_t extent = 0;      // bytes that may be resident (all zero)
    uint64_t resident = 0;    // bytes kept resident
  };
  std::mutex mutex_;
  std::vector<Entry> entries_;
  struct Lent {
    uint64_t extent = 0;   // bytes that may be resident
    uint64_t initial = 0;  // bytes accessible when taken
  };
  std::unordered_map<const uint8_t*, Lent> lent_;  // reservations taken from the pool
  uint64_t resident_ = 0;
};
#endif

/// The first `count` elements of `stack`, or of `heap` resized to `count` when they do not fit.
template <size_t N>
std::span<CoreValue> on_stack_or_heap(std::array<CoreValue, N>& stack, std::vector<CoreValue>& heap, size_t count) {
  if (count <= N) return {stack.data(), count};
  heap.resize(count);
  return heap;
}

/// Process-wide state shared by all engines and modules: loaded objects, the func-type registry and which engine
/// owns each memory and table (wasm-rt's grow entry points carry no context).
struct Process {
  std::recursive_mutex mutex;  // recursive: a module registers its func types while it is being loaded
  /// A loaded object and the description of its module, shared by every engine that loads a module of that shape
  /// again: the key holds the digest of the shape, which is all the description comes from, so a second load needs
  /// neither the cache's digest check nor a decode (only the module's values are read, aot_module_shape.hpp).
  struct Loaded {
    const weft_aot_module* glue = nullptr;
    std::shared_ptr<const AotModuleInfo> info;
  };
  std::map<std::string, Loaded> loaded;  // by cache key; never erased: objects stay loaded until exit
  // The descriptors the objects were loaded through stay open: glibc recognises an object by its path first, and a
  // reused fd number would make `/proc/self/fd/N` name an object loaded before.
  std::vector<UniqueFd> object_fds;
  std::vector<std::vector<uint32_t>> func_types;  // the two counts, then the param and result types
  std::unordered_map<const void*, AotEngine*> owners;    // memory or table → engine
};
Process& process() {
  static Process* p = new Process;  // never destroyed: modules stay loaded until exit
  return *p;
}
thread_local AotEngine* instantiating = nullptr;  // the engine whose module's instantiate is running

/// A module's values (aot_module_shape.hpp) laid out as its compiled code reads them; its instances point at `abi`.
struct ModuleValues {
  explicit ModuleValues(AotModuleValues from) : values(std::move(from)) {
    static const uint8_t kNoBytes = 0;  // an empty segment's pointer: never read, but not null
    for (const auto& s : values.segments)
      segments.push_back({s.size ? values.bytes.data() + s.at : &kNoBytes, s.size, s.offset});
    abi.data_segments = segments.data();
    abi.globals = values.globals.data();
  }
  ModuleValues(const ModuleValues&) = delete;
  ModuleValues& operator=(const ModuleValues&) = delete;

  AotModuleValues values;
  std::vector<weft_aot_data_segment> segments;
  weft_aot_module_values abi{};
};

/// A host function of one engine: `fn` takes CoreValues; `unboxed.typed`, when set, takes the C values compiled code
/// has (the generated trampoline calls it directly).
struct HostRecord {
  HostFunction fn;
  CoreFuncType type;
  UnboxedHostEntry unboxed;
  AotEngine* engine = nullptr;
};

struct FuncRecord {
  bool host = false;
  CoreFuncType type;
  void (*fn)(void) = nullptr;
  void* instance = nullptr;
  weft_aot_invoker invoker = nullptr;
  HostRecord* host_record = nullptr;
};

int boxed_host_entry(void* record, const uint64_t* args, uint64_t* results);
struct ExternRecord {
  CoreExternKind kind = CoreExternKind::func;
  FuncRecord func;
  void* object = nullptr;  // memory, table or global
};

Trap trap_of(int code) {
  switch (code) {
    case WASM_RT_TRAP_OOB: return {"memory-out-of-bounds", "out of bounds memory access"};
    case WASM_RT_TRAP_INT_OVERFLOW: return {"integer-overflow", "integer overflow"};
    case WASM_RT_TRAP_DIV_BY_ZERO: return {"integer-divide-by-zero", "integer divide by zero"};
    case WASM_RT_TRAP_INVALID_CONVERSION: return {"bad-conversion-to-integer", "invalid conversion to integer"};
    case WASM_RT_TRAP_UNREACHABLE: return {"unreachable", "unreachable executed"};
    case WASM_RT_TRAP_CALL_INDIRECT:
      return {"indirect-call-type-mismatch", "indirect call to a null, out-of-range or mistyped table element"};
    case WASM_RT_TRAP_EXHAUSTION: return {"stack-overflow", "call stack exhausted"};
    default: return {"trap", wasm_rt_strerror(wasm_rt_trap_t(code))};
  }
}

class AotEngine final : public CoreEngine {
 public:
  AotEngine(AotCache cache, AotMissing missing) : cache_(std::move(cache)), missing_(missing) {
    std::lock_guard lock(process().mutex);
    runtime_ = weft_aot_runtime_table();
  }

  ~AotEngine() override {
    for (auto& inst : instances_) module_of(*inst).glue->free_instance(inst->storage.get());
  }

  void set_memory_limit(uint64_t bytes) override { max_pages_ = bytes / kPageSize; }

  Result<ModuleId> load(std::span<const uint8_t> wasm, std::string_view name) override {
    std::string key = cache_.key(wasm);
    auto [glue, info] = already_loaded(key);
    std::optional<UniqueFd> cached;
    if (!glue) {
      cached = cache_.open_cached(key);
      // Code in the cache was compiled from the shape of these bytes (the key holds its digest) after it validated,
      // and a shape is valid exactly when its module is, so only the imports and exports are decoded again; anything
      // else is validated before it is compiled.
      WEFT_TRY(AotModuleInfo described, describe_aot_module(wasm, name, !cached));
      info = std::make_shared<const AotModuleInfo>(std::move(described));
    }
    for (uint64_t elements : info->table_elements)
      if (elements > kMaxTableElements)
        return fail("core module " + std::string(name) + " declares a table of " + std::to_string(elements) +
                    " elements, above the limit of " + std::to_string(kMaxTableElements));
    for (uint64_t pages : info->memory_pages)
      if (pages > max_pages_)
        return fail("core module " + std::string(name) + " needs " + std::to_string(pages * kPageSize / (1024 * 1024)) +
                    " MiB of memory at start, above the limit of " +
                    std::to_string(max_pages_ * kPageSize / (1024 * 1024)) + " MiB");
    WEFT_TRY(AotModuleValues values, module_values(wasm, name));
    if (!glue) {
      UniqueFd fd;
      if (cached) {
        fd = std::move(*cached);
      } else if (missing_ == AotMissing::compile) {
        WEFT_TRY(fd, cache_.ensure(wasm, name));
      } else {
        return fail("no compiled code for core module " + std::string(name) + " in " + cache_.dir());
      }
      WEFT_TRY(std::tie(glue, info), load_object(std::move(fd), key, name, std::move(info)));
    }
    modules_.push_back(
        {std::move(info), glue, std::string(name), std::make_unique<const ModuleValues>(std::move(values))});
    return ModuleId(modules_.size() - 1);
  }

  const std::vector<CoreImport>& imports(ModuleId module) const override { return modules_.at(module).info->imports; }
  const std::vector<CoreExport>& exports(ModuleId module) const override { return modules_.at(module).info->exports; }

  Result<InstanceId> instantiate(ModuleId module_id, std::span<const CoreExtern> imports) override {
    const Module& module = modules_.at(module_id);
    const auto& wanted = module.info->imports;
    if (imports.size() != wanted.size())
      return fail("core module " + module.name + " needs " + std::to_string(wanted.size()) + " imports, got " +
                  std::to_string(imports.size()));
    auto inst = std::make_unique<Instance>();
    inst->module = module_id;
    // The header, then the slots right after it: compiled code finds slot i at a constant offset (aot_abi.h).
    size_t link_bytes = sizeof(weft_aot_imports) + wanted.size() * sizeof(weft_aot_slot);
    inst->link_storage = std::make_unique<std::max_align_t[]>(
        (link_bytes + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t));
    inst->links = new (inst->link_storage.get()) weft_aot_imports{};
    auto* slots = reinterpret_cast<weft_aot_slot*>(inst->links + 1);
    for (size_t i = 0; i < wanted.size(); ++i) new (slots + i) weft_aot_slot{};
    for (size_t i = 0; i < wanted.size(); ++i) {
      const ExternRecord* e = imports[i].id < externs_.size() ? &externs_[imports[i].id] : nullptr;
      if (!e || e->kind != wanted[i].kind || imports[i].kind != wanted[i].kind)
        return fail("import " + wanted[i].module + "." + wanted[i].name + " of core module " + module.name +
                    " expects a " + kind_name(wanted[i].kind));
      weft_aot_slot& slot = slots[i];
      if (e->kind == CoreExternKind::func) {
        if (e->func.type != wanted[i].func_type)
          return fail("import " + wanted[i].module + "." + wanted[i].name + " of core module " + module.name +
                      " expects a function of type " + describe(wanted[i].func_type) + ", not " +
                      describe(e->func.type));
        if (const HostRecord* host = e->func.host_record; e->func.host && host->unboxed.typed) {
          // Typed: compiled code → the host function's own entry, one indirect call (core_engine.hpp).
          slot.typed = host->unboxed.typed;
          slot.host_context = host->unboxed.context;
        } else if (e->func.host) {
          slot.host = boxed_host_entry;
          slot.host_context = e->func.host_record;
        } else {
          slot.fn = e->func.fn;
          slot.instance = e->func.instance;
        }
      } else {
        slot.object = e->object;
        if (e->kind == CoreExternKind::table) forwarder_links_.table_imported(e->object);
      }
      inst->imports.push_back(imports[i]);
    }
    inst->links->self = inst->links;
    inst->links->slots = slots;
    uint64_t pages = used_pages();
    for (auto p : module.info->memory_pages) pages += p;
    uint64_t elements = used_elements();
    for (auto n : module.info->table_elements) elements += n;
    if (memories_.size() + module.info->memory_pages.size() > kMaxMemories ||
        tables_.size() + module.info->table_elements.size() > kMaxTables || elements > kMaxTableElements)
      return fail("instantiating would exceed the limits of " + std::to_string(kMaxMemories) + " memories, " +
                  std::to_string(kMaxTables) + " tables and " + std::to_string(kMaxTableElements) + " table elements");
    if (pages > max_pages_)
      return fail("the memories need " + std::to_string(pages * kPageSize / (1024 * 1024)) +
                  " MiB at start, above the limit of " + std::to_string(max_pages_ * kPageSize / (1024 * 1024)) +
                  " MiB");
    inst->storage = std::make_unique<std::max_align_t[]>(
        (module.glue->instance_size + sizeof(std::max_align_t) - 1) / sizeof(std::max_align_t));
    std::memset(inst->storage.get(), 0, module.glue->instance_size);
    instantiating = this;
    pending_.reset();
    int code = [&] {
      GuestRunning guest(true);  // the start function and segment initialisation run guest code
      return module.glue->instantiate(inst->storage.get(), inst->links, &module.values->abi);
    }();
    instantiating = nullptr;
    Instance& live = *inst;
    instances_.push_back(std::move(inst));  // freed with the engine even when its start function trapped
    if (code != 0) return fail(take_trap(code).message);
    std::vector<weft_aot_export> out(module.info->exports.size() + 1);
    module.glue->exports(live.storage.get(), out.data());
    for (size_t i = 0; i < module.info->exports.size(); ++i) {
      if (auto imported = module.info->export_import[i]) {
        live.exports.push_back(live.imports.at(*imported));
        continue;
      }
      ExternRecord record;
      record.kind = module.info->exports[i].kind;
      if (record.kind == CoreExternKind::func) {
        record.func.type = module.info->export_func_types[i];
        record.func.fn = out[i].fn;
        record.func.instance = live.storage.get();
        record.func.invoker = out[i].invoker;
      } else {
        record.object = out[i].object;
      }
      live.exports.push_back(add_extern(std::move(record)));
    }
    return InstanceId(instances_.size() - 1);
  }

  std::optional<CoreExtern> export_of(InstanceId instance, std::string_view name) const override {
    const Instance& inst = *instances_.at(instance);
    const auto& names = modules_.at(inst.module).info->exports;
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i].name == name) return inst.exports.at(i);
    return std::nullopt;
  }

  CoreExtern host_function(CoreFuncType type, HostFunction fn) override {
    return unboxed_host_function(std::move(type), std::move(fn), {});
  }

  CoreExtern unboxed_host_function(CoreFuncType type, HostFunction fn, UnboxedHostEntry unboxed) override {
    ExternRecord record;
    record.func.host = true;
    record.func.type = type;
    record.func.host_record = &hosts_.emplace_back(HostRecord{std::move(fn), std::move(type), unboxed, this});
    return add_extern(std::move(record));
  }

  CoreFuncType func_type(CoreExtern func) const override { return externs_.at(func.id).func.type; }

  void linking_finished() override {
    std::vector<AotLinkedInstance> linked;
    linked.reserve(instances_.size());
    for (const auto& inst : instances_) {
      const Module& module = module_of(*inst);
      linked.push_back({module.glue, inst->storage.get(), inst->links, &module.info->imports});
    }
    forwarder_links_.resolve(linked);
  }
  size_t imports_linked_past_shims() const { return forwarder_links_.resolved(); }

  std::optional<Trap> call(CoreExtern func, std::span<const CoreValue> args,
                           std::vector<CoreValue>& results) override {
    const FuncRecord& f = externs_.at(func.id).func;
    if (args.size() != f.type.params.size())
      return Trap{"host", "call with " + std::to_string(args.size()) + " arguments to a function taking " +
                              std::to_string(f.type.params.size())};
    results.assign(f.type.results.size(), CoreValue{});
    for (size_t i = 0; i < results.size(); ++i) results[i].type = f.type.results[i];
    if (f.host) return f.host_record->fn(args, results);
    uint64_t in[64], out[2] = {0, 0};
    std::vector<uint64_t> many;
    uint64_t* boxed = in;
    if (args.size() > std::size(in)) {
      many.resize(args.size());
      boxed = many.data();
    }
    for (size_t i = 0; i < args.size(); ++i) boxed[i] = args[i].bits;
    pending_.reset();
    int code = [&] {
      GuestRunning guest(true);
      return f.invoker(f.fn, f.instance, boxed, out);
    }();
    if (code != 0) return take_trap(code);
    if (!results.empty()) results[0].bits = f.type.results[0] == CoreType::i32 || f.type.results[0] == CoreType::f32
                                                ? uint32_t(out[0])
                                                : out[0];
    return std::nullopt;
  }

  std::span<uint8_t> memory(CoreExtern memory) override {
    auto* m = static_cast<wasm_rt_memory_t*>(externs_.at(memory.id).object);
    return {m->data, m->size};
  }

  MemoryAccess memory_access(CoreExtern memory) override {
    const ExternRecord& e = externs_.at(memory.id);
    if (e.kind != CoreExternKind::memory) return {};
    const auto* m = static_cast<const wasm_rt_memory_t*>(e.object);
    return {nullptr, nullptr, &m->data, &m->size};
  }

  // The wasm-rt hooks (aot_runtime.c), for this engine's memories and tables.
  void adopt_memory(wasm_rt_memory_t* m, uint32_t& max_pages) {
    max_pages = uint32_t(std::min<uint64_t>(max_pages, max_pages_));
    memories_.push_back(m);
  }
  uint32_t grow_memory(wasm_rt_memory_t* m, uint32_t delta) {
    uint64_t used = used_pages();
    if (delta > max_pages_ - std::min(used, max_pages_)) return uint32_t(-1);
    return wasm_rt_grow_memory(m, delta);
  }
  void adopt_table(const void* t, uint32_t& max_elements) {
    max_elements = uint32_t(std::min<uint64_t>(max_elements, kMaxTableElements));
    tables_.push_back(t);
  }
  bool table_may_grow(uint32_t delta) { return delta <= kMaxTableElements - std::min(used_elements(), kMaxTableElements); }
  void forget(const void* object) {
    std::erase(memories_, object);
    std::erase(tables_, object);
  }

  // The entry of compiled code into host functions without a typed entry (weft_aot_slot.host). Host code runs with
  // the guest flag cleared; nothing is thrown out of here: a trap waits in pending_ and the generated trampoline
  // raises it.
  int call_host(const HostRecord& host, const uint64_t* args, uint64_t* results) noexcept {
    GuestRunning host_code(false);
    try {
      const HostFunction& fn = host.fn;
      const CoreFuncType& type = host.type;
      // The values live on the stack (a lowered call has at most 16 flat parameters and a return pointer): a host
      // call allocates nothing here. Larger signatures (none the component layer makes) use the heap.
      std::array<CoreValue, 17> in_stack;
      std::array<CoreValue, 4> out_stack;
      std::vector<CoreValue> in_heap, out_heap;
      std::span<CoreValue> in = on_stack_or_heap(in_stack, in_heap, type.params.size());
      std::span<CoreValue> out = on_stack_or_heap(out_stack, out_heap, type.results.size());
      for (size_t i = 0; i < in.size(); ++i) in[i] = {type.params[i], args[i]};
      for (size_t i = 0; i < out.size(); ++i) out[i].type = type.results[i];
      if (auto trap = fn(in, out)) {
        pending_ = std::move(*trap);
        return 1;
      }
      for (size_t i = 0; i < out.size(); ++i) results[i] = out[i].bits;
      return 0;
    } catch (const std::exception& e) {
      pending_ = Trap{"host", std::string("host function failed: ") + e.what()};
      return 1;
    }
  }
 private:
  struct Module {
    std::shared_ptr<const AotModuleInfo> info;
    const weft_aot_module* glue = nullptr;
    std::string name;
    std::unique_ptr<const ModuleValues> values;  // what its compiled code reads, for as long as the engine lives
  };
  struct Instance {
    ModuleId module = 0;
    std::unique_ptr<std::max_align_t[]> storage;  // the generated Z_m_instance_t
    std::unique_ptr<std::max_align_t[]> link_storage;  // `links`, then one weft_aot_slot per import
    weft_aot_imports* links = nullptr;
    std::vector<CoreExtern> imports, exports;
  };

  const Module& module_of(const Instance& inst) const { return modules_.at(inst.module); }

  CoreExtern add_extern(ExternRecord record) {
    CoreExternKind kind = record.kind;
    externs_.push_back(std::move(record));
    return {kind, externs_.size() - 1};
  }

  uint64_t used_pages() const {
    uint64_t used = 0;
    for (const auto* m : memories_) used += static_cast<const wasm_rt_memory_t*>(m)->pages;
    return used;
  }
  uint64_t used_elements() const {
    uint64_t used = 0;
    // Funcref and externref tables share their leading layout (data, max_size, size).
    for (const auto* t : tables_) used += static_cast<const wasm_rt_funcref_table_t*>(t)->size;
    return used;
  }

  Trap take_trap(int code) {
    if (code == WEFT_AOT_HOST_TRAP && pending_) {
      Trap t = std::move(*pending_);
      pending_.reset();
      return t;
    }
    if (code == WEFT_AOT_HOST_TRAP)
      if (auto held = take_held_host_trap()) return std::move(*held);  // from a typed entry
    return trap_of(code);
  }

  using LoadedModule = std::pair<const weft_aot_module*, std::shared_ptr<const AotModuleInfo>>;

  Result<LoadedModule> load_object(UniqueFd fd, const std::string& key, std::string_view name,
                                   std::shared_ptr<const AotModuleInfo> info) {
    std::lock_guard lock(process().mutex);
    auto& loaded = process().loaded;
    if (auto it = loaded.find(key); it != loaded.end()) return LoadedModule{it->second.glue, it->second.info};
    // Through the descriptor whose content the cache just verified, so a file swapped in meanwhile is never loaded.
    std::string path = "/proc/self/fd/" + std::to_string(fd.get());
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) return fail("cannot load the compiled code of core module " + std::string(name) + ": " + ::dlerror());
    auto* glue = static_cast<const weft_aot_module*>(::dlsym(handle, "weft_aot_module"));
    if (!glue || glue->abi_version != WEFT_AOT_ABI_VERSION) {
      ::dlclose(handle);
      return fail("the compiled code of core module " + std::string(name) + " has another ABI version");
    }
    Process::Loaded& entry = loaded[key];
    entry.glue = glue;
    entry.info = std::move(info);
    glue->init_module(runtime_);
    process().object_fds.push_back(std::move(fd));
    return LoadedModule{entry.glue, entry.info};
  }

  static LoadedModule already_loaded(const std::string& key) {
    std::lock_guard lock(process().mutex);
    auto it = process().loaded.find(key);
    if (it == process().loaded.end()) return {nullptr, nullptr};
    return {it->second.glue, it->second.info};
  }

  AotCache cache_;
  AotMissing missing_;
  const weft_aot_runtime* runtime_ = nullptr;
  uint64_t max_pages_ = 65536;
  std::vector<Module> modules_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::vector<ExternRecord> externs_;
  std::deque<HostRecord> hosts_;  // stable: slots point at them, and a host function may add host functions
  std::vector<const void*> memories_, tables_;  // defined by this engine's instances: the shared budgets
  std::optional<Trap> pending_;                 // a host trap on its way out to the outermost call
  ForwarderLinks forwarder_links_;              // import slots pointed past wit-component's shims
};

AotEngine* owner_of(const void* object) {
  std::lock_guard lock(process().mutex);
  auto it = process().owners.find(object);
  return it == process().owners.end() ? nullptr : it->second;
}
void set_owner(const void* object, AotEngine* engine) {
  std::lock_guard lock(process().mutex);
  process().owners[object] = engine;
}
void drop_owner(const void* object) {
  AotEngine* engine = owner_of(object);
  if (engine) engine->forget(object);
  std::lock_guard lock(process().mutex);
  process().owners.erase(object);
}

}  // namespace

std::unique_ptr<CoreEngine> make_aot_engine(AotCache cache, AotMissing missing) {
  return std::make_unique<AotEngine>(std::move(cache), missing);
}

size_t aot_imports_linked_past_shims(const CoreEngine& engine) {
  const auto* aot = dynamic_cast<const AotEngine*>(&engine);
  return aot ? aot->imports_linked_past_shims() : 0;
}

}  // namespace weft::runtime

using weft::runtime::AotEngine;
using weft::runtime::instantiating;

namespace weft::runtime {
// Both table kinds (funcref, externref) are adopted into the instantiating engine's budget and grown within it alike.
template <class Table>
void allocate_table(Table* table, uint32_t elements, uint32_t max_elements,
                    void (*allocate)(Table*, uint32_t, uint32_t)) {
  if (instantiating) {
    instantiating->adopt_table(table, max_elements);
    set_owner(table, instantiating);
  }
  allocate(table, elements, max_elements);
}

template <class Table, class Element>
uint32_t grow_table(Table* table, uint32_t delta, Element init, uint32_t (*grow)(Table*, uint32_t, Element)) {
  AotEngine* engine = owner_of(table);
  if (engine && !engine->table_may_grow(delta)) return uint32_t(-1);
  return grow(table, delta, init);
}
}  // namespace weft::runtime

extern "C" {

uint32_t weft_aot_register_func_type(uint32_t params, uint32_t results, const wasm_rt_type_t* types) {
  std::vector<uint32_t> key = {params, results};
  for (uint32_t i = 0; i < params + results; ++i) key.push_back(uint32_t(types[i]));
  auto& p = weft::runtime::process();
  std::lock_guard lock(p.mutex);
  for (size_t i = 0; i < p.func_types.size(); ++i)
    if (p.func_types[i] == key) return uint32_t(i + 1);
  p.func_types.push_back(std::move(key));
  return uint32_t(p.func_types.size());
}

void weft_aot_allocate_memory(wasm_rt_memory_t* memory, uint32_t initial_pages, uint32_t max_pages) {
  if (instantiating) {
    instantiating->adopt_memory(memory, max_pages);
    weft::runtime::set_owner(memory, instantiating);
  }
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  // As wasm_rt_allocate_memory does, from a released reservation when one is pooled.
  uint64_t bytes = uint64_t(initial_pages) * weft::runtime::kPageSize;
  if (uint8_t* data = weft::runtime::MemoryPool::instance().take(bytes)) {
    memory->data = data;
    memory->size = uint32_t(bytes);
    memory->pages = initial_pages;
    memory->max_pages = max_pages;
    return;
  }
#endif
  wasm_rt_allocate_memory(memory, initial_pages, max_pages);
}

uint32_t weft_aot_grow_memory(wasm_rt_memory_t* memory, uint32_t delta) {
  AotEngine* engine = weft::runtime::owner_of(memory);
  return engine ? engine->grow_memory(memory, delta) : wasm_rt_grow_memory(memory, delta);
}

void weft_aot_free_memory(wasm_rt_memory_t* memory) {
  weft::runtime::drop_owner(memory);
  if (!memory->data) return;
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
  // wasm-rt-impl 1.0.32 unmaps only the committed bytes and leaks the rest of the 8 GiB reservation.
  if (!weft::runtime::MemoryPool::instance().give(memory->data, memory->size))
    ::munmap(memory->data, weft::runtime::kMemoryReservation);
#else
  wasm_rt_free_memory(memory);
#endif
  memory->data = nullptr;
}

void weft_aot_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements, uint32_t max_elements) {
  weft::runtime::allocate_table(table, elements, max_elements, wasm_rt_allocate_funcref_table);
}

uint32_t weft_aot_grow_funcref_table(wasm_rt_funcref_table_t* table, uint32_t delta, wasm_rt_funcref_t init) {
  return weft::runtime::grow_table(table, delta, init, wasm_rt_grow_funcref_table);
}

void weft_aot_free_funcref_table(wasm_rt_funcref_table_t* table) {
  weft::runtime::drop_owner(table);
  wasm_rt_free_funcref_table(table);
}

void weft_aot_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements, uint32_t max_elements) {
  weft::runtime::allocate_table(table, elements, max_elements, wasm_rt_allocate_externref_table);
}

uint32_t weft_aot_grow_externref_table(wasm_rt_externref_table_t* table, uint32_t delta, wasm_rt_externref_t init) {
  return weft::runtime::grow_table(table, delta, init, wasm_rt_grow_externref_table);
}

void weft_aot_free_externref_table(wasm_rt_externref_table_t* table) {
  weft::runtime::drop_owner(table);
  wasm_rt_free_externref_table(table);
}

}  // extern "C"

namespace weft::runtime {
namespace {
int boxed_host_entry(void* record, const uint64_t* args, uint64_t* results) {
  auto* host = static_cast<const HostRecord*>(record);
  return host->engine->call_host(*host, args, results);
}
}  // namespace
}  // namespace weft::runtime
