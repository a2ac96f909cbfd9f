// The counter demo on the real desktop stack, wired the way appd wires a session (spec §3.4): weft-runtime runs the
// component with a relay socket, weft-app-shell shows the page on a headless weft-compositor through a session-bound
// Wayland socket, and this test relays bridge lines to and from the component. Keys go in through the compositor;
// what the user would see comes back as captured output pixels. $WEFT_DEMO_UI_PNG_DIR receives the captures.
#include <gtest/gtest.h>
#include <linux/input-event-codes.h>

#include <cstdlib>
#include <filesystem>

#include "app_harness.hpp"
#include "bridge_relay.hpp"
#include "weft/test/compositor_session.hpp"
#include "weft/core/ready.hpp"
#include "weft/test/pixels.hpp"

namespace weft::test {
namespace {

using webview::Image;
using webview::Rgba;
using namespace desktop;
constexpr int kWidth = 1024, kHeight = 640;
constexpr int kTimeoutMs = 60000;

void save(const Image& image, const char* name) { ASSERT_TRUE(keep_png(image, "WEFT_DEMO_UI_PNG_DIR", name).ok()); }

class CounterOnTheDesktop : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = desktop_.start(kWidth, kHeight);
    ASSERT_TRUE(started.ok()) << started.error().message;
    component_.emplace(AppSession::start(Backend::WeftRuntime, counter_app()));
    ASSERT_TRUE(component_->ok()) << component_->error();

    auto client = desktop_.bind_session(1, "org.weft.demo.counter");
    ASSERT_TRUE(client.ok()) << client.error().message;
    auto bridge = unix_socket_pair();
    auto ready_pipe = make_pipe();
    ASSERT_TRUE(bridge.ok() && ready_pipe.ok());
    std::string token = ready::random_token();
    std::filesystem::create_directories(desktop_.weft_dir() + "/shell-1/cache");
    SpawnOptions shell;
    shell.argv = {executable("weft-app-shell"), "org.weft.demo.counter", "1", "--ui",
                  WEFT_PACKAGES_DIR "/org.weft.demo.counter/ui/index.html"};
    shell.env = desktop_.host_environment({"WAYLAND_SOCKET=3", "WEFT_BRIDGE_FD=4", "WEFT_READY_FD=5",
                                           "WEFT_READY_TOKEN=" + token, "WEFT_UI_KIT_JS=" WEFT_UI_KIT_JS,
                                           "XDG_CACHE_HOME=" + desktop_.weft_dir() + "/shell-1/cache"});
    shell.fd_map = {{client->get(), 3}, {bridge->second.get(), 4}, {ready_pipe->second.get(), 5}};
    auto child = ChildProcess::spawn(shell);
    ASSERT_TRUE(child.ok()) << child.error().message;
    app_shell_ = std::move(child).value();
    client->reset();
    bridge->second.reset();
    ready_pipe->second.reset();
    auto ready = ready::wait_for_line(ready_pipe->first.get(), token, std::chrono::milliseconds(kTimeoutMs));
    ASSERT_TRUE(ready.ok()) << "app shell readiness: " << ready.error().message;
    bridge_ = std::move(bridge->first);
    ASSERT_TRUE(set_nonblocking(bridge_.get()).ok());
    relay_.emplace(bridge_.get(), *component_);
  }
  void TearDown() override {
    if (app_shell_.running()) app_shell_.terminate(std::chrono::milliseconds(3000));
  }

  // appd's relay, remembering the last count the component sent.
  void relay() {
    ASSERT_TRUE(relay_->pump([this](const std::string& payload) {
      auto reply = nlohmann::json::parse(payload, nullptr, false);
      if (reply.is_object() && reply.value("op", "") == "count") last_count_ = reply["count"].get<int>();
    })) << relay_->error();
  }
  // Captures (relaying in between) until the component has answered `count` and `accept` holds for the output.
  Image show(int count, const std::function<bool(const Image&)>& accept) {
    auto image = desktop_.capture_until(
        [&](const Image& i) {
          relay();
          return last_count_ == count && accept(i);
        },
        kTimeoutMs);
    EXPECT_TRUE(image.ok()) << image.error().message;
    EXPECT_EQ(last_count_, count);
    return image.ok() ? *image : Image{};
  }
  static double red_in_work_area(const Image& i) {
    return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kNegative, 24);
  }

  weft::test::CompositorSession desktop_;
  std::optional<AppSession> component_;
  ChildProcess app_shell_;
  UniqueFd bridge_;
  std::optional<BridgeRelay> relay_;
  int last_count_ = INT32_MIN;
};

TEST_F(CounterOnTheDesktop, KeysThroughTheCompositorChangeTheComponentsCountAndTheWindowShowsIt) {
  Image zero = show(0, [](const Image& i) {
    return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kCard) > 0.05 &&
           fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kAccent) > 0.002;
  });
  save(zero, "desktop-counter-zero.png");
  EXPECT_GT(fraction_near(zero, 0, 0, kWidth, kHeight - kTaskbar, kCard), 0.05) << "no card on screen";
  EXPECT_EQ(red_in_work_area(zero), 0.0);
  EXPECT_EQ(desktop_.focused_app_id(), "org.weft.demo.counter");

  desktop_.key(KEY_UP);
  show(1, [](const Image&) { return true; });
  desktop_.key(KEY_DOWN);
  desktop_.key(KEY_DOWN);
  Image negative = show(-1, [](const Image& i) { return red_in_work_area(i) > 0.001; });
  save(negative, "desktop-counter-negative.png");
  EXPECT_GT(red_in_work_area(negative), 0.001) << "-1 is not drawn in red";
  desktop_.key(KEY_R);
  Image reset = show(0, [](const Image& i) { return red_in_work_area(i) == 0.0; });
  EXPECT_EQ(red_in_work_area(reset), 0.0);
}

}  // namespace
}  // namespace weft::test
