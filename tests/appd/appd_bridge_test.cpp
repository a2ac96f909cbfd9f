// weft-appd at the bridge (spec §3.1 IPC_FORWARD, §3.2 app role, §3.5 relay, §3.7 sd_notify, §8): what the page's
// side of the bridge sees, observed exactly through the STAND-IN app shell (standin/standin_app_shell.cpp) while the
// component is the REAL weft-runtime running the demo, except where a fault needs a component the demos cannot be
// (standin/runtime_scripted.py: one that stops reading, or sends an overlong or non-UTF-8 line). Also the 32-session
// cap, notes that survive a killed runtime, sd_notify, and the counter under load (20 sessions, 10 000 messages).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "appd_harness.hpp"
#include "appd_load.hpp"
#include "standin_shell_server.hpp"
#include "weft/core/ipc/bridge.hpp"
#include "weft/core/ipc/errors.hpp"

namespace says = weft::ipc::error_message;  // spec error strings

namespace weft::appd::test {
namespace {

using nlohmann::json;
constexpr const char* kScriptedRuntime = WEFT_APPD_TEST_DIR "/standin/runtime_scripted.py";
constexpr int kRelayQueueLines = 64;  // §3.5: bridge payloads queued toward the component before appd drops (503)

json count_reply(int n) { return {{"op", "count"}, {"count", n}}; }

std::optional<json> next_json(StandinShell& shell, int timeout_ms = 20000) {
  auto payload = shell.next_payload(timeout_ms);
  if (!payload) return std::nullopt;
  return json::parse(*payload, nullptr, false);
}

/// What the app role's page says: one APP_MESSAGE.
void send_app(WsClient& app, std::string_view payload) { app.send({{"type", "APP_MESSAGE"}, {"payload", payload}}); }

/// The payload (parsed) of the next APP_MESSAGE the app role receives; a null json when something else came.
std::optional<json> next_app_json(WsClient& app, int timeout_ms = 20000) {
  auto message = app.next(timeout_ms);
  if (!message) return std::nullopt;
  if ((*message)["type"] != "APP_MESSAGE" || !(*message)["payload"].is_string()) return json();
  return json::parse((*message)["payload"].get<std::string>(), nullptr, false);
}

/// 64-bit FNV-1a as 16 lowercase hex digits: the notes app's `rev` (§8.2).
std::string notes_rev(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

class AppdBridge : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = appd_.start_desktop(640, 480);
    ASSERT_TRUE(started.ok()) << started.error().message;
    ASSERT_TRUE(appd_.install_demo(kCounter).ok());
    auto server = StandinShellServer::listen(appd_.desktop().runtime_dir());
    ASSERT_TRUE(server.ok()) << server.error().message;
    shells_ = std::move(server).value();
  }
  /// appd with the stand-in app shell (and `extra` settings, e.g. the scripted runtime).
  void start_appd(std::vector<std::string> extra = {}) {
    extra.push_back(StandinShellServer::app_shell_setting());
    auto started = appd_.start_appd(std::move(extra));
    ASSERT_TRUE(started.ok()) << started.error().message;
  }
  /// Launches `app_id` through the Unix socket and returns its stand-in app shell once the session runs.
  std::unique_ptr<StandinShell> launch(const std::string& app_id = kCounter) {
    auto sid = appd_.launch(app_id);
    EXPECT_TRUE(sid.ok()) << (sid.ok() ? "" : sid.error().message);
    if (!sid.ok()) return nullptr;
    auto shell = shells_->accept(*sid);
    EXPECT_TRUE(shell.ok()) << (shell.ok() ? "" : shell.error().message);
    if (!shell.ok()) return nullptr;
    EXPECT_TRUE(appd_.wait_state(*sid, "running")) << "session " << *sid << " never ran";
    return std::move(shell).value();
  }
  /// A WebSocket client that said HELLO with the app role for `shell`'s session.
  std::unique_ptr<WsClient> app_client(const StandinShell& shell) {
    auto client = WsClient::connect(appd_.ws_port());
    EXPECT_TRUE(client.ok()) << (client.ok() ? "" : client.error().message);
    if (!client.ok()) return nullptr;
    (*client)->send({{"type", "HELLO"}, {"role", "app"}, {"session_id", shell.session_id()}, {"token", shell.bridge_token()}});
    return std::move(client).value();
  }
  /// The stand-in closes its bridge fd; then the app role takes the session's bridge (retried until appd has seen
  /// the fd bridge go: until then a HELLO is refused with 409).
  std::unique_ptr<WsClient> bridge_by_websocket(StandinShell& shell) {
    EXPECT_TRUE(shell.close_bridge().ok());
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto client = app_client(shell);
      if (!client) return nullptr;
      auto reply = client->next(300);  // a successful HELLO gets no reply
      if (!reply && !client->closed()) return client;
      EXPECT_TRUE(reply && (*reply)["code"] == 409) << "unexpected HELLO answer " << (reply ? reply->dump() : "close");
    }
    ADD_FAILURE() << "the app role never got the bridge of session " << shell.session_id();
    return nullptr;
  }
  msg::Message unix_request(const msg::Message& request) {
    auto client = appd_.unix_client();
    EXPECT_TRUE(client.ok());
    if (!client.ok()) return msg::ErrorReply{0, "no client"};
    auto reply = client->request(request);
    EXPECT_TRUE(reply.ok()) << (reply.ok() ? "" : reply.error().message);
    return reply.ok() ? *reply : msg::Message(msg::ErrorReply{0, "no reply"});
  }
  pid_t runtime_pid() {
    for (auto& [pid, name] : appd_.appd_descendants())
      if (name == "weft-runtime") return pid;
    return 0;
  }

