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

}  // namespace weft::runtime
