// STAND-IN for weft-app-shell, for tests only (target weft-standin-app-shell). Tests that must observe the page's side
// of the bridge exactly use it: WebKit adds nothing to relay ordering, and twenty real app shells with their web
// processes are too heavy for a 2-core test machine. appd starts it exactly as it starts the real app shell
// (`<app_id> <sid> --ui <entry>`, WAYLAND_SOCKET=3, WEFT_BRIDGE_FD=4, WEFT_READY_FD=5, WEFT_READY_TOKEN,
// WEFT_BRIDGE_TOKEN, XDG_RUNTIME_DIR; spec §3.4 step 11). It:
//  1. connects to `$XDG_RUNTIME_DIR/<standin::kShellSocketName>` (the test listens there) and sends one hello line
//     with its app id, session id and WEFT_BRIDGE_TOKEN (so the test can also act as the WebSocket app role);
//  2. reports `READY <token>\n` on WEFT_READY_FD (the real one waits for its first presented frame);
//  3. relays bridge lines raw both ways between WEFT_BRIDGE_FD and the test socket, except the control line
//     standin::kCloseBridgeLine, on which it closes its bridge fd and keeps running;
//  4. keeps the session-bound Wayland fd open without speaking Wayland (no window is ever created), and exits 0 on
//     SIGTERM, on EOF of the test socket or on EOF of the bridge.
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "standin_protocol.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/ipc/bridge.hpp"

namespace {

using namespace weft;
namespace standin = weft::appd::standin;

int env_fd(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : -1;
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "weft-standin-app-shell: %s\n", why.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5 || std::string(argv[3]) != "--ui") die("usage: weft-standin-app-shell <app_id> <sid> --ui <entry>");
  const std::string app_id = argv[1];
  const uint64_t session_id = std::strtoull(argv[2], nullptr, 10);
  const char* runtime_dir = std::getenv("XDG_RUNTIME_DIR");
  const char* ready_token = std::getenv("WEFT_READY_TOKEN");
  const char* bridge_token = std::getenv("WEFT_BRIDGE_TOKEN");
  UniqueFd bridge(env_fd("WEFT_BRIDGE_FD"));
  UniqueFd ready(env_fd("WEFT_READY_FD"));
  UniqueFd wayland(env_fd("WAYLAND_SOCKET"));  // held open, never used: the session's client stays bound
  if (!runtime_dir || !ready_token || !bridge_token || !bridge || !ready || !wayland)
    die("missing XDG_RUNTIME_DIR, WEFT_READY_TOKEN, WEFT_BRIDGE_TOKEN, WEFT_BRIDGE_FD, WEFT_READY_FD or WAYLAND_SOCKET");

  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigaddset(&term, SIGINT);
  sigprocmask(SIG_BLOCK, &term, nullptr);
  UniqueFd signals(::signalfd(-1, &term, SFD_CLOEXEC));
  signal(SIGPIPE, SIG_IGN);

  auto test = connect_unix(std::string(runtime_dir) + "/" + std::string(standin::kShellSocketName));
  if (!test.ok()) die("cannot reach the test: " + test.error().message);
  nlohmann::json hello = {{"type", standin::kHelloType},
                          {"app_id", app_id},
                          {"session_id", session_id},
                          {"bridge_token", bridge_token}};
  if (!write_all(test->get(), hello.dump() + "\n").ok()) die("cannot send the hello line");
  if (!write_all(ready.get(), std::string("READY ") + ready_token + "\n").ok()) die("cannot report readiness");
  ready.reset();

  // Lines from the test are split only to spot the control line; bridge bytes go to the test unchanged.
  ipc::LineSplitter from_test(2 * ipc::kMaxBridgeLineBytes);
  char buffer[65536];
  for (;;) {
    pollfd fds[3] = {{signals.get(), POLLIN, 0}, {test->get(), POLLIN, 0}, {bridge.get(), POLLIN, 0}};
    int n = ::poll(fds, bridge ? 3 : 2, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die(std::string("poll: ") + std::strerror(errno));
    if (fds[0].revents) return 0;  // SIGTERM or SIGINT
    if (fds[1].revents) {
      ssize_t got = ::read(test->get(), buffer, sizeof buffer);
      if (got <= 0) return 0;  // the test went away
      auto lines = from_test.feed(std::string_view(buffer, static_cast<size_t>(got)));
      if (!lines.ok()) die("test line: " + lines.error().message);
      for (const std::string& line : *lines) {
        if (line == standin::kCloseBridgeLine) {
          bridge.reset();
          continue;
        }
        if (bridge && !write_all(bridge.get(), line + "\n").ok()) return 0;  // appd closed the bridge
      }
    }
    if (bridge && fds[2].revents) {
      ssize_t got = ::read(bridge.get(), buffer, sizeof buffer);
      if (got <= 0) return 0;  // bridge EOF: appd ended the session
      if (!write_all(test->get(), std::string_view(buffer, static_cast<size_t>(got))).ok()) return 0;
    }
  }
}