  AppdHarness appd_;                           // destroyed last: appd outlives the stand-ins' connections
  std::unique_ptr<StandinShellServer> shells_;
};

// ---------------------------------------------------------------- page ⇄ component

TEST_F(AppdBridge, IncrementsFromThePageReachTheRealCounterAndItsCountsComeBackInOrder) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  for (int i = 1; i <= 50; ++i) ASSERT_TRUE(shell->send_payload(R"({"op":"increment"})").ok());
  for (int i = 1; i <= 50; ++i) {
    auto reply = next_json(*shell);
    ASSERT_TRUE(reply.has_value()) << "reply " << i << " never came";
    ASSERT_EQ(*reply, count_reply(i));
  }
  // The bridge carried nothing but APP_MESSAGE lines.
  EXPECT_TRUE(shell->other_lines().empty()) << shell->other_lines().front();
}

// ---------------------------------------------------------------- WebSocket app role

TEST_F(AppdBridge, AnAppRoleHelloWhileTheFdBridgeIsAttachedIsRefusedWith409AndClosed) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  auto client = app_client(*shell);
  ASSERT_TRUE(client);
  auto reply = client->next();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, (json{{"type", "ERROR"}, {"code", 409}, {"message", std::string(says::kBridgeAlreadyConnected)}}));
  EXPECT_TRUE(client->wait_closed());
  // The fd bridge is untouched.
  ASSERT_TRUE(shell->send_payload(R"({"op":"increment"})").ok());
  EXPECT_EQ(next_json(*shell), count_reply(1));
}

TEST_F(AppdBridge, OnceTheFdBridgeClosedTheAppRoleTakesTheBridgeAndTalksToTheComponent) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  auto app = bridge_by_websocket(*shell);
  ASSERT_TRUE(app);
  for (int i = 1; i <= 3; ++i) send_app(*app, R"({"op":"increment"})");
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(next_app_json(*app), count_reply(i)) << "reply " << i;
  // A second app role is refused while this one holds the bridge.
  auto second = app_client(*shell);
  ASSERT_TRUE(second);
  auto refused = second->next();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ((*refused)["code"], 409);
  EXPECT_TRUE(second->wait_closed());
}

