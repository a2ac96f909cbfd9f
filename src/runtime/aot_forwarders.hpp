#pragma once
// Translate time: what the AOT engine needs to call through wit-component's import indirection directly
// (aot_abi.h `weft_aot_forwarder`). A component built by wit-component reaches an import with canonical options
// (memory, realloc) through a shim module: the main module imports the shim's export, whose body is
// `local.get 0 … local.get n-1; i32.const K; call_indirect T`, and the fixup module fills T[K] with the lowered host
// function afterwards. Compiled, that is three indirect calls before the host; aot_forwarder_links.hpp lets the
// main module's import call T[K] itself once T can no longer change. Here: which exports are such forwarders, and
// whether the module has any code that could change a table later (then nothing is resolved).

#include <wabt/ir.h>

#include <string>

#include "aot_module_info.hpp"

namespace weft::runtime::aot_forwarders {

/// C for main.c, after the import trampolines and before `weft_init_module`: `weft_forwarders`,
/// `weft_forwarder_count`, `weft_mutates_tables` and `weft_import_trampolines`, which the module struct points at,
/// and `weft_init_forwarders()`, which `weft_init_module` calls to register the forwarders' types.
[[nodiscard]] std::string write_forwarder_glue(const wabt::Module& module, const AotModuleInfo& info);

/// The fields of `weft_aot_module` after `exports`, in order, as a C initialiser list (no leading comma).
[[nodiscard]] std::string module_fields();

}  // namespace weft::runtime::aot_forwarders
