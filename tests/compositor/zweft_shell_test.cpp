// zweft_shell_unstable_v1 v2 semantics (§2.1), driven by a real client over the wire.

#include "compositor_fixture.hpp"

using namespace weft::test;

using ZweftShell = CompositorTest;

namespace {
constexpr uint32_t kMaximized = ZWEFT_SHELL_WINDOW_V1_STATE_MAXIMIZED;
constexpr uint32_t kActivated = ZWEFT_SHELL_WINDOW_V1_STATE_ACTIVATED;

::testing::AssertionResult geometry_is(const ZweftConfigure& c, int x, int y, int w, int h) {
  if (c.x == x && c.y == y && c.width == w && c.height == h) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "configure (" << c.x << "," << c.y << "," << c.width << "," << c.height
                                       << "), expected (" << x << "," << y << "," << w << "," << h << ")";
}
}  // namespace

TEST_F(ZweftShell, ManagerIsAdvertisedAtVersionTwo) {
  auto client = connect();
  ASSERT_NE(client->zweft, nullptr);
  EXPECT_EQ(zweft_shell_manager_v1_get_version(client->zweft), 2u);
}

TEST_F(ZweftShell, CreateWindowIsAnsweredByOneConfigureBeforeAnyOtherEvent) {
  auto client = connect();
  auto w = make_app(*client, "app", kRed, "application");  // unknown role strings mean normal
  wait_drawn(*w);
  ASSERT_FALSE(w->zweft_configures.empty());
  EXPECT_EQ(w->events_before_first_configure, 0);
  EXPECT_TRUE(geometry_is(w->zweft_configures.back(), 0, 0, kOutputWidth, kOutputHeight));
  ASSERT_TRUE(wait_until([&] { return (w->zweft_configures.back().state & kActivated) != 0; }));
  EXPECT_TRUE(w->zweft_configures.back().state & kMaximized);
}

TEST_F(ZweftShell, SlotCreatedBeforeTheToplevelRoleGovernsItOnceItExists) {
  auto client = connect();
  WindowOptions o;
  o.colour = kRed;
  o.title = "early";
  o.zweft_role = "normal";
  o.zweft_before_toplevel = true;
  auto w = client->create_window(o);
  wait_drawn(*w);
  EXPECT_FALSE(w->window_closed);
  ASSERT_TRUE(wait_until([&] { return !w->focus_events.empty(); })) << "the slot's surface got focus";
  EXPECT_EQ(w->focus_events.back(), 1u);
}

TEST_F(ZweftShell, SurfacelessSlotRectangleIsClampedToTheOutput) {
  auto client = connect();
  auto slot = client->create_slot("normal", -50, 700, 5000, 500);
  ASSERT_TRUE(wait_until([&] { return !slot->configures.empty(); }));
  EXPECT_TRUE(geometry_is(slot->configures[0], 0, 700, kOutputWidth, 100));
  zweft_shell_window_v1_set_geometry(slot->slot, 10, 20, 100, 50);
  client->roundtrip();
  ASSERT_EQ(slot->configures.size(), 2u) << "set_geometry is answered by exactly one configure";
  EXPECT_TRUE(geometry_is(slot->configures[1], 10, 20, 100, 50));
}

TEST_F(ZweftShell, SetGeometryOfANormalWindowRepeatsItsPolicyGeometry) {
  auto client = connect();
  auto w = make_app(*client, "app", kRed, "normal");
  wait_drawn(*w);
  const size_t before = w->zweft_configures.size();
  zweft_shell_window_v1_set_geometry(w->slot, 5, 5, 10, 10);
  client->roundtrip();
  ASSERT_EQ(w->zweft_configures.size(), before + 1);
  EXPECT_TRUE(geometry_is(w->zweft_configures.back(), 0, 0, kOutputWidth, kOutputHeight));
}

TEST_F(ZweftShell, DialogSizeIsHonouredClampedAndCentredInTheWorkArea) {
  auto shell = connect();
  auto client = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto dialog = make_app(*client, "dialog", kGreen, "dialog");
  wait_drawn(*dialog);
  const size_t before = dialog->zweft_configures.size();
  zweft_shell_window_v1_set_geometry(dialog->slot, 0, 0, 400, 300);
  client->roundtrip();
  ASSERT_EQ(dialog->zweft_configures.size(), before + 1);
  EXPECT_TRUE(geometry_is(dialog->zweft_configures.back(), 440, 226, 400, 300));
  ASSERT_TRUE(wait_until([&] { return dialog->configured_width == 400 && dialog->configured_height == 300; }));
  wait_drawn(*dialog);
  auto png = driver->capture("dialog");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 376), kGreen);
  EXPECT_EQ(png->at(439, 376), kBlue) << "left of the centred dialog the panel beneath shows";
  EXPECT_EQ(png->at(440, 226), kGreen);
  EXPECT_EQ(png->at(839, 525), kGreen);
  EXPECT_EQ(png->at(840, 525), kBlue);

  zweft_shell_window_v1_set_geometry(dialog->slot, 0, 0, 5000, 5000);
  client->roundtrip();
  EXPECT_TRUE(geometry_is(dialog->zweft_configures.back(), 0, 0, kOutputWidth, kOutputHeight - kPanelZone));
}

