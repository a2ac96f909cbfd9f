// zwlr_layer_shell_v1: anchoring, exclusive zones in the work area, keyboard interactivity.

#include "compositor_fixture.hpp"

using namespace weft::test;

namespace {

/// A layer surface filled with one colour at whatever size the compositor configures.
struct TestLayer {
  TestClient& client;
  Rgb colour;
  wl_surface* surface = nullptr;
  zwlr_layer_surface_v1* layer = nullptr;
  uint32_t width = 0, height = 0;
  bool drawn = false;

  TestLayer(TestClient& c, Rgb col, uint32_t which, uint32_t anchor, uint32_t w, uint32_t h, int32_t zone,
            uint32_t keyboard)
      : client(c), colour(col) {
    surface = wl_compositor_create_surface(client.compositor);
    layer = zwlr_layer_shell_v1_get_layer_surface(client.layer_shell, surface, nullptr, which, "weft-test");
    zwlr_layer_surface_v1_add_listener(layer, &kListener, this);
    zwlr_layer_surface_v1_set_anchor(layer, anchor);
    zwlr_layer_surface_v1_set_size(layer, w, h);
    zwlr_layer_surface_v1_set_exclusive_zone(layer, zone);
    zwlr_layer_surface_v1_set_keyboard_interactivity(layer, keyboard);
    wl_surface_commit(surface);
    wl_display_flush(client.display);
  }
  ~TestLayer() {
    zwlr_layer_surface_v1_destroy(layer);
    wl_surface_destroy(surface);
    wl_display_flush(client.display);
  }

  static constexpr zwlr_layer_surface_v1_listener kListener = {
      .configure =
          [](void* data, zwlr_layer_surface_v1* l, uint32_t serial, uint32_t w, uint32_t h) {
            auto* self = static_cast<TestLayer*>(data);
            zwlr_layer_surface_v1_ack_configure(l, serial);
            self->width = w;
            self->height = h;
            wl_surface_attach(self->surface, solid_buffer(self->client.shm, static_cast<int>(w), static_cast<int>(h),
                                                          self->colour), 0, 0);
            wl_surface_damage_buffer(self->surface, 0, 0, static_cast<int>(w), static_cast<int>(h));
            wl_surface_commit(self->surface);
            self->drawn = true;
          },
      .closed = [](void*, zwlr_layer_surface_v1*) {},
  };
};

constexpr uint32_t kAnchorBottomBar =
    ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM | ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT | ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;
constexpr uint32_t kAnchorAll = kAnchorBottomBar | ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP;

}  // namespace

using LayerShell = CompositorTest;

TEST_F(LayerShell, BottomBarExclusiveZoneShrinksTheWorkArea) {
  auto shell = connect();
  ASSERT_NE(shell->layer_shell, nullptr);
  TestLayer bar(*shell, kYellow, ZWLR_LAYER_SHELL_V1_LAYER_TOP, kAnchorBottomBar, 0, 30, 30,
                ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE);
  ASSERT_TRUE(wait_until([&] { return bar.drawn; }));
  settle(*shell);
  EXPECT_EQ(bar.width, static_cast<uint32_t>(kOutputWidth));
  EXPECT_EQ(bar.height, 30u);

  auto client = connect();
  auto app = make_app(*client, "app", kRed);
  ASSERT_TRUE(wait_until([&] { return app->configured_height == kOutputHeight - 30; }))
      << "configured " << app->configured_height;
  wait_drawn(*app);
  settle(*shell);
  auto png = driver->capture("layer-bar");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, kOutputHeight - 31), kRed);
  EXPECT_EQ(png->at(640, kOutputHeight - 30), kYellow);
  EXPECT_EQ(focused_title(), "app") << "a bar without keyboard interactivity never takes focus";
}

TEST_F(LayerShell, ExclusiveKeyboardLayerHoldsFocusUntilItGoes) {
  auto client = connect();
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == app->surface; }));

  auto shell = connect();
  auto lock = std::make_unique<TestLayer>(*shell, kGreen, ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY, kAnchorAll, 0, 0, -1,
                                          ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE);
  ASSERT_TRUE(wait_until([&] { return lock->drawn && shell->keyboard_focus == lock->surface; }));
  settle(*shell);
  auto png = driver->capture("layer-lock");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 400), kGreen) << "the overlay layer covers the windows";

  lock.reset();
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == app->surface; }))
      << "focus returns to the window when the layer goes";
}

/// HEADLESS-1 (1280x800, primary) and HEADLESS-2 (800x600) right of it.
class LayerShellOnTwoOutputs : public CompositorTest {
  std::vector<std::string> extra_args() override { return {"--output", "800x600"}; }
};

