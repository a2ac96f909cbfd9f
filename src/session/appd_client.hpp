#pragma once
// A client of appd's Unix socket (spec §3.1): u32-LE framed MessagePack, requests as maps, one reply per request.

#include <cstdint>
#include <string>

#include "weft/core/fd.hpp"
#include "weft/core/ipc/appd_messages.hpp"
#include "weft/core/ipc/frame.hpp"
#include "weft/core/result.hpp"

namespace weft::session {

namespace msg = ipc::appd;

class AppdClient {
 public:
  static constexpr int kReplyTimeoutMs = 20000;
  [[nodiscard]] static Result<AppdClient> connect(const std::string& socket_path);
  [[nodiscard]] Result<msg::Message> request(const msg::Message& message, int timeout_ms = kReplyTimeoutMs);

  /// LAUNCH_APP; the session id from LAUNCH_ACK, else the ERROR (code and message) as an Error.
  [[nodiscard]] Result<uint64_t> launch(const std::string& app_id);
  /// QUERY_APP_STATE's state string.
  [[nodiscard]] Result<std::string> state(uint64_t session_id);
  [[nodiscard]] Result<msg::RunningApps> running();
  [[nodiscard]] Result<msg::InstalledApps> installed();

 private:
  UniqueFd fd_;
  ipc::FrameDecoder decoder_;
};

/// LAUNCH_APP through `socket_path`, retrying while appd is not up yet or answers 503 (its compositor link is still
/// connecting), for up to `timeout_ms`.
[[nodiscard]] Result<uint64_t> launch_when_ready(const std::string& socket_path, const std::string& app_id,
                                                 int timeout_ms);

}  // namespace weft::session
