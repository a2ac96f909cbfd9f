// appd's compositor link (§2.4) against the real weft-compositor (headless, pixman), booted by the compositor tests'
// harness with the link socket at a path the test chooses, so a second compositor can take over the same path.

#include <glib.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wayland-client.h>

#include <chrono>
#include <functional>
#include <optional>

#include "compositor_harness.hpp"
#include "compositor_link.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/ipc/frame.hpp"
#include "weft/test/main_loop.hpp"

#include <msgpack.hpp>

namespace weft::appd {
namespace {

using namespace std::chrono_literals;
namespace comp = ipc::compositor;

using weft::test::pump_until;

class CompositorLinkTest : public ::testing::Test {
 protected:
  void SetUp() override { socket_path_ = dir_.path() + "/compositor.sock"; }

  std::unique_ptr<test::CompositorHarness> start_compositor() {
    auto harness = test::CompositorHarness::start({}, {"WEFT_COMPOSITOR_SOCKET=" + socket_path_});
    EXPECT_TRUE(harness.ok()) << harness.error().message;
    return harness ? std::move(harness).value() : nullptr;
  }
  void start_link(unsigned retry_ms = 2000) {
    CompositorLink::Callbacks callbacks;
    callbacks.on_connected = [this] { ++connects_; };
    callbacks.on_disconnected = [this] { ++disconnects_; };
    callbacks.on_message = [this](const comp::Message& m) { messages_.push_back(m); };
    link_ = std::make_unique<CompositorLink>(CompositorLink::Options{socket_path_, retry_ms}, std::move(callbacks));
    link_->start();
  }
  /// Sends bind_session and returns the app's end of the pair (what weft-app-shell would get as WAYLAND_SOCKET).
  UniqueFd bind(uint64_t session_id, const std::string& app_id) {
    auto pair = unix_socket_pair();
    EXPECT_TRUE(pair.ok());
    auto sent = link_->send(comp::BindSession{session_id, app_id}, std::move(pair->first));
    EXPECT_TRUE(sent.ok()) << sent.error().message;
    return std::move(pair->second);
  }
  /// True when `fd` is a live Wayland connection to the compositor (a roundtrip completes).
  static bool is_wayland_client(UniqueFd fd) {
    wl_display* display = wl_display_connect_to_fd(fd.release());
    if (!display) return false;
    const bool ok = wl_display_roundtrip(display) >= 0;
    wl_display_disconnect(display);
    return ok;
  }
  std::optional<comp::FocusResult> focus_result(uint64_t session_id) {
    for (auto& m : messages_)
      if (auto* r = std::get_if<comp::FocusResult>(&m); r && r->session_id == session_id) return *r;
    return std::nullopt;
  }

