// appd's WebSocket API (§3.2) with real libsoup clients (and a raw TCP client where a client must misbehave at the
// byte level: never upgrading, never reading). The supervisor is replaced by StandinSupervisor (request handler and
// app-role broker), because these tests are about the transport: HELLO, roles, limits, queues.

#include <arpa/inet.h>
#include <glib.h>
#include <gtest/gtest.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>

#include "websocket_api.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/ipc/errors.hpp"
#include "weft/test/main_loop.hpp"

namespace says = weft::ipc::error_message;  // spec error strings

namespace weft::appd {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kSystemToken = "0123456789abcdef0123456789abcdef";
constexpr const char* kBridgeToken = "fedcba9876543210fedcba9876543210";
constexpr uint64_t kSession = 9;

using weft::test::pump_for;
using weft::test::pump_until;

/// Stand-in for the supervisor: records requests and page payloads, answers at once; session kSession accepts one
/// bridge with kBridgeToken.
class StandinSupervisor : public RequestHandler, public AppRoleBroker {
 public:
  void handle_request(const std::shared_ptr<ApiClient>& client, msg::Message request) override {
    requests.push_back(request);
    last_client = client;
    if (std::holds_alternative<msg::QueryRunning>(request)) client->send(msg::RunningApps{{{kSession, "org.x.y"}}});
    else client->send(msg::ErrorReply{404, "not handled by the stand-in"});
  }
  Result<void> attach_app_bridge(uint64_t session_id, std::string_view token,
                                 const std::shared_ptr<AppBridgePeer>& peer) override {
    if (session_id != kSession || !tokens_equal(token, kBridgeToken)) return fail(std::string(says::kAuthenticationRequired), 401);
    if (bridge.lock()) return fail(std::string(says::kBridgeAlreadyConnected), 409);
    bridge = peer;
    return ok();
  }
  void app_message_from_page(uint64_t session_id, std::string payload) override {
    page_messages.emplace_back(session_id, std::move(payload));
  }
  void detach_app_bridge(uint64_t session_id, const AppBridgePeer* peer) override {
    detached.emplace_back(session_id, peer);
    if (bridge.lock().get() == peer) bridge.reset();
  }

