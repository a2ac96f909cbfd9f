// weft-appd under faults (spec §3.4 steps 10–13, §3.6): a runtime that never reports readiness or reports the wrong
// token, a crashed runtime, a crashed app shell and a killed WebProcess each end (or, for the WebProcess, survive) only
// their own session, through the one cleanup path, while appd keeps serving.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>

#include "appd_harness.hpp"
#include "weft/core/ipc/errors.hpp"

namespace says = weft::ipc::error_message;  // spec error strings

namespace weft::appd::test {
namespace {

std::vector<std::string> idle_listing() {
  return {"appd.sock", "appd.systoken", "appd.wsport", "compositor.display", "compositor.sock"};
}

pid_t find_descendant(AppdHarness& appd, const std::string& comm) {
  for (auto& [pid, name] : appd.appd_descendants())
    if (name.rfind(comm, 0) == 0) return pid;
  return 0;
}

class AppdFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = appd_.start_desktop(640, 480);
    ASSERT_TRUE(started.ok()) << started.error().message;
    ASSERT_TRUE(appd_.install_demo(kCounter).ok());
  }
  // The launch is acknowledged, then the session ends on its own; the system client sees the launch ERROR.
  void expect_launch_fails(const std::string& reason_part, int timeout_ms) {
    auto system = appd_.system_client();
    ASSERT_TRUE(system.ok());
    auto sid = appd_.launch(kCounter);
    ASSERT_TRUE(sid.ok()) << sid.error().message;
    auto error = (*system)->next_of("ERROR", timeout_ms);
    ASSERT_TRUE(error.has_value()) << "no launch ERROR broadcast";
    std::string message = (*error)["message"];
    EXPECT_EQ(message.rfind(std::string(kCounter) + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(reason_part), std::string::npos) << message;
    EXPECT_TRUE(appd_.wait_state(*sid, "stopped", 10000));
    EXPECT_EQ(appd_.weft_dir_listing(), idle_listing());
    EXPECT_TRUE(appd_.appd_descendants().empty());
  }
  // Launches the real counter and waits until it runs.
  uint64_t launch_running() {
    auto sid = appd_.launch(kCounter);
    EXPECT_TRUE(sid.ok()) << (sid.ok() ? "" : sid.error().message);
    if (!sid.ok()) return 0;
    EXPECT_TRUE(appd_.wait_state(*sid, "running"));
    return *sid;
  }
  // appd still answers and can launch again.
  void expect_appd_serves() {
    ASSERT_TRUE(appd_.appd_running());
    uint64_t again = launch_running();
    EXPECT_NE(again, 0u);
  }
  AppdHarness appd_;
};

TEST_F(AppdFaults, AReadinessLineWithTheWrongTokenEndsTheLaunch) {
  ASSERT_TRUE(appd_.start_appd({"WEFT_RUNTIME_BIN=" WEFT_APPD_TEST_DIR "/standin/runtime_wrong_token.sh"}).ok());
  expect_launch_fails("READY", 20000);
}

TEST_F(AppdFaults, ARuntimeThatNeverReportsReadinessIsStoppedWhenItsReadinessWaitRunsOut) {
  // The spec's wait is 30 s; a test-hook (Debug) build shortens it to 3 s so the suite does not sleep.
  ASSERT_TRUE(appd_.start_appd({"WEFT_RUNTIME_BIN=" WEFT_APPD_TEST_DIR "/standin/runtime_never_ready.sh",
                                "WEFT_TEST_READY_TIMEOUT_MS=3000"})
                  .ok());
  expect_launch_fails("not ready within ", 45000);  // "3 s" in test-hook builds, "30 s" in release builds
}

TEST_F(AppdFaults, ACrashedRuntimeEndsOnlyItsSession) {
  ASSERT_TRUE(appd_.start_appd().ok());
  uint64_t first = launch_running();
  uint64_t second = launch_running();
  ASSERT_NE(first, 0u);
  // Both sessions' runtimes are children of appd; kill the oldest one.
  auto children = appd_.appd_descendants();
  pid_t runtime = 0;
  for (auto& [pid, name] : children)
    if (name == "weft-runtime" && (runtime == 0 || pid < runtime)) runtime = pid;
  ASSERT_NE(runtime, 0);
  ::kill(runtime, SIGKILL);
  EXPECT_TRUE(appd_.wait_state(first, "stopped", 20000));
  EXPECT_TRUE(appd_.wait_state(second, "running", 1000)) << "the other session was affected";
  expect_appd_serves();
}

TEST_F(AppdFaults, ACrashedAppShellEndsItsSessionAndAKilledWebProcessIsReloaded) {
  ASSERT_TRUE(appd_.start_appd().ok());
  uint64_t sid = launch_running();
  ASSERT_NE(sid, 0u);
  pid_t web = find_descendant(appd_, "WPEWebProcess");
  ASSERT_NE(web, 0) << "no WebProcess under the app shell";
  ::kill(web, SIGKILL);
  appd_.desktop().pump(3000);
  EXPECT_TRUE(appd_.wait_state(sid, "running", 1000)) << "one renderer crash is reloaded, not fatal";

  pid_t shell = find_descendant(appd_, "weft-app-shell");
  ASSERT_NE(shell, 0);
  ::kill(shell, SIGKILL);
  EXPECT_TRUE(appd_.wait_state(sid, "stopped", 20000));
  appd_.desktop().pump(200);
  EXPECT_TRUE(appd_.appd_descendants().empty()) << "the runtime or a web process outlived the session";
  EXPECT_EQ(appd_.weft_dir_listing(), idle_listing());
  expect_appd_serves();
}

TEST_F(AppdFaults, ForcedTerminationStopsASessionAtOnce) {
  ASSERT_TRUE(appd_.start_appd().ok());
  uint64_t sid = launch_running();
  auto client = appd_.unix_client();
  ASSERT_TRUE(client.ok());
  auto reply = client->request(msg::TerminateApp{sid, true});
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(std::get<msg::AppState>(*reply).state, "stopping");
  EXPECT_TRUE(appd_.wait_state(sid, "stopped", 5000));
  auto again = client->request(msg::TerminateApp{sid, false});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(std::get<msg::AppState>(*again), (msg::AppState{sid, "stopped"}));
  auto unknown = client->request(msg::TerminateApp{999, false});
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(std::get<msg::ErrorReply>(*unknown), (msg::ErrorReply{404, says::session_not_found(999)}));
  auto activate = client->request(msg::ActivateApp{sid});
  ASSERT_TRUE(activate.ok());
  EXPECT_EQ(std::get<msg::ErrorReply>(*activate), (msg::ErrorReply{404, says::session_not_running(1)}));
}

}  // namespace
}  // namespace weft::appd::test
