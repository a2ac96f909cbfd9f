#pragma once
// Package validation (§5.1–§5.3): the manifest, its entries (relative plain paths, no component a link, ending at
// a regular file, resolved beneath the package fd), and the module decoded as a WebAssembly component that exports
// `wasi:cli/run@0.2.x` and imports only interfaces WEFT can provide.

#include <string>
#include <vector>

#include "weft/core/manifest.hpp"
#include "weft/core/result.hpp"

namespace weft::store {

inline constexpr size_t kMaxModuleBytes = 256u << 20;  // bytes; the largest JS components are ≈13 MB

/// Loaded manifest plus every problem found, one message per line of `check` output.
struct PackageCheck {
  std::optional<Manifest> manifest;
  std::vector<std::string> errors;
  [[nodiscard]] bool ok() const { return manifest.has_value() && errors.empty(); }
};

/// Validates the package directory `package_fd` (path `path` for messages).
[[nodiscard]] PackageCheck check_package(int package_fd, const std::string& path);

/// Validates a component binary; errors name the problem (`core modules are refused`, a decoder offset, …).
[[nodiscard]] Result<void> check_component(const std::vector<uint8_t>& bytes);

/// check_package as one Result (errors joined by newlines, code 403) for install and launch paths.
[[nodiscard]] Result<Manifest> validate_package(int package_fd, const std::string& path);

}  // namespace weft::store