  std::vector<msg::Message> requests;
  std::weak_ptr<ApiClient> last_client;
  std::weak_ptr<AppBridgePeer> bridge;
  std::vector<std::pair<uint64_t, std::string>> page_messages;
  std::vector<std::pair<uint64_t, const AppBridgePeer*>> detached;
};

/// A real libsoup WebSocket client on the default context.
class Client {
 public:
  explicit Client(uint16_t port) : session_(soup_session_new()) {
    const std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/any/path";
    glib::Ptr<SoupMessage> message(soup_message_new("GET", url.c_str()));
    soup_session_websocket_connect_async(session_.get(), message.get(), nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr,
                                         &Client::on_connected, this);
    pump_until([&] { return connected_ || failed_; });
  }
  ~Client() {
    message_.disconnect();
    closed_.disconnect();
    if (ws_ && soup_websocket_connection_get_state(ws_.get()) == SOUP_WEBSOCKET_STATE_OPEN)
      soup_websocket_connection_close(ws_.get(), SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
    pump_for(10ms);
  }
  [[nodiscard]] bool connected() const { return connected_; }
  [[nodiscard]] bool closed() const { return is_closed_; }
  void send(const json& value) { send_text(value.dump()); }
  void send_text(const std::string& text) { soup_websocket_connection_send_text(ws_.get(), text.c_str()); }
  void send_binary(const std::string& bytes) {
    soup_websocket_connection_send_binary(ws_.get(), bytes.data(), bytes.size());
  }
  void hello_system(const std::string& token = kSystemToken) {
    send({{"type", "HELLO"}, {"role", "system"}, {"token", token}});
  }
  void hello_app(uint64_t session_id, const std::string& token = kBridgeToken) {
    send({{"type", "HELLO"}, {"role", "app"}, {"session_id", session_id}, {"token", token}});
  }
  /// The next text message as JSON, or null after `timeout`.
  json next(std::chrono::milliseconds timeout = 3s) {
    if (!pump_until([&] { return !inbox_.empty(); }, timeout)) return nullptr;
    json value = json::parse(inbox_.front());
    inbox_.erase(inbox_.begin());
    return value;
  }
  bool wait_closed(std::chrono::milliseconds timeout = 3s) { return pump_until([&] { return is_closed_; }, timeout); }

 private:
  static void on_connected(GObject* source, GAsyncResult* result, gpointer data) {
    auto* self = static_cast<Client*>(data);
    GError* error = nullptr;
    SoupWebsocketConnection* ws = soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
    if (!ws) {
      glib::ErrorPtr owned(error);
      self->failed_ = true;
      return;
    }
    self->ws_.reset(ws);
    soup_websocket_connection_set_max_incoming_payload_size(ws, 16u << 20);
    self->message_ = glib::connect(ws, "message", G_CALLBACK(&Client::on_message), self);
    self->closed_ = glib::connect(ws, "closed", G_CALLBACK(&Client::on_closed), self);
    self->connected_ = true;
  }
  static void on_message(SoupWebsocketConnection*, gint type, GBytes* bytes, gpointer data) {
    if (type != SOUP_WEBSOCKET_DATA_TEXT) return;
    gsize size = 0;
    const auto* text = static_cast<const char*>(g_bytes_get_data(bytes, &size));
    static_cast<Client*>(data)->inbox_.emplace_back(text, size);
  }
  static void on_closed(SoupWebsocketConnection*, gpointer data) { static_cast<Client*>(data)->is_closed_ = true; }

  glib::Ptr<SoupSession> session_;
  glib::Ptr<SoupWebsocketConnection> ws_;
  glib::SignalConnection message_;
  glib::SignalConnection closed_;
  std::vector<std::string> inbox_;
  bool connected_ = false;
  bool failed_ = false;
  bool is_closed_ = false;
};

/// A TCP client that speaks WebSocket by hand, so it can stop reading (or never upgrade).
class RawClient {
 public:
  explicit RawClient(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    const int receive_buffer = 4096;  // bytes: the kernel keeps little for a client that never reads
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  [[nodiscard]] bool connected() const { return connected_; }
  /// Sends the upgrade request and reads the 101 response (the server runs meanwhile).
  bool upgrade() {
    const std::string request =
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (!write_all(fd_.get(), request).ok()) return false;
    std::string response;
    pump_until([&] {
      char c;
      while (::recv(fd_.get(), &c, 1, MSG_DONTWAIT) == 1) {
        response.push_back(c);
        if (response.ends_with("\r\n\r\n")) return true;
      }
      return false;
    });
    return response.rfind("HTTP/1.1 101", 0) == 0;
  }
  /// One masked text frame (the mask is zero, so the payload goes as is).
  bool send_text(const std::string& text) { return send_frame(0x81, text); }
  /// One masked frame: `first` is FIN | opcode (0x01 text, 0x00 continuation; 0x80 = FIN).
  bool send_frame(uint8_t first, const std::string& payload) {
    std::string frame(1, static_cast<char>(first));
    if (payload.size() < 126) {
      frame.push_back(static_cast<char>(0x80 | payload.size()));
    } else if (payload.size() <= 0xffff) {
      frame.push_back(static_cast<char>(0x80 | 126));
      for (int shift = 8; shift >= 0; shift -= 8) frame.push_back(static_cast<char>(payload.size() >> shift));
    } else {
      frame.push_back(static_cast<char>(0x80 | 127));
      for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>(uint64_t(payload.size()) >> shift));
    }
    frame.append(4, '\0');
    frame += payload;
    return write_all(fd_.get(), frame).ok();
  }
  /// True once the server closed or reset the connection (reads and discards what arrived).
  bool closed_by_server() {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return true;
      if (n < 0) return false;
    }
  }

 private:
  UniqueFd fd_;
  bool connected_ = false;
};

class WebSocketApiTest : public ::testing::Test {
 protected:
  void start(unsigned hello_timeout_ms = 5000) {
    WebSocketApiServer::Options options;
    options.system_token = kSystemToken;
    options.hello_timeout_ms = hello_timeout_ms;
    auto server = WebSocketApiServer::listen(options, supervisor_, supervisor_);
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server).value();
    ASSERT_NE(server_->port(), 0);
  }
  std::unique_ptr<Client> connect() {
    auto client = std::make_unique<Client>(server_->port());
    EXPECT_TRUE(client->connected()) << "the WebSocket upgrade failed";
    return client;
  }
  std::unique_ptr<Client> system_client() {
    auto client = connect();
    client->hello_system();
    client->send({{"type", "QUERY_RUNNING"}});  // a round trip proves the HELLO was accepted
    EXPECT_EQ(client->next()["type"], "RUNNING_APPS");
    return client;
  }
  static json error(int code, std::string_view message) {
    return {{"type", "ERROR"}, {"code", code}, {"message", std::string(message)}};
  }

