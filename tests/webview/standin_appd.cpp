#include "standin_appd.hpp"

#include <algorithm>

#include "weft/core/fd.hpp"
#include "weft/core/ready.hpp"
#include "weft/core/ipc/errors.hpp"

namespace weft::test {

StandinAppd::StandinAppd(std::vector<App> installed, std::vector<Session> running)
    : installed_(std::move(installed)), running_(std::move(running)), token_(ready::random_token()) {}

StandinAppd::~StandinAppd() {
  for (auto& c : connections_) {
    c.on_message.disconnect();
    if (soup_websocket_connection_get_state(c.socket.get()) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(c.socket.get(), 1001, nullptr);
  }
  if (server_) soup_server_disconnect(server_.get());
}

Result<void> StandinAppd::start(const std::string& weft_runtime_dir) {
  server_.reset(soup_server_new(nullptr, nullptr));
  soup_server_add_websocket_handler(server_.get(), nullptr, nullptr, nullptr, &StandinAppd::on_websocket, this, nullptr);
  GError* raw = nullptr;
  glib::Ptr<GInetAddress> loopback(g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4));
  glib::Ptr<GSocketAddress> address(g_inet_socket_address_new(loopback.get(), 0));
  gboolean listening =
      soup_server_listen(server_.get(), address.get(), static_cast<SoupServerListenOptions>(0), &raw);
  glib::ErrorPtr error(raw);
  if (!listening)
    return fail("stand-in appd: cannot listen on 127.0.0.1: " + std::string(error ? error->message : "unknown"));
  GSList* uris = soup_server_get_uris(server_.get());
  port_ = uris ? static_cast<uint16_t>(g_uri_get_port(static_cast<GUri*>(uris->data))) : 0;
  g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
  WEFT_TRY_VOID(write_file_atomic(weft_runtime_dir + "/appd.wsport", std::to_string(port_)));
  WEFT_TRY_VOID(write_file_atomic(weft_runtime_dir + "/appd.systoken", token_));
  return ok();
}

void StandinAppd::on_websocket(SoupServer*, SoupServerMessage*, const char*, SoupWebsocketConnection* connection,
                               gpointer data) {
  auto* self = static_cast<StandinAppd*>(data);
  self->connections_.push_back(
      {glib::ref(connection),
       glib::connect(connection, "message",
                     G_CALLBACK(+[](SoupWebsocketConnection* c, gint type, GBytes* message, gpointer d) {
                       if (type != SOUP_WEBSOCKET_DATA_TEXT) return;  // binary frames are ignored (spec §3.2)
                       gsize size = 0;
                       auto* bytes = static_cast<const char*>(g_bytes_get_data(message, &size));
                       static_cast<StandinAppd*>(d)->on_text(c, std::string(bytes, size));
                     }),
                     self)});
}

void StandinAppd::on_text(SoupWebsocketConnection* connection, const std::string& text) {
  auto send = [connection](const nlohmann::json& reply) {
    soup_websocket_connection_send_text(connection, reply.dump().c_str());
  };
  nlohmann::json message = nlohmann::json::parse(text, nullptr, false);
  if (message.is_discarded() || !message.is_object()) return;
  bool authenticated = std::find(authenticated_connections_.begin(), authenticated_connections_.end(), connection) !=
                       authenticated_connections_.end();
  std::string type = message.value("type", "");
  if (!authenticated) {
    if (type == "HELLO" && message.value("role", "") == "system" && message.value("token", "") == token_) {
      authenticated_connections_.push_back(connection);
      ++authenticated_;
      return;
    }
    send({{"type", "ERROR"}, {"code", 401}, {"message", std::string(ipc::error_message::kAuthenticationRequired)}});
    soup_websocket_connection_close(connection, 1008, nullptr);
    return;
  }
  requests_.push_back(message);
  if (type == "QUERY_RUNNING") {
    nlohmann::json sessions = nlohmann::json::array();
    for (const auto& s : running_) sessions.push_back({{"session_id", s.session_id}, {"app_id", s.app_id}});
    send({{"type", "RUNNING_APPS"}, {"sessions", sessions}});
  } else if (type == "QUERY_INSTALLED_APPS") {
    nlohmann::json apps = nlohmann::json::array();
    for (const auto& a : installed_) apps.push_back({{"app_id", a.app_id}, {"name", a.name}, {"version", a.version}});
    send({{"type", "INSTALLED_APPS"}, {"apps", apps}});
  }
}

void StandinAppd::broadcast(const nlohmann::json& message) {
  for (auto* c : authenticated_connections_)
    if (soup_websocket_connection_get_state(c) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_send_text(c, message.dump().c_str());
}

}  // namespace weft::test
