// Window policy (§2.2) seen as a user sees it: pixels of screenshots and who has keyboard focus.

#include <linux/input-event-codes.h>

#include "compositor_fixture.hpp"

using namespace weft::test;

using WindowPolicy = CompositorTest;

TEST_F(WindowPolicy, PanelSitsAtTheBottomAndAppIsMaximizedIntoTheWorkArea) {
  auto shell = connect();
  auto apps = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto app = make_app(*apps, "app", kRed);
  ASSERT_TRUE(wait_until([&] { return app->configured_height == kOutputHeight - kPanelZone; }))
      << "app configured " << app->configured_width << "x" << app->configured_height;
  wait_drawn(*app);
  EXPECT_EQ(app->configured_width, kOutputWidth);
  EXPECT_TRUE(app->maximized);
  EXPECT_TRUE(wait_until([&] { return app->activated; })) << "the new app window is activated";
  EXPECT_EQ(panel->configured_width, kOutputWidth);
  EXPECT_EQ(panel->configured_height, kOutputHeight);

  auto png = driver->capture("panel-and-app");
  ASSERT_TRUE(png.ok()) << png.error().message;
  ASSERT_EQ(png->width, kOutputWidth);
  ASSERT_EQ(png->height, kOutputHeight);
  EXPECT_EQ(png->at(0, 0), kRed);
  EXPECT_EQ(png->at(640, 400), kRed);
  EXPECT_EQ(png->at(1279, kOutputHeight - kPanelZone - 1), kRed);
  EXPECT_EQ(png->at(0, kOutputHeight - kPanelZone), kBlue) << "panel strip starts 48 px above the bottom";
  EXPECT_EQ(png->at(1279, 799), kBlue);
}

TEST_F(WindowPolicy, ClickOnALowerWindowRaisesAndFocusesIt) {
  auto client = connect();
  auto a = make_fixed(*client, "big", kRed, 600, 500);
  auto b = make_fixed(*client, "small", kGreen, 300, 300);  // on top, at the same origin
  EXPECT_EQ(focused_title(), "small");

  auto before = driver->capture("click-before");
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_EQ(before->at(100, 100), kGreen);
  EXPECT_EQ(before->at(500, 400), kRed);

  driver->click(500, 400);
  EXPECT_EQ(focused_title(), "big");
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == a->surface && a->activated && !b->activated; }));
  settle(*client);
  auto after = driver->capture("click-after");
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(after->at(100, 100), kRed) << "the clicked window is raised above the other";
}

TEST_F(WindowPolicy, ClosingTheFocusedWindowFocusesTheTopmostRemainingApp) {
  auto shell = connect();
  auto client = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  EXPECT_EQ(focused_title(), "panel") << "with no app window the panel holds focus";
  auto a = make_app(*client, "a", kRed);
  wait_drawn(*a);
  auto b = make_app(*client, "b", kGreen);
  wait_drawn(*b);
  auto c = make_app(*client, "c", kYellow);
  wait_drawn(*c);
  EXPECT_EQ(focused_title(), "c");

  driver->click(640, 300);  // c is on top; clicking it keeps the order
  EXPECT_EQ(focused_title(), "c");
  c.reset();
  settle(*client);
  EXPECT_EQ(focused_title(), "b");
  auto png = driver->capture("after-close");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 300), kGreen);
  b.reset();
  settle(*client);
  EXPECT_EQ(focused_title(), "a");
  a.reset();
  settle(*client);
  EXPECT_EQ(focused_title(), "panel");
  ASSERT_TRUE(wait_until([&] { return shell->keyboard_focus == panel->surface; }));
}

TEST_F(WindowPolicy, ClickOnThePanelFocusesItWithoutRaisingIt) {
  auto shell = connect();
  auto client = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  driver->click(640, 790);  // the panel strip
  EXPECT_EQ(focused_title(), "panel");
  settle(*shell);
  auto png = driver->capture("panel-clicked");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 400), kRed) << "the panel stays beneath the app";
}

