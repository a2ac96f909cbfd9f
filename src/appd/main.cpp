// weft-appd (spec §3): the session supervisor. Serves the Unix socket and WebSocket APIs, launches and supervises
// apps, and on SIGTERM/SIGINT saves the running apps, stops every session and exits 0.
#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>

#include "child_group.hpp"
#include "memory_pressure.hpp"
#include "supervisor.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/log.hpp"
#include "weft/core/version.hpp"

int main(int argc, char** argv) {
  using namespace weft;
  log::init("weft-appd");
  std::optional<int> pool_size;
  std::optional<double> release_percent, stop_percent;  // PSI avg10 thresholds (docs/appd.md)
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::cout << version_line("weft-appd") << "\n";
      return 0;
    }
    if (std::strcmp(argv[i], "--app-shell-pool") == 0 && i + 1 < argc) {
      pool_size = appd::parse_pool_size(argv[++i]);
      if (!pool_size) {
        std::cerr << "weft-appd: --app-shell-pool takes a number from 0 to " << appd::AppdConfig::kMaxAppShellPool << "\n";
        return 2;
      }
      continue;
    }
    if ((std::strcmp(argv[i], "--memory-pressure-release") == 0 || std::strcmp(argv[i], "--memory-pressure-stop") == 0) &&
        i + 1 < argc) {
      auto percent = appd::parse_pressure_percent(argv[i + 1]);
      if (!percent) {
        std::cerr << "weft-appd: " << argv[i] << " takes a percentage above 0 and at most 100\n";
        return 2;
      }
      const bool release = std::strcmp(argv[i], "--memory-pressure-release") == 0;
      (release ? release_percent : stop_percent) = *percent;
      ++i;
      continue;
    }
    std::cerr << "weft-appd: unknown argument '" << argv[i]
              << "'\nusage: weft-appd [--version] [--app-shell-pool N] [--memory-pressure-release PERCENT]"
                 " [--memory-pressure-stop PERCENT]\n";
    return 2;
  }
  auto config = appd::config_from_environment();
  if (!config.ok()) {
    log::error(config.error().message);
    return 1;
  }
  if (pool_size) config->app_shell_pool = *pool_size;  // the flag overrides WEFT_APP_SHELL_POOL
  if (release_percent) config->pressure_release_some_avg10 = *release_percent;  // flags override the environment
  if (stop_percent) config->pressure_stop_full_avg10 = *stop_percent;
  glib::MainLoop loop;
  appd::Supervisor supervisor(*config, appd::ResourceGroups::detect(*config));
  struct Context {
    glib::MainLoop* loop;
    appd::Supervisor* supervisor;
  } context{&loop, &supervisor};
  loop.on_signal(
      [](int signal, void* data) {
        auto* c = static_cast<Context*>(data);
        log::info(signal == SIGTERM ? "SIGTERM" : "SIGINT", " received: saving and stopping every session");
        c->supervisor->shutdown([c] { c->loop->quit(0); });
      },
      &context);
  if (auto started = supervisor.start(); !started.ok()) {
    log::error(started.error().message);
    return 1;
  }
  return loop.run();
}