  StandinSupervisor supervisor_;
  std::unique_ptr<WebSocketApiServer> server_;
};

TEST_F(WebSocketApiTest, ASystemClientGetsRepliesAsJson) {
  start();
  auto client = connect();
  client->hello_system();
  client->send({{"type", "QUERY_RUNNING"}});
  EXPECT_EQ(client->next(), json::parse(R"({"type":"RUNNING_APPS","sessions":[{"session_id":9,"app_id":"org.x.y"}]})"));
  ASSERT_EQ(supervisor_.requests.size(), 1u);
  auto requester = supervisor_.last_client.lock();
  ASSERT_NE(requester, nullptr);
  EXPECT_TRUE(requester->receives_broadcasts());
  EXPECT_FALSE(requester->may_forward_ipc());
}

TEST_F(WebSocketApiTest, NoHelloWithinTheTimeoutIsAnswered401AndClosed) {
  start(300);  // ms
  auto client = connect();
  EXPECT_EQ(client->next(2s), error(401, says::kAuthenticationRequired));
  EXPECT_TRUE(client->wait_closed());
}

TEST_F(WebSocketApiTest, AConnectionThatNeverUpgradesIsClosedAtTheTimeout) {
  start(300);  // ms
  RawClient raw(server_->port());
  ASSERT_TRUE(raw.connected());
  EXPECT_TRUE(pump_until([&] { return raw.closed_by_server(); }, 2s));
  EXPECT_TRUE(pump_until([&] { return server_->connection_count() == 0; }));
}

TEST_F(WebSocketApiTest, AWrongSystemTokenIsAnswered401AndClosed) {
  start();
  auto client = connect();
  client->hello_system("00000000000000000000000000000000");
  EXPECT_EQ(client->next(), error(401, says::kAuthenticationRequired));
  EXPECT_TRUE(client->wait_closed());
  EXPECT_TRUE(supervisor_.requests.empty());
}

TEST_F(WebSocketApiTest, ARequestBeforeHelloIsAnswered401AndClosed) {
  start();
  auto client = connect();
  client->send({{"type", "QUERY_RUNNING"}});
  EXPECT_EQ(client->next(), error(401, says::kAuthenticationRequired));
  EXPECT_TRUE(client->wait_closed());
  EXPECT_TRUE(supervisor_.requests.empty());
}

TEST_F(WebSocketApiTest, BinaryFramesAreIgnored) {
  start();
  auto client = connect();
  client->send_binary(R"({"type":"HELLO","role":"system","token":"x"})");
  client->hello_system();
  client->send({{"type", "QUERY_RUNNING"}});
  EXPECT_EQ(client->next()["type"], "RUNNING_APPS");
}

TEST_F(WebSocketApiTest, TheSystemRoleMayNotForwardApplicationMessages) {
  start();
  auto client = system_client();
  client->send({{"type", "IPC_FORWARD"}, {"session_id", kSession}, {"payload", "hi"}});
  EXPECT_EQ(client->next(), error(403, says::kAppMessagesNotForSystemRole));
  client->send({{"type", "APP_MESSAGE"}, {"payload", "hi"}});
  EXPECT_EQ(client->next(), error(403, says::kAppMessagesNotForSystemRole));
  EXPECT_EQ(supervisor_.requests.size(), 1u) << "only the QUERY_RUNNING of the HELLO round trip";
  EXPECT_TRUE(supervisor_.page_messages.empty());
}

TEST_F(WebSocketApiTest, MalformedJsonIsIgnoredAndUnknownMessagesAreAnswered400) {
  start();
  auto client = system_client();
  client->send_text("{not json");
  client->send({{"type", "NO_SUCH_THING"}});
  auto reply = client->next();
  EXPECT_EQ(reply["type"], "ERROR") << reply.dump();
  EXPECT_EQ(reply["code"], 400);
  EXPECT_EQ(reply["message"].get<std::string>().rfind(says::kBadRequestPrefix, 0), 0u) << reply.dump();
  client->send({{"type", "QUERY_RUNNING"}});
  EXPECT_EQ(client->next()["type"], "RUNNING_APPS") << "the connection stays after malformed input";
}

