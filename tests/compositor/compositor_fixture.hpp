#pragma once
// gtest fixture: one headless compositor per test plus a driver client holding weft_test_v1.

#include <gtest/gtest.h>

#include <memory>

#include "compositor_harness.hpp"
#include "test_client.hpp"

namespace weft::test {

inline constexpr Rgb kRed{255, 0, 0};
inline constexpr Rgb kGreen{0, 255, 0};
inline constexpr Rgb kBlue{0, 0, 255};
inline constexpr Rgb kYellow{255, 255, 0};
inline constexpr int kOutputWidth = 1280;   // px
inline constexpr int kOutputHeight = 800;   // px
inline constexpr int kPanelZone = 48;       // px, the system shell's bottom reservation

/// A blue sub-surface over a parent surface, placed at (x, y) in the parent's coordinates; committed and seen.
struct TestSubsurface {
  wl_subcompositor* subcompositor = nullptr;
  wl_surface* surface = nullptr;
  wl_subsurface* subsurface = nullptr;

  TestSubsurface(TestClient& client, wl_surface* parent, int x, int y, int width, int height) {
    subcompositor = static_cast<wl_subcompositor*>(
        wl_registry_bind(client.registry, client.global_names.at("wl_subcompositor"), &wl_subcompositor_interface, 1));
    surface = wl_compositor_create_surface(client.compositor);
    subsurface = wl_subcompositor_get_subsurface(subcompositor, surface, parent);
    wl_subsurface_set_position(subsurface, x, y);
    wl_surface_attach(surface, solid_buffer(client.shm, width, height, kBlue), 0, 0);
    wl_surface_damage(surface, 0, 0, width, height);
    wl_surface_commit(surface);
    wl_surface_commit(parent);  // a synchronized sub-surface's state applies with its parent's commit
    client.roundtrip();
  }
  void destroy() {
    if (subsurface) wl_subsurface_destroy(subsurface);
    if (surface) wl_surface_destroy(surface);
    subsurface = nullptr;
    surface = nullptr;
  }
  ~TestSubsurface() {
    destroy();
    wl_subcompositor_destroy(subcompositor);
  }
  TestSubsurface(const TestSubsurface&) = delete;
  TestSubsurface& operator=(const TestSubsurface&) = delete;
};

class CompositorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = CompositorHarness::start(extra_args(), extra_env());
    ASSERT_TRUE(started.ok()) << started.error().message;
    harness = std::move(*started);
    driver = connect();
    ASSERT_NE(driver, nullptr);
    ASSERT_NE(driver->control, nullptr) << "weft_test_v1 missing";
  }
  void TearDown() override {
    driver.reset();
    if (harness) {
      // Every test also checks a clean shutdown: SIGTERM ends the compositor with status 0 (and, in sanitizer
      // builds, without leaks or errors).
      const weft::ExitStatus status = harness->process().terminate(std::chrono::seconds(10));
      EXPECT_TRUE(status.success()) << "compositor ended with " << status.describe();
      if (HasFailure()) std::cerr << "---- compositor log ----\n" << harness->log();
    }
    harness.reset();
  }
  virtual std::vector<std::string> extra_args() { return {}; }
  virtual std::vector<std::string> extra_env() { return {}; }

  std::unique_ptr<TestClient> connect() {
    auto client = TestClient::connect(harness->socket_path());
    if (client) client->capture_dir = harness->runtime_dir();
    return client;
  }

  /// Waits until the window has drawn at its configured size and the compositor has seen that commit.
  void wait_drawn(TestWindow& w) {
    ASSERT_TRUE(wait_until([&] {
      return w.mapped && (w.configured_width == 0 || w.options.fixed_width > 0 || w.drawn_width == w.configured_width) &&
             (w.configured_height == 0 || w.options.fixed_height > 0 || w.drawn_height == w.configured_height);
    })) << "window " << w.options.title << " never drew at its configured size";
    settle(w.client);
  }

  /// Two round trips: requests the client sent while handling events are processed too.
  static void settle(TestClient& client) {
    client.roundtrip();
    client.roundtrip();
  }

  /// A panel window (zweft role panel) reserving the bottom strip.
  std::unique_ptr<TestWindow> make_panel(TestClient& client, Rgb colour = kBlue) {
    WindowOptions o;
    o.colour = colour;
    o.title = "panel";
    o.app_id = "org.weft.shell";
    o.zweft_role = "panel";
    auto panel = client.create_window(o);
    zweft_shell_window_v1_set_exclusive_zone(panel->slot, ZWEFT_SHELL_WINDOW_V1_EDGE_BOTTOM, kPanelZone);
    wl_display_flush(client.display);
    return panel;
  }

  std::unique_ptr<TestWindow> make_app(TestClient& client, const std::string& title, Rgb colour,
                                       std::optional<std::string> role = std::nullopt) {
    WindowOptions o;
    o.colour = colour;
    o.title = title;
    o.zweft_role = std::move(role);
    return client.create_window(o);
  }

  /// A window that draws `w`×`h` whatever it is offered (px), drawn and seen by the compositor; the policy puts it
  /// at the work area's top-left.
  std::unique_ptr<TestWindow> make_fixed(TestClient& client, const std::string& title, Rgb colour, int w, int h) {
    WindowOptions o;
    o.colour = colour;
    o.title = title;
    o.fixed_width = w;
    o.fixed_height = h;
    auto window = client.create_window(o);
    wait_drawn(*window);
    return window;
  }
  std::string focused_title() {
    auto state = driver->sync_state();
    return state ? state->focused_title : "<no state>";
  }

  std::unique_ptr<CompositorHarness> harness;
  std::unique_ptr<TestClient> driver;
};

}  // namespace weft::test