TEST_F(ZweftShell, ExclusiveZoneShrinksTheWorkAreaAndReconfiguresApps) {
  auto shell = connect();
  auto client = connect();
  auto app = make_app(*client, "app", kRed, "normal");
  wait_drawn(*app);
  EXPECT_TRUE(geometry_is(app->zweft_configures.back(), 0, 0, kOutputWidth, kOutputHeight));

  auto panel = make_panel(*shell);  // reserves bottom 48
  ASSERT_TRUE(wait_until([&] { return app->zweft_configures.back().height == kOutputHeight - kPanelZone; }));
  EXPECT_TRUE(geometry_is(app->zweft_configures.back(), 0, 0, kOutputWidth, kOutputHeight - kPanelZone));
  ASSERT_TRUE(wait_until([&] { return app->configured_height == kOutputHeight - kPanelZone; }))
      << "the xdg toplevel is reconfigured too";

  zweft_shell_window_v1_set_exclusive_zone(panel->slot, ZWEFT_SHELL_WINDOW_V1_EDGE_TOP, 30);  // replaces bottom
  ASSERT_TRUE(wait_until([&] { return app->zweft_configures.back().y == 30; }));
  EXPECT_TRUE(geometry_is(app->zweft_configures.back(), 0, 30, kOutputWidth, kOutputHeight - 30));

  zweft_shell_window_v1_set_exclusive_zone(panel->slot, 7, 100);  // unknown edge: ignored
  shell->roundtrip();
  zweft_shell_window_v1_set_exclusive_zone(panel->slot, ZWEFT_SHELL_WINDOW_V1_EDGE_BOTTOM, -20);  // counts as 0
  ASSERT_TRUE(wait_until([&] { return app->zweft_configures.back().height == kOutputHeight; }));
  EXPECT_TRUE(geometry_is(app->zweft_configures.back(), 0, 0, kOutputWidth, kOutputHeight));

  zweft_shell_window_v1_set_exclusive_zone(app->slot, ZWEFT_SHELL_WINDOW_V1_EDGE_BOTTOM, 100);  // not a panel
  client->roundtrip();
  shell->roundtrip();
  EXPECT_TRUE(geometry_is(app->zweft_configures.back(), 0, 0, kOutputWidth, kOutputHeight));
}

TEST_F(ZweftShell, DestroyedToplevelClosesTheSlotAndLaterRequestsAreDefunct) {
  auto client = connect();
  auto other = connect();
  auto keep = make_app(*other, "keep", kGreen);
  wait_drawn(*keep);
  auto w = make_app(*client, "app", kRed, "normal");
  wait_drawn(*w);
  w->destroy_toplevel();
  wl_display_flush(client->display);
  ASSERT_TRUE(wait_until([&] { return w->window_closed; }));

  zweft_shell_window_v1_update_metadata(w->slot, "t", "normal");
  client->roundtrip();
  std::string iface;
  EXPECT_EQ(client->protocol_error(&iface), static_cast<uint32_t>(ZWEFT_SHELL_WINDOW_V1_ERROR_DEFUNCT_WINDOW));
  EXPECT_EQ(iface, "zweft_shell_window_v1");
  zweft_shell_window_v1_destroy(w->slot);  // frees the local proxy; the connection is dead
  w->slot = nullptr;

  auto state = driver->sync_state();
  ASSERT_TRUE(state.has_value()) << "the compositor keeps running";
  EXPECT_EQ(state->focused_title, "keep");
}

TEST_F(ZweftShell, DestroyingTheManagerClosesEveryWindowItCreated) {
  auto client = connect();
  auto w = make_app(*client, "app", kRed, "normal");
  wait_drawn(*w);
  auto slot = client->create_slot("normal", 0, 0, 10, 10);
  client->roundtrip();
  zweft_shell_manager_v1_destroy(client->zweft);
  client->zweft = nullptr;
  ASSERT_TRUE(wait_until([&] { return w->window_closed && slot->window_closed; }));
  zweft_shell_window_v1_destroy(w->slot);  // destroy stays legal
  w->slot = nullptr;
  client->roundtrip();
  EXPECT_EQ(client->error(), 0);
}

