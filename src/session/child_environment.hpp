#pragma once
// The command lines and environments of the session's three children, built from the spec's variable table (§1.3):
// each child gets the variables it reads, from the session's settings or forwarded by name from the session's own
// environment; nothing is inherited wholesale.

#include <map>
#include <string>
#include <vector>

#include "install_layout.hpp"
#include "options.hpp"
#include "weft/core/child_process.hpp"

namespace weft::session {

/// A snapshot of an environment (NAME → value).
using Environment = std::map<std::string, std::string>;
[[nodiscard]] Environment current_environment();

/// What the session decided before starting anything.
struct SessionSettings {
  InstallLayout layout;
  Backend backend = Backend::headless;
  std::string output;          // headless output WxH, empty = compositor default
  bool test_control = false;   // the tour drives the compositor through weft_test_v1
  std::string screenshot_dir;  // headless: target of the compositor's SIGUSR1 screenshot
  std::string app_store;       // WEFT_APP_STORE for appd (empty: appd's default roots)
  std::string trusted_keys;    // WEFT_TRUSTED_KEYS for appd (empty: appd's default directories)
  std::string ws_port;         // WEFT_APPD_WS_PORT (empty: appd's default)
};

[[nodiscard]] SpawnOptions compositor_command(const SessionSettings& settings, const Environment& parent);
[[nodiscard]] SpawnOptions appd_command(const SessionSettings& settings, const Environment& parent,
                                        const std::string& wayland_display);
[[nodiscard]] SpawnOptions shell_command(const SessionSettings& settings, const Environment& parent,
                                         const std::string& wayland_display);
/// `weft-pack <args…>` against the session's store and trust directory.
[[nodiscard]] SpawnOptions pack_command(const SessionSettings& settings, const Environment& parent,
                                        std::vector<std::string> args);

}  // namespace weft::session
