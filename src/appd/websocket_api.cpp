#include "websocket_api.hpp"

#include <libsoup/soup.h>

#include <deque>
#include <vector>

#include "websocket_streams.hpp"
#include "weft/core/log.hpp"
#include "weft/core/ipc/errors.hpp"

namespace weft::appd {

namespace {
using CountingStreamPtr = glib::Ptr<GOutputStream>;

namespace code = ipc::error_code;
using ipc::error_message::bad_request;
using ipc::error_message::kAppMessagesNotForSystemRole;
using ipc::error_message::kAuthenticationRequired;
using ipc::error_message::kNotAllowedForAppRole;

/// Bytes libsoup writes for one unmasked server text frame of `payload` bytes (RFC 6455 §5.2; no extensions are
/// negotiated, so nothing is compressed).
size_t frame_bytes(size_t payload) { return payload + (payload < 126 ? 2 : payload <= 0xffff ? 4 : 10); }

void shutdown_socket(GSocketConnection* socket) {
  // Both directions: libsoup's pending read sees EOF and its pending write fails, so it tears itself down.
  g_socket_shutdown(g_socket_connection_get_socket(socket), TRUE, TRUE, nullptr);
}
}  // namespace

class WebSocketApiServer::Connection final : public ApiClient,
                                             public AppBridgePeer,
                                             public std::enable_shared_from_this<Connection> {
 public:
  enum class State { http, hello, system, app, closing };

  Connection(WebSocketApiServer& server, uint64_t id, glib::Ptr<GSocketConnection> socket, CountingStreamPtr counter)
      : server_(&server), limits_(server.options_), id_(id), socket_(std::move(socket)), counter_(std::move(counter)) {}

  void start_deadline(unsigned ms) { deadline_.reset(g_timeout_add(ms, &Connection::on_deadline, this)); }
  [[nodiscard]] GOutputStream* counting_stream() const { return G_OUTPUT_STREAM(counter_.get()); }
  [[nodiscard]] State state() const { return state_; }

  /// The HTTP upgrade completed on this connection.
  void upgraded(SoupWebsocketConnection* websocket) {
    websocket_ = glib::ref(websocket);
    state_ = State::hello;
    written_at_upgrade_ = counting_output_stream_written(counter_.get());  // the 101 response is not ours to count
    soup_websocket_connection_set_max_incoming_payload_size(websocket, limits_.max_incoming_bytes);
    message_ = glib::connect(websocket, "message", G_CALLBACK(&Connection::on_message), this);
    closed_ = glib::connect(websocket, "closed", G_CALLBACK(&Connection::on_closed), this);
    error_ = glib::connect(websocket, "error", G_CALLBACK(&Connection::on_error), this);
  }

  /// Leaves the server, which is being destroyed: drops the connection without calling the broker or handler back
  /// (they may be tearing down too). A bridge peer the broker still holds stays safe to call and does nothing.
  void detach_from_server() {
    server_ = nullptr;
    close_hard("appd stops");
  }

  // ApiClient / AppBridgePeer
  void send(const msg::Message& message) override { queue_text(msg::to_json_text(message)); }
  void deliver(std::string_view payload) override { queue_text(msg::to_json_text(msg::AppMessage{std::string(payload)})); }
  /// The broker closes its own bridge (session stopped): it is not called back with detach_app_bridge.
  void close() override {
    if (state_ == State::app) broker_notified_ = true;
    close_gracefully(SOUP_WEBSOCKET_CLOSE_NORMAL);
  }
  [[nodiscard]] bool closed() const override { return state_ == State::closing; }
  [[nodiscard]] bool receives_broadcasts() const override { return state_ == State::system; }
  [[nodiscard]] bool may_forward_ipc() const override { return false; }
  [[nodiscard]] std::string describe() const override {
    const char* role = state_ == State::system ? "ws-system#" : state_ == State::app ? "ws-app#" : "ws#";
    return role + std::to_string(id_);
  }

 private:
  static gboolean on_deadline(gpointer data) {
    auto self = static_cast<Connection*>(data)->shared_from_this();
    self->deadline_.release();  // G_SOURCE_REMOVE below
    if (self->state_ == State::http) {
      log::info("websocket api: ", self->describe(), " did not upgrade in time; closed");
      self->close_hard("no upgrade in time");
    } else if (self->state_ == State::hello) {
      log::info("websocket api: ", self->describe(), " sent no HELLO in time; closed");
      self->refuse(code::kUnauthenticated, kAuthenticationRequired);
    }
    return G_SOURCE_REMOVE;
  }

  static void on_message(SoupWebsocketConnection*, gint type, GBytes* bytes, gpointer data) {
    auto self = static_cast<Connection*>(data)->shared_from_this();
    if (type != SOUP_WEBSOCKET_DATA_TEXT) return;  // §3.2: binary frames are ignored
    gsize size = 0;
    const auto* text = static_cast<const char*>(g_bytes_get_data(bytes, &size));
    // The input guard already refuses bigger messages; this keeps the bound if libsoup ever hands one over.
    if (size > self->limits_.max_incoming_bytes) {
      log::warn("websocket api: ", self->describe(), " sent a message of ", size, " bytes; closed");
      self->close_gracefully(SOUP_WEBSOCKET_CLOSE_TOO_BIG);
      return;
    }
    const std::string_view message(text ? text : "", size);
    switch (self->state_) {
      case State::hello: self->handle_hello(message); break;
      case State::system: self->handle_system(message); break;
      case State::app: self->handle_app(message); break;
      case State::http:
      case State::closing: break;
    }
  }

  static void on_error(SoupWebsocketConnection*, GError* error, gpointer data) {
    // libsoup closes the connection itself after an error (protocol violation, oversize frame or message, I/O).
    log::info("websocket api: ", static_cast<Connection*>(data)->describe(), ": ", error ? error->message : "error");
  }

  static void on_closed(SoupWebsocketConnection*, gpointer data) {
    auto self = static_cast<Connection*>(data)->shared_from_this();
    self->detach_bridge();
    self->state_ = State::closing;
    self->deadline_.reset();
    log::debug("websocket api: ws#", self->id_, " closed");
    if (self->server_) self->server_->forget(self->id_);
  }

  void handle_hello(std::string_view text) {
    auto decoded = msg::from_json_text(text);
    const auto* hello = decoded ? std::get_if<msg::Hello>(&*decoded) : nullptr;
    if (!hello) {
      refuse(code::kUnauthenticated, kAuthenticationRequired);
      return;
    }
    if (hello->role == "system" && !server_->options_.system_token.empty() &&
        tokens_equal(hello->token, server_->options_.system_token)) {
      state_ = State::system;
      deadline_.reset();
      log::info("websocket api: ", describe(), " authenticated");
      return;
    }
    if (hello->role == "app" && hello->session_id) {
      auto attached = server_->broker_.attach_app_bridge(*hello->session_id, hello->token, shared_from_this());
      if (!attached) {
        log::info("websocket api: ws#", id_, " app bridge for session ", *hello->session_id, " refused (",
                  attached.error().code, ")");
        refuse(static_cast<uint32_t>(attached.error().code), attached.error().message);
        return;
      }
      if (state_ == State::closing) return;  // the broker closed the new bridge at once
      state_ = State::app;
      session_id_ = *hello->session_id;
      deadline_.reset();
      log::info("websocket api: ", describe(), " is the bridge of session ", session_id_);
      return;
    }
    refuse(code::kUnauthenticated, kAuthenticationRequired);
  }

  void handle_system(std::string_view text) {
    auto decoded = msg::from_json_text(text);
    if (!decoded) {
      // §3.2: malformed JSON is ignored; well-formed JSON that is no known message is answered 400.
      if (decoded.error().message.rfind("malformed JSON", 0) == 0) return;
      send(msg::ErrorReply{code::kBadRequest, bad_request(decoded.error().message)});
      return;
    }
    if (std::holds_alternative<msg::IpcForward>(*decoded) || std::holds_alternative<msg::AppMessage>(*decoded)) {
      send(msg::ErrorReply{code::kRefused, std::string(kAppMessagesNotForSystemRole)});
      return;
    }
    if (!msg::is_request(*decoded)) {
      send(msg::ErrorReply{code::kBadRequest, bad_request(std::string(msg::type_name(*decoded)) + " is not a request")});
      return;
    }
    server_->handler_.handle_request(shared_from_this(), std::move(decoded).value());
  }

  void handle_app(std::string_view text) {
    auto decoded = msg::from_json_text(text);
    auto* message = decoded ? std::get_if<msg::AppMessage>(&*decoded) : nullptr;
    if (!message) {
      send(msg::ErrorReply{code::kRefused, std::string(kNotAllowedForAppRole)});
      return;
    }
    if (auto valid = msg::validate_payload(message->payload); !valid) {
      // The reason only: payloads never reach the log (§9).
      log::warn("websocket api: ", describe(), " payload dropped: ", valid.error().message);
      return;
    }
    server_->broker_.app_message_from_page(session_id_, std::move(message->payload));
  }

  /// Tells the broker, once, that its bridge is gone (unless the broker closed it itself).
  void detach_bridge() {
    if (state_ != State::app || broker_notified_ || !server_) return;
    broker_notified_ = true;
    server_->broker_.detach_app_bridge(session_id_, this);
  }

  /// Sends ERROR{code,message} and closes (the error frame goes out before the close frame).
  void refuse(uint32_t code, std::string_view message) {
    send(msg::ErrorReply{code, std::string(message)});
    close_gracefully(SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  }

  /// Bytes and messages libsoup still holds for this connection.
  void account_written() {
    const uint64_t written = counting_output_stream_written(counter_.get()) - written_at_upgrade_;
    while (!frame_ends_.empty() && frame_ends_.front() <= written) frame_ends_.pop_front();
    queued_bytes_ = handed_ > written ? handed_ - written : 0;
  }

  void queue_text(const std::string& text) {
    if (state_ == State::closing || !websocket_ ||
        soup_websocket_connection_get_state(websocket_.get()) != SOUP_WEBSOCKET_STATE_OPEN)
      return;
    account_written();
    const size_t bytes = frame_bytes(text.size());
    if (frame_ends_.size() + 1 > limits_.max_queued_messages || queued_bytes_ + bytes > limits_.max_queued_bytes) {
      log::warn("websocket api: ", describe(), " outbound queue full (", frame_ends_.size(), " messages, ",
                queued_bytes_, " bytes unsent: the client is not reading); closed");
      close_hard("outbound queue full");
      return;
    }
    handed_ += bytes;
    frame_ends_.push_back(handed_);
    // JSON text holds no NUL (control characters are escaped), so the C string is the whole message.
    soup_websocket_connection_send_text(websocket_.get(), text.c_str());
  }

  void close_gracefully(gushort code) {
    if (state_ == State::closing) return;
    detach_bridge();
    state_ = State::closing;
    deadline_.reset();
    if (websocket_ && soup_websocket_connection_get_state(websocket_.get()) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(websocket_.get(), code, nullptr);
    else
      shutdown_socket(socket_.get());
  }

  /// Drops the connection without a closing handshake; libsoup frees what it queued once it sees the shutdown.
  void close_hard(const char* reason) {
    log::debug("websocket api: ws#", id_, " dropped (", reason, ")");
    detach_bridge();
    state_ = State::closing;
    deadline_.reset();
    shutdown_socket(socket_.get());
    // Not upgraded: libsoup's HTTP side has no "closed" signal for us, so the record goes now.
    if (!websocket_ && server_) server_->forget(id_);
  }

  WebSocketApiServer* server_;  // null once the server is gone (the broker may keep a bridge peer longer)
  Options limits_;
  uint64_t id_;
  glib::Ptr<GSocketConnection> socket_;
  CountingStreamPtr counter_;
  glib::Ptr<SoupWebsocketConnection> websocket_;
  glib::SignalConnection message_;
  glib::SignalConnection closed_;
  glib::SignalConnection error_;
  glib::SourceId deadline_;
  State state_ = State::http;
  uint64_t session_id_ = 0;
  bool broker_notified_ = false;  // detach_app_bridge is called at most once, and never for a broker's own close()
  uint64_t written_at_upgrade_ = 0;
  uint64_t handed_ = 0;              // bytes of frames handed to libsoup since the upgrade
  std::deque<uint64_t> frame_ends_;  // cumulative end offset of each frame libsoup has not finished writing
  uint64_t queued_bytes_ = 0;
};

WebSocketApiServer::WebSocketApiServer(Options options, RequestHandler& handler, AppRoleBroker& broker)
    : options_(std::move(options)), handler_(handler), broker_(broker) {}

Result<std::unique_ptr<WebSocketApiServer>> WebSocketApiServer::listen(Options options, RequestHandler& handler,
                                                                       AppRoleBroker& broker) {
  std::unique_ptr<WebSocketApiServer> self(new WebSocketApiServer(std::move(options), handler, broker));
  self->server_.reset(soup_server_new(nullptr, nullptr));
  // No permessage-deflate: frame sizes stay exact for the queue accounting, and no inflating of client data.
  soup_server_remove_websocket_extension(self->server_.get(), SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_websocket_handler(self->server_.get(), nullptr, nullptr, nullptr, &WebSocketApiServer::on_websocket,
                                    self.get(), nullptr);

  // Our own listener (IPv4 loopback only) so every TCP connection is seen at accept: the hello deadline starts there
  // and the connection is wrapped in the counting stream before libsoup gets it.
  self->service_.reset(g_socket_service_new());
  glib::Ptr<GInetAddress> loopback(g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4));
  glib::Ptr<GSocketAddress> address(g_inet_socket_address_new(loopback.get(), self->options_.port));
  GSocketAddress* effective = nullptr;
  GError* error = nullptr;
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(self->service_.get()), address.get(), G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, nullptr, &effective, &error)) {
    glib::ErrorPtr owned(error);
    return fail("cannot listen on 127.0.0.1:" + std::to_string(self->options_.port) + ": " + owned->message, 500);
  }
  glib::Ptr<GSocketAddress> bound(effective);
  self->port_ = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound.get()));
  self->incoming_ =
      glib::connect(self->service_.get(), "incoming", G_CALLBACK(&WebSocketApiServer::on_incoming), self.get());
  g_socket_service_start(self->service_.get());
  log::info("websocket api listening on 127.0.0.1:", self->port_);
  return self;
}

