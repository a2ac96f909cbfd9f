// The appd link (§2.4) driven by a stand-in appd peer: session binding over SCM_RIGHTS, tagging, replies, and
// malformed traffic.

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session_fixture.hpp"

using namespace weft::test;
namespace msg = weft::ipc::compositor;

namespace {

constexpr uint64_t kSession = 7;
const std::string kAppId = "org.weft.demo.counter";

using AppdLink = SessionCompositorTest;

}  // namespace

TEST_F(AppdLink, BoundClientIsTaggedAndDoesNotSeeRestrictedGlobals) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr) << harness->log();
  EXPECT_TRUE(client->has_global("xdg_wm_base"));
  EXPECT_TRUE(client->has_global("zweft_shell_manager_v1"));
  EXPECT_TRUE(client->has_global("wl_data_device_manager"));
  EXPECT_FALSE(client->has_global("zwlr_screencopy_manager_v1"));
  EXPECT_FALSE(client->has_global("zwlr_data_control_manager_v1"));
  EXPECT_FALSE(client->has_global("weft_test_v1"));
  EXPECT_FALSE(client->has_global("zwlr_layer_shell_v1"));
  EXPECT_FALSE(client->has_global("zwp_primary_selection_device_manager_v1"))
      << "session clients reach the clipboard only through the data device";
  EXPECT_TRUE(driver->has_global("zwlr_screencopy_manager_v1")) << "ordinary clients still see them";
}

TEST_F(AppdLink, SessionClientMayNotTakeThePanelRole) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  auto panel = make_app(*client, "fake panel", kBlue, "panel");
  ASSERT_TRUE(wait_until([&] { return panel->window_closed; }));
  EXPECT_EQ(panel->events_before_first_configure, 0) << "the refusal still starts with one configure";
  EXPECT_TRUE(harness->wait_for_log("session client refused role panel session_id=7"));
  auto overlay = make_app(*client, "fake overlay", kBlue, "overlay");
  ASSERT_TRUE(wait_until([&] { return overlay->window_closed; }));
  client->roundtrip();
  EXPECT_EQ(client->error(), 0) << "refusal is not a protocol error";
}

TEST_F(AppdLink, SessionAppIdReplacesTheOneTheClientClaims) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  WindowOptions o;
  o.app_id = "org.evil.impostor";
  o.zweft_role = "normal";
  auto w = client->create_window(o);
  wait_drawn(*w);
  auto state = driver->sync_state();
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->focused_app_id, kAppId);
}

TEST_F(AppdLink, FirstPresentedToplevelSendsSurfaceReadyOnce) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  auto w = make_app(*client, "app", kRed);
  wait_drawn(*w);
  auto ready = standin->receive();
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(*ready, msg::Message(msg::SurfaceReady{kSession}));
  auto second = make_app(*client, "second", kGreen);
  wait_drawn(*second);
  EXPECT_EQ(focused_title(), "second") << "a later toplevel of the focused session takes focus";
  auto png = driver->capture("session-window");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 400), kGreen);
  EXPECT_FALSE(standin->receive(std::chrono::milliseconds(300)).has_value()) << "surface_ready is sent once";
}

TEST_F(AppdLink, CloseSessionAsksOnlyThatSessionsToplevelsToClose) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  auto other = connect();
  auto outsider = make_app(*other, "outsider", kGreen);
  wait_drawn(*outsider);
  auto w = make_app(*client, "app", kRed);
  wait_drawn(*w);
  ASSERT_TRUE(standin->send(msg::CloseSession{kSession}).ok());
  ASSERT_TRUE(wait_until([&] { return w->close_requested; }));
  EXPECT_TRUE(harness->wait_for_log("session asked to close session_id=7 windows=1"));
  settle(*other);
  EXPECT_FALSE(outsider->close_requested);
  w.reset();  // the app honours the close
  settle(*client);
  EXPECT_EQ(focused_title(), "outsider");
}

