// appd's Unix socket API (§3.1) over a real socket: framing, 400 answers, request order, limits, peer uid.
// The supervisor is replaced by StandinHandler (the real one is built alongside; these tests are about the transport).

#include <glib.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

#include "unix_api.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/ipc/frame.hpp"
#include "weft/core/ipc/errors.hpp"
#include "weft/test/main_loop.hpp"
#include "weft/test/temp_dir.hpp"

namespace says = weft::ipc::error_message;  // spec error strings

namespace weft::appd {
namespace {

using namespace std::chrono_literals;

/// Stand-in for the supervisor: records requests, answers at once, except ACTIVATE_APP which it keeps (weakly) to
/// answer later, as the real one does while it waits for the compositor.
class StandinHandler : public RequestHandler {
 public:
  void handle_request(const std::shared_ptr<ApiClient>& client, msg::Message request) override {
    requests.push_back(request);
    if (std::holds_alternative<msg::ActivateApp>(request)) {
      deferred.push_back(client);
    } else if (auto* launch = std::get_if<msg::LaunchApp>(&request)) {
      client->send(msg::LaunchAck{7, launch->app_id});
    } else if (std::holds_alternative<msg::QueryRunning>(request)) {
      client->send(msg::RunningApps{{{7, "org.x.y"}}});
    } else if (std::holds_alternative<msg::QueryInstalledApps>(request)) {
      client->send(installed);
    } else {
      client->send(msg::ErrorReply{404, "not handled by the stand-in"});
    }
  }
  std::vector<msg::Message> requests;
  std::vector<std::weak_ptr<ApiClient>> deferred;
  msg::InstalledApps installed;
};

using weft::test::pump_until;

class UnixApiTest : public ::testing::Test {
 protected:
  void SetUp() override { path_ = dir_ / "appd.sock"; }
  void TearDown() override { server_.reset(); }
  void start(UnixApiServer::Limits limits = {}) {
    auto server = UnixApiServer::listen(path_, handler_, limits);
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(server).value();
  }
  UniqueFd connect() {
    auto fd = connect_unix(path_);
    EXPECT_TRUE(fd.ok()) << fd.error().message;
    pump_until([&] { return false; }, 20ms);  // let the server accept
    return fd ? std::move(fd).value() : UniqueFd();
  }
  static void send_body(int fd, const std::vector<uint8_t>& body) {
    auto frame = ipc::encode_frame(body);
    ASSERT_TRUE(frame.ok());
    ASSERT_TRUE(write_all(fd, *frame).ok());
  }
  /// Reads one response body while the server runs; nullopt on EOF or timeout (`eof` tells which).
  std::optional<std::vector<uint8_t>> read_body(int fd, std::chrono::milliseconds timeout = 3s, bool* eof = nullptr) {
    std::optional<std::vector<uint8_t>> body;
    bool closed = false;
    pump_until(
        [&] {
          auto next = decoders_[fd].next();
          if (next.ok() && *next) {
            body = std::move(**next);
            return true;
          }
          pollfd pfd{fd, POLLIN, 0};
          if (::poll(&pfd, 1, 0) > 0) {
            uint8_t buf[65536];
            const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN)) {
              closed = true;
              return true;
            }
            if (n > 0) decoders_[fd].feed(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
          }
          return false;
        },
        timeout);
    if (eof) *eof = closed;
    return body;
  }
  msg::Message read_message(int fd) {
    auto body = read_body(fd);
    EXPECT_TRUE(body.has_value()) << "expected a response, got none (EOF or timeout)";
    if (!body) return msg::ErrorReply{0, "no response"};
    auto decoded = msg::from_msgpack(*body);
    EXPECT_TRUE(decoded.ok()) << decoded.error().message;
    return decoded ? *decoded : msg::Message(msg::ErrorReply{0, "undecodable"});
  }

