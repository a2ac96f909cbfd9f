#pragma once
// `wapp.toml` (spec §5.1, compat): parsing with toml++ and validation of every rule. Unknown keys are ignored, as the
// spec requires (a package written for a later WEFT or by the reference implementation must still install), but they
// are reported in `Manifest::unknown_keys`: `weft-pack check` (and so the SDK's build) refuses them, install warns.

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
  /// One message per key or table outside §5.1, naming it and the closest valid one, e.g. `unknown key 'capabilites'
  /// in [package] (did you mean 'capabilities'?)`. Not an error here: see the file comment.
  std::vector<std::string> unknown_keys;
};

/// Parses and validates the text of a wapp.toml. On failure the error message holds one problem per line, e.g.
/// `package.id 'Org.x.y' does not match required pattern (segment 1 "Org" must start with a lowercase letter)`,
/// `package.name is empty`, `package.name exceeds 64 characters (70)`, `unknown capability 'net:fetch'`,
/// `runtime.module '../x.wasm' is not a relative plain path`. An unknown capability also gets
/// `unknown_capability_hint`. When the manifest is invalid, unknown keys that look like misspellings of a valid one
/// are added as further lines (a misspelt `[packge]` explains the missing `[package]`).
[[nodiscard]] Result<Manifest> parse_manifest(std::string_view toml_text);

/// Reads `<dir>/wapp.toml` (a regular file, bounded size) and parses it.
[[nodiscard]] Result<Manifest> load_manifest(const std::string& package_dir);

/// True for a relative path of plain components: non-empty, no empty, `.` or `..` component, not absolute.
[[nodiscard]] bool is_relative_plain_path(std::string_view path);

/// The parsed capabilities of a manifest (already validated by parse_manifest).
[[nodiscard]] std::vector<Capability> manifest_capabilities(const Manifest& manifest);

}  // namespace weft
