#pragma once
// Line-at-a-time reading from a socket or pipe a test talks to (a relay socket, a portal client, a child's stdout):
// what follows a line stays buffered for the next call.

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <optional>
#include <string>

namespace weft::test {

class LineReader {
 public:
  /// Reads from `fd` (borrowed: the caller keeps it open while the reader is used).
  explicit LineReader(int fd) : fd_(fd) {}

  /// The next line without its '\n'; nullopt at EOF, on a read error, or when `timeout` passes first.
  [[nodiscard]] std::optional<std::string> next(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const auto nl = buffered_.find('\n'); nl != std::string::npos) {
        std::string line = buffered_.substr(0, nl);
        buffered_.erase(0, nl + 1);
        return line;
      }
      // A zero (or spent) timeout still looks once: a poller asks for what has already arrived.
      const auto left = std::max<long long>(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
      pollfd pfd{fd_, POLLIN, 0};
      const int ready = ::poll(&pfd, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return std::nullopt;
      char chunk[65536];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffered_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffered_;
};

}  // namespace weft::test
