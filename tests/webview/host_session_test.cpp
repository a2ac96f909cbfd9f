// weft-shell and weft-app-shell as real processes under a headless weft-compositor: what a user would see (captured
// output pixels) and what appd would receive (stand-in appd requests, bridge lines, readiness).
#include <gtest/gtest.h>
#include <linux/input-event-codes.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "weft/test/build_dir.hpp"
#include "weft/test/compositor_session.hpp"
#include "loopback_listeners.hpp"
#include "standin_appd.hpp"
#include "weft/core/ready.hpp"
#include "weft/test/pixels.hpp"
#include "weft/test/process_tree.hpp"

namespace weft::webview {
namespace {

using test::CompositorSession;
using test::StandinAppd;

using namespace weft::test::desktop;
constexpr int kWidth = 1024, kHeight = 640;
constexpr int kTimeoutMs = 30000;
const Rgba kAppGreen{0, 128, 0, 255};
const Rgba kMagenta{255, 0, 255, 255};
const Rgba kBlue{0, 0, 255, 255};
const std::string kUi = WEFT_UI_DIR;
const std::string kFixtures = WEFT_WEBVIEW_FIXTURES;

/// Share of the launcher's area showing the accent colour (its icons): > 0.02 while it is open.
double launcher_share(const Image& image) {
  return test::fraction_near(image, kWidth / 2 - 250, 200, 500, 200, kAccent, 12);
}

void save_for_docs(const Image& image, const char* name) {
  ASSERT_TRUE(test::keep_png(image, "WEFT_WEBVIEW_SCREENSHOT_DIR", name).ok());
}

// One line from appd's end of a bridge (non-blocking fd), or "" after the timeout.
std::string read_bridge_line(int fd, std::string& buffered) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTimeoutMs);
  while (buffered.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) buffered.append(buf, static_cast<size_t>(n));
    else usleep(10000);
  }
  size_t end = buffered.find('\n');
  if (end == std::string::npos) return "";
  std::string line = buffered.substr(0, end + 1);
  buffered.erase(0, end + 1);
  return line;
}

/// The columns of row `y` between x0 and x1 (exclusive) that are near black: where the fixture's scale probes are.
std::vector<int> dark_columns(const Image& image, int y, int x0, int x1) {
  std::vector<int> columns;
  for (int x = x0; x < x1 && x < image.width; ++x)
    if (test::near(image.at(x, y), Rgba{0, 0, 0, 255}, 64)) columns.push_back(x);
  return columns;
}

