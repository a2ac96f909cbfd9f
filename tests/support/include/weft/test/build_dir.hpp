#pragma once
// Where the built executables, fixtures and packages are: $WEFT_BUILD_DIR (ctest sets it) or the build tree this
// test was compiled in.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace weft::test {

[[nodiscard]] inline std::string build_dir() {
  const char* dir = std::getenv("WEFT_BUILD_DIR");
  return dir && *dir ? dir : WEFT_TEST_BUILD_DIR;
}

/// The path of a built WEFT executable, e.g. `executable("weft-pack")`.
[[nodiscard]] inline std::string executable(std::string_view name) { return build_dir() + "/bin/" + std::string(name); }

}  // namespace weft::test

/// Skips the current test, naming the file and why, when a guest artifact the SDK builds (a fixture component) is
/// missing: without the SDK such tests must skip with the reason, never fail or wait for a component that never runs.
#define WEFT_SKIP_UNLESS_BUILT(path)                                                       \
  if (const std::string weft_artifact_ = (path); !std::filesystem::exists(weft_artifact_)) \
  GTEST_SKIP() << weft_artifact_ << " was not built: the guest SDK is unavailable here (run scripts/setup)"
