#include "child_environment.hpp"

#include <unistd.h>

extern char** environ;

namespace weft::session {
namespace {

// Read by every WEFT process, or by the libraries every process uses (locale, fonts, data dirs).
constexpr const char* kCommon[] = {"PATH", "HOME", "XDG_RUNTIME_DIR", "WEFT_LOG", "LANG", "LC_ALL", "XDG_DATA_DIRS"};
constexpr const char* kCompositor[] = {"WAYLAND_DISPLAY", "DISPLAY", "XAUTHORITY", "WEFT_COMPOSITOR_SOCKET",
                                       "WEFT_DRM_DEVICE", "WEFT_DISABLE_10BIT", "XDG_SESSION_ID", "XDG_SEAT",
                                       "XDG_VTNR", "LIBSEAT_BACKEND", "XKB_DEFAULT_LAYOUT", "XKB_DEFAULT_VARIANT"};
constexpr const char* kAppd[] = {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "WEFT_APP_STORE", "WEFT_TRUSTED_KEYS",
                                 "WEFT_FILE_PORTAL_BIN", "WEFT_MOUNT_HELPER", "WEFT_APPD_SOCKET",
                                 "WEFT_COMPOSITOR_SOCKET", "WEFT_APPD_WS_PORT", "WEFT_DISABLE_CGROUP",
                                 "WEFT_APP_CPU_QUOTA", "WEFT_APP_MEMORY_MAX", "WEFT_APP_SHELL_MEMORY_MAX", "WEFT_APP_SHELL_POOL",
                                 "WEFT_EGL_RENDERING", "DBUS_SESSION_BUS_ADDRESS"};
constexpr const char* kShell[] = {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "WEFT_APPD_WS_PORT",
                                  "WEFT_EGL_RENDERING", "WEFT_SYSTEM_RESOURCES", "WEFT_APPD_SOCKET",
                                  "WEFT_INPUT_METHOD"};
constexpr const char* kPack[] = {"XDG_DATA_HOME", "XDG_CONFIG_HOME", "WEFT_APP_STORE", "WEFT_TRUSTED_KEYS"};

class EnvBuilder {
 public:
  explicit EnvBuilder(const Environment& parent) : parent_(parent) {}
  template <size_t N>
  EnvBuilder& forward(const char* const (&names)[N]) {
    for (const char* name : names)
      if (auto it = parent_.find(name); it != parent_.end()) vars_[name] = it->second;
    return *this;
  }
  EnvBuilder& forward_prefix(const std::string& prefix) {
    for (const auto& [name, value] : parent_)
      if (name.rfind(prefix, 0) == 0) vars_[name] = value;
    return *this;
  }
  EnvBuilder& set(const std::string& name, const std::string& value) {
    if (!value.empty()) vars_[name] = value;
    return *this;
  }
  EnvBuilder& unset(const std::string& name) {
    vars_.erase(name);
    return *this;
  }
  [[nodiscard]] std::vector<std::string> build() const {
    std::vector<std::string> env;
    for (const auto& [name, value] : vars_) env.push_back(name + "=" + value);
    return env;
  }

 private:
  const Environment& parent_;
  std::map<std::string, std::string> vars_;
};

}  // namespace

Environment current_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    if (eq != std::string::npos) env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return env;
}

SpawnOptions compositor_command(const SessionSettings& settings, const Environment& parent) {
  SpawnOptions options;
  options.argv = {settings.layout.binary("weft-compositor")};
  EnvBuilder env(parent);
  env.forward(kCommon).forward(kCompositor).forward_prefix("WLR_");
  switch (settings.backend) {
    case Backend::headless:
      options.argv.push_back("--backend=headless");
      if (!settings.output.empty()) options.argv.insert(options.argv.end(), {"--output", settings.output});
      // Headless needs no GPU: software rendering unless the user chose a renderer.
      if (!parent.count("WLR_RENDERER")) env.set("WLR_RENDERER", "pixman");
      env.unset("WAYLAND_DISPLAY").unset("DISPLAY");
      break;
    case Backend::nested:
      options.argv.push_back(parent.count("WAYLAND_DISPLAY") ? "--backend=wayland" : "--backend=x11");
      break;
    case Backend::drm:
      options.argv.push_back("--backend=drm");
      break;
  }
  if (settings.test_control) options.argv.push_back("--test-control");
  if (!settings.screenshot_dir.empty())
    options.argv.insert(options.argv.end(), {"--screenshot-path", settings.screenshot_dir + "/weft-desktop.png"});
  options.env = env.build();
  // The compositor prints its socket name on stdout; the session reads compositor.display instead, so that line
  // joins the log on stderr.
  options.fd_map = {{STDIN_FILENO, STDIN_FILENO}, {STDERR_FILENO, STDOUT_FILENO}, {STDERR_FILENO, STDERR_FILENO}};
  options.new_process_group = true;
  return options;
}

SpawnOptions appd_command(const SessionSettings& settings, const Environment& parent,
                          const std::string& wayland_display) {
  SpawnOptions options;
  options.argv = {settings.layout.binary("weft-appd")};
  EnvBuilder env(parent);
  env.forward(kCommon)
      .forward(kAppd)
      .set("WAYLAND_DISPLAY", wayland_display)  // handed to runtimes with a clipboard grant (§3.4 step 9)
      .set("WEFT_RUNTIME_BIN", settings.layout.binary("weft-runtime"))
      .set("WEFT_APP_SHELL_BIN", settings.layout.binary("weft-app-shell"))
      .set("WEFT_UI_KIT_JS", settings.layout.ui_kit_js)
      .set("WEFT_APP_STORE", settings.app_store)
      .set("WEFT_TRUSTED_KEYS", settings.trusted_keys)
      .set("WEFT_APPD_WS_PORT", settings.ws_port);
  options.env = env.build();
  options.null_stdio = false;
  options.new_process_group = true;
  return options;
}

SpawnOptions shell_command(const SessionSettings& settings, const Environment& parent,
                           const std::string& wayland_display) {
  SpawnOptions options;
  options.argv = {settings.layout.binary("weft-shell")};
  EnvBuilder env(parent);
  env.forward(kCommon)
      .forward(kShell)
      .set("WAYLAND_DISPLAY", wayland_display)
      .set("WEFT_SYSTEM_UI_HTML", settings.layout.system_ui_html)
      .set("WEFT_SYSTEM_RESOURCES", settings.layout.system_resources)
      .set("WEFT_UI_KIT_JS", settings.layout.ui_kit_js)
      .set("WEFT_APPD_WS_PORT", settings.ws_port);
  options.env = env.build();
  options.new_process_group = true;
  return options;
}

SpawnOptions pack_command(const SessionSettings& settings, const Environment& parent, std::vector<std::string> args) {
  SpawnOptions options;
  options.argv = {settings.layout.binary("weft-pack")};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  EnvBuilder env(parent);
  env.forward(kCommon).forward(kPack).set("WEFT_APP_STORE", settings.app_store).set("WEFT_TRUSTED_KEYS",
                                                                                     settings.trusted_keys);
  options.env = env.build();
  options.fd_map = {{STDERR_FILENO, STDOUT_FILENO}, {STDERR_FILENO, STDERR_FILENO}};
  options.null_stdio = true;
  return options;
}

}  // namespace weft::session
