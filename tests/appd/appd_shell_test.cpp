// weft-shell against the real weft-appd (spec §6.4): the system page reads appd.wsport/appd.systoken, says HELLO,
// lists INSTALLED_APPS in its launcher, and a keyboard launch from the launcher starts the app through appd; the app
// window and its taskbar entry appear. $WEFT_APPD_PNG_DIR receives the captures.
#include <gtest/gtest.h>
#include <linux/input-event-codes.h>

#include "appd_harness.hpp"

namespace weft::appd::test {
namespace {

TEST(AppdWithTheShell, TheLauncherListsTheInstalledAppsLaunchesOneThroughAppdAndTheTaskbarCrossTerminatesIt) {
  AppdHarness appd;
  ASSERT_TRUE(appd.start_desktop(kWidth, kHeight).ok());
  ASSERT_TRUE(appd.install_demo(kCounter).ok());
  ASSERT_TRUE(appd.install_demo(kNotes).ok());
  ASSERT_TRUE(appd.start_appd().ok());

  auto shell = appd.start_shell();
  ASSERT_TRUE(shell.ok()) << shell.error().message;
  auto idle = appd.desktop().capture_until(
      [](const Image& i) { return fraction_near(i, 400, kHeight - kTaskbar + 4, 400, kTaskbar - 8, kTaskbarColour) > 0.98; },
      kTimeoutMs);
  ASSERT_TRUE(idle.ok()) << idle.error().message;

  // Super opens the launcher; its grid holds the two installed demos (accent-coloured initial-letter icons).
  // The page may still be starting up when the taskbar first shows: tap Super until the launcher is open.
  auto launcher_open = [](const Image& i) { return fraction_near(i, kWidth / 2 - 250, 150, 500, 300, kAccent, 12) > 0.02; };
  Result<Image> launcher = fail("not tried");
  for (int attempt = 0; attempt < 6; ++attempt) {
    appd.desktop().key(KEY_LEFTMETA);
    launcher = appd.desktop().capture_until(launcher_open, 5000);
    if (launcher.ok() && launcher_open(*launcher)) break;
  }
  ASSERT_TRUE(launcher.ok()) << launcher.error().message;
  save(*launcher, "appd-shell-launcher.png");
  EXPECT_GT(fraction_near(*launcher, kWidth / 2 - 250, 150, 500, 300, kAccent, 12), 0.02) << "no app icons";

  // A click on the first icon (the counter, sorted by id; the grid is centred above the taskbar) sends LAUNCH_APP.
  appd.desktop().pointer_click(350, 302);
  auto unix = appd.unix_client();
  ASSERT_TRUE(unix.ok());
  msg::RunningApps running;
  for (int i = 0; i < 400 && running.sessions.empty(); ++i) {
    auto reply = unix->request(msg::QueryRunning{});
    ASSERT_TRUE(reply.ok());
    running = std::get<msg::RunningApps>(*reply);
    appd.desktop().pump(50);
  }
  ASSERT_EQ(running.sessions.size(), 1u) << "the launcher did not launch through appd";
  EXPECT_EQ(running.sessions[0].app_id, kCounter);
  ASSERT_TRUE(appd.wait_state(running.sessions[0].session_id, "running"));

  // The counter's window (accent buttons in the work area) is up and focused, the taskbar stays below it.
  auto app = appd.desktop().capture_until(
      [](const Image& i) {
        return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kAccent, 24) > 0.002 &&
               fraction_near(i, 400, kHeight - kTaskbar + 4, 400, kTaskbar - 8, kTaskbarColour) > 0.5;
      },
      kTimeoutMs);
  ASSERT_TRUE(app.ok());
  save(*app, "appd-shell-counter.png");
  EXPECT_GT(fraction_near(*app, 0, 0, kWidth, kHeight - kTaskbar, kAccent, 24), 0.002) << "no counter window";
  EXPECT_EQ(appd.desktop().focused_app_id(), kCounter);

  // The taskbar entry's × (right end of the first entry, after the Apps button) sends TERMINATE_APP.
  appd.desktop().pointer_click(181, kHeight - kTaskbar / 2);
  EXPECT_TRUE(appd.wait_state(running.sessions[0].session_id, "stopped", 20000)) << "× did not terminate the app";
  auto closed = appd.desktop().capture_until(
      [](const Image& i) { return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kAccent, 24) == 0.0; }, kTimeoutMs);
  ASSERT_TRUE(closed.ok());
  save(*closed, "appd-shell-closed.png");
  EXPECT_EQ(fraction_near(*closed, 0, 0, kWidth, kHeight - kTaskbar, kAccent, 24), 0.0) << "the window stayed";

  ExitStatus status = shell->terminate(std::chrono::milliseconds(10000));
  EXPECT_TRUE(status.success()) << status.describe();
}

}  // namespace
}  // namespace weft::appd::test