TEST_F(AppdBridge, LifecycleRequestsFromTheAppRoleAreRefusedWith403AndHaveNoEffect) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  const uint64_t sid = shell->session_id();
  auto app = bridge_by_websocket(*shell);
  ASSERT_TRUE(app);
  const msg::Message before = unix_request(msg::QueryRunning{});
  const json forbidden{{"type", "ERROR"}, {"code", 403}, {"message", std::string(says::kNotAllowedForAppRole)}};
  for (const json& request : {json{{"type", "LAUNCH_APP"}, {"app_id", kCounter}, {"surface_id", 0}},
                              json{{"type", "TERMINATE_APP"}, {"session_id", sid}, {"force", true}},
                              json{{"type", "QUERY_RUNNING"}},
                              json{{"type", "IPC_FORWARD"}, {"session_id", sid}, {"payload", R"({"op":"increment"})"}},
                              json{{"type", "PANEL_GESTURE"}, {"gesture_type", 1}, {"fingers", 3}, {"dx", 0.0}, {"dy", 0.0}}}) {
    app->send(request);
    auto reply = app->next();
    ASSERT_TRUE(reply.has_value()) << request.dump() << " got no answer";
    EXPECT_EQ(*reply, forbidden) << "for " << request.dump();
  }
  EXPECT_EQ(unix_request(msg::QueryRunning{}), before) << "a refused request changed the running sessions";
  EXPECT_EQ(unix_request(msg::QueryAppState{sid}), msg::Message(msg::AppState{sid, "running"}));
  // The refused IPC_FORWARD reached nothing: the first increment now counts 1.
  send_app(*app, R"({"op":"increment"})");
  EXPECT_EQ(next_app_json(*app), count_reply(1));
}

TEST_F(AppdBridge, AnAppRoleNeverReceivesAnotherSessionsPayloads) {
  start_appd();
  auto first = launch();
  auto second = launch();
  ASSERT_TRUE(first && second);
  auto app1 = bridge_by_websocket(*first);
  auto app2 = bridge_by_websocket(*second);
  ASSERT_TRUE(app1 && app2);
  for (int i = 0; i < 3; ++i) send_app(*app1, R"({"op":"increment"})");
  for (int i = 0; i < 2; ++i) send_app(*app2, R"({"op":"decrement"})");
  // IPC_FORWARD into the second session: its reply goes to the second app role only.
  EXPECT_EQ(unix_request(msg::IpcForward{second->session_id(), R"({"op":"get"})"}),
            msg::Message(msg::AppState{second->session_id(), "running"}));
  std::vector<json> seen1, seen2;
  for (int i = 0; i < 3; ++i)
    if (auto m = next_app_json(*app1)) seen1.push_back(*m);
  for (int i = 0; i < 3; ++i)
    if (auto m = next_app_json(*app2)) seen2.push_back(*m);
  EXPECT_EQ(seen1, (std::vector<json>{count_reply(1), count_reply(2), count_reply(3)}));
  EXPECT_EQ(seen2, (std::vector<json>{count_reply(-1), count_reply(-2), count_reply(-2)}));
  EXPECT_FALSE(app1->next(500).has_value()) << "the first app role received something more";
  EXPECT_FALSE(app2->next(500).has_value()) << "the second app role received something more";
}

TEST_F(AppdBridge, TheAppRoleIsClosedWhenItsSessionStops) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  auto app = bridge_by_websocket(*shell);
  ASSERT_TRUE(app);
  EXPECT_EQ(unix_request(msg::TerminateApp{shell->session_id(), true}),
            msg::Message(msg::AppState{shell->session_id(), "stopping"}));
  EXPECT_TRUE(app->wait_closed(20000)) << "the app role outlived its session";
  EXPECT_TRUE(appd_.wait_state(shell->session_id(), "stopped", 5000));
}

TEST_F(AppdBridge, WhenTheAppRoleLeavesAnotherAppRoleMayTakeTheBridge) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  auto app = bridge_by_websocket(*shell);
  ASSERT_TRUE(app);
  send_app(*app, R"({"op":"increment"})");
  EXPECT_EQ(next_app_json(*app), count_reply(1));
  app.reset();  // the page's connection goes away
  std::unique_ptr<WsClient> again;
  for (int attempt = 0; attempt < 50 && !again; ++attempt) {
    auto client = app_client(*shell);
    ASSERT_TRUE(client);
    auto reply = client->next(300);
    if (!reply && !client->closed()) again = std::move(client);
    else EXPECT_TRUE(reply && (*reply)["code"] == 409) << (reply ? reply->dump() : "closed without an answer");
  }
  ASSERT_TRUE(again) << "the bridge slot was never freed";
  send_app(*again, R"({"op":"increment"})");
  EXPECT_EQ(next_app_json(*again), count_reply(2)) << "the same component, reached by the new app role";
}

