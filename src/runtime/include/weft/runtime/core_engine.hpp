#pragma once
// CoreEngine: the seam between the component layer and an engine that runs core WebAssembly modules. The component
// layer only loads modules, instantiates them against externs it resolved, calls functions, reads memories and
// receives traps; backend 1 is the libwabt interpreter, a wasm2c ahead-of-time backend can implement the same
// interface without touching the component layer.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::runtime {

/// Core value types that cross the engine boundary (the canonical ABI only uses these four).
enum class CoreType : uint8_t { i32, i64, f32, f64 };

/// A core value: its type and raw bits (i32/f32 in the low 32 bits).
struct CoreValue {
  CoreType type = CoreType::i32;
  uint64_t bits = 0;

  static CoreValue i32(uint32_t v) { return {CoreType::i32, v}; }
  static CoreValue i64(uint64_t v) { return {CoreType::i64, v}; }
  static CoreValue f32(float v);
  static CoreValue f64(double v);
  [[nodiscard]] uint32_t as_i32() const { return uint32_t(bits); }
  [[nodiscard]] uint64_t as_i64() const { return bits; }
  [[nodiscard]] float as_f32() const;
  [[nodiscard]] double as_f64() const;
};

struct CoreFuncType {
  std::vector<CoreType> params, results;
  friend bool operator==(const CoreFuncType&, const CoreFuncType&) = default;
};
/// `(i32 i32) -> (i32)`, for errors.
[[nodiscard]] std::string describe(const CoreFuncType& type);

enum class CoreExternKind : uint8_t { func, table, memory, global };
/// "func", "table", "memory" or "global".
[[nodiscard]] const char* kind_name(CoreExternKind kind);

/// An engine-owned function, table, memory or global; `id` is meaningful only to the engine that made it.
struct CoreExtern {
  CoreExternKind kind = CoreExternKind::func;
  uint64_t id = 0;
};

struct CoreImport {
  std::string module, name;
  CoreExternKind kind = CoreExternKind::func;
  CoreFuncType func_type;  // kind == func
};

struct CoreExport {
  std::string name;
  CoreExternKind kind = CoreExternKind::func;
};

/// A trap: a short kind (`unreachable`, `memory-out-of-bounds`, `stack-overflow`, …, or `host` for traps raised by
/// host functions) and the engine's or host's message.
struct Trap {
  std::string kind;
  std::string message;
};

/// A host function receives its arguments and fills its results (pre-sized to the type); returning a Trap aborts the
/// whole guest call stack back to the outermost `call`.
using HostFunction = std::function<std::optional<Trap>(std::span<const CoreValue> args, std::span<CoreValue> results)>;

/// A host function's typed entry: compiled guest code calls it straight from its import trampoline, with the core
/// arguments as C values and no CoreValue spans, arrays or std::function in between. `typed` is a C function of type
/// `int (void* context, uint64_t* results, P0, P1, …)`, where Pi is the C type of the function's i-th core parameter
/// (uint32_t for i32, uint64_t for i64, float, double), and writes the raw bits of its result, if any, to
/// `results[0]` (i32/f32 in the low 32 bits). It returns 0, or nonzero when it trapped; the trap is then held for
/// this thread (hold_host_trap) until the engine's call takes it. It throws nothing and, like every host code
/// entered from guest code, runs inside a GuestRunning(false) scope. `context` is owned by the HostFunction given
/// with the entry (it lives as long as the engine keeps that function).
struct UnboxedHostEntry {
  void (*typed)(void) = nullptr;
  void* context = nullptr;
};

/// The trap of a host function entered through a typed entry, held for this thread until the engine whose compiled
/// code called it takes it (the generated trampoline raises the trap as soon as the entry returns, so the innermost
/// call on the thread takes it).
void hold_host_trap(Trap trap);
[[nodiscard]] std::optional<Trap> take_held_host_trap();

/// A memory's current bytes read without going through the engine, valid as long as the memory exists. `base` and
/// `size` point at where the engine keeps the memory's address and byte length: read on every access, with no call
/// at all (memory.grow may move the memory). Engines that can only offer a function give `bytes(object)`; engines
/// that offer neither give all null, and the canonical ABI then asks `CoreEngine::memory`.
struct MemoryAccess {
  std::span<uint8_t> (*bytes)(const void* object) = nullptr;
  const void* object = nullptr;
  uint8_t* const* base = nullptr;
  const uint32_t* size = nullptr;  // bytes

