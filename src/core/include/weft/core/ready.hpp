#pragma once
// The `READY <token>\n` readiness handshake between appd (parent) and its children (runtime, app shell): each child
// gets a per-child 32-hex token in WEFT_READY_TOKEN and a pipe end in WEFT_READY_FD.

#include <chrono>
#include <string>
#include <string_view>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::ready {

/// 128 random bits as 32 lowercase hex chars (also used for bridge and system tokens).
[[nodiscard]] std::string random_token();
/// True when `token` is exactly 32 lowercase hex chars.
[[nodiscard]] bool is_valid_token(std::string_view token);

/// `READY <token>\n`.
[[nodiscard]] std::string line(std::string_view token);

/// Child side, taken at the very start of main: WEFT_READY_TOKEN and WEFT_READY_FD leave the environment and the fd is
/// marked close-on-exec, so no process this one starts (WebKit's web and network processes, tools) can inherit them
/// and forge readiness. Without WEFT_READY_FD the line goes to stdout (development only).
class Reporter {
 public:
  /// An error when the token is missing or the fd variable does not name an open fd.
  [[nodiscard]] static Result<Reporter> take_from_environment();
  /// A reporter for a pipe end and token that arrived another way (a pre-started app shell's binding); an error when
  /// the token is not 32 lowercase hex or the fd is not open.
  [[nodiscard]] static Result<Reporter> from(UniqueFd fd, std::string token);
  /// Writes `READY <token>\n` and closes the fd; later calls do nothing.
  [[nodiscard]] Result<void> signal();

 private:
  std::string token_;
  UniqueFd fd_;  // invalid: stdout
  bool signalled_ = false;
};

/// Takes the reporter from the environment and signals at once (a process that starts nothing before it is ready).
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
