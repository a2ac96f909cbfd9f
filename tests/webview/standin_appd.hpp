#pragma once
// A STAND-IN for weft-appd's WebSocket API (spec §3.2), for web host tests only until the real appd exists: a libsoup-3
// WebSocket server on 127.0.0.1 that checks the system HELLO, answers QUERY_RUNNING / QUERY_INSTALLED_APPS from fixed
// lists and records every other request so tests can assert what the shell sent. It runs on the default GLib context.

#include <libsoup/soup.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "weft/core/glib.hpp"
#include "weft/core/result.hpp"

namespace weft::test {

class StandinAppd {
 public:
  struct Session {
    uint64_t session_id;
    std::string app_id;
  };
  struct App {
    std::string app_id, name, version;
  };

  StandinAppd(std::vector<App> installed, std::vector<Session> running);
  ~StandinAppd();
  StandinAppd(const StandinAppd&) = delete;
  StandinAppd& operator=(const StandinAppd&) = delete;

  /// Listens on 127.0.0.1:0 and writes `appd.wsport` and `appd.systoken` into `weft_runtime_dir`.
  [[nodiscard]] Result<void> start(const std::string& weft_runtime_dir);
  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] const std::string& token() const { return token_; }

  /// Requests received after a successful HELLO (HELLO itself excluded), in order.
  [[nodiscard]] const std::vector<nlohmann::json>& requests() const { return requests_; }
  [[nodiscard]] int authenticated_connections() const { return authenticated_; }
  /// Sends one JSON message to every authenticated connection (e.g. APP_READY).
  void broadcast(const nlohmann::json& message);

 private:
  static void on_websocket(SoupServer*, SoupServerMessage*, const char*, SoupWebsocketConnection*, gpointer self);
  void on_text(SoupWebsocketConnection* connection, const std::string& text);

  std::vector<App> installed_;
  std::vector<Session> running_;
  struct Connection {
    glib::Ptr<SoupWebsocketConnection> socket;
    glib::SignalConnection on_message;
  };
  glib::Ptr<SoupServer> server_;
  std::vector<Connection> connections_;
  std::vector<SoupWebsocketConnection*> authenticated_connections_;
  std::vector<nlohmann::json> requests_;
  std::string token_;
  uint16_t port_ = 0;
  int authenticated_ = 0;
};

}  // namespace weft::test