class HostsOnCompositor : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = session_.start(kWidth, kHeight);
    ASSERT_TRUE(started.ok()) << started.error().message;
    auto listening = appd_.start(session_.weft_dir());
    ASSERT_TRUE(listening.ok()) << listening.error().message;
    SpawnOptions shell;
    shell.argv = {test::executable("weft-shell")};
    shell.env = session_.host_environment({"WAYLAND_DISPLAY=" + session_.display_name(),
                                           "WEFT_SYSTEM_UI_HTML=" + kUi + "/system-ui.html",
                                           "WEFT_UI_KIT_JS=" + kUi + "/weft-ui-kit.js"});
    auto child = ChildProcess::spawn(shell);
    ASSERT_TRUE(child.ok()) << child.error().message;
    shell_ = std::move(child).value();
    // The shell is up when its taskbar shows the running app's entry (it reached the stand-in appd).
    auto image = session_.capture_until(
        [](const Image& i) {
          return test::fraction_near(i, 400, kHeight - kTaskbar + 4, 400, kTaskbar - 8, kTaskbarColour) > 0.98 &&
                 test::fraction_near(i, 90, kHeight - 40, 100, 30, Rgba{42, 47, 58, 255}, 6) > 0.3;
        },
        kTimeoutMs);
    ASSERT_TRUE(image.ok()) << image.error().message;
    shell_image_ = std::move(image).value();
  }
  /// Starts the fixture app as session `sid` the way appd does (bound socket, bridge and readiness fds) and waits
  /// for READY; returns appd's end of the bridge.
  UniqueFd start_fixture_app(uint64_t sid) {
    auto client = session_.bind_session(sid, "org.weft.test.fixture");
    auto bridge = unix_socket_pair();
    auto ready_pipe = make_pipe();
    EXPECT_TRUE(client.ok() && bridge.ok() && ready_pipe.ok());
    if (!client.ok() || !bridge.ok() || !ready_pipe.ok()) return UniqueFd();
    std::string token = ready::random_token();
    std::string shell_dir = session_.runtime_dir() + "/weft/shell-" + std::to_string(sid);
    std::filesystem::create_directories(shell_dir + "/cache");
    SpawnOptions app;
    app.argv = {test::executable("weft-app-shell"), "org.weft.test.fixture", std::to_string(sid), "--ui",
                kFixtures + "/app/ui/index.html"};
    app.env = session_.host_environment({"WAYLAND_SOCKET=3", "WEFT_BRIDGE_FD=4", "WEFT_READY_FD=5",
                                         "WEFT_READY_TOKEN=" + token, "WEFT_UI_KIT_JS=" + kUi + "/weft-ui-kit.js",
                                         "XDG_CACHE_HOME=" + shell_dir + "/cache"});
    app.fd_map = {{client->get(), 3}, {bridge->second.get(), 4}, {ready_pipe->second.get(), 5}};
    auto child = ChildProcess::spawn(app);
    EXPECT_TRUE(child.ok()) << (child.ok() ? "" : child.error().message);
    if (!child.ok()) return UniqueFd();
    app_ = std::move(child).value();
    client->reset();
    bridge->second.reset();
    ready_pipe->second.reset();
    ready_pipe_link_ = fd_link(getpid(), ready_pipe->first.get());  // a pipe's ends share one inode
    token_ = token;
    auto ready = ready::wait_for_line(ready_pipe->first.get(), token, std::chrono::milliseconds(kTimeoutMs));
    EXPECT_TRUE(ready.ok()) << "READY: " << (ready.ok() ? "" : ready.error().message);
    return ready.ok() ? std::move(bridge->first) : UniqueFd();
  }
  void TearDown() override {
    if (app_.running()) app_.terminate(std::chrono::milliseconds(3000));
    if (shell_.running()) shell_.terminate(std::chrono::milliseconds(3000));
  }

  /// What /proc/<pid>/fd/<fd> links to, e.g. "socket:[1234]" ("" when unreadable).
  static std::string fd_link(pid_t pid, int fd) {
    std::error_code ec;
    auto target = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd), ec);
    return ec ? std::string() : target.string();
  }

  CompositorSession session_;
  std::string ready_pipe_link_;
  std::string token_;
  StandinAppd appd_{{{"org.weft.demo.counter", "Counter", "0.1.0"}, {"org.weft.demo.notes", "Notes", "0.1.0"}},
                    {{1, "org.weft.demo.counter"}}};
  ChildProcess shell_;
  ChildProcess app_;
  Image shell_image_;
};

