#pragma once
// Filling the AOT cache for a whole component ahead of its launch: `weft-pack install` (several compilers at once, a
// progress line per core module) and the background compile of `weft-runtime --engine auto` (one at a time).

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "weft/component/component.hpp"
#include "weft/core/result.hpp"
#include "weft/runtime/aot_cache.hpp"

namespace weft::runtime {

/// Every core module of `component` and its nested components, in decoding order.
[[nodiscard]] std::vector<std::span<const uint8_t>> core_modules(const component::Component& component);

struct PrecompileStep {
  enum class State {
    compiling,  // the compiler is starting on this module, or (units_total > 0) finished one of its translation units
    compiled,   // done: the compiler ran
    cached,     // done: already in the cache (or compiled meanwhile by a concurrent caller)
    failed,     // `error` says why; no further module is started
  };
  State state = State::compiling;
  size_t index = 0;  // 0-based, in core_modules order
  size_t count = 0;
  size_t bytes = 0;
  double seconds = 0;  // compiled: time of this module; compiling: time so far
  /// compiling a module split into translation units (AotCache::splits): units compiled of all, 0 of 0 while it is
  /// being translated.
  size_t units_done = 0, units_total = 0;
  std::string error;
};

struct PrecompileOptions {
  unsigned jobs = 1;  // modules compiled at once (their compiler runs share AotCache's one slot per core)
  /// Called for every step, one call at a time (from the worker threads).
  std::function<void(const PrecompileStep&)> progress;
};

struct PrecompileTotals {
  size_t compiled = 0, cached = 0;
};

/// Compiles every module the cache lacks (under each entry's lock, AotCache::ensure), `jobs` at a time. The first
/// failure is returned once the modules already started have finished.
[[nodiscard]] Result<PrecompileTotals> precompile_modules(const AotCache& cache,
                                                          std::span<const std::span<const uint8_t>> modules,
                                                          const PrecompileOptions& options);

}  // namespace weft::runtime
