#pragma once
// appd's configuration, read once from the environment (spec §1.3) at start.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::appd {

struct AppdConfig {
  std::string weft_dir;             // $XDG_RUNTIME_DIR/weft (0700)
  std::string unix_socket;          // WEFT_APPD_SOCKET or weft_dir/appd.sock
  std::string compositor_socket;    // WEFT_COMPOSITOR_SOCKET or weft_dir/compositor.sock
  uint16_t ws_port = 7410;          // WEFT_APPD_WS_PORT; 0 = pick a free port
  std::string runtime_bin;          // WEFT_RUNTIME_BIN
  std::string app_shell_bin;        // WEFT_APP_SHELL_BIN
  std::optional<std::string> portal_bin;        // WEFT_FILE_PORTAL_BIN; unset = no portal
  std::optional<std::string> mount_helper;      // WEFT_MOUNT_HELPER or the first installed default
  std::optional<std::string> ui_kit_js;         // WEFT_UI_KIT_JS passed to app shells
  bool cgroups_disabled = false;    // WEFT_DISABLE_CGROUP
  std::string cpu_quota = "200%";   // WEFT_APP_CPU_QUOTA
  std::string memory_max = "512M";  // WEFT_APP_MEMORY_MAX (runtime)
  std::string shell_memory_max = "1536M";  // WEFT_APP_SHELL_MEMORY_MAX
  /// Variables passed through to children where the spec allows (HOME, PATH, WEFT_LOG, XDG_*), as NAME=value.
  std::string home;
  std::string path_env;
  std::optional<std::string> log_level;
  std::optional<std::string> wayland_display;       // only for runtimes with a clipboard grant
  std::optional<std::string> dbus_session_address;  // only for runtimes with sys:notifications
  std::optional<std::string> xdg_data_home, xdg_config_home, app_store, trusted_keys;
  /// Pre-started app shells kept ready (spec §3.4, last line): WEFT_APP_SHELL_POOL or `weft-appd --app-shell-pool N`;
  /// 0 = every launch starts its app shell cold.
  int app_shell_pool = 1;
  static constexpr int kMaxAppShellPool = 8;
  /// After appd starts, the pool waits this long (or for the first launch) before starting shells, so they do not
  /// compete with the desktop's own start (weft-shell's page and web processes) on a small machine.
  int pool_start_delay_ms = 5000;
  /// Memory pressure (docs/appd.md): the PSI file read every psi_interval_ms (test builds may name a stand-in file
  /// through WEFT_TEST_PSI_PATH), the two thresholds in percent of stalled time over 10 s
  /// (WEFT_MEMORY_PRESSURE_RELEASE / --memory-pressure-release: `some avg10` at which background apps are asked to
  /// release memory; WEFT_MEMORY_PRESSURE_STOP / --memory-pressure-stop: `full avg10` at which the least recently
  /// focused background app is closed), and the least time between two such closes.
  std::string psi_path = "/proc/pressure/memory";
  int psi_interval_ms = 1000;
  double pressure_release_some_avg10 = 10.0;
  double pressure_stop_full_avg10 = 10.0;
  int pressure_stop_interval_ms = 10000;
  /// Seconds: readiness of each child (§3.4 steps 10, 12), graceful stop (§3.6), signals grace (§3.6).
  int ready_timeout_ms = 30000;
  int graceful_stop_ms = 5000;
  int kill_grace_ms = 2000;
};

/// Reads the environment; an error when XDG_RUNTIME_DIR is missing or a value is malformed (names the variable).
[[nodiscard]] Result<AppdConfig> config_from_environment();

/// `weft-appd --app-shell-pool N` and WEFT_APP_SHELL_POOL: 0..kMaxAppShellPool, else nullopt.
[[nodiscard]] std::optional<int> parse_pool_size(std::string_view text);

/// What every child of a session starts with (HOME, PATH, XDG_RUNTIME_DIR, WEFT_LOG): never appd's whole environment.
[[nodiscard]] std::vector<std::string> child_base_environment(const AppdConfig& config);

/// Parses WEFT_APP_MEMORY_MAX-style sizes (`512M`, `1G`, `1048576`) into bytes; nullopt when malformed.
[[nodiscard]] std::optional<uint64_t> parse_byte_size(std::string_view text);
/// Parses `200%` into cgroup `cpu.max` microseconds per 100 ms period (200000); nullopt when malformed.
[[nodiscard]] std::optional<uint64_t> parse_cpu_quota_us(std::string_view text);

}  // namespace weft::appd
