#pragma once
// The WEFT release every executable reports with --version (from the top-level CMake project version).

#include <string>
#include <string_view>

namespace weft {

inline constexpr std::string_view kVersion = WEFT_VERSION;

/// `<program> <version>`, the first line of every `--version`.
[[nodiscard]] inline std::string version_line(std::string_view program) {
  return std::string(program) + " " + std::string(kVersion);
}

}  // namespace weft