// A page payload that breaks the relay's framing must never reach the component: "increment\nincrement" would count
// twice. Over the limit or with a line break, it is dropped (§3.2, §3.5) and the session goes on.
const std::vector<std::string>& invalid_page_payloads() {
  static const std::vector<std::string> payloads = {"increment\nincrement", "increment\rincrement",
                                                    std::string(ipc::kMaxPayloadBytes + 1, ' ') + "increment"};
  return payloads;
}

TEST_F(AppdBridge, PagePayloadsOverTheLimitOrWithLineBreaksAreDroppedOnTheFdBridge) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  for (const std::string& payload : invalid_page_payloads())  // as a page host that skipped its checks would write it
    ASSERT_TRUE(shell->send_line(json{{"type", "APP_MESSAGE"}, {"payload", payload}}.dump()).ok());
  ASSERT_TRUE(shell->send_payload(R"({"op":"get"})").ok());
  EXPECT_EQ(next_json(*shell), count_reply(0)) << "an invalid payload reached the counter";
  EXPECT_EQ(unix_request(msg::QueryAppState{shell->session_id()}), msg::Message(msg::AppState{shell->session_id(), "running"}));
}

TEST_F(AppdBridge, PagePayloadsOverTheLimitOrWithLineBreaksAreDroppedOnTheAppRole) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  auto app = bridge_by_websocket(*shell);
  ASSERT_TRUE(app);
  for (const std::string& payload : invalid_page_payloads()) send_app(*app, payload);
  send_app(*app, R"({"op":"get"})");
  EXPECT_EQ(next_app_json(*app), count_reply(0)) << "an invalid payload reached the counter";
  EXPECT_FALSE(app->closed());
}

// ---------------------------------------------------------------- IPC_FORWARD limits

TEST_F(AppdBridge, IpcForwardRefusesPayloadsOverTheLimitOrWithLineBreaksWith400) {
  start_appd();
  auto shell = launch();
  ASSERT_TRUE(shell);
  const uint64_t sid = shell->session_id();
  for (const std::string& payload : {std::string(ipc::kMaxPayloadBytes + 1, 'a'), std::string("{\"op\":\n\"get\"}"),
                                     std::string("{\"op\":\r\"get\"}")}) {
    auto reply = unix_request(msg::IpcForward{sid, payload});
    auto* error = std::get_if<msg::ErrorReply>(&reply);
    ASSERT_NE(error, nullptr) << "a payload of " << payload.size() << " bytes was accepted";
    EXPECT_EQ(error->code, 400u) << error->message;
    EXPECT_EQ(error->message.rfind("invalid payload: ", 0), 0u) << error->message;
  }
  // Exactly at the limit is accepted (the counter ignores what it cannot parse), and nothing refused got through.
  EXPECT_EQ(unix_request(msg::IpcForward{sid, std::string(ipc::kMaxPayloadBytes, ' ')}),
            msg::Message(msg::AppState{sid, "running"}));
  ASSERT_TRUE(shell->send_payload(R"({"op":"get"})").ok());
  EXPECT_EQ(next_json(*shell), count_reply(0));
}

TEST_F(AppdBridge, IpcForwardToASessionThatIsNotRunningAnswers404) {
  start_appd();
  EXPECT_EQ(unix_request(msg::IpcForward{77, "{}"}), msg::Message(msg::ErrorReply{404, says::session_not_running(77)}));
  auto shell = launch();
  ASSERT_TRUE(shell);
  const uint64_t sid = shell->session_id();
  ASSERT_EQ(unix_request(msg::TerminateApp{sid, true}), msg::Message(msg::AppState{sid, "stopping"}));
  ASSERT_TRUE(appd_.wait_state(sid, "stopped", 10000));
  EXPECT_EQ(unix_request(msg::IpcForward{sid, "{}"}),
            msg::Message(msg::ErrorReply{404, says::session_not_running(sid)}));
}