  [[nodiscard]] bool available() const { return base || bytes; }
  /// The memory's bytes now (available() must be true).
  [[nodiscard]] std::span<uint8_t> current() const { return base ? std::span<uint8_t>(*base, *size) : bytes(object); }
};

using ModuleId = uint32_t;
using InstanceId = uint32_t;

class CoreEngine {
 public:
  virtual ~CoreEngine() = default;

  /// Caps all linear memories of modules loaded afterwards, together, at `bytes` (rounded down to 64 KiB pages):
  /// `memory.grow` past the shared budget returns -1; minimums above it fail to load or instantiate.
  virtual void set_memory_limit(uint64_t bytes) = 0;

  /// Decodes and validates a core module. `name` appears in errors.
  [[nodiscard]] virtual Result<ModuleId> load(std::span<const uint8_t> wasm, std::string_view name) = 0;
  [[nodiscard]] virtual const std::vector<CoreImport>& imports(ModuleId module) const = 0;
  [[nodiscard]] virtual const std::vector<CoreExport>& exports(ModuleId module) const = 0;

  /// Instantiates with one extern per import, in import order; runs the start function. Link errors and start traps
  /// are errors.
  [[nodiscard]] virtual Result<InstanceId> instantiate(ModuleId module, std::span<const CoreExtern> imports) = 0;
  [[nodiscard]] virtual std::optional<CoreExtern> export_of(InstanceId instance, std::string_view name) const = 0;

  [[nodiscard]] virtual CoreExtern host_function(CoreFuncType type, HostFunction fn) = 0;
  /// The same function with an unboxed entry as well, which an engine may call instead of `fn` (both must behave
  /// alike); engines without a use for it ignore it.
  [[nodiscard]] virtual CoreExtern unboxed_host_function(CoreFuncType type, HostFunction fn, UnboxedHostEntry unboxed) {
    (void)unboxed;
    return host_function(std::move(type), std::move(fn));
  }
  [[nodiscard]] virtual CoreFuncType func_type(CoreExtern func) const = 0;
  /// Every core instance of a component is instantiated: an engine may now link calls whose targets can no longer
  /// change more directly (the AOT engine: imports through wit-component's shim tables, aot_forwarder_links.hpp).
  virtual void linking_finished() {}

  /// Calls a function (guest or host); results are resized to the function's result count. Reentrant: host
  /// functions may call back into guest functions.
  [[nodiscard]] virtual std::optional<Trap> call(CoreExtern func, std::span<const CoreValue> args,
                                                 std::vector<CoreValue>& results) = 0;

  /// The current bytes of a memory; invalidated by any call (memory.grow may move it).
  [[nodiscard]] virtual std::span<uint8_t> memory(CoreExtern memory) = 0;
  /// The same bytes without a virtual call and a lookup each time (what every host call's lifting and lowering
  /// needs), where the engine can offer that.
  [[nodiscard]] virtual MemoryAccess memory_access(CoreExtern memory) {
    (void)memory;
    return {};
  }
};

}  // namespace weft::runtime

// aot_runtime.c's flag: whether compiled guest code runs on this thread (its fault handler turns only guest faults
// into traps). `__thread`, not `thread_local`: plain TLS, no C++ initialisation wrapper on a host call's path.
extern "C" __thread int weft_aot_guest_running;

namespace weft::runtime {

/// Marks guest code as running on this thread for its scope (or, with `running` false, host code inside a guest
/// call), restoring the previous state after: a fault in host code must crash plainly, not become a guest trap.
class GuestRunning {
 public:
  explicit GuestRunning(bool running) : before_(weft_aot_guest_running) { weft_aot_guest_running = running ? 1 : 0; }
  ~GuestRunning() { weft_aot_guest_running = before_; }
  GuestRunning(const GuestRunning&) = delete;
  GuestRunning& operator=(const GuestRunning&) = delete;

 private:
  int before_;
};

/// Backend 1: the libwabt interpreter.
[[nodiscard]] std::unique_ptr<CoreEngine> make_interpreter_engine();

}  // namespace weft::runtime
