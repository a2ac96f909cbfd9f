#pragma once
// Where the built executables, fixtures and packages are: $WEFT_BUILD_DIR (ctest sets it) or the build tree this
// test was compiled in.

#include <cstdlib>
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
