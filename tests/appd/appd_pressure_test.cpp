// Memory pressure and background apps (issue 13, docs/appd.md): the real appd, compositor, runtime, app shells and
// weft-shell, with a STAND-IN pressure source — a file in PSI's format the test writes, which appd reads instead of
// /proc/pressure/memory (WEFT_TEST_PSI_PATH, test builds only). Three counters run; the second and then the first are
// focused again, so the least recently focused background app is the third (not the oldest). Pressure past the release
// threshold asks the background app shells (and never the focused one) to release memory; past the stop threshold the
// background apps are closed through the normal stop path, least recently focused first, each announced to system
// clients and shown by weft-shell as a toast; the focused app stays.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "appd_harness.hpp"
#include "weft/core/fd.hpp"

namespace weft::appd::test {
namespace {

std::string psi_text(double some_avg10, double full_avg10) {
  char text[256];
  std::snprintf(text, sizeof text,
                "some avg10=%.2f avg60=1.00 avg300=0.50 total=123456\nfull avg10=%.2f avg60=0.50 avg300=0.10 total=6543\n",
                some_avg10, full_avg10);
  return text;
}

class MemoryPressure : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = appd_.start_desktop(kWidth, kHeight);
    ASSERT_TRUE(started.ok()) << started.error().message;
    ASSERT_TRUE(appd_.install_demo(kCounter).ok());
    psi_path_ = appd_.root() + "/pressure-standin";
    log_path_ = appd_.root() + "/appd.log";
    set_pressure(0.0, 0.0);
    auto appd = appd_.start_appd({"WEFT_TEST_PSI_PATH=" + psi_path_, "WEFT_TEST_PSI_INTERVAL_MS=100",
                                  "WEFT_TEST_PRESSURE_STOP_INTERVAL_MS=0", "WEFT_MEMORY_PRESSURE_RELEASE=20",
                                  "WEFT_MEMORY_PRESSURE_STOP=15"},
                                 log_path_);
    ASSERT_TRUE(appd.ok()) << appd.error().message;
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "---- appd log ----\n" << log() << "---- end of appd log ----\n";
  }
  void set_pressure(double some_avg10, double full_avg10) {
    // By rename, so appd never reads half a file.
    ASSERT_TRUE(write_file_atomic(psi_path_, psi_text(some_avg10, full_avg10), 0600).ok());
  }
  std::string log() const {
    auto text = read_file(log_path_);
    return text.ok() ? *text : "";
  }
  bool wait_until(const std::function<bool()>& done, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      appd_.desktop().pump(50);
    }
    return false;
  }
  bool wait_log(const std::string& needle, int timeout_ms = 10000) {
    return wait_until([&] { return log().find(needle) != std::string::npos; }, timeout_ms);
  }
  // The app shell of `sid` logged `text` (appd drains its stderr into its own log, labelled with the session).
  bool shell_logged(uint64_t sid, std::string_view text) const {
    std::istringstream lines(log());
    const std::string label = std::string(kCounter) + "[" + std::to_string(sid) + "] app-shell stderr: ";
    for (std::string line; std::getline(lines, line);)
      if (line.find(label) != std::string::npos && line.find(text) != std::string::npos) return true;
    return false;
  }
  bool released_by(uint64_t sid) const { return shell_logged(sid, "memory pressure: released WebKit caches"); }
  // Launches `count` counters at once and waits until all are ready; their session ids in launch order.
  std::vector<uint64_t> launch_counters(WsClient& ws, int count) {
    std::vector<uint64_t> ids;
    for (int i = 0; i < count; ++i) {
      ws.send({{"type", "LAUNCH_APP"}, {"app_id", kCounter}, {"surface_id", 0}});
      auto ack = ws.next_of("LAUNCH_ACK");
      EXPECT_TRUE(ack.has_value());
      if (!ack) return {};
      ids.push_back((*ack)["session_id"].get<uint64_t>());
    }
    for (int i = 0; i < count; ++i)
      if (!ws.next_of("APP_READY", kTimeoutMs)) {
        ADD_FAILURE() << "only " << i << " of " << count << " counters became ready";
        return {};
      }
    return ids;
  }

  AppdHarness appd_;
  std::string psi_path_, log_path_;
};