TEST_F(AppdBridge, IpcForwardAnswers503OnceTheRelayQueueTowardAStalledComponentIsFull) {
  start_appd({std::string("WEFT_RUNTIME_BIN=") + kScriptedRuntime});
  auto stalled = launch();
  auto other = launch();
  ASSERT_TRUE(stalled && other);
  const uint64_t sid = stalled->session_id();
  ASSERT_EQ(unix_request(msg::IpcForward{sid, R"({"standin":"stop-reading"})"}), msg::Message(msg::AppState{sid, "running"}));
  // Full-size payloads fill the kernel's socket buffers after a few, then appd's queue of kRelayQueueLines.
  const std::string payload(ipc::kMaxPayloadBytes, 'q');
  auto client = appd_.unix_client();
  ASSERT_TRUE(client.ok());
  int accepted = 0;
  std::optional<msg::ErrorReply> refusal;
  for (int i = 0; i < 400 && !refusal; ++i) {
    auto reply = client->request(msg::IpcForward{sid, payload});
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    if (auto* error = std::get_if<msg::ErrorReply>(&*reply)) refusal = *error;
    else ++accepted;
  }
  ASSERT_TRUE(refusal.has_value()) << "400 payloads were queued for a component that reads nothing";
  EXPECT_EQ(*refusal, (msg::ErrorReply{503, "relay queue of session " + std::to_string(sid) + " is full"}));
  EXPECT_GE(accepted, kRelayQueueLines) << "refused before appd's queue was full";
  // The stalled session is still running, and the other session's relay works.
  EXPECT_EQ(unix_request(msg::QueryAppState{sid}), msg::Message(msg::AppState{sid, "running"}));
  ASSERT_TRUE(other->send_payload("echo me").ok());
  EXPECT_EQ(other->next_payload(), "echo me");
}

// ---------------------------------------------------------------- component faults

class AppdBridgeComponentFault : public AppdBridge, public ::testing::WithParamInterface<const char*> {};

TEST_P(AppdBridgeComponentFault, EndsOnlyThatSession) {
  start_appd({std::string("WEFT_RUNTIME_BIN=") + kScriptedRuntime});
  auto faulty = launch();
  auto other = launch();
  ASSERT_TRUE(faulty && other);
  ASSERT_TRUE(faulty->send_payload(GetParam()).ok());
  EXPECT_TRUE(appd_.wait_state(faulty->session_id(), "stopped", 20000)) << "the session survived the bad line";
  EXPECT_FALSE(faulty->next_payload(100).has_value()) << "the bad line reached the page";
  EXPECT_TRUE(faulty->wait_closed()) << "the faulty session's app shell was not stopped";
  EXPECT_EQ(unix_request(msg::QueryAppState{other->session_id()}), msg::Message(msg::AppState{other->session_id(), "running"}));
  ASSERT_TRUE(other->send_payload("still here").ok());
  EXPECT_EQ(other->next_payload(), "still here");
}

INSTANTIATE_TEST_SUITE_P(ALineOverTheLimitOrNotUtf8, AppdBridgeComponentFault,
                         ::testing::Values(R"({"standin":"overlong"})", R"({"standin":"not-utf8"})"),
                         [](const auto& info) { return info.index == 0 ? "OverTheLimit" : "NotUtf8"; });

// ---------------------------------------------------------------- gestures, cap

