#pragma once
// The `READY <token>\n` readiness handshake between appd (parent) and its children (runtime, app shell): each child
// gets a per-child 32-hex token in WEFT_READY_TOKEN and a pipe end in WEFT_READY_FD.

#include <chrono>
#include <string>
#include <string_view>

#include "weft/core/result.hpp"

namespace weft::ready {

/// 128 random bits as 32 lowercase hex chars (also used for bridge and system tokens).
[[nodiscard]] std::string random_token();
/// True when `token` is exactly 32 lowercase hex chars.
[[nodiscard]] bool is_valid_token(std::string_view token);

/// `READY <token>\n`.
[[nodiscard]] std::string line(std::string_view token);

/// Child side: writes the readiness line for WEFT_READY_TOKEN to WEFT_READY_FD and closes the fd. Without
/// WEFT_READY_FD the line goes to stdout (development only). An error when the token is missing.
[[nodiscard]] Result<void> signal_from_environment();

/// Parent side, incremental: feed bytes as they arrive; says whether the exact line has been seen, is still pending, or
/// something else arrived (another line, an overlong line).
class Expectation {
 public:
  enum class State { pending, ready, wrong };
  explicit Expectation(std::string token) : expected_(line(token)) {}
  State feed(std::string_view bytes);
  [[nodiscard]] State state() const { return state_; }

 private:
  std::string expected_;
  std::string received_;
  State state_ = State::pending;
};

/// Parent side, blocking: reads `fd` until the exact line arrives (ok), or EOF / another line / timeout (error naming
/// which).
[[nodiscard]] Result<void> wait_for_line(int fd, std::string_view token, std::chrono::milliseconds timeout);

}  // namespace weft::ready
