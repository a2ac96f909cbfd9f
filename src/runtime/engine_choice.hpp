#pragma once
// Which CoreEngine runs a component (`--engine`, spec §4.1) and the compile-only mode of the background compile.

#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "weft/component/component.hpp"
#include "weft/runtime/cli_options.hpp"
#include "weft/runtime/core_engine.hpp"
#include "weft/runtime/runner.hpp"

namespace weft::runtime {

using component::Component;

/// interp → the interpreter; aot → AOT (compiling what the cache lacks); auto → AOT when every module is cached, else
/// the interpreter and one detached, nice'd background compile. Without a usable cache or C compiler: the interpreter
/// and one line on `diag`. The cache: `--aot-cache`, else that of the store holding `module_path`
/// (store_aot_cache_dir), else default_aot_cache_dir(). With WEFT_LOG=debug one log line names the engine.
[[nodiscard]] std::unique_ptr<CoreEngine> choose_engine(const RuntimeOptions& o, const Component& component,
                                                        const std::string& module_path, std::ostream& diag);

/// The engine of a wasm32-wasip1 core module (a development run, docs/runtime.md): `--engine aot` compiles it into
/// the cache (as for a component; without a usable cache, the interpreter and one line on `diag`); `auto` and
/// `interp` interpret (no background compile for a module that is not an installed app).
[[nodiscard]] std::unique_ptr<CoreEngine> choose_core_module_engine(const RuntimeOptions& o,
                                                                    const std::string& module_path,
                                                                    std::ostream& diag);

/// `--aot-compile-only`: compiles every core module into the cache under its lock, one progress line per module.
[[nodiscard]] int compile_only(const RuntimeOptions& o, const Component& component, const std::string& module_path,
                               std::ostream& diag);

/// `--aot-precompile` (weft-pack install): compiles every core module the cache lacks, all cores at once, waiting for
/// a concurrent compile of the same module instead of repeating it; progress on `out` (a bar when `terminal`). The
/// first failure (no compiler, a compile error) is one line on `diag` and exit status kExitLoad.
[[nodiscard]] int precompile(const RuntimeOptions& o, const Component& component, const std::string& module_path,
                             std::ostream& out, bool terminal, std::ostream& diag);

}  // namespace weft::runtime
