#include "weft/core/bounded_send.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

#include "weft/core/fd.hpp"

namespace weft {

Result<void> send_all_within(int socket_fd, std::string_view bytes, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(socket_fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return fail(errno_error("send"));
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return fail(Error("send: the peer did not read for " + std::to_string(limit.count()) + " ms", ETIMEDOUT));
    pollfd room{socket_fd, POLLOUT, 0};
    if (::poll(&room, 1, int(left)) < 0 && errno != EINTR) return fail(errno_error("poll"));
  }
  return ok();
}

}  // namespace weft