TEST_F(HostsOnCompositor, ShellShowsTheTaskbarInTheBottom48PixelsAndOpensTheLauncherOnSuper) {
  const Image& idle = shell_image_;
  ASSERT_EQ(idle.width, kWidth);
  ASSERT_EQ(idle.height, kHeight);
  EXPECT_GT(test::fraction_near(idle, 0, kHeight - kTaskbar + 2, kWidth, kTaskbar - 2, kTaskbarColour), 0.6);
  EXPECT_LT(test::fraction_near(idle, 0, 0, kWidth, kHeight - kTaskbar - 1, kTaskbarColour), 0.01)
      << "taskbar above the zone";
  EXPECT_GT(test::fraction_near(idle, 12, kHeight - 40, 60, 30, kAccent, 12), 0.5) << "no Apps button";
  EXPECT_EQ(session_.focused_app_id(), "org.weft.system.shell");
  session_.key(KEY_LEFTMETA);  // a Super tap goes to the panel
  auto open = session_.capture_until(
      [](const Image& i) { return launcher_share(i) > 0.02; }, kTimeoutMs);
  ASSERT_TRUE(open.ok()) << open.error().message;
  save_for_docs(*open, "weft-shell.png");
  EXPECT_GT(launcher_share(*open), 0.02) << "the launcher did not open";
  session_.key(KEY_ESC);
  auto closed = session_.capture_until(
      [](const Image& i) { return launcher_share(i) < 0.001; }, kTimeoutMs);
  ASSERT_TRUE(closed.ok());
  EXPECT_LT(launcher_share(*closed), 0.001) << "Escape did not close it";
  ExitStatus status = shell_.terminate(std::chrono::milliseconds(10000));  // SIGTERM
  EXPECT_TRUE(status.success()) << "weft-shell on SIGTERM: " << status.describe();
}

TEST_F(HostsOnCompositor, AppShellFillsTheWorkAreaAndTakesInjectedClicksKeysAndBridgeLines) {
  UniqueFd bridge = start_fixture_app(7);
  ASSERT_TRUE(bridge);
  auto shown = session_.capture_until(
      [](const Image& i) { return test::fraction_near(i, 300, 10, 700, 570, kAppGreen) > 0.98; }, kTimeoutMs);
  ASSERT_TRUE(shown.ok()) << shown.error().message;
  // The app window covers exactly the work area: green down to row 591, the panel's taskbar from row 592.
  EXPECT_GT(test::fraction_near(*shown, 300, 10, 700, 570, kAppGreen), 0.98);
  EXPECT_GT(test::fraction_near(*shown, 210, kHeight - kTaskbar - 1, kWidth - 210, 1, kAppGreen), 0.99);
  EXPECT_GT(test::fraction_near(*shown, 400, kHeight - kTaskbar + 4, 400, kTaskbar - 8, kTaskbarColour), 0.98);
  EXPECT_EQ(session_.focused_app_id(), "org.weft.test.fixture");
  EXPECT_EQ(session_.focused_title(), "org.weft.test.fixture/7");  // create_window(app_id, "<app_id>/<sid>", …)

  session_.pointer_click(100, 150);  // the page's button
  auto clicked =
      session_.capture_until([](const Image& i) { return test::near(i.at(600, 300), kMagenta); }, kTimeoutMs);
  ASSERT_TRUE(clicked.ok());
  save_for_docs(*clicked, "app-shell-fixture.png");
  EXPECT_TRUE(test::near(clicked->at(600, 300), kMagenta)) << "the injected click did not reach the page";
  std::string buffered;
  ASSERT_TRUE(set_nonblocking(bridge.get()).ok());
  std::string line = read_bridge_line(bridge.get(), buffered);
  EXPECT_EQ(line, "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"clicked\\\":1}\"}\n");

  session_.key(KEY_B);
  auto keyed = session_.capture_until([](const Image& i) { return test::near(i.at(600, 300), kBlue); }, kTimeoutMs);
  ASSERT_TRUE(keyed.ok());
  EXPECT_TRUE(test::near(keyed->at(600, 300), kBlue)) << "the injected key did not reach the page";

  // Wheel (wl_pointer.axis → wpe axis event) and touch (wl_touch → wpe touch event) reach the page too.
  session_.scroll(30);
  EXPECT_EQ(read_bridge_line(bridge.get(), buffered), "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"wheel\\\":1}\"}\n");
  session_.touch_tap(400, 300);
  EXPECT_EQ(read_bridge_line(bridge.get(), buffered),
            "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"touch\\\":[400,300]}\"}\n");

  // A held key repeats at the compositor's wl_keyboard.repeat_info rate (host-side repeat).
  session_.key_state(KEY_X, true);
  std::string repeated = read_bridge_line(bridge.get(), buffered);
  session_.key_state(KEY_X, false);
  EXPECT_EQ(repeated, "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"repeat\\\":\\\"x\\\"}\"}\n");

  // Bridge EOF ends the app shell with status 0 (spec §6.2).
  bridge.reset();
  auto status = app_.wait(std::chrono::milliseconds(kTimeoutMs));
  ASSERT_TRUE(status.has_value()) << "weft-app-shell did not exit after bridge EOF";
  EXPECT_TRUE(status->success()) << status->describe();
}

