#pragma once
// What appd's two API transports (Unix socket §3.1, WebSocket §3.2) share with the supervisor: a connected client
// that can be sent messages, and the handler that answers requests. Transports own framing, limits, authentication
// and queues; the supervisor owns sessions and never sees sockets.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "weft/core/ipc/appd_messages.hpp"
#include "weft/core/result.hpp"

namespace weft::appd {

namespace msg = ipc::appd;

/// One connected API client. Sending never blocks: messages are queued (bounded per transport); an overflow closes
/// the client. Calls on a closed client are ignored.
class ApiClient {
 public:
  virtual ~ApiClient() = default;
  /// Queues one message (Unix: positional msgpack array in a u32-LE frame; WebSocket: JSON text frame).
  virtual void send(const msg::Message& message) = 0;
  /// Closes the connection (after flushing what is queued, where possible).
  virtual void close() = 0;
  [[nodiscard]] virtual bool closed() const = 0;
  /// Whether this client receives broadcasts (LAUNCH_ACK, APP_READY, APP_STATE, NAVIGATION_GESTURE, launch ERRORs):
  /// WebSocket system role only; Unix clients get one response per request and no broadcasts (§3.1).
  [[nodiscard]] virtual bool receives_broadcasts() const = 0;
  /// Whether IPC_FORWARD is allowed (Unix socket only, §3.1).
  [[nodiscard]] virtual bool may_forward_ipc() const = 0;
  /// For logs: "unix#3", "ws-system#2".
  [[nodiscard]] virtual std::string describe() const = 0;
};

/// The supervisor side of the system-role/Unix APIs.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  /// Handles one decoded §3.1 request (is_request() is true). The reply goes to `client->send`, possibly later
  /// (ACTIVATE_APP waits for the compositor); the handler keeps only weak references.
  virtual void handle_request(const std::shared_ptr<ApiClient>& client, msg::Message request) = 0;
};

/// A session's WebSocket app-role connection (§3.2), as the supervisor sees it.
class AppBridgePeer {
 public:
  virtual ~AppBridgePeer() = default;
  /// Queues `{"type":"APP_MESSAGE","payload":…}` for the page.
  virtual void deliver(std::string_view payload) = 0;
  /// Closes the connection (the session stopped).
  virtual void close() = 0;
};

/// The supervisor side of the WebSocket app role.
class AppRoleBroker {
 public:
  virtual ~AppRoleBroker() = default;
  /// Authenticates HELLO{role:"app"} and attaches the peer as the session's bridge. Errors carry the reply code:
  /// 401 `authentication required` (unknown session or wrong token; compared in constant time), 409 `bridge already
  /// connected`.
  [[nodiscard]] virtual Result<void> attach_app_bridge(uint64_t session_id, std::string_view token,
                                                       const std::shared_ptr<AppBridgePeer>& peer) = 0;
  /// A validated payload from the page (≤ 64 KiB, no line break) for the session's component.
  virtual void app_message_from_page(uint64_t session_id, std::string payload) = 0;
  /// The peer's connection ended.
  virtual void detach_app_bridge(uint64_t session_id, const AppBridgePeer* peer) = 0;
};

/// Constant-time comparison of two tokens (length leaks, content does not).
[[nodiscard]] bool tokens_equal(std::string_view a, std::string_view b);

}  // namespace weft::appd
