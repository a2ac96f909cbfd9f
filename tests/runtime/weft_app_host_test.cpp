// weft:app host functions called directly (no guest): IPC framing and limits, readiness, fetch grant strings.

#include <gtest/gtest.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "weft/core/app_errors.hpp"
#include "weft/runtime/cli_options.hpp"
#include "weft/runtime/weft_app_host.hpp"

namespace app_error = weft::app_error;  // spec error strings

namespace weft::runtime {
namespace {

class IpcHost : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pair = unix_socket_pair().value();
    peer = std::move(pair.second);
    host = std::make_unique<WeftAppHost>(WeftAppConfig{"org.weft.test", {}, std::move(pair.first)});
    host->install(registry);
  }
  Val call(const char* iface, const char* fn, std::vector<Val> args = {}) {
    auto r = registry.find(iface)->functions.at(fn).call(args);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : Val{};
  }
  Val send(std::string payload) { return call("weft:app/ipc@0.1.0", "send", {Val::string(std::move(payload))}); }
  Val recv() { return call("weft:app/ipc@0.1.0", "recv"); }
  std::string peer_reads() {
    std::string out(200000, '\0');
    ssize_t n = ::recv(peer.get(), out.data(), out.size(), MSG_DONTWAIT);
    out.resize(n > 0 ? size_t(n) : 0);
    return out;
  }

  HostRegistry registry;
  UniqueFd peer;
  std::unique_ptr<WeftAppHost> host;
};

TEST_F(IpcHost, SendWritesOneLineAndEnforcesTheSizeAndLineBreakRules) {
  EXPECT_EQ(send("hello").index, 0u);
  EXPECT_EQ(peer_reads(), "hello\n");
  EXPECT_EQ(send(std::string(65536, 'a')).index, 0u);
  EXPECT_EQ(peer_reads().size(), 65537u);
  Val too_big = send(std::string(65537, 'a'));
  EXPECT_EQ(too_big.index, 1u);
  EXPECT_EQ(too_big.items[0].str, app_error::kIpcMessageTooLong);
  EXPECT_EQ(send("a\rb").items[0].str, app_error::kIpcLineBreak);
  EXPECT_EQ(send("a\nb").items[0].str, app_error::kIpcLineBreak);
  EXPECT_EQ(peer_reads(), "");
}

TEST(IpcHostSend, ARelayThatStopsReadingCostsTheSenderABoundedWaitAndClosesTheConnection) {
  auto pair = unix_socket_pair().value();
  UniqueFd relay = std::move(pair.second);  // never reads
  WeftAppConfig config{"org.weft.test", {}, std::move(pair.first)};
  config.ipc_send_limit = std::chrono::milliseconds(200);
  WeftAppHost host(std::move(config));
  HostRegistry registry;
  host.install(registry);
  auto& send = registry.find("weft:app/ipc@0.1.0")->functions.at("send").call;
  Val last;
  // The socket buffers a few hundred KiB; 200 messages of 64 KiB are far more than it can hold.
  int sent = 0;
  for (; sent < 200; ++sent) {
    std::vector<Val> args{Val::string(std::string(65536, 'm'))};
    auto r = send(args);
    ASSERT_TRUE(r.ok()) << r.error().message;
    last = *r;
    if (last.index != 0) break;
  }
  ASSERT_EQ(last.index, 1u) << "all 200 messages went into a socket nobody reads";
  EXPECT_EQ(last.items[0].str, app_error::kIpcClosed);
  std::vector<Val> args{Val::string("after")};
  EXPECT_EQ(send(args)->items[0].str, app_error::kIpcClosed) << "a half-sent line leaves the stream broken for good";
}

TEST_F(IpcHost, RecvReturnsOnlyCompleteLinesAndNeverBlocks) {
  EXPECT_EQ(recv().index, 0u);  // nothing yet, and no blocking
  ASSERT_TRUE(write_all(peer.get(), std::string_view("first\nsec")).ok());
  Val first = recv();
  ASSERT_EQ(first.index, 1u);
  EXPECT_EQ(first.items[0].str, "first");
  EXPECT_EQ(recv().index, 0u);  // "sec" is not a complete line
  ASSERT_TRUE(write_all(peer.get(), std::string_view("ond\n")).ok());
  EXPECT_EQ(recv().items[0].str, "second");
}

TEST_F(IpcHost, RecvReadsAheadAtMostOneMessageFromTheRelay) {
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += std::string(999, 'x') + "\n";  // 100 000 bytes, within the socket buffer
  ASSERT_TRUE(write_all(peer.get(), lines).ok());
  ASSERT_EQ(recv().index, 1u);
  int unread = 0;  // bytes the host has not taken from the socket yet
  ASSERT_EQ(::ioctl(peer.get(), SIOCOUTQ, &unread), 0);
  EXPECT_GT(unread, 100000 - 65536 - 16384) << "the host buffered everything the relay sent";
  for (int i = 1; i < 100; ++i) ASSERT_EQ(recv().index, 1u) << "line " << i;
  EXPECT_EQ(recv().index, 0u);
}

TEST_F(IpcHost, AnOverlongIncomingLineEndsTheConnection) {
  ASSERT_TRUE(write_all(peer.get(), std::string(70000, 'x')).ok());
  EXPECT_EQ(recv().index, 0u);
  EXPECT_EQ(send("after").items[0].str, app_error::kIpcClosed);
}