TEST_F(HostsOnCompositor, AnOutputScaleChangeReRendersThePageAtTheNewScaleAndClicksStillLandOnTheSameElement) {
  UniqueFd bridge = start_fixture_app(9);
  ASSERT_TRUE(bridge);
  // Scale 1: the fixture's 1-px line (CSS x 401) and its 0.5-px border (CSS x 421, rounded up) are one px each.
  auto before = session_.capture_until(
      [](const Image& i) {
        return test::fraction_near(i, 600, 300, 400, 240, kAppGreen) > 0.98 && dark_columns(i, 55, 380, 460).size() == 2;
      },
      kTimeoutMs);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(dark_columns(*before, 55, 380, 460), (std::vector<int>{401, 421}));

  ASSERT_TRUE(session_.set_output_scale(2).ok());
  // Scale 2 (captures are device px): the output is 512x320 logical, the app fills the work area above the 48-px
  // taskbar, i.e. device rows 0..543. A page that really renders at scale 2 shows the line 2 device px wide and the
  // 0.5-px border as one device px; an old scale-1 buffer stretched by the compositor would show 2 and 2.
  auto taskbar_at_scale_2 = [](const Image& i) {
    // 48 logical px = 96 device px high; the Apps button at logical x 10..77 is device x 20..154.
    return test::fraction_near(i, 400, kHeight - 2 * kTaskbar + 8, 340, 2 * kTaskbar - 16, kTaskbarColour) > 0.98 &&
           test::fraction_near(i, 40, kHeight - 2 * kTaskbar + 18, 90, 6, kAccent, 12) > 0.9;
  };
  auto after = session_.capture_until(
      [&](const Image& i) {
        return dark_columns(i, 110, 760, 920) == std::vector<int>{802, 803, 842} &&
               test::fraction_near(i, 600, 300, 400, 240, kAppGreen) > 0.98 && taskbar_at_scale_2(i);
      },
      kTimeoutMs);
  ASSERT_TRUE(after.ok()) << after.error().message;
  save_for_docs(*after, "app-shell-scale-2.png");
  EXPECT_EQ(dark_columns(*after, 110, 760, 920), (std::vector<int>{802, 803, 842}));
  // The app window fills the 512x272 logical work area: device rows 0..543 are the page, the taskbar from 544.
  EXPECT_GT(test::fraction_near(*after, 600, 300, 400, 240, kAppGreen), 0.98);
  EXPECT_TRUE(test::near(after->at(600, kHeight - 2 * kTaskbar - 1), kAppGreen));
  EXPECT_TRUE(taskbar_at_scale_2(*after)) << "the shell's panel did not re-render at scale 2";

  // A click at the button's logical place (CSS 0..200 × 100..200) still presses it: input follows the new scale.
  session_.pointer_click(100, 150);
  auto clicked =
      session_.capture_until([](const Image& i) { return test::near(i.at(600, 300), kMagenta); }, kTimeoutMs);
  ASSERT_TRUE(clicked.ok());
  EXPECT_TRUE(test::near(clicked->at(600, 300), kMagenta)) << "the click after the scale change missed the button";
  std::string buffered;
  ASSERT_TRUE(set_nonblocking(bridge.get()).ok());
  EXPECT_EQ(read_bridge_line(bridge.get(), buffered), "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"clicked\\\":1}\"}\n");

  // And back to 1: one device px each again, the page (now magenta) fills the 1024x592 work area.
  ASSERT_TRUE(session_.set_output_scale(1).ok());
  auto back = session_.capture_until(
      [](const Image& i) {
        return dark_columns(i, 55, 380, 460) == std::vector<int>{401, 421} &&
               test::fraction_near(i, 600, 300, 400, 280, kMagenta) > 0.98;
      },
      kTimeoutMs);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(dark_columns(*back, 55, 380, 460), (std::vector<int>{401, 421}));
  EXPECT_GT(test::fraction_near(*back, 600, 300, 400, 280, kMagenta), 0.98);
  EXPECT_GT(test::fraction_near(*back, 400, kHeight - kTaskbar + 4, 400, kTaskbar - 8, kTaskbarColour), 0.98);
}

