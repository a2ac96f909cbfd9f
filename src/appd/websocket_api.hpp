#pragma once
// appd's WebSocket API (spec §3.2) on 127.0.0.1 (IPv4 loopback only), any path, libsoup-3 on the GLib default main
// context. Text frames carry the §3.1 messages as JSON; binary frames are ignored. A connection must upgrade and
// send HELLO within the hello timeout; HELLO picks the role:
//  - system (token = appd.systoken): every §3.1 request but IPC_FORWARD/APP_MESSAGE (403); replies and broadcasts.
//    Malformed JSON is ignored; JSON that is not a known message gets `ERROR{400,"bad request: <why>"}`.
//  - app (session_id + bridge token, checked by the AppRoleBroker): only APP_MESSAGE both ways.
// Every connection's outbound queue is bounded (messages and bytes); a client that stops reading is closed when it
// overflows. Tokens are compared with tokens_equal and never logged.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "api.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/result.hpp"

typedef struct _SoupServer SoupServer;
typedef struct _SoupServerMessage SoupServerMessage;
typedef struct _SoupWebsocketConnection SoupWebsocketConnection;

namespace weft::appd {

class WebSocketApiServer {
 public:
  struct Options {
    uint16_t port = 0;                        // TCP port on 127.0.0.1; 0 picks a free one (see port())
    std::string system_token;                 // appd.systoken; an empty token admits no system client
    unsigned hello_timeout_ms = 5000;         // ms from TCP accept to a valid HELLO (§3.2)
    size_t max_incoming_bytes = 1u << 20;     // bytes per incoming frame and message (§3.2)
    size_t max_queued_bytes = 4u << 20;       // bytes handed to the WebSocket but not yet written to the socket
    size_t max_queued_messages = 256;         // messages likewise
    size_t max_connections = 64;              // open TCP connections; more are refused at accept
  };

  /// Listens on 127.0.0.1:`options.port`. `handler` and `broker` must outlive the server.
  [[nodiscard]] static Result<std::unique_ptr<WebSocketApiServer>> listen(Options options, RequestHandler& handler,
                                                                          AppRoleBroker& broker);
  /// Stops listening and drops every connection, without calling the handler or broker back.
  ~WebSocketApiServer();
  WebSocketApiServer(const WebSocketApiServer&) = delete;
  WebSocketApiServer& operator=(const WebSocketApiServer&) = delete;

  /// The bound port (what appd.wsport holds).
  [[nodiscard]] uint16_t port() const { return port_; }
  /// Sends `message` to every system-role connection except `except` (the requester that already got it as reply).
  void broadcast(const msg::Message& message, const ApiClient* except = nullptr);
  /// Open TCP connections, upgraded or not (for diagnostics and tests).
  [[nodiscard]] size_t connection_count() const { return connections_.size(); }

  class Connection;  // one TCP connection and, once upgraded, its WebSocket (websocket_api.cpp)

 private:
  WebSocketApiServer(Options options, RequestHandler& handler, AppRoleBroker& broker);
  static gboolean on_incoming(GSocketService* service, GSocketConnection* socket, GObject* source, gpointer data);
  static void on_websocket(SoupServer* server, SoupServerMessage* message, const char* path,
                           SoupWebsocketConnection* websocket, gpointer data);
  void forget(uint64_t id);

  friend class Connection;
  Options options_;
  RequestHandler& handler_;
  AppRoleBroker& broker_;
  glib::Ptr<SoupServer> server_;
  glib::Ptr<GSocketService> service_;
  glib::SignalConnection incoming_;
  uint16_t port_ = 0;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;
};

}  // namespace weft::appd
