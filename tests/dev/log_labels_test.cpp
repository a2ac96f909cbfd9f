// weft-dev's reading of the desktop log: which lines are the app's, its runtime's, its page's, and how it ended.
#include <gtest/gtest.h>

#include "log_labels.hpp"

namespace weft::dev {
namespace {

constexpr const char* kApp = "org.example.hello";

TEST(LogLabels, TheComponentsOwnOutputIsLabelledApp) {
  auto line = label_line("weft-appd: info: org.example.hello[3] stdout: hello from main", kApp, 3);
  EXPECT_EQ(line.source, Source::app);
  EXPECT_EQ(line.text, "hello from main");
}

TEST(LogLabels, TheRuntimesLogLinesAreLabelledRuntime) {
  auto line = label_line("weft-appd: info: org.example.hello[3] stderr: weft-runtime: warn: /data: no preopen", kApp, 3);
  EXPECT_EQ(line.source, Source::runtime);
  EXPECT_EQ(line.text, "warn: /data: no preopen");
}

TEST(LogLabels, ThePagesConsoleAndAppShellAreLabelledUi) {
  auto line = label_line("weft-appd: info: org.example.hello[3] app-shell stdout: CONSOLE LOG hi", kApp, 3);
  EXPECT_EQ(line.source, Source::ui);
  EXPECT_EQ(line.text, "CONSOLE LOG hi");
}

TEST(LogLabels, OtherSessionsAndTheDesktopAreDesktopLinesImportantOnlyAtWarnOrError) {
  EXPECT_EQ(label_line("weft-appd: info: org.example.hello[4] stdout: x", kApp, 3).source, Source::desktop);
  EXPECT_FALSE(label_line("weft-compositor: info: output ready", kApp, 3).important);
  EXPECT_TRUE(label_line("weft-appd: warn: compositor link lost; retrying", kApp, 3).important);
}

TEST(LogLabels, TheAppsExitStatusComesFromItsStoppingLine) {
  EXPECT_EQ(session_end_status("weft-appd: info: stopping session session_id=3 reason=\"weft-runtime exited with status 7\"", 3), 7);
  EXPECT_EQ(session_end_status("weft-appd: info: stopping session session_id=3 reason=\"weft-runtime killed by signal 9 (Killed)\"", 3), 137);
  EXPECT_EQ(session_end_status("weft-appd: info: stopping session session_id=3 reason=\"client_disconnected\"", 3), 0);
  EXPECT_EQ(session_end_status("weft-appd: info: stopping session session_id=31 reason=\"terminated\"", 3), std::nullopt);
}

}  // namespace
}  // namespace weft::dev