TEST_F(HostsOnCompositor, WebKitsProcessesOfAnAppShellInheritNeitherTheBridgeNorTheReadinessFdNorTheToken) {
  UniqueFd bridge = start_fixture_app(9);
  ASSERT_TRUE(bridge);
  std::string bridge_link = fd_link(app_.pid(), 4);  // the app shell's end of the bridge, as appd mapped it
  ASSERT_NE(bridge_link.find("socket:"), std::string::npos) << bridge_link;
  ASSERT_NE(ready_pipe_link_.find("pipe:"), std::string::npos) << ready_pipe_link_;
  auto children = test::children_of(app_.pid());
  ASSERT_FALSE(children.empty()) << "the app shell runs no WebKit process";
  for (const auto& child : children) {
    std::ifstream environ_file("/proc/" + std::to_string(child.pid) + "/environ", std::ios::binary);
    std::string environment((std::istreambuf_iterator<char>(environ_file)), {});
    for (const char* secret : {"WEFT_READY_TOKEN", "WEFT_READY_FD", "WEFT_BRIDGE_FD", "WEFT_BRIDGE_TOKEN"})
      EXPECT_EQ(environment.find(secret), std::string::npos) << child.comm << " inherited " << secret;
    EXPECT_EQ(environment.find(token_), std::string::npos) << child.comm << " holds the readiness token";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(child.pid) + "/fd", ec)) {
      std::string link = fd_link(child.pid, std::stoi(entry.path().filename().string()));
      EXPECT_NE(link, bridge_link) << child.comm << " holds the bridge socket as fd " << entry.path().filename();
      EXPECT_NE(link, ready_pipe_link_) << child.comm << " holds the readiness pipe as fd " << entry.path().filename();
    }
  }
}

/// The network namespace /proc/<pid>/ns/net names, e.g. "net:[4026531840]" ("" when unreadable).
std::string network_namespace_of(pid_t pid) {
  std::error_code ec;
  auto target = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/net", ec);
  return ec ? std::string() : target.string();
}

/// The interfaces in /proc/<pid>/net/dev, space-separated (the first two lines are headers).
std::string interfaces_of(pid_t pid) {
  std::ifstream dev("/proc/" + std::to_string(pid) + "/net/dev");
  std::string line, names;
  for (int row = 0; std::getline(dev, line); ++row) {
    size_t colon = line.find(':');
    if (row < 2 || colon == std::string::npos) continue;
    size_t start = line.find_first_not_of(' ');
    names += (names.empty() ? "" : " ") + line.substr(start, colon - start);
  }
  return names;
}

