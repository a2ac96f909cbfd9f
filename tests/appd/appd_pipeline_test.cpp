// weft-appd end to end (spec §3): a system client launches the counter through the real appd; the real runtime and app
// shell come up under the headless compositor; messages cross the bridge both ways; the window shows the count; the
// session is activated and terminated and leaves nothing behind. Also: notes persist through the app-data preopen, and
// SIGTERM saves the running apps that the next appd relaunches. $WEFT_APPD_PNG_DIR receives the captures.
#include <gtest/gtest.h>
#include <linux/input-event-codes.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "appd_harness.hpp"

namespace weft::appd::test {
namespace {

double red(const Image& i) { return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kNegative, 24); }
double card(const Image& i) { return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kCard); }
double buttons(const Image& i) { return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kAccent, 24); }

std::vector<std::string> idle_listing() {
  return {"appd.sock", "appd.systoken", "appd.wsport", "compositor.display", "compositor.sock"};
}

class AppdEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = appd_.start_desktop(kWidth, kHeight);
    ASSERT_TRUE(started.ok()) << started.error().message;
  }
  void start_appd() {
    auto started = appd_.start_appd();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }
  Image capture_until(const std::function<bool(const Image&)>& accept) {
    auto image = appd_.desktop().capture_until(accept, kTimeoutMs);
    EXPECT_TRUE(image.ok()) << image.error().message;
    return image.ok() ? *image : Image{};
  }
  AppdHarness appd_;
};

TEST_F(AppdEndToEnd, ASystemClientLaunchesTheCounterTalksToItActivatesAndTerminatesItAndNothingIsLeftBehind) {
  ASSERT_TRUE(appd_.install_demo(kCounter).ok());
  ASSERT_TRUE(appd_.install_demo(kNotes).ok());
  start_appd();
  EXPECT_EQ(appd_.weft_dir_listing(), idle_listing());
  auto system = appd_.system_client();
  ASSERT_TRUE(system.ok()) << system.error().message;
  WsClient& ws = **system;

  ws.send({{"type", "QUERY_INSTALLED_APPS"}});
  auto installed = ws.next_of("INSTALLED_APPS");
  ASSERT_TRUE(installed.has_value());
  ASSERT_EQ((*installed)["apps"].size(), 2u) << installed->dump();
  EXPECT_EQ((*installed)["apps"][0]["app_id"], kCounter);
  EXPECT_EQ((*installed)["apps"][0]["name"], "Counter");
  EXPECT_EQ((*installed)["apps"][1]["app_id"], kNotes);

  ws.send({{"type", "LAUNCH_APP"}, {"app_id", kCounter}, {"surface_id", 0}});
  auto ack = ws.next_of("LAUNCH_ACK");
  ASSERT_TRUE(ack.has_value());
  const uint64_t sid = (*ack)["session_id"].get<uint64_t>();
  EXPECT_EQ(sid, 1u);
  auto ready = ws.next_of("APP_READY", kTimeoutMs);
  ASSERT_TRUE(ready.has_value()) << "the counter never became ready";
  EXPECT_EQ((*ready)["session_id"], sid);
  EXPECT_EQ(appd_.desktop().focused_app_id(), kCounter);

  // The page asked the component for the count through the bridge; the reply drew the card with 0 (not red).
  Image zero = capture_until([](const Image& i) { return card(i) > 0.05 && buttons(i) > 0.002; });
  save(zero, "appd-counter-zero.png");
  EXPECT_GT(buttons(zero), 0.002) << "no counter buttons on screen";
  EXPECT_EQ(red(zero), 0.0);

  // A key through the compositor: page → bridge → appd relay → component → relay → bridge → page shows -1 in red.
  appd_.desktop().key(KEY_DOWN);
  Image negative = capture_until([](const Image& i) { return red(i) > 0.001; });
  save(negative, "appd-counter-negative.png");
  EXPECT_GT(red(negative), 0.001) << "the component's -1 never reached the window";

  // IPC_FORWARD (Unix socket diagnostics) reaches the component; its reply reaches the page: back to 0.
  auto unix = appd_.unix_client();
  ASSERT_TRUE(unix.ok());
  auto forwarded = unix->request(msg::IpcForward{sid, R"({"op":"reset"})"});
  ASSERT_TRUE(forwarded.ok()) << forwarded.error().message;
  EXPECT_EQ(std::get<msg::AppState>(*forwarded), (msg::AppState{sid, "running"}));
  Image reset = capture_until([](const Image& i) { return red(i) == 0.0 && buttons(i) > 0.002; });
  EXPECT_EQ(red(reset), 0.0);

  ws.send({{"type", "QUERY_RUNNING"}});
  auto running = ws.next_of("RUNNING_APPS");
  ASSERT_TRUE(running.has_value());
  EXPECT_EQ((*running)["sessions"], nlohmann::json::parse(R"([{"session_id":1,"app_id":"org.weft.demo.counter"}])"));

  ws.send({{"type", "ACTIVATE_APP"}, {"session_id", sid}});
  auto activated = ws.next_of("APP_STATE");
  ASSERT_TRUE(activated.has_value());
  EXPECT_EQ((*activated)["state"], "running");

  ws.send({{"type", "TERMINATE_APP"}, {"session_id", sid}});
  auto stopping = ws.next_of("APP_STATE");
  ASSERT_TRUE(stopping.has_value());
  EXPECT_EQ((*stopping)["state"], "stopping");
  auto stopped = ws.next_of("APP_STATE", 20000);
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ((*stopped)["state"], "stopped");
  EXPECT_TRUE(appd_.wait_state(sid, "stopped", 1000));
  EXPECT_EQ(appd_.weft_dir_listing(), idle_listing()) << "a socket or shell directory was left behind";
  EXPECT_TRUE(appd_.appd_descendants().empty()) << "a child of the session survived it";
  Image after = capture_until([](const Image& i) { return buttons(i) == 0.0; });
  save(after, "appd-counter-terminated.png");
  EXPECT_EQ(buttons(after), 0.0) << "the window is still on screen";
  ASSERT_EQ(appd_.stop_appd().code, 0);
}

