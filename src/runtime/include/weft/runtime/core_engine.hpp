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

/// A host function's unboxed entry: compiled guest code calls `call(context, args, results)` with the raw bits of the
/// core arguments (i32/f32 in the low 32 bits, as many as the function's type has parameters) and reads the raw bits
/// of its results, with no CoreValue spans and no std::function in between. `context` is owned by the HostFunction
/// given with the entry (it lives as long as the engine keeps that function).
struct UnboxedHostEntry {
  std::optional<Trap> (*call)(void* context, const uint64_t* args, uint64_t* results) = nullptr;
  void* context = nullptr;
};

/// A memory's current bytes read without going through the engine: `bytes(object)`, valid as long as the memory
/// exists. Engines that cannot offer one give `bytes == nullptr`; the canonical ABI then asks `CoreEngine::memory`.
struct MemoryAccess {
  std::span<uint8_t> (*bytes)(const void* object) = nullptr;
  const void* object = nullptr;
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

/// Backend 1: the libwabt interpreter.
[[nodiscard]] std::unique_ptr<CoreEngine> make_interpreter_engine();

}  // namespace weft::runtime