// Issue 17 item 9: preconnects from <link rel=preconnect> and clicked links leave WebKit's NetworkProcess past the
// content filter, CSP and navigation policy (AppViewNetwork.OutsideTheAppShellsNamespaceWebKitPreconnectsToWhereThe-
// PageSays shows they do outside the namespace); in the app shell's empty network namespace they reach nothing.
TEST_F(HostsOnCompositor, AnAppShellAndItsWebKitProcessesRunWithoutANetworkSoPreconnectsReachNothing) {
  test::CountingListener v4("127.0.0.1"), v6("::1");
  ASSERT_NE(v4.port(), 0);
  UniqueFd bridge = start_fixture_app(11);
  ASSERT_TRUE(bridge);

  const std::string ours = network_namespace_of(getpid());
  ASSERT_FALSE(ours.empty());
  auto tree = test::descendants(app_.pid());
  ASSERT_FALSE(tree.empty()) << "the app shell runs no WebKit process";
  tree.push_back({.pid = app_.pid(), .comm = "weft-app-shell"});
  for (const auto& process : tree) {
    EXPECT_NE(network_namespace_of(process.pid), ours) << process.comm << " shares the test's network namespace";
    EXPECT_EQ(interfaces_of(process.pid), "lo") << process.comm << "'s network namespace is not empty";
  }

  std::string targets = "\\\"" + v4.authority() + "\\\"";
  if (v6.port()) targets += ",\\\"" + v6.authority() + "\\\"";
  std::string line = "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"reachOut\\\":[" + targets + "]}\"}\n";
  ASSERT_EQ(write(bridge.get(), line.data(), line.size()), static_cast<ssize_t>(line.size()));
  std::string buffered;
  ASSERT_TRUE(set_nonblocking(bridge.get()).ok());
  EXPECT_EQ(read_bridge_line(bridge.get(), buffered),
            "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"reachOut\\\":\\\"reached out\\\"}\"}\n");
  usleep(500 * 1000);  // µs: time for a late connection to arrive
  EXPECT_EQ(v4.connections(), 0) << "a preconnect reached 127.0.0.1";
  EXPECT_EQ(v6.connections(), 0) << "a preconnect reached ::1";
  EXPECT_TRUE(app_.running()) << "the app shell died";
}

TEST_F(HostsOnCompositor, LauncherOpensAboveAnOpenAppWindowAndEscapeReturnsToTheApp) {
  UniqueFd bridge = start_fixture_app(8);
  ASSERT_TRUE(bridge);
  auto shown = session_.capture_until(
      [](const Image& i) { return test::fraction_near(i, 300, 10, 700, 570, kAppGreen) > 0.98; }, kTimeoutMs);
  ASSERT_TRUE(shown.ok());
  ASSERT_EQ(session_.focused_app_id(), "org.weft.test.fixture");
  session_.key(KEY_LEFTMETA);
  auto open = session_.capture_until(
      [](const Image& i) { return launcher_share(i) > 0.02; }, kTimeoutMs);
  ASSERT_TRUE(open.ok());
  save_for_docs(*open, "launcher-over-app.png");
  EXPECT_GT(launcher_share(*open), 0.02) << "launcher not above the app";
  // The app stays visible, dimmed, through the launcher's backdrop.
  EXPECT_GT(test::fraction_near(*open, 20, 420, 200, 100, Rgba{0, 58, 0, 255}, 10), 0.9);
  session_.key(KEY_ESC);
  auto back = session_.capture_until(
      [](const Image& i) { return test::fraction_near(i, 300, 10, 700, 570, kAppGreen) > 0.98; }, kTimeoutMs);
  ASSERT_TRUE(back.ok());
  EXPECT_GT(test::fraction_near(*back, 300, 10, 700, 570, kAppGreen), 0.98) << "the overlay did not go away";
  EXPECT_EQ(session_.focused_app_id(), "org.weft.test.fixture") << "focus did not return to the app";

  // appd's close_session → xdg_toplevel.close → the app shell exits 0 (spec §6.2).
  ASSERT_TRUE(session_.close_session(8).ok());
  auto status = app_.wait(std::chrono::milliseconds(kTimeoutMs));
  ASSERT_TRUE(status.has_value()) << "weft-app-shell did not exit after xdg_toplevel.close";
  EXPECT_TRUE(status->success()) << status->describe();
}

}  // namespace
}  // namespace weft::webview
