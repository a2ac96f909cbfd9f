// weft-session: starts and supervises the WEFT desktop (spec §1.1), or plays the tour on a headless one (--tour).

#include <charconv>
#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "appd_client.hpp"
#include "child_environment.hpp"
#include "install_layout.hpp"
#include "options.hpp"
#include "session.hpp"
#include "tour.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"
#include "weft/core/version.hpp"

using namespace weft;
using namespace weft::session;

namespace {

constexpr int kLaunchTimeoutMs = 30000;  // ms for appd to accept --launch once the desktop is up

const BuildTree kBuildTree{WEFT_SESSION_BUILD_BIN_DIR, WEFT_SESSION_BUILD_PACKAGES_DIR, WEFT_SESSION_BUILD_DEV_KEY_DIR,
                           WEFT_SESSION_SOURCE_UI_DIR};

/// The tour runs in a runtime and data directory of its own (removed afterwards): it never meets a desktop that runs
/// in the user's XDG_RUNTIME_DIR, nor the user's notes.
struct TourHome {
  std::string root;
  ~TourHome() {
    std::error_code ec;
    if (!root.empty()) std::filesystem::remove_all(root, ec);
  }
};

Result<void> enter_tour_home(TourHome& home, Environment& env) {
  WEFT_TRY(auto runtime, paths::runtime_dir());
  std::string tmpl = runtime + "/weft-tour-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return fail(errno_error("cannot create the tour's directory in " + runtime));
  home.root = tmpl;
  for (const char* dir : {"/run", "/data", "/config"}) std::filesystem::create_directories(home.root + dir);
  std::filesystem::permissions(home.root + "/run", std::filesystem::perms::owner_all);
  env["XDG_RUNTIME_DIR"] = home.root + "/run";
  env["XDG_DATA_HOME"] = home.root + "/data";
  env["XDG_CONFIG_HOME"] = home.root + "/config";
  // This process reads them too (paths::, the Wayland client).
  for (const char* name : {"XDG_RUNTIME_DIR", "XDG_DATA_HOME", "XDG_CONFIG_HOME"}) ::setenv(name, env[name].c_str(), 1);
  return ok();
}

std::pair<int, int> output_size(const std::string& output) {
  auto x = output.find('x');
  return {std::stoi(output.substr(0, x)), std::stoi(output.substr(x + 1))};
}

}  // namespace

int main(int argc, char** argv) {
  log::init("weft-session");
  auto options = parse_options(argc, argv);
  if (!options) {
    log::error(options.error().message);
    return 2;
  }
  if (options->show_help) {
    std::cout << usage();
    return 0;
  }
  if (options->show_version) {
    std::cout << version_line("weft-session") << "\n";
    return 0;
  }
  // Test control: a session whose test process died must not linger (the compositor does the same).
  if (options->test_control && !options->tour) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (auto runtime = paths::runtime_dir(); !runtime) {
    log::error(runtime.error().message);
    return 1;
  }

  Environment env = current_environment();
  TourHome tour_home;
  if (options->tour) {
    if (auto entered = enter_tour_home(tour_home, env); !entered) {
      log::error(entered.error().message);
      return 1;
    }
  }
  SessionSettings settings;
  settings.layout = resolve_layout(executable_dir(), kBuildTree);
  settings.backend = choose_backend(*options, env.count("WAYLAND_DISPLAY") || env.count("DISPLAY"));
  settings.output = options->output;
  settings.test_control = options->test_control;
  std::string shots_dir = options->screenshot_dir.empty() && options->tour ? "weft-tour" : options->screenshot_dir;
  if (!shots_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(shots_dir, ec);
    shots_dir = std::filesystem::absolute(shots_dir).lexically_normal().string();
    if (ec) {
      log::error("cannot create the screenshot directory ", shots_dir, ": ", ec.message());
      return 1;
    }
    if (!options->tour && settings.backend == Backend::headless) settings.screenshot_dir = shots_dir;
  }
  if (settings.layout.build_tree) {
    auto store = dev_store(env);
    if (!store) {
      log::error(store.error().message);
      return 1;
    }
    settings.app_store = store->app_store;
    settings.trusted_keys = store->trusted_keys;
  }
  // Headless desktops are for tests and tours, possibly several at once: appd picks a free WebSocket port.
  if (settings.backend == Backend::headless && !env.count("WEFT_APPD_WS_PORT")) settings.ws_port = "0";

  Session session(settings, env);
  if (auto started = session.start(); !started) {
    log::error(started.error().message);
    session.stop();
    return 1;
  }
  log::info("desktop up on ", session.wayland_display(), " (", settings.layout.build_tree ? "build tree " : "",
            settings.layout.bin_dir, ")");

  if (!options->launch_app_id.empty()) {
    auto launched = launch_when_ready(session.weft_dir() + "/appd.sock", options->launch_app_id, kLaunchTimeoutMs);
    if (launched) log::info("launched ", options->launch_app_id, " as session ", *launched);
    else log::error(launched.error().message);
  }

  if (options->tour) {
    clear_previous_tour(shots_dir);
    auto [width, height] = output_size(settings.output);
    TourSettings tour{shots_dir, env["XDG_DATA_HOME"], width, height};
    // A test of a failing step need not wait the full 30 s (ms, 1 s … 10 min).
    if (auto ms = paths::env_or("WEFT_TOUR_STEP_TIMEOUT_MS", ""); !ms.empty()) {
      int value = 0;
      auto [end, error] = std::from_chars(ms.data(), ms.data() + ms.size(), value);
      if (error == std::errc() && end == ms.data() + ms.size() && value >= 1000 && value <= 600000)
        tour.step_timeout_ms = value;
    }
    auto shots = run_tour(session, tour);
    session.stop();
    if (!shots) {
      log::error(shots.error().message);
      return 1;
    }
    if (auto index = write_tour_index(shots_dir, *shots); !index) {
      log::error(index.error().message);
      return 1;
    }
    std::printf("WEFT tour: %zu screenshots and index.html in %s\n", shots->size(), shots_dir.c_str());
    return 0;
  }

  if (!settings.screenshot_dir.empty())
    log::info("kill -USR1 ", ::getpid(), " writes a screenshot to ", settings.screenshot_dir, "/weft-desktop.png");
  std::optional<int> status;
  while (!(status = session.poll(1000))) {
  }
  session.stop();
  return *status;
}