TEST_F(AppdBridge, PanelGestureIsAnsweredWithNavigationGestureAndBroadcastToSystemClients) {
  start_appd();
  auto a = appd_.system_client();
  auto b = appd_.system_client();
  ASSERT_TRUE(a.ok() && b.ok());
  for (auto* ws : {a->get(), b->get()}) {  // a reply proves the HELLO was taken before the gestures
    ws->send({{"type", "QUERY_RUNNING"}});
    ASSERT_TRUE(ws->next_of("RUNNING_APPS").has_value());
  }
  const json expected{{"type", "NAVIGATION_GESTURE"}, {"gesture_type", 1}, {"fingers", 3}, {"dx", 12.5}, {"dy", -40.25}};
  EXPECT_EQ(unix_request(msg::PanelGesture{1, 3, 12.5, -40.25}), msg::Message(msg::NavigationGesture{1, 3, 12.5, -40.25}));
  EXPECT_EQ((*a)->next(), expected);
  EXPECT_EQ((*b)->next(), expected);
  // From a system client: it gets the answer once, the other client the broadcast.
  (*a)->send({{"type", "PANEL_GESTURE"}, {"gesture_type", 1}, {"fingers", 3}, {"dx", 12.5}, {"dy", -40.25}});
  EXPECT_EQ((*a)->next(), expected);
  EXPECT_EQ((*b)->next(), expected);
  EXPECT_FALSE((*a)->next(500).has_value()) << "the requester got its gesture twice";
}

TEST_F(AppdBridge, TheThirtyThirdLiveLaunchIsRefusedWith503) {
  // 32 real counter runtimes (measured: a few MiB each, all launched within seconds) with stand-in app shells.
  start_appd();
  std::vector<std::unique_ptr<StandinShell>> sessions;
  for (int i = 0; i < 32; ++i) {
    auto sid = appd_.launch(kCounter);
    ASSERT_TRUE(sid.ok()) << "launch " << i + 1 << ": " << sid.error().message;
    auto shell = shells_->accept(*sid);
    ASSERT_TRUE(shell.ok()) << shell.error().message;
    sessions.push_back(std::move(shell).value());
  }
  long runtimes_kib = 0;
  for (auto& [pid, name] : appd_.appd_descendants())
    if (name == "weft-runtime") runtimes_kib += vm_rss_kib(pid);
  std::printf("[appd cap] 32 sessions: weft-runtimes %ld KiB VmRSS in total, appd %ld KiB\n", runtimes_kib,
              vm_rss_kib(appd_.appd_pid()));
  auto refused = appd_.launch(kCounter);
  ASSERT_FALSE(refused.ok()) << "a 33rd session was launched";
  EXPECT_EQ(refused.error().code, 503);
  EXPECT_EQ(refused.error().message, "too many sessions: 32 are live");
  auto running = unix_request(msg::QueryRunning{});
  EXPECT_EQ(std::get<msg::RunningApps>(running).sessions.size(), 32u);
  // A stopped session frees its place.
  const uint64_t first = sessions.front()->session_id();
  ASSERT_EQ(unix_request(msg::TerminateApp{first, true}), msg::Message(msg::AppState{first, "stopping"}));
  ASSERT_TRUE(appd_.wait_state(first, "stopped", 10000));
  auto again = appd_.launch(kCounter);
  EXPECT_TRUE(again.ok()) << again.error().message;
}

// ---------------------------------------------------------------- notes under a killed runtime

