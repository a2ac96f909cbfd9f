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

/// Every core module of `component` and its nested components, in decoding order.
[[nodiscard]] std::vector<std::span<const uint8_t>> core_modules(const Component& component);

/// interp → the interpreter; aot → AOT (compiling what the cache lacks); auto → AOT when every module is cached, else
/// the interpreter and one detached, nice'd background compile. Without a usable cache or C compiler: the interpreter
/// and one line on `diag`.
[[nodiscard]] std::unique_ptr<CoreEngine> choose_engine(const RuntimeOptions& o, const Component& component,
                                                        const std::string& module_path, std::ostream& diag);

/// `--aot-compile-only`: compiles every core module into the cache under its lock, one progress line per module.
[[nodiscard]] int compile_only(const RuntimeOptions& o, const Component& component, std::ostream& diag);

}  // namespace weft::runtime
