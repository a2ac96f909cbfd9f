// A real WebProcess killed with SIGKILL: the view reloads once, a second crash within 60 s gives up.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "crash_policy.hpp"
#include "headless_capture.hpp"
#include "weft/test/process_tree.hpp"
#include "weft/test/pixels.hpp"

namespace weft::webview {
namespace {

const std::string kFixtures = WEFT_WEBVIEW_FIXTURES;
constexpr int kTimeoutMs = 30000;

std::vector<pid_t> web_processes() {
  std::vector<pid_t> found;
  for (const auto& child : test::children_of(getpid()))
    if (child.comm == "WPEWebProcess") found.push_back(child.pid);
  return found;
}

TEST(CrashPolicy, ReloadsAKilledWebProcessOnceAndGivesUpOnASecondCrashWithinTheWindow) {
  glib::Ptr<WebKitWebContext> context(webkit_web_context_new_ephemeral());
  auto view = WebView::create({.width = 200, .height = 150, .context = context.get()});
  ASSERT_TRUE(view.ok()) << view.error().message;
  HeadlessCapture capture(**view);
  int reports = 0, give_ups = 0;
  CrashPolicy policy(**view, [&] { ++reports; }, [&] { ++give_ups; });
  std::string uri = "file://" + kFixtures + "/quadrants.html";
  ASSERT_TRUE((*view)->load_and_wait(uri.c_str(), kTimeoutMs).ok());
  ASSERT_TRUE(capture.settle(kTimeoutMs).ok());

  auto first = web_processes();
  ASSERT_EQ(first.size(), 1u);
  kill(first[0], SIGKILL);
  ASSERT_TRUE(run_until([&] { return reports == 1; }, kTimeoutMs)) << "the crash was not noticed";
  // Reloaded by a new WebProcess that paints the page again.
  uint64_t frames_before = capture.frames();
  ASSERT_TRUE(run_until([&] { auto now = web_processes(); return now.size() == 1 && now[0] != first[0]; }, kTimeoutMs));
  ASSERT_TRUE(run_until([&] { return !webkit_web_view_is_loading((*view)->web_view()) && capture.frames() > frames_before; },
                        kTimeoutMs))
      << "no frame from the new WebProcess";
  auto painted = capture.settle(kTimeoutMs);
  ASSERT_TRUE(painted.ok()) << painted.error().message;
  EXPECT_TRUE(test::near(painted->at(10, 10), Rgba{255, 0, 0, 255})) << "the reloaded page is not on screen";
  EXPECT_EQ(give_ups, 0);

  kill(web_processes().at(0), SIGKILL);
  ASSERT_TRUE(run_until([&] { return reports == 2; }, kTimeoutMs));
  EXPECT_EQ(give_ups, 1) << "a second crash within 60 s must end the host";
}

}  // namespace
}  // namespace weft::webview