TEST_F(MemoryPressure, BackgroundAppsReleaseMemoryThenTheLeastRecentlyFocusedCloseAndTheFocusedAppNever) {
  auto system = appd_.system_client();
  ASSERT_TRUE(system.ok()) << system.error().message;
  WsClient& ws = **system;
  const auto sessions = launch_counters(ws, 3);
  ASSERT_EQ(sessions.size(), 3u);
  const uint64_t first = sessions[0], second = sessions[1], third = sessions[2];
  // Each new window took focus as it appeared; then the second and the first get it back. The least recently focused
  // background app is now the third (though the second is older), then the second.
  for (uint64_t sid : {second, first}) {
    ws.send({{"type", "ACTIVATE_APP"}, {"session_id", sid}});
    auto activated = ws.next_of("APP_STATE");
    ASSERT_TRUE(activated.has_value());
    ASSERT_EQ((*activated)["state"], "running") << activated->dump();
  }

  // weft-shell's system page, for the toast that names the closed app; started after the launches, so it shows no
  // launch toasts (it learns the running apps by QUERY_RUNNING) and comes up while level 1 is checked.
  auto shell = appd_.start_shell();
  ASSERT_TRUE(shell.ok()) << shell.error().message;
  // The toast column, top right: over the counter's window the toasts' accent edge is the only accent colour there.
  auto toast_shown = [](const Image& i) { return fraction_near(i, kWidth - 360, 0, 360, 80, kAccent, 12) > 0.003; };

  // Level 1 (some avg10 ≥ 20 %): the background app shells hear RELEASE_MEMORY and act on it; the focused one does not.
  set_pressure(35.0, 0.0);
  EXPECT_TRUE(wait_until([&] { return released_by(second); })) << "the second app's shell did not release memory";
  EXPECT_TRUE(wait_until([&] { return released_by(third); })) << "the third app's shell did not release memory";
  EXPECT_TRUE(wait_log("memory pressure level release (some avg10=35"));
  appd_.desktop().pump(500);  // five more samples at level 1
  EXPECT_FALSE(released_by(first)) << "the focused app was asked to release memory";
  EXPECT_EQ(log().find("asked session " + std::to_string(first) + " "), std::string::npos);
  const std::string once = "asked session " + std::to_string(second) + " ";
  EXPECT_EQ(log().find(once), log().rfind(once)) << "asked more than once in one background period";

  // The shell is connected to appd once its taskbar is up (its colour right of the entries, left of the right-end
  // buttons, which start 150 px from the right edge) and lists the apps.
  auto taskbar_lists_apps = [](const Image& i) {
    return fraction_near(i, 560, kHeight - kTaskbar + 4, kWidth - 150 - 560, kTaskbar - 8, kTaskbarColour) > 0.98 &&
           fraction_near(i, 90, kHeight - kTaskbar + 8, 300, kTaskbar - 16, kTaskbarColour) < 0.9;
  };
  auto listed = appd_.desktop().capture_until(taskbar_lists_apps, kTimeoutMs);
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  ASSERT_TRUE(taskbar_lists_apps(*listed)) << "weft-shell's taskbar never listed the running apps";
  ASSERT_FALSE(toast_shown(*listed)) << "a toast before anything was closed";

  // Level 2 (full avg10 ≥ 15 %): the least recently focused background app is closed, announced first.
  set_pressure(60.0, 40.0);
  auto closed = ws.next_of("APP_CLOSED", 10000);
  ASSERT_TRUE(closed.has_value()) << "no APP_CLOSED broadcast";
  EXPECT_EQ((*closed)["session_id"], third) << "not the least recently focused background app";
  EXPECT_EQ((*closed)["app_id"], kCounter);
  EXPECT_EQ((*closed)["reason"], "memory pressure");
  EXPECT_TRUE(appd_.wait_state(second, "running", 100)) << "only one app closes at a time";
  auto toast = appd_.desktop().capture_until(toast_shown, 5000);
  ASSERT_TRUE(toast.ok()) << toast.error().message;
  save(*toast, "appd-pressure-toast.png");
  EXPECT_TRUE(toast_shown(*toast)) << "weft-shell showed no toast for the closed app";
  EXPECT_TRUE(appd_.wait_state(third, "stopped", 15000));
  // The normal stop path, graceful: the app shell got its window's close request (its chance to save) and exited.
  EXPECT_TRUE(wait_log("stopping session session_id=" + std::to_string(third) + " reason=\"memory pressure\""));
  EXPECT_TRUE(wait_until([&] { return shell_logged(third, "closing: "); })) << "no close request reached the app";

  // Pressure stays: the next background app goes as well, and then nothing more — the focused app is never stopped.
  closed = ws.next_of("APP_CLOSED", 10000);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ((*closed)["session_id"], second);
  EXPECT_TRUE(appd_.wait_state(second, "stopped", 15000));
  EXPECT_FALSE(ws.next_of("APP_CLOSED", 1000).has_value()) << "the focused app was closed";  // 10 samples
  EXPECT_TRUE(appd_.wait_state(first, "running", 100));
  EXPECT_EQ(appd_.desktop().focused_app_id(), kCounter);

  set_pressure(0.0, 0.0);
  EXPECT_TRUE(wait_log("memory pressure level none"));
  ASSERT_EQ(appd_.stop_appd().code, 0);
  EXPECT_TRUE(shell->terminate(std::chrono::milliseconds(10000)).success());
}

}  // namespace
}  // namespace weft::appd::test