TEST_F(IpcHost, ARelayThatClosedAnswersIpcConnectionClosed) {
  ASSERT_TRUE(write_all(peer.get(), std::string_view("last\n")).ok());
  peer.reset();
  EXPECT_EQ(recv().items[0].str, "last");  // lines that arrived before the close are still delivered
  EXPECT_EQ(recv().index, 0u);
  EXPECT_EQ(send("x").items[0].str, app_error::kIpcClosed);
}

TEST(IpcHostWithoutSocket, SendAnswersIpcNotConnected) {
  HostRegistry registry;
  WeftAppHost host(WeftAppConfig{"org.weft.test", {}, {}});
  host.install(registry);
  std::vector<Val> args = {Val::string("x")};
  auto r = registry.find("weft:app/ipc@0.1.3")->functions.at("send").call(args);  // 0.1.x binds semver-compatibly
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items[0].str, app_error::kIpcNotConnected);
}

TEST(IpcHostWithoutSocket, RecvAnswersNoneOnEveryCallAndSendStillAnswersNotConnected) {
  HostRegistry registry;
  WeftAppHost host(WeftAppConfig{"org.weft.test", {}, {}});
  host.install(registry);
  const HostInterface* ipc = registry.find("weft:app/ipc@0.1.0");
  ASSERT_TRUE(ipc);
  for (int i = 0; i < 3; ++i) {  // the inline empty poll: nothing to drain, nothing buffered
    std::vector<Val> none;
    auto r = ipc->functions.at("recv").call(none);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->index, 0u);
  }
  std::vector<Val> args = {Val::string("x")};
  auto sent = ipc->functions.at("send").call(args);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->items[0].str, app_error::kIpcNotConnected);
}

TEST(FetchGrants, RefusalsNameTheCapabilityAsTheSpecSays) {
  auto grant = [](const char* text) { return parse_grant(text).value(); };
  EXPECT_EQ(fetch_refusal({}, "example.com"), app_error::not_granted("net:fetch"));
  EXPECT_EQ(fetch_refusal({grant("net:fetch:weft.org")}, "example.com"),
            app_error::not_granted("net:fetch:example.com"));
  EXPECT_EQ(fetch_refusal({grant("net:fetch:example.com")}, "example.com"), "");
  EXPECT_EQ(fetch_refusal({grant("net:fetch:*")}, "anything.example"), "");
  EXPECT_EQ(fetch_refusal({grant("sys:notifications")}, "example.com"), app_error::not_granted("net:fetch"));
}

TEST(FetchPolicy, SchemesMethodsAndHeadersAreCheckedBeforeAnyConnection) {
  std::vector<Capability> any = {parse_grant("net:fetch:*").value()};
  auto err = [&](const std::string& url, const std::string& method,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto r = http_request(any, url, method, headers, std::nullopt);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  EXPECT_EQ(err("ftp://example.com/", "GET"), app_error::unsupported_scheme("ftp"));
  EXPECT_EQ(err("http://example.com/", "TRACE"), app_error::unsupported_method("TRACE"));
  EXPECT_EQ(err("http://example.com/", "GET", {{"Proxy-Authorization", "x"}}),
            app_error::header_set_by_runtime("Proxy-Authorization"));
  EXPECT_EQ(err("http://example.com/", "GET", {{"Transfer-Encoding", "chunked"}}),
            app_error::header_set_by_runtime("Transfer-Encoding"));
  EXPECT_EQ(err("http://example.com/", "GET", {{"X-Bad", "a\r\nInjected: 1"}}), app_error::invalid_header("X-Bad"));
  EXPECT_EQ(err("http://example.com/", "GET", {{"bad name", "1"}}), app_error::invalid_header("bad name"));
  EXPECT_EQ(err("http://10.0.0.1/", "GET"), "'10.0.0.1' has no public address (loopback, private and reserved ranges are refused)");
  EXPECT_EQ(err("http://[::1]/", "GET"), "'::1' has no public address (loopback, private and reserved ranges are refused)");
  std::vector<Capability> host_only = {parse_grant("net:fetch:example.com").value()};
  auto v6 = http_request(host_only, "http://[2001:db8::1]/", "GET", {}, std::nullopt);
  EXPECT_EQ(v6.error().message, app_error::not_granted("net:fetch:2001:db8::1"));
}

TEST(ReadyHost, OnlyTheFirstReadyCallWritesTheLine) {
  auto pipe = make_pipe().value();
  ::setenv("WEFT_READY_TOKEN", "0123456789abcdef0123456789abcdef", 1);
  ::setenv("WEFT_READY_FD", std::to_string(pipe.second.get()).c_str(), 1);
  HostRegistry registry;
  WeftAppHost host(WeftAppConfig{"org.weft.test", {}, {}});
  host.install(registry);
  std::vector<Val> none;
  auto& ready = registry.find("weft:app/notify@0.1.0")->functions.at("ready").call;
  ASSERT_TRUE(ready(none).ok());
  (void)pipe.second.release();  // the host closed it
  ASSERT_TRUE(ready(none).ok());
  std::string got(100, '\0');
  ssize_t n = ::read(pipe.first.get(), got.data(), got.size());
  got.resize(n > 0 ? size_t(n) : 0);
  EXPECT_EQ(got, "READY 0123456789abcdef0123456789abcdef\n");
  ::unsetenv("WEFT_READY_FD");
  ::unsetenv("WEFT_READY_TOKEN");
}

}  // namespace
}  // namespace weft::runtime