  test::TempDir dir_;
  std::string socket_path_;
  std::unique_ptr<CompositorLink> link_;
  int connects_ = 0;
  int disconnects_ = 0;
  std::vector<comp::Message> messages_;
};

TEST_F(CompositorLinkTest, BindSessionHandsTheCompositorAClientTaggedWithTheSession) {
  auto compositor = start_compositor();
  ASSERT_TRUE(compositor);
  start_link();
  ASSERT_TRUE(pump_until([&] { return link_->connected(); })) << "the link did not connect";
  EXPECT_EQ(connects_, 1);
  UniqueFd app_end = bind(11, "org.weft.demo.counter");
  EXPECT_TRUE(pump_until([&] { return compositor->log().find("client bound to session session_id=11 app_id=org.weft.demo.counter") != std::string::npos; }))
      << "compositor log:\n" << compositor->log();
  EXPECT_TRUE(is_wayland_client(std::move(app_end))) << "the app's end of the pair is not a Wayland connection";
}

TEST_F(CompositorLinkTest, BindSessionRightAfterOtherFramesKeepsItsFd) {
  // Stop the compositor so everything sent lands in one read on its side: the fd must still go with bind_session.
  auto compositor = start_compositor();
  ASSERT_TRUE(compositor);
  start_link();
  ASSERT_TRUE(pump_until([&] { return link_->connected(); }));
  ASSERT_TRUE(pump_until([&] { return compositor->log().find("appd connected") != std::string::npos; }));
  compositor->process().signal(SIGSTOP);
  ASSERT_TRUE(link_->send(comp::AppSurfaceCreated{"org.x.y", 12, 4242}).ok());
  UniqueFd app_end = bind(12, "org.x.y");
  pump_until([] { return false; }, 50ms);
  compositor->process().signal(SIGCONT);
  EXPECT_TRUE(pump_until([&] { return compositor->log().find("client bound to session session_id=12 app_id=org.x.y") != std::string::npos; }))
      << "compositor log:\n" << compositor->log();
}

TEST_F(CompositorLinkTest, AFocusRequestForASessionWithoutWindowIsAnsweredFalse) {
  auto compositor = start_compositor();
  ASSERT_TRUE(compositor);
  start_link();
  ASSERT_TRUE(pump_until([&] { return link_->connected(); }));
  UniqueFd app_end = bind(21, "org.x.y");
  ASSERT_TRUE(link_->send(comp::AppFocusRequest{21}).ok());
  ASSERT_TRUE(pump_until([&] { return focus_result(21).has_value(); })) << "no focus_result within 5 s";
  EXPECT_FALSE(focus_result(21)->ok);
}

TEST_F(CompositorLinkTest, SendingWhileDisconnectedFailsWith503AndClosesTheFd) {
  start_link();  // no compositor yet
  pump_until([] { return false; }, 20ms);
  EXPECT_FALSE(link_->connected());
  auto pair = unix_socket_pair();
  ASSERT_TRUE(pair.ok());
  auto sent = link_->send(comp::BindSession{1, "org.x.y"}, std::move(pair->first));
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, 503);
  char byte;
  EXPECT_EQ(::recv(pair->second.get(), &byte, 1, MSG_DONTWAIT), 0) << "appd's end of the pair should be closed";
}

TEST_F(CompositorLinkTest, AnFdIsRequiredByBindSessionAndRefusedElsewhere) {
  start_link();
  auto pair = unix_socket_pair();
  ASSERT_TRUE(pair.ok());
  auto stray = link_->send(comp::CloseSession{1}, std::move(pair->first));
  ASSERT_FALSE(stray.ok());
  EXPECT_EQ(stray.error().code, 500);
  auto missing = link_->send(comp::BindSession{1, "org.x.y"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, 500);
}

TEST_F(CompositorLinkTest, ItConnectsWhenTheCompositorComesUpAndReconnectsAfterARestart) {
  start_link(200);  // ms between attempts, to keep the test short
  pump_until([] { return false; }, 50ms);
  EXPECT_FALSE(link_->connected());
  auto first = start_compositor();
  ASSERT_TRUE(first);
  ASSERT_TRUE(pump_until([&] { return link_->connected(); })) << "no connection after the compositor came up";

  first.reset();  // terminates the compositor
  ASSERT_TRUE(pump_until([&] { return disconnects_ == 1; })) << "the link did not notice the compositor exit";
  EXPECT_FALSE(link_->connected());

  auto second = start_compositor();
  ASSERT_TRUE(second);
  ASSERT_TRUE(pump_until([&] { return connects_ == 2 && link_->connected(); })) << "no reconnection";
  UniqueFd app_end = bind(31, "org.x.y");
  ASSERT_TRUE(link_->send(comp::AppFocusRequest{31}).ok());
  ASSERT_TRUE(pump_until([&] { return focus_result(31).has_value(); }));
  EXPECT_TRUE(second->log().find("client bound to session session_id=31") != std::string::npos) << second->log();
}

TEST_F(CompositorLinkTest, ABacklogOverFourMiBDropsTheConnectionAndItReconnects) {
  auto compositor = start_compositor();
  ASSERT_TRUE(compositor);
  start_link();
  ASSERT_TRUE(pump_until([&] { return link_->connected(); }));
  compositor->process().signal(SIGSTOP);  // it reads nothing: the kernel buffer fills, then the backlog
  const std::string long_id = "org.example." + std::string(60000, 'a');  // ~60 KiB per frame
  Result<void> sent = ok();
  size_t frames = 0;
  while (sent.ok() && frames < 1000) {
    sent = link_->send(comp::AppSurfaceCreated{long_id, 1, 1});
    ++frames;
    if (sent.ok()) {
      EXPECT_LE(link_->backlog_bytes(), size_t(4) << 20);
    }
  }
  ASSERT_FALSE(sent.ok()) << "1000 frames of 60 KiB never overflowed the backlog";
  EXPECT_EQ(sent.error().code, 503);
  EXPECT_FALSE(link_->connected());
  EXPECT_EQ(link_->backlog_bytes(), 0u);
  compositor->process().signal(SIGCONT);
  EXPECT_TRUE(pump_until([&] { return disconnects_ == 1 && connects_ == 2 && link_->connected(); }, 5s))
      << "no reconnection 500 ms after the overflow";
}

TEST_F(CompositorLinkTest, UnknownMessageTypesAreIgnoredAndLaterMessagesStillArrive) {
  // Stand-in compositor: the real one never sends an unknown type, so a plain listener plays it here.
  auto listener = listen_unix(socket_path_);
  ASSERT_TRUE(listener.ok()) << listener.error().message;
  start_link();
  ASSERT_TRUE(link_->connected());
  UniqueFd peer(::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(peer.valid());
  msgpack::sbuffer unknown;
  msgpack::packer<msgpack::sbuffer> pack(unknown);
  pack.pack_map(2);
  pack.pack(std::string("type"));
  pack.pack(std::string("window_exploded"));
  pack.pack(std::string("session_id"));
  pack.pack(uint64_t{4});
  auto frame = ipc::encode_frame(std::span(reinterpret_cast<const uint8_t*>(unknown.data()), unknown.size()));
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(write_all(peer.get(), *frame).ok());
  ASSERT_TRUE(write_all(peer.get(), comp::encode(comp::FocusResult{4, true})).ok());
  ASSERT_TRUE(pump_until([&] { return !messages_.empty(); }));
  pump_until([] { return false; }, 20ms);
  ASSERT_EQ(messages_.size(), 1u) << "only the known message is reported";
  EXPECT_EQ(messages_[0], comp::Message(comp::FocusResult{4, true}));
  EXPECT_TRUE(link_->connected()) << "an unknown type does not drop the link";
}

}  // namespace
}  // namespace weft::appd