WebSocketApiServer::~WebSocketApiServer() {
  incoming_.disconnect();
  if (service_) {
    g_socket_service_stop(service_.get());
    g_socket_listener_close(G_SOCKET_LISTENER(service_.get()));
  }
  auto connections = std::move(connections_);
  connections_.clear();
  for (auto& [id, connection] : connections) connection->detach_from_server();
  if (server_) soup_server_disconnect(server_.get());
}

gboolean WebSocketApiServer::on_incoming(GSocketService*, GSocketConnection* socket, GObject*, gpointer data) {
  auto* self = static_cast<WebSocketApiServer*>(data);
  if (self->connections_.size() >= self->options_.max_connections) {
    log::warn("websocket api: ", self->connections_.size(), " connections open; a new one is refused");
    return FALSE;  // the service drops its reference: the connection closes
  }
  CountingStreamPtr counter(counting_output_stream_new(G_IO_STREAM(socket)));
  glib::Ptr<GInputStream> guarded(guarded_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(socket)),
                                                           self->options_.max_incoming_bytes));
  glib::Ptr<GIOStream> wrapped(g_simple_io_stream_new(guarded.get(), counter.get()));

  const uint64_t id = self->next_id_++;
  auto connection = std::make_shared<Connection>(*self, id, glib::ref(socket), std::move(counter));
  glib::Ptr<GSocketAddress> local(g_socket_connection_get_local_address(socket, nullptr));
  glib::Ptr<GSocketAddress> remote(g_socket_connection_get_remote_address(socket, nullptr));
  // Registered first: libsoup may read a request that is already there and upgrade inside accept_iostream.
  self->connections_.emplace(id, connection);
  connection->start_deadline(self->options_.hello_timeout_ms);
  GError* error = nullptr;
  if (!soup_server_accept_iostream(self->server_.get(), wrapped.get(), local.get(), remote.get(), &error)) {
    glib::ErrorPtr owned(error);
    log::warn("websocket api: cannot serve a new connection: ", owned ? owned->message : "unknown error");
    self->connections_.erase(id);
    return TRUE;
  }
  log::debug("websocket api: ws#", id, " accepted");
  return TRUE;
}

void WebSocketApiServer::on_websocket(SoupServer*, SoupServerMessage*, const char*, SoupWebsocketConnection* websocket,
                                      gpointer data) {
  auto* self = static_cast<WebSocketApiServer*>(data);
  GOutputStream* output = g_io_stream_get_output_stream(soup_websocket_connection_get_io_stream(websocket));
  for (auto& [id, connection] : self->connections_) {
    if (connection->state() == Connection::State::http && connection->counting_stream() == output) {
      connection->upgraded(websocket);
      return;
    }
  }
  // Not one of ours (cannot happen unless libsoup re-wraps the stream): refuse rather than serve it unbounded.
  log::error("websocket api: an upgraded connection has no accounting; closed");
  soup_websocket_connection_close(websocket, SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, nullptr);
}

void WebSocketApiServer::broadcast(const msg::Message& message, const ApiClient* except) {
  std::vector<std::shared_ptr<Connection>> targets;
  for (auto& [id, connection] : connections_)
    if (connection->receives_broadcasts() && connection.get() != except) targets.push_back(connection);
  for (auto& connection : targets) connection->send(message);
}

void WebSocketApiServer::forget(uint64_t id) { connections_.erase(id); }

}  // namespace weft::appd
