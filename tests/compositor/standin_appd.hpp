#pragma once
// A minimal STAND-IN for weft-appd's side of the compositor link (§2.4), for tests only: connects to
// compositor.sock, sends framed msgpack messages (with an fd for bind_session) and reads the compositor's replies.
// It is not appd: no sessions, no children, no retries.

#include <chrono>
#include <deque>
#include <optional>
#include <span>
#include <string>

#include "weft/core/fd.hpp"
#include "weft/core/ipc/compositor_messages.hpp"
#include "weft/core/ipc/frame.hpp"
#include "weft/core/result.hpp"

namespace weft::test {

class StandinAppd {
 public:
  [[nodiscard]] static Result<StandinAppd> connect(const std::string& socket_path);

  /// Sends one framed message; `fd` (if ≥ 0) rides on the same sendmsg as the frame's first byte.
  [[nodiscard]] Result<void> send(const ipc::compositor::Message& message, int fd = -1);
  /// Sends raw bytes, optionally with an fd (for malformed-frame tests).
  [[nodiscard]] Result<void> send_raw(std::span<const uint8_t> bytes, int fd = -1);
  /// The next message from the compositor other than session_focused (kept aside for receive_focus), or nullopt on
  /// timeout / EOF.
  [[nodiscard]] std::optional<ipc::compositor::Message> receive(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// The next session_focused report (in order), or nullopt on timeout / EOF; other messages wait for receive().
  [[nodiscard]] std::optional<ipc::compositor::SessionFocused> receive_focus(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// True when the compositor closed the connection within the timeout.
  [[nodiscard]] bool closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  /// Any next message, or nullopt on timeout / EOF.
  [[nodiscard]] std::optional<ipc::compositor::Message> pull(std::chrono::steady_clock::time_point deadline);

  UniqueFd fd_;
  std::deque<ipc::compositor::Message> held_;               // non-focus messages read by receive_focus
  std::deque<ipc::compositor::SessionFocused> held_focus_;  // focus reports read by receive
  ipc::FrameDecoder decoder_;
  bool eof_ = false;
};

}  // namespace weft::test
