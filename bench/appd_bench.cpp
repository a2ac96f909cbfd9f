// weft-appd load benchmark (issue 11): N counter sessions (real weft-runtime, STAND-IN app shell) launched
// concurrently from C Unix clients under the real appd and headless compositor, then M increments through the bridge
// and relay (≤ W in flight per session). Prints launch time, messages/s and appd's VmRSS; not part of the test suite
// (tests/appd/appd_bridge_test.cpp runs the same load and asserts only its correctness).
// Run: WEFT_BUILD_DIR=<build> <build>/bin/appd_bench [sessions clients messages window]
#include <cstdio>
#include <cstdlib>

#include "appd_harness.hpp"
#include "appd_load.hpp"
#include "standin_shell_server.hpp"

int main(int argc, char** argv) {
  using namespace weft::appd::test;
  LoadOptions options;
  if (argc > 1) options.sessions = std::atoi(argv[1]);
  if (argc > 2) options.clients = std::atoi(argv[2]);
  if (argc > 3) options.messages = std::atoi(argv[3]);
  if (argc > 4) options.window = std::atoi(argv[4]);
  if (options.sessions < 1 || options.sessions > 32 || options.clients < 1 || options.messages < 0 ||
      options.window < 1 || options.window > 64) {
    std::fprintf(stderr, "usage: appd_bench [sessions(1-32) clients messages window(1-64)]\n");
    return 2;
  }

  AppdHarness appd;
  auto ready = appd.start_desktop(640, 480);
  if (ready.ok()) ready = appd.install_demo(kCounter);
  auto shells = ready.ok() ? StandinShellServer::listen(appd.desktop().runtime_dir())
                           : weft::Result<std::unique_ptr<StandinShellServer>>(weft::fail(ready.error()));
  if (shells.ok()) ready = appd.start_appd({StandinShellServer::app_shell_setting()});
  if (!ready.ok() || !shells.ok()) {
    std::fprintf(stderr, "appd_bench: %s\n", (!ready.ok() ? ready.error() : shells.error()).message.c_str());
    return 1;
  }
  std::vector<std::unique_ptr<StandinShell>> sessions;
  LoadFigures figures = run_counter_load(appd, **shells, options, sessions);
  std::printf("appd_bench: %d sessions from %d clients, %d messages, window %d\n%s\n", options.sessions,
              options.clients, options.messages, options.window, figures.describe().c_str());
  sessions.clear();  // the stand-ins exit, their sessions end
  return figures.problems.empty() ? 0 : 1;
}