TEST_F(ZweftShell, FocusChangedFollowsKeyboardFocusWithoutRepeats) {
  auto client = connect();
  WindowOptions o;
  o.colour = kRed;
  o.title = "a";
  o.zweft_role = "normal";
  o.fixed_width = o.fixed_height = 400;
  auto a = client->create_window(o);
  wait_drawn(*a);
  ASSERT_TRUE(wait_until([&] { return a->focus_events.size() == 1; }));
  auto b = make_app(*client, "b", kGreen);
  wait_drawn(*b);
  ASSERT_TRUE(wait_until([&] { return a->focus_events.size() == 2; }));
  driver->click(200, 200);  // b covers a (maximized): the click lands on b, a stays unfocused
  settle(*client);
  b->destroy_toplevel();
  wl_display_flush(client->display);
  ASSERT_TRUE(wait_until([&] { return a->focus_events.size() == 3; }));
  settle(*client);
  EXPECT_EQ(a->focus_events, (std::vector<uint32_t>{1, 0, 1}));
}

TEST_F(ZweftShell, PresentationFeedbackFollowsEachPresentedFrameWithNewContent) {
  auto client = connect();
  auto w = make_app(*client, "app", kRed, "normal");
  wait_drawn(*w);
  ASSERT_TRUE(wait_until([&] { return !w->presentations.empty(); }));
  EXPECT_EQ(w->presentations.back().second, 16'666'666u) << "refresh of the 60 Hz headless output in ns";
  EXPECT_LT(w->presentations.back().first, 1'000'000'000u);
  const size_t seen = w->presentations.size();
  w->repaint(kBlue);
  ASSERT_TRUE(wait_until([&] { return w->presentations.size() > seen; }));
}

TEST_F(ZweftShell, NavigationGesturesPastTheirThresholdsReachPanelsOnly) {
  auto shell = connect();
  auto client = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto app = make_app(*client, "app", kRed, "normal");
  wait_drawn(*app);
  weft_test_v1* c = driver->control;
  auto fx = [](double v) { return wl_fixed_from_double(v); };
  // Swipe: 3 fingers, 120 px.
  weft_test_v1_gesture_begin(c, 0, 1000, 3);
  weft_test_v1_gesture_update(c, 0, 1010, fx(70), fx(0), fx(1));
  weft_test_v1_gesture_update(c, 0, 1020, fx(50), fx(0), fx(1));
  weft_test_v1_gesture_end(c, 0, 1030, 0);
  // Two fingers never navigate.
  weft_test_v1_gesture_begin(c, 0, 2000, 2);
  weft_test_v1_gesture_update(c, 0, 2010, fx(300), fx(0), fx(1));
  weft_test_v1_gesture_end(c, 0, 2020, 0);
  // Pinch in to 0.5.
  weft_test_v1_gesture_begin(c, 1, 3000, 3);
  weft_test_v1_gesture_update(c, 1, 3010, fx(2), fx(4), fx(0.5));
  weft_test_v1_gesture_end(c, 1, 3020, 0);
  // Hold: 400 ms is too short, 600 ms counts.
  weft_test_v1_gesture_begin(c, 2, 4000, 3);
  weft_test_v1_gesture_end(c, 2, 4400, 0);
  weft_test_v1_gesture_begin(c, 2, 5000, 4);
  weft_test_v1_gesture_end(c, 2, 5600, 0);
  // Cancelled swipe.
  weft_test_v1_gesture_begin(c, 0, 6000, 3);
  weft_test_v1_gesture_update(c, 0, 6010, fx(0), fx(200), fx(1));
  weft_test_v1_gesture_end(c, 0, 6020, 1);
  wl_display_flush(driver->display);
  ASSERT_TRUE(driver->sync_state().has_value());
  ASSERT_TRUE(wait_until([&] { return panel->gestures.size() >= 3; }));
  settle(*shell);
  ASSERT_EQ(panel->gestures.size(), 3u);
  EXPECT_EQ(panel->gestures[0].type, 0u);
  EXPECT_EQ(panel->gestures[0].fingers, 3u);
  EXPECT_DOUBLE_EQ(panel->gestures[0].dx, 120.0);
  EXPECT_EQ(panel->gestures[1].type, 1u);
  EXPECT_DOUBLE_EQ(panel->gestures[1].dy, 4.0);
  EXPECT_EQ(panel->gestures[2].type, 2u);
  EXPECT_EQ(panel->gestures[2].fingers, 4u);
  settle(*client);
  EXPECT_TRUE(app->gestures.empty());
}