TEST_F(WebSocketApiTest, TheAppRoleExchangesAppMessagesWithItsSession) {
  start();
  auto page = connect();
  page->hello_app(kSession);
  ASSERT_TRUE(pump_until([&] { return supervisor_.bridge.lock() != nullptr; })) << "the bridge was not attached";
  page->send({{"type", "APP_MESSAGE"}, {"payload", "{\"op\":\"inc\"}"}});
  ASSERT_TRUE(pump_until([&] { return supervisor_.page_messages.size() == 1; }));
  EXPECT_EQ(supervisor_.page_messages[0], (std::pair<uint64_t, std::string>{kSession, "{\"op\":\"inc\"}"}));

  supervisor_.bridge.lock()->deliver("{\"count\":1}");
  EXPECT_EQ(page->next(), json({{"type", "APP_MESSAGE"}, {"payload", "{\"count\":1}"}}));
}

TEST_F(WebSocketApiTest, TheAppRoleMayNotSendLifecycleRequests) {
  start();
  auto page = connect();
  page->hello_app(kSession);
  page->send({{"type", "LAUNCH_APP"}, {"app_id", "org.x.y"}});
  EXPECT_EQ(page->next(), error(403, says::kNotAllowedForAppRole));
  page->send({{"type", "TERMINATE_APP"}, {"session_id", kSession}});
  EXPECT_EQ(page->next(), error(403, says::kNotAllowedForAppRole));
  EXPECT_TRUE(supervisor_.requests.empty()) << "the handler must not see app-role requests";
  EXPECT_FALSE(page->closed());
}

TEST_F(WebSocketApiTest, AnInvalidPagePayloadIsDroppedWithoutReply) {
  start();
  auto page = connect();
  page->hello_app(kSession);
  page->send({{"type", "APP_MESSAGE"}, {"payload", "two\nlines"}});
  page->send({{"type", "APP_MESSAGE"}, {"payload", std::string(64 * 1024 + 1, 'x')}});
  page->send({{"type", "APP_MESSAGE"}, {"payload", "ok"}});
  ASSERT_TRUE(pump_until([&] { return !supervisor_.page_messages.empty(); }));
  ASSERT_EQ(supervisor_.page_messages.size(), 1u);
  EXPECT_EQ(supervisor_.page_messages[0].second, "ok");
  EXPECT_EQ(page->next(200ms), nullptr) << "dropped payloads get no reply";
}

TEST_F(WebSocketApiTest, AWrongBridgeTokenIsAnswered401AndClosed) {
  start();
  auto page = connect();
  page->hello_app(kSession, "00000000000000000000000000000000");
  EXPECT_EQ(page->next(), error(401, says::kAuthenticationRequired));
  EXPECT_TRUE(page->wait_closed());
}

TEST_F(WebSocketApiTest, ASecondBridgeForASessionIsAnswered409AndClosed) {
  start();
  auto first = connect();
  first->hello_app(kSession);
  ASSERT_TRUE(pump_until([&] { return supervisor_.bridge.lock() != nullptr; }));
  auto second = connect();
  second->hello_app(kSession);
  EXPECT_EQ(second->next(), error(409, says::kBridgeAlreadyConnected));
  EXPECT_TRUE(second->wait_closed());
  EXPECT_FALSE(first->closed());
}

TEST_F(WebSocketApiTest, TheBridgeClosesWhenTheSessionStopsAndDetachesWhenThePageLeaves) {
  start();
  auto page = connect();
  page->hello_app(kSession);
  ASSERT_TRUE(pump_until([&] { return supervisor_.bridge.lock() != nullptr; }));
  supervisor_.bridge.lock()->close();  // the session stopped
  EXPECT_TRUE(page->wait_closed());
  EXPECT_TRUE(supervisor_.detached.empty()) << "the broker closed it itself: no detach callback";

  auto again = connect();
  supervisor_.bridge.reset();
  again->hello_app(kSession);
  ASSERT_TRUE(pump_until([&] { return supervisor_.bridge.lock() != nullptr; }));
  again.reset();  // the page goes away
  EXPECT_TRUE(pump_until([&] { return supervisor_.detached.size() == 1; }));
  EXPECT_EQ(supervisor_.detached[0].first, kSession);
}

