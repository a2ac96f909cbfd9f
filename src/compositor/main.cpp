// weft-compositor: the WEFT Wayland compositor process.

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "server.hpp"
#include "systemd_integration.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"

#ifndef WEFT_VERSION
#define WEFT_VERSION "0.0.0"
#endif

using namespace weft;

namespace {

int stop_on_signal(int, void* data) {
  static_cast<compositor::Server*>(data)->terminate();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  log::init("weft-compositor");
  auto options = compositor::parse_options(argc, argv);
  if (!options) {
    log::error(options.error().message);
    return 2;
  }
  if (options->show_help) return 0;
  // Test control: a compositor whose test process was killed must not linger.
  if (options->test_control) ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (options->show_version) {
    std::cout << "weft-compositor " << WEFT_VERSION << " (wlroots " << WLR_VERSION_STR << ")\n";
    return 0;
  }
  auto weft_dir = paths::ensure_weft_runtime_dir();
  if (!weft_dir) {
    log::error(weft_dir.error().message);
    return 1;
  }
  auto display_file = paths::compositor_display_file();
  if (!display_file) {
    log::error(display_file.error().message);
    return 1;
  }

  compositor::Server server(std::move(*options));
  if (auto started = server.start(); !started) {
    log::error(started.error().message);
    return 1;
  }
  if (auto linked = server.listen_appd_link(); !linked) {
    log::error("appd link: ", linked.error().message);
    return 1;
  }
  if (auto written = write_file_atomic(*display_file, server.socket_name(), 0600); !written) {
    log::error(written.error().message);
    return 1;
  }
  // One stdout line with the socket name: parents read it to learn where to connect.
  std::printf("%s\n", server.socket_name().c_str());
  std::fflush(stdout);
  log::info("listening on ", server.socket_name());

  compositor::wlr::EventSourcePtr sigterm(wl_event_loop_add_signal(server.loop(), SIGTERM, stop_on_signal, &server));
  compositor::wlr::EventSourcePtr sigint(wl_event_loop_add_signal(server.loop(), SIGINT, stop_on_signal, &server));
  std::signal(SIGPIPE, SIG_IGN);
  if (compositor::under_systemd()) {
    // Units started after us find WAYLAND_DISPLAY in the user manager's environment (§1.1).
    if (auto exported = compositor::export_wayland_display(server.socket_name()); !exported)
      log::warn(exported.error().message);
    if (auto notified = compositor::notify_ready(server.socket_name()); !notified) log::warn(notified.error().message);
  }

  server.run();

  sigterm.reset();
  sigint.reset();
  ::unlink(display_file->c_str());
  log::info("exiting");
  return 0;
}
