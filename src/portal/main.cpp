// weft-file-portal <socket> [--allow <dir>]… [--allow-read <dir>]… (spec §7.1).

#include <signal.h>
#include <unistd.h>

#include <iostream>

#include <CLI/CLI.hpp>

#include "weft/core/version.hpp"
#include "portal_roots.hpp"
#include "portal_server.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"

namespace {
// The socket path, kept for the termination handler (unlink is async-signal-safe).
char g_socket_path[4096];

void on_terminate(int) {
  ::unlink(g_socket_path);
  ::_exit(0);
}
}  // namespace

int main(int argc, char** argv) {
  weft::log::init("weft-file-portal");
  CLI::App app{"weft-file-portal: JSON-lines file access confined beneath granted directories", "weft-file-portal"};
  app.set_version_flag("--version", weft::version_line("weft-file-portal"));
  std::string socket_path;
  std::vector<std::string> allow, allow_read;
  app.add_option("socket", socket_path, "Unix socket path to listen on (0600)")->required();
  app.add_option("--allow", allow, "directory served read-write");
  app.add_option("--allow-read", allow_read, "directory served read-only");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (socket_path.size() >= sizeof g_socket_path) {
    std::cerr << "weft-file-portal: socket path is too long\n";
    return 1;
  }
  std::vector<weft::portal::PortalRoot> roots;
  for (const auto& [list, writable] : {std::pair{&allow, true}, std::pair{&allow_read, false}}) {
    for (const auto& dir : *list) {
      auto root = weft::portal::open_root(dir, writable);
      if (!root) {
        std::cerr << "weft-file-portal: " << root.error().message << "\n";
        return 1;
      }
      roots.push_back(std::move(*root));
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  auto listener = weft::listen_unix(socket_path, 0600);
  if (!listener) {
    std::cerr << "weft-file-portal: " << listener.error().message << "\n";
    return 1;
  }
  std::snprintf(g_socket_path, sizeof g_socket_path, "%s", socket_path.c_str());
  struct sigaction sa {};
  sa.sa_handler = on_terminate;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  weft::log::info("serving ", roots.size(), " root(s) on ", socket_path);
  auto r = weft::portal::serve(listener->get(), roots);
  if (!r) {
    std::cerr << "weft-file-portal: " << r.error().message << "\n";
    return 1;
  }
  return 0;
}