TEST_F(AppdLink, AppFocusRequestRaisesTheSessionAndAnswersFocusResult) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  auto w = make_app(*client, "session window", kRed);
  wait_drawn(*w);
  ASSERT_TRUE(standin->receive().has_value());  // surface_ready
  auto other = connect();
  auto outsider = make_app(*other, "outsider", kGreen);
  wait_drawn(*outsider);
  EXPECT_EQ(focused_title(), "outsider");

  ASSERT_TRUE(standin->send(msg::AppFocusRequest{kSession}).ok());
  auto reply = standin->receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, msg::Message(msg::FocusResult{kSession, true}));
  EXPECT_EQ(focused_title(), "session window");
  settle(*client);
  auto png = driver->capture("focus-request");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 400), kRed);

  ASSERT_TRUE(standin->send(msg::AppFocusRequest{99}).ok());
  reply = standin->receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, msg::Message(msg::FocusResult{99, false}));
}

TEST_F(AppdLink, KeyboardFocusMovesBetweenSessionsAreReportedAndANewAppdConnectionHearsTheFocusedOne) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  auto w = make_app(*client, "session window", kRed);
  wait_drawn(*w);
  auto focused = standin->receive_focus();
  ASSERT_TRUE(focused.has_value()) << harness->log();
  EXPECT_EQ(focused->session_id, kSession);
  auto second = make_app(*client, "second session window", kBlue);
  wait_drawn(*second);
  EXPECT_FALSE(standin->receive_focus(std::chrono::milliseconds(300)).has_value())
      << "focus moving inside one session is not a change";
  auto other = connect();
  auto outsider = make_app(*other, "outsider", kGreen);
  wait_drawn(*outsider);
  focused = standin->receive_focus();
  ASSERT_TRUE(focused.has_value());
  EXPECT_EQ(focused->session_id, 0u) << "focus left every session";
  ASSERT_TRUE(standin->send(msg::AppFocusRequest{kSession}).ok());
  focused = standin->receive_focus();
  ASSERT_TRUE(focused.has_value());
  EXPECT_EQ(focused->session_id, kSession);
  auto ready = standin->receive();
  ASSERT_TRUE(ready.has_value());
  EXPECT_EQ(*ready, msg::Message(msg::SurfaceReady{kSession})) << "other messages keep their order";
  auto reply = standin->receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, msg::Message(msg::FocusResult{kSession, true}));
  // A new appd connection (appd reconnecting after a link drop) hears the focused session at once.
  auto again = StandinAppd::connect(link_path());
  ASSERT_TRUE(again.ok()) << again.error().message;
  focused = again->receive_focus();
  ASSERT_TRUE(focused.has_value());
  EXPECT_EQ(focused->session_id, kSession);
}

TEST_F(AppdLink, AppSurfaceDestroyedClosesSlotsAndDisconnectsTheClient) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  auto w = make_app(*client, "app", kRed, "normal");
  wait_drawn(*w);
  ASSERT_TRUE(standin->send(msg::AppSurfaceDestroyed{kSession}).ok());
  ASSERT_TRUE(wait_until([&] { return w->window_closed || client->error() != 0; }));
  ASSERT_TRUE(wait_until([&] { return client->error() != 0; })) << "the client is destroyed";
  auto state = driver->sync_state();
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->mapped_toplevels, 0u);
  // The binding is forgotten: the id can be bound again.
  auto again = bind(kSession, kAppId);
  EXPECT_NE(again, nullptr);
}

TEST_F(AppdLink, DisconnectingClientIsReportedToAppd) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  client.reset();
  auto reply = standin->receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, msg::Message(msg::ClientDisconnected{kSession}));
}

TEST_F(AppdLink, SecondBindOfABoundSessionClosesTheNewFd) {
  auto client = bind(kSession, kAppId);
  ASSERT_NE(client, nullptr);
  auto pair = weft::unix_socket_pair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(standin->send(msg::BindSession{kSession, "org.weft.other"}, pair->first.get()).ok());
  pair->first.reset();
  pollfd pfd{pair->second.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 10000), 1);
  char byte;
  EXPECT_EQ(::recv(pair->second.get(), &byte, 1, 0), 0) << "the compositor closed its end";
  EXPECT_TRUE(harness->wait_for_log("session_id=7 is already bound"));
}