  weft::test::TempDir dir_{"appd-unix"};
  std::string path_;
  StandinHandler handler_;
  std::unique_ptr<UnixApiServer> server_;
  std::map<int, ipc::FrameDecoder> decoders_;
};

TEST_F(UnixApiTest, TheSocketIsOwnerOnly) {
  start();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(UnixApiTest, MapAndPositionalArrayRequestsBothDecode) {
  start();
  UniqueFd fd = connect();
  send_body(fd.get(), msg::to_msgpack_map(msg::LaunchApp{"org.x.y", 0}));
  send_body(fd.get(), msg::to_msgpack_array(msg::LaunchApp{"org.x.z", 3}));
  EXPECT_EQ(read_message(fd.get()), msg::Message(msg::LaunchAck{7, "org.x.y"}));
  EXPECT_EQ(read_message(fd.get()), msg::Message(msg::LaunchAck{7, "org.x.z"}));
  ASSERT_EQ(handler_.requests.size(), 2u);
  EXPECT_EQ(handler_.requests[0], msg::Message(msg::LaunchApp{"org.x.y", 0}));
  EXPECT_EQ(handler_.requests[1], msg::Message(msg::LaunchApp{"org.x.z", 3}));
}

TEST_F(UnixApiTest, ResponsesAreEncodedAsPositionalArrays) {
  start();
  UniqueFd fd = connect();
  send_body(fd.get(), msg::to_msgpack_map(msg::QueryRunning{}));
  auto body = read_body(fd.get());
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(*body, msg::to_msgpack_array(msg::RunningApps{{{7, "org.x.y"}}}))
      << "expected [\"RUNNING_APPS\",[[7,\"org.x.y\"]]]";
}

TEST_F(UnixApiTest, AGarbageFrameIsAnswered400AndTheConnectionStays) {
  start();
  UniqueFd fd = connect();
  send_body(fd.get(), {0xc1, 0x00, 0x17});  // 0xc1 is never used in MessagePack
  auto reply = read_message(fd.get());
  auto* error = std::get_if<msg::ErrorReply>(&reply);
  ASSERT_NE(error, nullptr) << "expected ERROR, got " << msg::type_name(reply);
  EXPECT_EQ(error->code, 400u);
  EXPECT_EQ(error->message.rfind(says::kBadRequestPrefix, 0), 0u) << error->message;
  EXPECT_TRUE(handler_.requests.empty());

  send_body(fd.get(), msg::to_msgpack_array(msg::QueryRunning{}));
  EXPECT_EQ(read_message(fd.get()), msg::Message(msg::RunningApps{{{7, "org.x.y"}}}));
  EXPECT_EQ(server_->client_count(), 1u);
}

TEST_F(UnixApiTest, AResponseTypeSentAsARequestIsAnswered400) {
  start();
  UniqueFd fd = connect();
  send_body(fd.get(), msg::to_msgpack_array(msg::LaunchAck{1, "org.x.y"}));
  EXPECT_EQ(read_message(fd.get()), msg::Message(msg::ErrorReply{400, says::bad_request("LAUNCH_ACK is not a request")}));
  EXPECT_TRUE(handler_.requests.empty());
}

TEST_F(UnixApiTest, AFrameOverFourMiBClosesTheConnection) {
  start();
  UniqueFd fd = connect();
  const uint32_t length = (4u << 20) + 1;  // little-endian prefix, no body needed: the prefix alone is refused
  const uint8_t prefix[4] = {uint8_t(length), uint8_t(length >> 8), uint8_t(length >> 16), uint8_t(length >> 24)};
  ASSERT_TRUE(write_all(fd.get(), std::span<const uint8_t>(prefix, 4)).ok());
  bool eof = false;
  auto body = read_body(fd.get(), 3s, &eof);
  EXPECT_FALSE(body.has_value());
  EXPECT_TRUE(eof) << "expected the server to close the connection";
  EXPECT_TRUE(pump_until([&] { return server_->client_count() == 0; }));
}

TEST_F(UnixApiTest, ALaterAnswerDoesNotOvertakeAnEarlierDeferredOne) {
  start();
  UniqueFd fd = connect();
  send_body(fd.get(), msg::to_msgpack_map(msg::ActivateApp{5}));
  send_body(fd.get(), msg::to_msgpack_map(msg::QueryRunning{}));
  ASSERT_TRUE(pump_until([&] { return handler_.requests.size() == 2; }));
  auto early = read_body(fd.get(), 200ms);
  EXPECT_FALSE(early.has_value()) << "QUERY_RUNNING's answer must wait for ACTIVATE_APP's";

  ASSERT_EQ(handler_.deferred.size(), 1u);
  auto client = handler_.deferred[0].lock();
  ASSERT_NE(client, nullptr) << "the connection keeps an unanswered request's client alive";
  EXPECT_FALSE(client->receives_broadcasts());
  EXPECT_TRUE(client->may_forward_ipc());
  client->send(msg::AppState{5, "running"});
  EXPECT_EQ(read_message(fd.get()), msg::Message(msg::AppState{5, "running"}));
  EXPECT_EQ(read_message(fd.get()), msg::Message(msg::RunningApps{{{7, "org.x.y"}}}));
}

TEST_F(UnixApiTest, ADeferredClientExpiresWhenTheConnectionCloses) {
  start();
  UniqueFd fd = connect();
  send_body(fd.get(), msg::to_msgpack_map(msg::ActivateApp{5}));
  ASSERT_TRUE(pump_until([&] { return handler_.deferred.size() == 1; }));
  fd.reset();
  EXPECT_TRUE(pump_until([&] { return handler_.deferred[0].expired(); }))
      << "the handler's weak reference must expire with the connection";
}

TEST_F(UnixApiTest, AClientThatNeverReadsIsClosedWhenItsQueueOverflowsWhileOthersAreServed) {
  // Small byte bound so the test is quick; the kernel buffer absorbs the first ~200 KiB.
  start(UnixApiServer::Limits{256 * 1024, 256});
  for (int i = 0; i < 100; ++i)
    handler_.installed.apps.push_back({"org.example.app" + std::to_string(i), std::string(900, 'n'), "1.0"});
  UniqueFd stuck = connect();
  UniqueFd good = connect();
  ASSERT_EQ(server_->client_count(), 2u);
  const int receive_buffer = 4096;  // bytes; keeps the kernel's share small
  ::setsockopt(stuck.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  for (int i = 0; i < 60; ++i) send_body(stuck.get(), msg::to_msgpack_array(msg::QueryInstalledApps{}));
  EXPECT_TRUE(pump_until([&] { return server_->client_count() == 1; }, 5s))
      << "the client that never reads should have been closed";

  send_body(good.get(), msg::to_msgpack_array(msg::QueryRunning{}));
  EXPECT_EQ(read_message(good.get()), msg::Message(msg::RunningApps{{{7, "org.x.y"}}}));
}

TEST_F(UnixApiTest, APeerOfAnotherUidIsRefused) {
  if (::getuid() != 0)
    GTEST_SKIP() << "connecting as another uid needs root (setuid in a child); as uid " << ::getuid()
                 << " the refusal path cannot be reached";
  start();
  // Let uid 65534 reach the socket, so only the SO_PEERCRED check can refuse it.
  ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(path_.c_str(), 0666), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGPIPE, SIG_IGN);  // the server may close before the request is written
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    auto fd = connect_unix(path_);
    if (!fd) ::_exit(4);
    auto frame = ipc::encode_frame(msg::to_msgpack_map(msg::QueryRunning{}));
    (void)write_all(fd->get(), *frame);
    pollfd pfd{fd->get(), POLLIN, 0};
    if (::poll(&pfd, 1, 3000) <= 0) ::_exit(5);  // neither closed nor answered
    uint8_t byte;
    ::_exit(::recv(fd->get(), &byte, 1, 0) <= 0 ? 0 : 6);  // EOF or reset: closed without an answer
  }
  int status = 0;
  ASSERT_TRUE(pump_until([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 5s));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1..6: 3/4 setup failed, 5 no close, 6 got an answer";
  EXPECT_TRUE(handler_.requests.empty());
}

TEST_F(UnixApiTest, DestroyingTheServerRemovesTheSocketFile) {
  start();
  UniqueFd fd = connect();
  server_.reset();
  EXPECT_FALSE(std::filesystem::exists(path_));
  bool eof = false;
  (void)read_body(fd.get(), 1s, &eof);
  EXPECT_TRUE(eof);
}

}  // namespace
}  // namespace weft::appd