TEST_F(AppdEndToEnd, NotesSavedThroughTheAppDataPreopenAreThereAfterARelaunch) {
  ASSERT_TRUE(appd_.install_demo(kNotes).ok());
  start_appd();
  const std::string notes_file = appd_.data_home() + "/weft/app-data/" + kNotes + "/notes.txt";
  auto type_and_save = [&](std::initializer_list<uint32_t> keys) {
    for (uint32_t k : keys) appd_.desktop().key(k);
    appd_.desktop().key_state(KEY_LEFTCTRL, true);
    appd_.desktop().key(KEY_S);
    appd_.desktop().key_state(KEY_LEFTCTRL, false);
  };
  auto file_text = [&](const std::string& expected) {
    for (int i = 0; i < 300; ++i) {
      auto text = read_file(notes_file);
      if (text.ok() && *text == expected) return *text;
      appd_.desktop().pump(50);
    }
    auto text = read_file(notes_file);
    return text.ok() ? *text : std::string("<missing>");
  };

  auto first = appd_.launch(kNotes);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(appd_.wait_state(*first, "running"));
  appd_.desktop().pump(2000);  // the page loads the (empty) notes, then enables the editor
  type_and_save({KEY_H, KEY_I});
  EXPECT_EQ(file_text("hi"), "hi");

  auto unix = appd_.unix_client();
  ASSERT_TRUE(unix.ok());
  ASSERT_TRUE(unix->request(msg::TerminateApp{*first, false}).ok());
  ASSERT_TRUE(appd_.wait_state(*first, "stopped", 20000));

  // The relaunched page loads "hi" into the editor; a save of "hi" + "x" (with the loaded revision) proves it.
  auto second = appd_.launch(kNotes);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(*second, *first + 1) << "session ids are never reused";
  ASSERT_TRUE(appd_.wait_state(*second, "running"));
  appd_.desktop().pump(2000);
  type_and_save({KEY_X});  // the editor holds "hi" only if the relaunched page loaded it
  EXPECT_EQ(file_text("hix"), "hix");
}

TEST_F(AppdEndToEnd, SigtermSavesTheRunningAppsAndTheNextAppdRelaunchesThem) {
  ASSERT_TRUE(appd_.install_demo(kCounter).ok());
  ASSERT_TRUE(appd_.install_demo(kNotes).ok());
  start_appd();
  auto counter = appd_.launch(kCounter);
  auto notes = appd_.launch(kNotes);
  ASSERT_TRUE(counter.ok() && notes.ok());
  ASSERT_TRUE(appd_.wait_state(*counter, "running"));
  ASSERT_TRUE(appd_.wait_state(*notes, "running"));

  ExitStatus status = appd_.stop_appd(SIGTERM);
  EXPECT_TRUE(status.success()) << status.describe();
  auto saved = read_file(appd_.weft_dir() + "/last-session.json");
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(nlohmann::json::parse(*saved), nlohmann::json::parse(R"(["org.weft.demo.counter","org.weft.demo.notes"])"));
  EXPECT_EQ(appd_.weft_dir_listing(),
            (std::vector<std::string>{"compositor.display", "compositor.sock", "last-session.json"}));
  EXPECT_TRUE(appd_.appd_descendants().empty());

  start_appd();
  auto unix = appd_.unix_client();
  ASSERT_TRUE(unix.ok());
  msg::RunningApps running;
  for (int i = 0; i < 600 && running.sessions.size() < 2; ++i) {
    auto reply = unix->request(msg::QueryRunning{});
    ASSERT_TRUE(reply.ok());
    running = std::get<msg::RunningApps>(*reply);
    appd_.desktop().pump(50);
  }
  ASSERT_EQ(running.sessions.size(), 2u);
  EXPECT_EQ(running.sessions[0].app_id, kCounter);
  EXPECT_EQ(running.sessions[1].app_id, kNotes);
  EXPECT_TRUE(appd_.wait_state(running.sessions[0].session_id, "running"));
  EXPECT_TRUE(appd_.wait_state(running.sessions[1].session_id, "running"));
  EXPECT_EQ(::access((appd_.weft_dir() + "/last-session.json").c_str(), F_OK), -1) << "the saved list is consumed";
}

}  // namespace
}  // namespace weft::appd::test