TEST_F(AppdLink, MalformedFramesAreDroppedAndTheLinkKeepsWorking) {
  // bind_session without its fd.
  ASSERT_TRUE(standin->send(msg::BindSession{1, kAppId}).ok());
  EXPECT_TRUE(harness->wait_for_log("bind_session without its fd ignored"));
  // A stray fd on a message that carries none.
  auto pair = weft::unix_socket_pair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(standin->send(msg::CloseSession{1}, pair->first.get()).ok());
  EXPECT_TRUE(harness->wait_for_log("fd sent with close_session is a violation"));
  // An unknown type: {"type": "bogus"}.
  const std::vector<uint8_t> body = {0x81, 0xa4, 't', 'y', 'p', 'e', 0xa5, 'b', 'o', 'g', 'u', 's'};
  auto frame = weft::ipc::encode_frame(body);
  ASSERT_TRUE(frame.ok());
  ASSERT_TRUE(standin->send_raw(*frame).ok());
  EXPECT_TRUE(harness->wait_for_log("unknown message type \"bogus\" ignored"));
  // Not a map at all.
  const std::vector<uint8_t> not_map = {0x93, 1, 2, 3};
  ASSERT_TRUE(standin->send_raw(*weft::ipc::encode_frame(not_map)).ok());
  EXPECT_TRUE(harness->wait_for_log("undecodable frame ignored"));
  // The link still works.
  auto client = bind(kSession, kAppId);
  EXPECT_NE(client, nullptr);
}

TEST_F(AppdLink, OversizedFrameDropsTheConnection) {
  const uint32_t huge = 5u * 1024 * 1024;  // bytes, above the 4 MiB cap
  const uint8_t prefix[4] = {uint8_t(huge), uint8_t(huge >> 8), uint8_t(huge >> 16), uint8_t(huge >> 24)};
  ASSERT_TRUE(standin->send_raw(prefix).ok());
  EXPECT_TRUE(standin->closed_by_peer());
  auto fresh = StandinAppd::connect(link_path());
  ASSERT_TRUE(fresh.ok()) << "the listener survives";
}

TEST_F(AppdLink, NewConnectionReplacesTheOldOne) {
  auto second = StandinAppd::connect(link_path());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(standin->closed_by_peer());
  auto pair = weft::unix_socket_pair();
  ASSERT_TRUE(pair.ok());
  ASSERT_TRUE(second->send(msg::BindSession{3, kAppId}, pair->first.get()).ok());
  EXPECT_TRUE(harness->wait_for_log("client bound to session session_id=3"));
}

TEST_F(AppdLink, PeerOfAnotherUidIsRefused) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to connect as another uid";
  ASSERT_EQ(::chmod(harness->runtime_dir().c_str(), 0755), 0);
  ASSERT_EQ(::chmod((harness->runtime_dir() + "/weft").c_str(), 0755), 0);
  ASSERT_EQ(::chmod(link_path().c_str(), 0666), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Child: become nobody, connect, expect the compositor to hang up.
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    auto appd = weft::connect_unix(link_path());
    if (!appd) ::_exit(4);
    pollfd pfd{appd->get(), POLLIN, 0};
    if (::poll(&pfd, 1, 10000) != 1) ::_exit(5);
    char byte;
    ::_exit(::recv(appd->get(), &byte, 1, 0) == 0 ? 0 : 6);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "child step failed";
  EXPECT_TRUE(harness->wait_for_log("is not ours"));
  // Our own connection was not replaced by the refused one.
  ASSERT_TRUE(standin->send(msg::AppFocusRequest{42}).ok());
  auto reply = standin->receive();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, msg::Message(msg::FocusResult{42, false}));
}
