#pragma once
// Both CoreEngine backends for parameterised tests: `Engine::interp` (libwabt interpreter) and `Engine::aot`
// (wasm2c + cc). All AOT tests of a build tree share one cache (`<build>/aot-test-cache`), so each distinct module is
// compiled once per tree, at -O0 (WEFT_AOT_OPT overrides; the level is part of the cache key).

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

/// One module loaded and instantiated (no imports) on an engine, for tests that call its exports.
struct InstantiatedModule {
  CoreEngine& engine;
  std::optional<InstanceId> instance;  // empty, with a gtest failure naming why, when it did not instantiate
  std::vector<CoreValue> results;      // of the last call

  InstantiatedModule(CoreEngine& on, std::span<const uint8_t> wasm, std::string_view name, uint64_t memory_limit)
      : engine(on) {
    engine.set_memory_limit(memory_limit);
    auto module = engine.load(wasm, name);
    if (!module) {
      ADD_FAILURE() << name << " did not load: " << module.error().message;
      return;
    }
    auto made = engine.instantiate(*module, {});
    if (!made) {
      ADD_FAILURE() << name << " did not instantiate: " << made.error().message;
      return;
    }
    instance = *made;
  }

  /// Calls the export `name`: its trap, or nullopt when it returned (its results in `results`).
  std::optional<Trap> call(std::string_view name, std::vector<CoreValue> args) {
    auto f = instance ? engine.export_of(*instance, name) : std::nullopt;
    return f ? engine.call(*f, args, results) : std::optional<Trap>(Trap{"test", "no export " + std::string(name)});
  }
};

inline std::string engine_test_name(const ::testing::TestParamInfo<Engine>& info) {
  return info.param == Engine::interp ? "Interpreter" : "Aot";
}

}  // namespace weft::runtime::engines
