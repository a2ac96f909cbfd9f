#include "portal_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "portal_requests.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"
#include "weft/core/ipc/errors.hpp"

namespace weft::portal {
namespace {

std::atomic<int> g_connections{0};

void serve_connection(UniqueFd conn, const std::vector<PortalRoot>* roots) {
  std::string buffer;
  char chunk[65536];
  for (;;) {
    size_t nl;
    while ((nl = buffer.find('\n')) != std::string::npos) {
      std::string_view line(buffer.data(), nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!handle_request(*roots, line, conn.get())) {
        --g_connections;
        return;
      }
      buffer.erase(0, nl + 1);
    }
    if (buffer.size() > kMaxLineBytes) {
      // An unterminated line beyond the bound: answer once and drop the connection (the stream is unsynchronised).
      std::string why = "line exceeds " + std::to_string(kMaxLineBytes) + " bytes";
      (void)write_all(conn.get(), "{\"error\":\"" + ipc::error_message::bad_request(why) + "\"}\n");
      break;
    }
    ssize_t n = ::recv(conn.get(), chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  --g_connections;
}

}  // namespace

Result<void> serve(int listen_fd, const std::vector<PortalRoot>& roots) {
  const uid_t self = ::getuid();
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return fail(errno_error("accept"));
    }
    UniqueFd conn(fd);
    auto cred = peer_credentials(fd);
    if (!cred || cred->uid != self) {
      log::warn("refused a portal client of another uid");
      continue;
    }
    if (g_connections.load() >= kMaxConnections) {
      log::warn("refused a portal client: ", kMaxConnections, " connections already open");
      continue;
    }
    ++g_connections;
    std::thread(serve_connection, std::move(conn), &roots).detach();
  }
}

}  // namespace weft::portal
