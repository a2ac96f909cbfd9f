#pragma once
// `wapp.toml` (spec §5.1, compat): parsing with toml++ and validation of every rule. Unknown keys are ignored.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/capability.hpp"
#include "weft/core/result.hpp"

namespace weft {

struct Manifest {
  std::string id;
  std::string name;     // 1..64 bytes, shown as text only
  std::string version;
  std::optional<std::string> description;
  std::optional<std::string> author;
  std::vector<std::string> capabilities;  // as written; each parses with parse_capability
  std::string module;    // [runtime] module, relative plain path
  std::string ui_entry;  // [ui] entry, relative plain path
};

/// Parses and validates the text of a wapp.toml. On failure the error message holds one problem per line, e.g.
/// `package.id 'Org.x.y' does not match required pattern (segment 1 "Org" must start with a lowercase letter)`,
/// `package.name is empty`, `package.name exceeds 64 characters (70)`, `unknown capability 'net:fetch'`,
/// `runtime.module '../x.wasm' is not a relative plain path`.
[[nodiscard]] Result<Manifest> parse_manifest(std::string_view toml_text);

/// Reads `<dir>/wapp.toml` (a regular file, bounded size) and parses it.
[[nodiscard]] Result<Manifest> load_manifest(const std::string& package_dir);

/// True for a relative path of plain components: non-empty, no empty, `.` or `..` component, not absolute.
[[nodiscard]] bool is_relative_plain_path(std::string_view path);

/// The parsed capabilities of a manifest (already validated by parse_manifest).
[[nodiscard]] std::vector<Capability> manifest_capabilities(const Manifest& manifest);

}  // namespace weft
