#pragma once
// Both CoreEngine backends for parameterised tests: `Engine::interp` (libwabt interpreter) and `Engine::aot`
// (wasm2c + cc). All AOT tests of a build tree share one cache (`<build>/aot-test-cache`), so each distinct module is
// compiled once per tree, at -O0 (WEFT_AOT_OPT overrides; the level is part of the cache key).

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "weft/runtime/aot_engine.hpp"
#include "weft/runtime/core_engine.hpp"

namespace weft::runtime::engines {

enum class Engine { interp, aot };

inline std::string aot_test_cache_dir() { return WEFT_TEST_BUILD_DIR "/aot-test-cache"; }

inline AotCacheOptions aot_test_cache_options() {
  AotCacheOptions options;
  options.dir = aot_test_cache_dir();
  const char* opt = std::getenv("WEFT_AOT_OPT");
  options.optimization = opt && *opt ? opt : "-O0";
  return options;
}

/// The engine, or nullptr with a gtest failure saying why the AOT engine could not start.
inline std::unique_ptr<CoreEngine> make_test_engine(Engine engine) {
  if (engine == Engine::interp) return make_interpreter_engine();
  auto cache = AotCache::open(aot_test_cache_options());
  if (!cache) {
    ADD_FAILURE() << "the AOT cache did not open: " << cache.error().message;
    return nullptr;
  }
  return make_aot_engine(std::move(*cache));
}

inline std::string engine_test_name(const ::testing::TestParamInfo<Engine>& info) {
  return info.param == Engine::interp ? "Interpreter" : "Aot";
}

}  // namespace weft::runtime::engines
