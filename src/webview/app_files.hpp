#pragma once
// What the `weft-app://<app_id>/<path>` scheme may serve (spec §6.2): regular files beneath the app's UI root, resolved
// descriptor-relative with weft::open_beneath's strict policy (no links, no `..`), typed by extension.
// No WebKit here, so the resolver is unit-testable and fuzzable on its own.

#include <string>
#include <string_view>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::webview {

/// The Content-Security-Policy header every weft-app:// response carries (spec §6.2, exact).
inline constexpr std::string_view kAppContentSecurityPolicy =
    "default-src 'self' data: blob:; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; connect-src "
    "'self'; worker-src 'self' blob:; frame-src 'self' data: blob:; object-src 'none'; base-uri 'self'; form-action "
    "'none'";

inline constexpr std::string_view kAppScheme = "weft-app";
inline constexpr std::string_view kSystemScheme = "weft-system";
/// Largest file the scheme serves (bytes); UI assets beyond this are refused rather than buffered.
inline constexpr size_t kMaxServedFileBytes = 64u << 20;

/// MIME type for a served extension (html, js, mjs, css, json, svg, png, jpg/jpeg, gif, webp, ico, woff, woff2, ttf,
/// otf, wasm, txt), or empty when the extension is not served.
[[nodiscard]] std::string_view mime_type_for(std::string_view path);

struct ServedFile {
  std::string bytes;
  std::string mime_type;
};

class AppFiles {
 public:
  /// Opens the UI root (the directory of `entry_path`) once as a directory fd. The package root is the nearest
  /// ancestor of the UI root holding `wapp.toml` (else the UI root's parent); URL paths are relative to it.
  [[nodiscard]] static Result<AppFiles> open(std::string app_id, const std::string& entry_path);

  [[nodiscard]] const std::string& app_id() const { return app_id_; }
  /// First URL to load: `weft-app://<app_id>/<entry relative to the package root>`.
  [[nodiscard]] std::string entry_uri() const;
  /// Maps a full `weft-app://…` URI to a file. Errors carry code 404 (not found, not served, outside the UI root,
  /// symlink, `..`) or 403 (another app's id).
  [[nodiscard]] Result<ServedFile> resolve(std::string_view uri) const;
  /// Development reloads: serves from the UI root of `entry_path` from now on (another revision of the same app, with
  /// the same entry URI); the old root stays in use when the new one cannot be opened or names another entry.
  [[nodiscard]] Result<void> reopen(const std::string& entry_path);

 private:
  std::string app_id_;
  UniqueFd ui_root_;
  std::string ui_prefix_;  // UI root relative to the package root, "" or e.g. "ui" (no trailing slash)
  std::string entry_name_;
};

/// `weft-system://<dir>/<path>` for the system page: `<WEFT_SYSTEM_RESOURCES>/<dir>/<path>`, same rules as above.
class SystemResources {
 public:
  [[nodiscard]] static Result<SystemResources> open(const std::string& root);
  /// Errors carry code 404.
  [[nodiscard]] Result<ServedFile> resolve(std::string_view uri) const;

 private:
  UniqueFd root_;
};

}  // namespace weft::webview