TEST_F(WindowPolicy, SuperTapFocusesThePanelAndDeliversTheKeyThere) {
  auto shell = connect();
  auto client = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == app->surface; }));
  weft_test_v1_key(driver->control, KEY_LEFTMETA, 1);
  weft_test_v1_key(driver->control, KEY_LEFTMETA, 0);
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return shell->keyboard_focus == panel->surface && !shell->keys_received.empty(); }));
  EXPECT_EQ(shell->keys_received.front(), static_cast<uint32_t>(KEY_LEFTMETA));
  EXPECT_TRUE(client->keys_received.empty()) << "the app never sees the Super tap";

  // Super + another key is not a tap: the app keeps its keys.
  driver->click(640, 300);
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == app->surface; }));
  weft_test_v1_key(driver->control, KEY_LEFTMETA, 1);
  weft_test_v1_key(driver->control, KEY_A, 1);
  weft_test_v1_key(driver->control, KEY_A, 0);
  weft_test_v1_key(driver->control, KEY_LEFTMETA, 0);
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return client->keys_received.size() >= 2; }));
  EXPECT_EQ(client->keys_received[0], static_cast<uint32_t>(KEY_LEFTMETA));
  EXPECT_EQ(client->keys_received[1], static_cast<uint32_t>(KEY_A));
}

TEST_F(WindowPolicy, OverlayCoversAppsAndReturnsFocusWhenItGoes) {
  auto client = connect();
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  auto overlay = make_app(*client, "overlay", kGreen, "overlay");
  wait_drawn(*overlay);
  EXPECT_EQ(focused_title(), "overlay");
  auto png = driver->capture("overlay");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 790), kGreen) << "an overlay covers the whole output";
  overlay.reset();
  settle(*client);
  EXPECT_EQ(focused_title(), "app");
}

TEST_F(WindowPolicy, TouchTapRaisesTheWindowAndReachesIt) {
  auto client = connect();
  auto a = make_fixed(*client, "big", kRed, 600, 500);
  auto b = make_fixed(*client, "small", kGreen, 300, 300);  // on top, at the same origin
  weft_test_v1_touch_down(driver->control, 0, wl_fixed_from_int(500), wl_fixed_from_int(400));
  weft_test_v1_touch_up(driver->control, 0);
  wl_display_flush(driver->display);
  EXPECT_EQ(focused_title(), "big");
}

namespace {

/// An xdg_popup of a TestWindow, filled with one colour once configured.
struct TestPopup {
  TestWindow& parent;
  Rgb colour;
  wl_surface* surface = nullptr;
  xdg_surface* xsurface = nullptr;
  xdg_popup* popup = nullptr;
  int x = 0, y = 0, width = 0, height = 0;  // last xdg_popup.configure, parent-relative
  bool drawn = false;
  bool dismissed = false;  // xdg_popup.popup_done

  /// `grab_serial`: an input serial of the parent's client, to take an explicit grab with (a menu).
  TestPopup(TestWindow& p, Rgb c, int anchor_x, int anchor_y, int w, int h,
            std::optional<uint32_t> grab_serial = std::nullopt)
      : parent(p), colour(c) {
    TestClient& client = parent.client;
    xdg_positioner* positioner = xdg_wm_base_create_positioner(client.wm_base);
    xdg_positioner_set_size(positioner, w, h);
    xdg_positioner_set_anchor_rect(positioner, anchor_x, anchor_y, 1, 1);
    xdg_positioner_set_anchor(positioner, XDG_POSITIONER_ANCHOR_BOTTOM_RIGHT);
    xdg_positioner_set_gravity(positioner, XDG_POSITIONER_GRAVITY_BOTTOM_RIGHT);
    xdg_positioner_set_constraint_adjustment(positioner, XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_X |
                                                             XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_SLIDE_Y);
    surface = wl_compositor_create_surface(client.compositor);
    xsurface = xdg_wm_base_get_xdg_surface(client.wm_base, surface);
    xdg_surface_add_listener(xsurface, &kSurfaceListener, this);
    popup = xdg_surface_get_popup(xsurface, parent.xsurface, positioner);
    xdg_popup_add_listener(popup, &kPopupListener, this);
    if (grab_serial) xdg_popup_grab(popup, client.seat, *grab_serial);
    xdg_positioner_destroy(positioner);
    wl_surface_commit(surface);
    wl_display_flush(client.display);
  }
  ~TestPopup() {
    xdg_popup_destroy(popup);
    xdg_surface_destroy(xsurface);
    wl_surface_destroy(surface);
  }

  static constexpr xdg_surface_listener kSurfaceListener = {
      .configure =
          [](void* data, xdg_surface* xs, uint32_t serial) {
            auto* self = static_cast<TestPopup*>(data);
            xdg_surface_ack_configure(xs, serial);
            wl_surface_attach(self->surface, solid_buffer(self->parent.client.shm, self->width, self->height,
                                                          self->colour), 0, 0);
            wl_surface_damage_buffer(self->surface, 0, 0, self->width, self->height);
            wl_surface_commit(self->surface);
            self->drawn = true;
          },
  };
  static constexpr xdg_popup_listener kPopupListener = {
      .configure =
          [](void* data, xdg_popup*, int32_t x, int32_t y, int32_t w, int32_t h) {
            auto* self = static_cast<TestPopup*>(data);
            self->x = x;
            self->y = y;
            self->width = w;
            self->height = h;
          },
      .popup_done = [](void* data, xdg_popup*) { static_cast<TestPopup*>(data)->dismissed = true; },
      .repositioned = [](void*, xdg_popup*, uint32_t) {},
  };
};

}  // namespace

