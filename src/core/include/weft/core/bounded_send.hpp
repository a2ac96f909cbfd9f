#pragma once
// Sending on a socket whose peer may stop reading: every wait is bounded (spec: no unbounded waits), so a stuck peer
// costs the sender at most `limit`, never the whole process.

#include <chrono>
#include <string_view>

#include "weft/core/result.hpp"

namespace weft {

/// Sends all of `bytes` on `socket_fd` (blocking or not; MSG_NOSIGNAL, so a closed peer is EPIPE, not SIGPIPE),
/// waiting for room at most `limit` in total. Error code = errno, ETIMEDOUT when the peer did not make room in time;
/// after an error part of `bytes` may have been sent, so the caller must treat the stream as broken.
[[nodiscard]] Result<void> send_all_within(int socket_fd, std::string_view bytes, std::chrono::milliseconds limit);

}  // namespace weft