TEST_F(WebSocketApiTest, BroadcastsReachSystemClientsOnlyAndSkipTheOrigin) {
  start();
  auto requester = system_client();
  auto other = system_client();
  auto page = connect();
  page->hello_app(kSession);
  ASSERT_TRUE(pump_until([&] { return supervisor_.bridge.lock() != nullptr; }));
  auto origin = supervisor_.last_client.lock();  // `other`, the last to send a request
  ASSERT_NE(origin, nullptr);
  server_->broadcast(msg::AppState{kSession, "running"}, origin.get());
  const json expected = {{"type", "APP_STATE"}, {"session_id", kSession}, {"state", "running"}};
  EXPECT_EQ(requester->next(), expected);
  EXPECT_EQ(other->next(200ms), nullptr) << "the origin got it as its reply already";
  EXPECT_EQ(page->next(200ms), nullptr) << "the app role never receives broadcasts";
}

TEST_F(WebSocketApiTest, AFrameOverOneMiBClosesTheConnection) {
  start();
  auto client = system_client();
  client->send_text(std::string((1u << 20) + 1, ' '));
  EXPECT_TRUE(client->wait_closed()) << "a 1 MiB + 1 frame must close the connection";
}

TEST_F(WebSocketApiTest, AFragmentedMessageOverOneMiBClosesTheConnection) {
  // Each fragment is under the frame limit; together they exceed the 1 MiB message limit.
  start();
  RawClient raw(server_->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.upgrade());
  ASSERT_TRUE(raw.send_text(R"({"type":"HELLO","role":"system","token":")" + std::string(kSystemToken) + "\"}"));
  const std::string fragment(512 * 1024, ' ');
  ASSERT_TRUE(raw.send_frame(0x01, fragment));  // text, not final
  ASSERT_TRUE(raw.send_frame(0x00, fragment));  // continuation: 1 MiB so far, still allowed
  pump_for(100ms);
  EXPECT_EQ(server_->connection_count(), 1u);
  (void)raw.send_frame(0x00, " ");  // one byte more than 1 MiB
  EXPECT_TRUE(pump_until([&] { return raw.closed_by_server(); })) << "the oversize message must close the connection";
  EXPECT_TRUE(pump_until([&] { return server_->connection_count() == 0; }));
}

TEST_F(WebSocketApiTest, AClientThatNeverReadsIsClosedWhenItsQueueOverflowsWhileOthersAreServed) {
  start();
  auto reader = system_client();
  RawClient stuck(server_->port());
  ASSERT_TRUE(stuck.connected());
  ASSERT_TRUE(stuck.upgrade());
  ASSERT_TRUE(stuck.send_text(R"({"type":"HELLO","role":"system","token":")" + std::string(kSystemToken) + "\"}"));
  ASSERT_TRUE(stuck.send_text(R"({"type":"QUERY_RUNNING"})"));
  ASSERT_TRUE(pump_until([&] { return supervisor_.requests.size() == 2; })) << "the raw client was not authenticated";
  ASSERT_EQ(server_->connection_count(), 2u);

  // Up to 300 broadcasts of ~64 KiB (19 MB): more than the kernel's socket buffers (tcp_wmem allows up to 4 MiB)
  // plus the 4 MiB queue of the stuck client.
  const std::string big(64 * 1024 - 200, 'x');
  int received = 0;
  for (int i = 0; i < 300 && server_->connection_count() == 2; ++i) {
    server_->broadcast(msg::AppState{static_cast<uint64_t>(i), big});
    pump_for(5ms);
    while (reader->next(0ms) != nullptr) ++received;
  }
  EXPECT_TRUE(pump_until([&] { return server_->connection_count() == 1; }, 5s))
      << "the client that never reads should have been closed";
  EXPECT_TRUE(pump_until([&] { return stuck.closed_by_server(); }, 5s));

  reader->send({{"type", "QUERY_RUNNING"}});
  json reply;
  while ((reply = reader->next()) != nullptr && reply["type"] == "APP_STATE") ++received;
  EXPECT_EQ(reply["type"], "RUNNING_APPS") << "the reading client is still served";
  EXPECT_GT(received, 0);
}

}  // namespace
}  // namespace weft::appd