TEST_F(AppdBridge, ANotesRuntimeKilledRightAfterASaveLosesNoSavedText) {
  ASSERT_TRUE(appd_.install_demo(kNotes).ok());
  start_appd();
  const std::string notes_file = appd_.data_home() + "/weft/app-data/" + kNotes + "/notes.txt";
  auto load = [](StandinShell& shell) -> json {
    EXPECT_TRUE(shell.send_payload(R"({"op":"load"})").ok());
    auto reply = next_json(shell);
    return reply ? *reply : json();
  };

  auto shell = launch(kNotes);
  ASSERT_TRUE(shell);
  json loaded = load(*shell);
  ASSERT_EQ(loaded["op"], "loaded") << loaded.dump();
  // A first save, acknowledged, also measures how long a save of this size takes end to end (ms).
  std::string old_text = "old text, saved and acknowledged\n" + std::string(40000, 'o');
  auto save_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(shell->send_payload(json{{"op", "save"}, {"seq", 1}, {"base", loaded["rev"]}, {"text", old_text}}.dump()).ok());
  auto saved = next_json(*shell);
  const int save_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - save_start).count());
  ASSERT_TRUE(saved.has_value());
  ASSERT_EQ((*saved)["op"], "saved") << saved->dump();
  ASSERT_EQ((*saved)["rev"], notes_rev(old_text));

  // Rounds that kill the runtime ever later after the save was sent: before, during and after its write.
  const int delays_ms[] = {0, save_ms / 3, 2 * save_ms / 3, save_ms, 2 * save_ms};
  for (int round = 0; round < 5; ++round) {
    std::string new_text(40000 + round, static_cast<char>('a' + round));  // large: the write takes a while
    pid_t runtime = runtime_pid();
    ASSERT_NE(runtime, 0);
    ASSERT_TRUE(shell->send_payload(json{{"op", "save"}, {"seq", 2 + round}, {"base", notes_rev(old_text)}, {"text", new_text}}.dump()).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(delays_ms[round]));
    ::kill(runtime, SIGKILL);
    ASSERT_TRUE(appd_.wait_state(shell->session_id(), "stopped", 20000));
    auto stored = read_file(notes_file);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    EXPECT_TRUE(*stored == old_text || *stored == new_text)
        << "round " << round << ": notes.txt holds " << stored->size() << " bytes, neither the old nor the new text";
    std::printf("[notes kill] a save takes %d ms; killed %d ms after one: notes.txt holds the %s text\n", save_ms,
                delays_ms[round], *stored == new_text ? "new" : "old");

    shell = launch(kNotes);
    ASSERT_TRUE(shell);
    json reloaded = load(*shell);
    EXPECT_EQ(reloaded["op"], "loaded") << reloaded.dump();
    EXPECT_EQ(reloaded["text"], *stored) << "round " << round << ": the next session did not load the stored text";
    EXPECT_EQ(reloaded["rev"], notes_rev(*stored));
    old_text = *stored;
  }
}

// ---------------------------------------------------------------- sd_notify

TEST_F(AppdBridge, AppdNotifiesReadyAfterItsRendezvousFilesExistAndStoppingOnSigterm) {
  const std::string path = appd_.root() + "/notify.sock";
  UniqueFd notify(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  ASSERT_EQ(::bind(notify.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval timeout{30, 0};
  ::setsockopt(notify.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

  // The files are checked the moment READY=1 arrives, on a thread that waits for it while appd starts.
  std::string ready_message;
  bool files_at_ready = false;
  std::thread listener([&] {
    char buffer[256];
    ssize_t n = ::recv(notify.get(), buffer, sizeof buffer, 0);
    if (n <= 0) return;
    ready_message.assign(buffer, static_cast<size_t>(n));
    files_at_ready = ::access((appd_.weft_dir() + "/appd.wsport").c_str(), F_OK) == 0 &&
                     ::access((appd_.weft_dir() + "/appd.systoken").c_str(), F_OK) == 0 &&
                     ::access((appd_.weft_dir() + "/appd.sock").c_str(), F_OK) == 0;
  });
  start_appd({"NOTIFY_SOCKET=" + path});
  listener.join();
  EXPECT_EQ(ready_message, "READY=1");
  EXPECT_TRUE(files_at_ready) << "READY=1 came before appd.sock, appd.wsport and appd.systoken existed";

  ExitStatus status = appd_.stop_appd(SIGTERM);
  EXPECT_TRUE(status.success()) << status.describe();
  char buffer[256];
  ssize_t n = ::recv(notify.get(), buffer, sizeof buffer, 0);
  ASSERT_GT(n, 0) << "no STOPPING=1 after SIGTERM";
  EXPECT_EQ(std::string(buffer, static_cast<size_t>(n)), "STOPPING=1");
  ::unlink(path.c_str());
}

// ---------------------------------------------------------------- load

TEST_F(AppdBridge, TwentyCounterSessionsFromFourClientsRelayTenThousandMessagesWithoutLossOrReordering) {
  start_appd();
  std::vector<std::unique_ptr<StandinShell>> sessions;
  LoadFigures figures = run_counter_load(appd_, *shells_, LoadOptions{}, sessions);
  std::printf("[appd load] %s\n", figures.describe().c_str());
  EXPECT_TRUE(figures.problems.empty()) << figures.describe();
  EXPECT_EQ(sessions.size(), 20u);
  EXPECT_EQ(figures.messages_sent, 10000);
  EXPECT_EQ(figures.replies_in_order, 10000);
}

}  // namespace
}  // namespace weft::appd::test
