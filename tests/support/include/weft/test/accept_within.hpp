#pragma once
// Tests that play a peer (a relay, a server) accept with a bound: a child that fails before it connects must fail
// the test, not hang it in accept() until ctest's timeout.

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "weft/core/fd.hpp"

namespace weft::test {

/// The next connection on `listener`, or an invalid fd when none arrives within `limit`.
[[nodiscard]] inline UniqueFd accept_within(int listener, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return UniqueFd();
    pollfd incoming{listener, POLLIN, 0};
    const int ready = ::poll(&incoming, 1, int(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return UniqueFd();
    return UniqueFd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
  }
}

}  // namespace weft::test