TEST_F(WindowPolicy, PopupIsConstrainedToTheOutputAndStacksWithItsParent) {
  auto client = connect();
  auto parent = make_app(*client, "parent", kRed);
  wait_drawn(*parent);
  // Anchored near the right edge: unconstrained it would end 130 px beyond the output.
  TestPopup popup(*parent, kYellow, 1200, 20, 200, 100);
  ASSERT_TRUE(wait_until([&] { return popup.drawn; }));
  settle(*client);
  EXPECT_LE(popup.x + popup.width, kOutputWidth) << "popup at x=" << popup.x << " width " << popup.width;
  EXPECT_EQ(popup.width, 200);
  auto png = driver->capture("popup");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(kOutputWidth - 5, 25), kYellow);
  EXPECT_EQ(png->at(kOutputWidth - 205, 25), kRed);

  // Another window raised above the parent covers the popup too.
  auto other = connect();
  auto cover = make_app(*other, "cover", kGreen);
  wait_drawn(*cover);
  auto covered = driver->capture("popup-covered");
  ASSERT_TRUE(covered.ok()) << covered.error().message;
  EXPECT_EQ(covered->at(kOutputWidth - 5, 25), kGreen);
}

TEST_F(WindowPolicy, APopupOfAWindowWhoseSubsurfaceOverhangsItsTopLeftIsStillConstrainedToTheOutputEdge) {
  auto client = connect();
  auto parent = make_fixed(*client, "parent", kRed, 400, 300);  // main surface at the output's top-left
  // No set_window_geometry: the window geometry, which popups are positioned against, starts 30 px left of and 20 px
  // above the main surface, off the output.
  TestSubsurface sub(*client, parent->surface, -30, -20, 100, 50);
  settle(*client);
  // Anchored 1200 px right of the geometry's left edge, i.e. at layout x 1170: 200 px wide, it must slide left.
  TestPopup popup(*parent, kYellow, 1200, 120, 200, 100);
  ASSERT_TRUE(wait_until([&] { return popup.drawn; }));
  settle(*client);
  EXPECT_EQ(popup.x, kOutputWidth + 30 - 200) << "the popup slides until its right edge meets the output's";
  auto png = driver->capture("popup-of-overhanging-window");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(kOutputWidth - 1, 150), kYellow) << "the popup reaches the output's last column";
  EXPECT_EQ(png->at(kOutputWidth - 201, 150), kDesktopBackground) << "and starts 200 px before it";
}

TEST_F(WindowPolicy, AnAppWindowsInitialConfigureAlreadyCarriesItsMaximizedSize) {
  auto shell = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto client = connect();
  auto app = make_app(*client, "app", kRed);
  wait_drawn(*app);
  ASSERT_TRUE(app->first_configured_size.has_value());
  EXPECT_EQ(*app->first_configured_size, std::pair(kOutputWidth, kOutputHeight - kPanelZone))
      << "not 0x0 (client's choice) followed by a resize once it has drawn";
  EXPECT_TRUE(app->first_configured_maximized);
}

TEST_F(WindowPolicy, ANewWindowDismissesAGrabbedMenuAndTakesTheKeyboard) {
  auto client = connect();
  auto parent = make_app(*client, "parent", kRed);
  wait_drawn(*parent);
  const uint32_t before_click = client->last_input_serial;
  driver->click(100, 100);  // the menu's grab needs the serial of a button press
  ASSERT_TRUE(wait_until([&] { return client->last_input_serial != before_click; }));
  TestPopup menu(*parent, kYellow, 100, 100, 200, 100, client->last_input_serial);
  ASSERT_TRUE(wait_until([&] { return menu.drawn; }));
  settle(*client);
  ASSERT_FALSE(menu.dismissed);

  auto other = connect();
  auto next = make_app(*other, "next", kGreen);
  wait_drawn(*next);
  EXPECT_TRUE(wait_until([&] { return menu.dismissed; })) << "the menu was left open over the new window";
  EXPECT_TRUE(wait_until([&] { return other->keyboard_focus == next->surface; }))
      << "the new window never got the keyboard";
  EXPECT_EQ(focused_title(), "next");
}
