#include "appd_config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "memory_pressure.hpp"
#include "weft/core/paths.hpp"

namespace weft::appd {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> first_executable(std::initializer_list<const char*> candidates) {
  for (const char* c : candidates)
    if (::access(c, X_OK) == 0) return std::string(c);
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> parse_byte_size(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t multiplier = 1;
  switch (text.back()) {
    case 'K': case 'k': multiplier = 1ull << 10; break;
    case 'M': case 'm': multiplier = 1ull << 20; break;
    case 'G': case 'g': multiplier = 1ull << 30; break;
    case 'T': case 't': multiplier = 1ull << 40; break;
    default: break;
  }
  if (multiplier != 1) text.remove_suffix(1);
  if (text.empty() || text.size() > 12) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value * multiplier;
}

std::optional<uint64_t> parse_cpu_quota_us(std::string_view text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  text.remove_suffix(1);
  auto percent = parse_byte_size(text);
  if (!percent || *percent == 0 || *percent > 100000 || text.back() < '0' || text.back() > '9') return std::nullopt;
  return *percent * 1000;  // µs of CPU per 100 000 µs period
}

std::optional<int> parse_pool_size(std::string_view text) {
  if (text.empty() || text.size() > 2) return std::nullopt;
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  if (n > AppdConfig::kMaxAppShellPool) return std::nullopt;
  return n;
}

std::vector<std::string> child_base_environment(const AppdConfig& c) {
  std::vector<std::string> env = {"HOME=" + c.home, "PATH=" + c.path_env,
                                  "XDG_RUNTIME_DIR=" + c.weft_dir.substr(0, c.weft_dir.rfind('/'))};
  if (c.log_level) env.push_back("WEFT_LOG=" + *c.log_level);
  return env;
}

Result<AppdConfig> config_from_environment() {
  AppdConfig c;
  WEFT_TRY(c.weft_dir, paths::ensure_weft_runtime_dir());
  WEFT_TRY(c.unix_socket, paths::appd_socket());
  WEFT_TRY(c.compositor_socket, paths::compositor_socket());
  if (auto port = env("WEFT_APPD_WS_PORT")) {
    char* end = nullptr;
    long p = std::strtol(port->c_str(), &end, 10);
    if (*end || p < 0 || p > 65535) return fail("WEFT_APPD_WS_PORT '" + *port + "' is not a port number");
    c.ws_port = static_cast<uint16_t>(p);
  }
#ifdef WEFT_TEST_HOOKS
  // Test builds only: a fault test waits 3 s for a child that never gets ready instead of the spec's 30 s.
  if (auto ms = env("WEFT_TEST_READY_TIMEOUT_MS")) c.ready_timeout_ms = std::max(1000, std::atoi(ms->c_str()));
  // Test builds only: the pool tests start their shells at once instead of after the desktop's start.
  if (auto ms = env("WEFT_TEST_POOL_START_DELAY_MS")) c.pool_start_delay_ms = std::max(0, std::atoi(ms->c_str()));
  // Test builds only: a STAND-IN pressure source (a file in PSI's format the test writes) read every 100 ms, and a
  // shorter spacing between two pressure closes.
  if (auto path = env("WEFT_TEST_PSI_PATH")) c.psi_path = *path;
  if (auto ms = env("WEFT_TEST_PSI_INTERVAL_MS")) c.psi_interval_ms = std::max(50, std::atoi(ms->c_str()));
  if (auto ms = env("WEFT_TEST_PRESSURE_STOP_INTERVAL_MS"))
    c.pressure_stop_interval_ms = std::max(0, std::atoi(ms->c_str()));
#endif
  c.runtime_bin = env("WEFT_RUNTIME_BIN").value_or("/usr/lib/weft/weft-runtime");
  c.app_shell_bin = env("WEFT_APP_SHELL_BIN").value_or("/usr/lib/weft/weft-app-shell");
  c.portal_bin = env("WEFT_FILE_PORTAL_BIN");
  c.mount_helper = env("WEFT_MOUNT_HELPER");
  if (!c.mount_helper)
    c.mount_helper = first_executable({"/usr/lib/weft/weft-mount-helper", "/usr/local/lib/weft/weft-mount-helper"});
  c.ui_kit_js = env("WEFT_UI_KIT_JS");
  c.cgroups_disabled = std::getenv("WEFT_DISABLE_CGROUP") != nullptr;
  c.cpu_quota = env("WEFT_APP_CPU_QUOTA").value_or(c.cpu_quota);
  c.memory_max = env("WEFT_APP_MEMORY_MAX").value_or(c.memory_max);
  c.shell_memory_max = env("WEFT_APP_SHELL_MEMORY_MAX").value_or(c.shell_memory_max);
  if (!parse_cpu_quota_us(c.cpu_quota)) return fail("WEFT_APP_CPU_QUOTA '" + c.cpu_quota + "' is not a percentage like 200%");
  if (!parse_byte_size(c.memory_max)) return fail("WEFT_APP_MEMORY_MAX '" + c.memory_max + "' is not a size like 512M");
  if (!parse_byte_size(c.shell_memory_max))
    return fail("WEFT_APP_SHELL_MEMORY_MAX '" + c.shell_memory_max + "' is not a size like 1536M");
  if (auto pool = env("WEFT_APP_SHELL_POOL")) {
    auto size = parse_pool_size(*pool);
    if (!size)
      return fail("WEFT_APP_SHELL_POOL '" + *pool + "' is not a number of app shells from 0 to " +
                  std::to_string(AppdConfig::kMaxAppShellPool));
    c.app_shell_pool = *size;
  }
  for (auto [name, field] : {std::pair{"WEFT_MEMORY_PRESSURE_RELEASE", &c.pressure_release_some_avg10},
                              std::pair{"WEFT_MEMORY_PRESSURE_STOP", &c.pressure_stop_full_avg10}}) {
    auto text = env(name);
    if (!text) continue;
    auto percent = parse_pressure_percent(*text);
    if (!percent) return fail(std::string(name) + " '" + *text + "' is not a percentage above 0 and at most 100");
    *field = *percent;
  }
  WEFT_TRY(c.home, paths::home_dir());
  c.path_env = env("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  c.log_level = env("WEFT_LOG");
  c.wayland_display = env("WAYLAND_DISPLAY");
  c.dbus_session_address = env("DBUS_SESSION_BUS_ADDRESS");
  c.xdg_data_home = env("XDG_DATA_HOME");
  c.xdg_config_home = env("XDG_CONFIG_HOME");
  c.app_store = env("WEFT_APP_STORE");
  c.trusted_keys = env("WEFT_TRUSTED_KEYS");
  return c;
}

}  // namespace weft::appd