TEST_F(LayerShellOnTwoOutputs, ABarLivesOnThePrimaryAndFollowsTheNextOneWhenThePrimaryIsUnplugged) {
  auto shell = connect();
  TestLayer bar(*shell, kYellow, ZWLR_LAYER_SHELL_V1_LAYER_TOP, kAnchorBottomBar, 0, 30, 30,
                ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE);
  ASSERT_TRUE(wait_until([&] { return bar.drawn; }));
  EXPECT_EQ(bar.width, static_cast<uint32_t>(kOutputWidth)) << "the bar spans the primary, not the layout";
  auto client = connect();
  auto app = make_app(*client, "app", kRed);
  ASSERT_TRUE(wait_until([&] { return app->configured_height == kOutputHeight - 30; }));

  ASSERT_TRUE(driver->remove_output("HEADLESS-1").ok());
  ASSERT_TRUE(wait_until([&] { return bar.width == 800u; })) << "bar width " << bar.width;
  ASSERT_TRUE(wait_until([&] { return app->configured_width == 800 && app->configured_height == 600 - 30; }))
      << "configured " << app->configured_width << "x" << app->configured_height;
  wait_drawn(*app);
  settle(*shell);
  auto png = driver->capture("layer-bar-after-primary-unplug");
  ASSERT_TRUE(png.ok()) << png.error().message;
  ASSERT_EQ(png->width, 800);
  EXPECT_EQ(png->at(400, 600 - 31), kRed);
  EXPECT_EQ(png->at(400, 600 - 30), kYellow);
}

TEST_F(LayerShell, AZeroWidthWithoutBothSideAnchorsIsAProtocolError) {
  auto shell = connect();
  // Width 0 means "stretch between the left and right anchors": with only the bottom anchor there is nothing to
  // stretch between.
  TestLayer bad(*shell, kYellow, ZWLR_LAYER_SHELL_V1_LAYER_TOP, ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM, 0, 30, 0,
                ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE);
  shell->roundtrip();
  std::string iface;
  EXPECT_EQ(shell->protocol_error(&iface), static_cast<uint32_t>(ZWLR_LAYER_SURFACE_V1_ERROR_INVALID_SIZE));
  EXPECT_EQ(iface, "zwlr_layer_surface_v1");
  EXPECT_FALSE(bad.drawn) << "a surface with an impossible size was configured";

  auto state = driver->sync_state();
  ASSERT_TRUE(state.has_value()) << "the compositor keeps running";
}

TEST_F(LayerShell, ASurfacePlacedBeforeABarIsMovedOutOfTheBarsZone) {
  auto shell = connect();
  // Stretched over the output and reserving nothing: it fills what other surfaces' zones leave.
  TestLayer backdrop(*shell, kGreen, ZWLR_LAYER_SHELL_V1_LAYER_TOP, kAnchorAll, 0, 0, 0,
                     ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE);
  ASSERT_TRUE(wait_until([&] { return backdrop.drawn; }));
  EXPECT_EQ(backdrop.height, static_cast<uint32_t>(kOutputHeight));

  TestLayer bar(*shell, kYellow, ZWLR_LAYER_SHELL_V1_LAYER_TOP, kAnchorBottomBar, 0, 30, 30,
                ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE);
  ASSERT_TRUE(wait_until([&] { return backdrop.height == static_cast<uint32_t>(kOutputHeight - 30); }))
      << "the earlier surface still has height " << backdrop.height << " over the bar's zone";
  settle(*shell);
  auto png = driver->capture("layer-backdrop-and-bar");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, kOutputHeight - 31), kGreen);
  EXPECT_EQ(png->at(640, kOutputHeight - 30), kYellow) << "the bar is not covered by the earlier surface";
}

TEST_F(LayerShell, ChangingKeyboardInteractivityTakesAndGivesBackTheKeyboard) {
  auto client = connect();
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == app->surface; }));

  auto shell = connect();
  TestLayer prompt(*shell, kGreen, ZWLR_LAYER_SHELL_V1_LAYER_TOP, ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP, 200, 100, 0,
                   ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE);
  ASSERT_TRUE(wait_until([&] { return prompt.drawn; }));
  settle(*shell);
  EXPECT_EQ(client->keyboard_focus, app->surface);

  zwlr_layer_surface_v1_set_keyboard_interactivity(prompt.layer,
                                                   ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE);
  wl_surface_commit(prompt.surface);
  wl_display_flush(shell->display);
  EXPECT_TRUE(wait_until([&] { return shell->keyboard_focus == prompt.surface; }))
      << "the surface turned exclusive but did not get the keyboard";

  zwlr_layer_surface_v1_set_keyboard_interactivity(prompt.layer, ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE);
  wl_surface_commit(prompt.surface);
  wl_display_flush(shell->display);
  EXPECT_TRUE(wait_until([&] { return client->keyboard_focus == app->surface; }))
      << "the surface turned to no interactivity but kept the keyboard";
}
