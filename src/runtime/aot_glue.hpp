#pragma once
// The glue of an AOT-compiled module: the C that implements aot_abi.h around wasm2c's output — the helpers every
// translation unit sees, wasm-rt's entry points as forwarders into the runtime's table, one trampoline per import
// (into another module's function, a host function's typed entry or the boxed entry), one invoker per exported
// signature, and the `weft_aot_module` the runtime dlsyms. aot_translate.cpp places it around wasm2c's output.

#include <wabt/ir.h>

#include <optional>
#include <string>
#include <string_view>

#include "aot_module_info.hpp"
#include "weft/core/result.hpp"
#include "weft/runtime/core_engine.hpp"

namespace weft::runtime::aot_glue {

/// After aot_abi.h, in every translation unit of a module: the runtime's table, set once by weft_init_module.
extern const std::string_view kGlueShared;
/// In main.c only: wasm-rt's entry points as forwarders into the runtime's table, the helpers of the trampolines
/// and invokers.
extern const std::string_view kGlueMain;
/// After wasm2c's prelude, in every translation unit: the instance as weft-runtime allocates it, with its values.
extern const std::string_view kGlueAfterPrelude;

/// The core type of a wabt value type the AOT engine supports.
[[nodiscard]] std::optional<CoreType> core_type(wabt::Type t);
/// The C type wasm2c uses for a value of type `t` (u32, u64, f32, f64).
[[nodiscard]] const char* c_type(CoreType t);
/// C that reads a value of type `t` from the `uint64_t` expression `bits` (i32/f32 in the low 32 bits).
[[nodiscard]] std::string unbox(CoreType t, const std::string& bits);

/// The glue of `module` (its imports renamed into module "w", described by `info`), for main.c after wasm2c's code.
[[nodiscard]] Result<std::string> write_glue(const wabt::Module& module, const AotModuleInfo& info,
                                             std::string_view name);

}  // namespace weft::runtime::aot_glue
