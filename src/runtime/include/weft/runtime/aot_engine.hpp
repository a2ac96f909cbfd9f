#pragma once
// CoreEngine backend 2: core modules compiled ahead of time (wasm2c + the system C compiler, aot_cache.hpp) and run as
// native code. Same interface, same trap kinds and limits as the interpreter (backend 1).

#include <memory>

#include "weft/runtime/aot_cache.hpp"
#include "weft/runtime/core_engine.hpp"

namespace weft::runtime {

/// When a module's code is not in `cache`: compile it (`--engine=aot`), or fail the load (callers that fall back to
/// the interpreter decide beforehand, see all_cached()).
enum class AotMissing { compile, fail };

[[nodiscard]] std::unique_ptr<CoreEngine> make_aot_engine(AotCache cache, AotMissing missing = AotMissing::compile);
/// How many import slots of an AOT engine's instances call past a wit-component shim right now
/// (CoreEngine::linking_finished); 0 for any other engine. What tests and the benchmark check the linking by.
[[nodiscard]] size_t aot_imports_linked_past_shims(const CoreEngine& engine);

}  // namespace weft::runtime
