#pragma once
// XDG and runtime paths of the spec (§1.2, §1.3, §5.5, §5.6). Every function reads the environment at call time so
// tests can point a process at their own temporary directories.

#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::paths {

/// `$XDG_RUNTIME_DIR` (required, absolute); an error naming the variable otherwise.
[[nodiscard]] Result<std::string> runtime_dir();
/// `$XDG_RUNTIME_DIR/weft`.
[[nodiscard]] Result<std::string> weft_runtime_dir();
/// Creates `$XDG_RUNTIME_DIR/weft` with mode 0700 if missing (and fixes its mode), returns its path.
[[nodiscard]] Result<std::string> ensure_weft_runtime_dir();

/// Absolute `$HOME`.
[[nodiscard]] Result<std::string> home_dir();
/// `$XDG_DATA_HOME` if absolute, else `$HOME/.local/share`.
[[nodiscard]] Result<std::string> data_home();
/// `$XDG_CONFIG_HOME` if absolute, else `$HOME/.config`.
[[nodiscard]] Result<std::string> config_home();

/// Store roots in priority order: `$WEFT_APP_STORE` alone if set, else `$HOME/.local/share/weft/apps` then
/// `/usr/share/weft/apps`. Installs go to the first.
[[nodiscard]] std::vector<std::string> store_roots();
/// Trusted-key directories: `$WEFT_TRUSTED_KEYS` alone if set, else `$XDG_CONFIG_HOME/weft/trusted-keys` and
/// `/etc/weft/trusted-keys`.
[[nodiscard]] std::vector<std::string> trusted_key_dirs();

/// `$XDG_DATA_HOME/weft/app-data/<id>` (id must already be valid).
[[nodiscard]] Result<std::string> app_data_dir(const std::string& app_id);
/// `$XDG_DATA_HOME/weft/owners`, `$XDG_DATA_HOME/weft/approvals`.
[[nodiscard]] Result<std::string> owners_dir();
[[nodiscard]] Result<std::string> approvals_dir();

/// Rendezvous files in `$XDG_RUNTIME_DIR/weft/` (§1.2) and their overriding variables.
[[nodiscard]] Result<std::string> compositor_display_file();
[[nodiscard]] Result<std::string> compositor_socket();  // WEFT_COMPOSITOR_SOCKET or …/compositor.sock
[[nodiscard]] Result<std::string> appd_socket();        // WEFT_APPD_SOCKET or …/appd.sock
[[nodiscard]] Result<std::string> appd_wsport_file();
[[nodiscard]] Result<std::string> appd_systoken_file();
[[nodiscard]] Result<std::string> last_session_file();
[[nodiscard]] Result<std::string> ipc_socket(unsigned long long session_id);
[[nodiscard]] Result<std::string> portal_socket(unsigned long long session_id);
[[nodiscard]] Result<std::string> shell_dir(unsigned long long session_id);
[[nodiscard]] Result<std::string> mount_dir();

/// Value of an environment variable, or `fallback` when unset.
[[nodiscard]] std::string env_or(const char* name, const std::string& fallback);

}  // namespace weft::paths
