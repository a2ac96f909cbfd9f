// Which surface pointer and touch input reaches, and where on it: input regions, the implicit grab of a held button
// or a touch, sub-surfaces, a touched surface that goes away, and a confined pointer at its region's edge.

#include <linux/input-event-codes.h>

#include "compositor_fixture.hpp"

using namespace weft::test;

namespace {

/// wl_pointer and wl_touch as one client sees them: the focus and the latest surface-local position (px).
struct InputLog {
  wl_pointer* pointer = nullptr;
  wl_touch* touch = nullptr;
  wl_surface* pointer_surface = nullptr;
  double pointer_x = 0, pointer_y = 0;
  struct Touch {
    wl_surface* surface = nullptr;
    double x = 0, y = 0;
  };
  std::map<int32_t, Touch> touches;  // points down (wl_touch.down not yet followed by up)
  int ups = 0;                       // wl_touch.up events

  explicit InputLog(TestClient& client) {
    pointer = wl_seat_get_pointer(client.seat);
    wl_pointer_add_listener(pointer, &kPointer, this);
    touch = wl_seat_get_touch(client.seat);
    wl_touch_add_listener(touch, &kTouch, this);
    client.roundtrip();
  }
  ~InputLog() {
    wl_pointer_release(pointer);
    wl_touch_release(touch);
  }
  InputLog(const InputLog&) = delete;
  InputLog& operator=(const InputLog&) = delete;

  static constexpr wl_pointer_listener kPointer = {
      .enter =
          [](void* data, wl_pointer*, uint32_t, wl_surface* s, wl_fixed_t x, wl_fixed_t y) {
            auto* log = static_cast<InputLog*>(data);
            log->pointer_surface = s;
            log->pointer_x = wl_fixed_to_double(x);
            log->pointer_y = wl_fixed_to_double(y);
          },
      .leave = [](void* data, wl_pointer*, uint32_t, wl_surface*) { static_cast<InputLog*>(data)->pointer_surface = nullptr; },
      .motion =
          [](void* data, wl_pointer*, uint32_t, wl_fixed_t x, wl_fixed_t y) {
            auto* log = static_cast<InputLog*>(data);
            log->pointer_x = wl_fixed_to_double(x);
            log->pointer_y = wl_fixed_to_double(y);
          },
      .button = [](void*, wl_pointer*, uint32_t, uint32_t, uint32_t, uint32_t) {},
      .axis = [](void*, wl_pointer*, uint32_t, uint32_t, wl_fixed_t) {},
      .frame = [](void*, wl_pointer*) {},
      .axis_source = [](void*, wl_pointer*, uint32_t) {},
      .axis_stop = [](void*, wl_pointer*, uint32_t, uint32_t) {},
      .axis_discrete = [](void*, wl_pointer*, uint32_t, int32_t) {},
      .axis_value120 = [](void*, wl_pointer*, uint32_t, int32_t) {},
  };
  static constexpr wl_touch_listener kTouch = {
      .down =
          [](void* data, wl_touch*, uint32_t, uint32_t, wl_surface* s, int32_t id, wl_fixed_t x, wl_fixed_t y) {
            static_cast<InputLog*>(data)->touches[id] = {s, wl_fixed_to_double(x), wl_fixed_to_double(y)};
          },
      .up =
          [](void* data, wl_touch*, uint32_t, uint32_t, int32_t id) {
            auto* log = static_cast<InputLog*>(data);
            log->touches.erase(id);
            ++log->ups;
          },
      .motion =
          [](void* data, wl_touch*, uint32_t, int32_t id, wl_fixed_t x, wl_fixed_t y) {
            auto* log = static_cast<InputLog*>(data);
            if (auto it = log->touches.find(id); it != log->touches.end())
              it->second = {it->second.surface, wl_fixed_to_double(x), wl_fixed_to_double(y)};
          },
      .frame = [](void*, wl_touch*) {},
      .cancel = [](void*, wl_touch*) {},
      .shape = [](void*, wl_touch*, int32_t, wl_fixed_t, wl_fixed_t) {},
      .orientation = [](void*, wl_touch*, int32_t, wl_fixed_t) {},
  };
};

const zwp_confined_pointer_v1_listener kConfinedListener = {
    .confined = [](void* data, zwp_confined_pointer_v1*) { *static_cast<int*>(data) = 1; },
    .unconfined = [](void* data, zwp_confined_pointer_v1*) { *static_cast<int*>(data) = 0; },
};

constexpr uint32_t kLeftButton = 0x110;  // BTN_LEFT

}  // namespace

class InputRouting : public CompositorTest {
 protected:
  void pointer_to(double x, double y) {
    weft_test_v1_pointer_move(driver->control, wl_fixed_from_double(x), wl_fixed_from_double(y));
    wl_display_flush(driver->display);
  }
  void button(bool pressed) {
    weft_test_v1_pointer_button(driver->control, kLeftButton, pressed ? 1 : 0);
    wl_display_flush(driver->display);
  }
  void touch(int phase, int32_t id, double x = 0, double y = 0) {
    if (phase == 0) weft_test_v1_touch_down(driver->control, id, wl_fixed_from_double(x), wl_fixed_from_double(y));
    if (phase == 1) weft_test_v1_touch_motion(driver->control, id, wl_fixed_from_double(x), wl_fixed_from_double(y));
    if (phase == 2) weft_test_v1_touch_up(driver->control, id);
    wl_display_flush(driver->display);
  }
  /// Round trips the driver (its injections are handled) and then the client (the events they caused arrived).
  void deliver(TestClient& client) {
    driver->roundtrip();
    settle(client);
  }
};

TEST_F(InputRouting, CtrlAltF2ReachesTheFocusedClientWhenTheCompositorHasNoSeatSessionToSwitchVt) {
  auto client = connect();
  auto window = make_fixed(*client, "console-keys", kRed, 400, 300);
  ASSERT_TRUE(wait_until([&] { return client->keyboard_focus == window->surface; }));
  // The injected keyboard is a headless backend device, handled like a physical one; headless has no wlr_session,
  // so XF86Switch_VT_2 (what the keymap makes of Ctrl+Alt+F2) is an ordinary key for the client.
  for (uint32_t key : {uint32_t{KEY_LEFTCTRL}, uint32_t{KEY_LEFTALT}, uint32_t{KEY_F2}}) weft_test_v1_key(driver->control, key, 1);
  for (uint32_t key : {uint32_t{KEY_F2}, uint32_t{KEY_LEFTALT}, uint32_t{KEY_LEFTCTRL}}) weft_test_v1_key(driver->control, key, 0);
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return client->keys_received.size() >= 3; }));
  EXPECT_EQ(client->keys_received, (std::vector<uint32_t>{KEY_LEFTCTRL, KEY_LEFTALT, KEY_F2}));
  // Held Ctrl (xkb mask bit 2) and Alt (Mod1, bit 3) accompany the F2 press.
  constexpr uint32_t kCtrlAndAlt = (1u << 2) | (1u << 3);
  ASSERT_EQ(client->modifiers_at_keys.size(), 3u);
  EXPECT_EQ(client->modifiers_at_keys[2] & kCtrlAndAlt, kCtrlAndAlt);
}

TEST_F(InputRouting, PointerAndTouchOutsideASmallerInputRegionDoNotReachTheSurface) {
  auto client = connect();
  InputLog input(*client);
  auto window = make_fixed(*client, "region", kRed, 400, 300);
  wl_region* region = wl_compositor_create_region(client->compositor);
  wl_region_add(region, 50, 50, 100, 100);
  wl_surface_set_input_region(window->surface, region);
  wl_region_destroy(region);
  wl_surface_commit(window->surface);
  settle(*client);

  pointer_to(20, 20);
  deliver(*client);
  EXPECT_NE(input.pointer_surface, window->surface) << "the pointer is over the buffer but outside the input region";
  pointer_to(60, 70);
  deliver(*client);
  EXPECT_EQ(input.pointer_surface, window->surface);
  EXPECT_EQ(input.pointer_x, 60);
  EXPECT_EQ(input.pointer_y, 70);

  touch(0, 1, 20, 20);
  deliver(*client);
  EXPECT_TRUE(input.touches.empty()) << "a touch outside the input region reaches nothing";
  touch(2, 1);
  touch(0, 2, 149, 149);
  deliver(*client);
  ASSERT_EQ(input.touches.count(2), 1u) << "a touch on the region's last pixel reaches the surface";
  EXPECT_EQ(input.touches[2].surface, window->surface);
  EXPECT_EQ(input.touches[2].x, 149);
  EXPECT_EQ(input.touches[2].y, 149);
  touch(2, 2);
  deliver(*client);
}

TEST_F(InputRouting, APointerDraggedOffAWindowWithAButtonHeldStaysWithItUntilReleased) {
  auto client = connect();
  InputLog input(*client);
  auto big = make_fixed(*client, "big", kRed, 600, 500);
  auto small = make_fixed(*client, "small", kGreen, 300, 300);  // on top, at the same origin
  pointer_to(100, 100);
  button(true);
  deliver(*client);
  ASSERT_EQ(input.pointer_surface, small->surface);

  pointer_to(400, 350);  // over the big window only
  deliver(*client);
  EXPECT_EQ(input.pointer_surface, small->surface) << "the held button keeps the pointer with the pressed window";
  EXPECT_EQ(input.pointer_x, 400) << "positions outside it are in its coordinates";
  EXPECT_EQ(input.pointer_y, 350);

  button(false);
  deliver(*client);
  EXPECT_EQ(input.pointer_surface, big->surface) << "the release hands the pointer to the window under it";
  EXPECT_EQ(input.pointer_x, 400);
  EXPECT_EQ(input.pointer_y, 350);
}

TEST_F(InputRouting, ATouchOnASubsurfaceStaysWithItInItsCoordinatesWhenDraggedOffTheWindow) {
  auto client = connect();
  InputLog input(*client);
  auto window = make_fixed(*client, "parent", kRed, 400, 300);
  TestSubsurface sub(*client, window->surface, 50, 230, 100, 50);
  settle(*client);

  // y = 230 is the sub-surface's top row; 230 / 800 × 800 in floating point is a hair less than 230.
  touch(0, 1, 60, 230);
  deliver(*client);
  ASSERT_EQ(input.touches.count(1), 1u);
  EXPECT_EQ(input.touches[1].surface, sub.surface) << "the touch lands on the sub-surface's top row";
  EXPECT_EQ(input.touches[1].x, 10);
  EXPECT_EQ(input.touches[1].y, 0);

  touch(1, 1, 500, 400);  // off the window altogether
  deliver(*client);
  ASSERT_EQ(input.touches.count(1), 1u) << "the touch is not lost when it leaves the surface";
  EXPECT_EQ(input.touches[1].surface, sub.surface);
  EXPECT_EQ(input.touches[1].x, 450) << "positions stay relative to the sub-surface, not to its window";
  EXPECT_EQ(input.touches[1].y, 170);
  touch(2, 1);
  deliver(*client);
  EXPECT_TRUE(input.touches.empty());
}

TEST_F(InputRouting, ASubsurfaceReachingAboveAndLeftOfAWindowWithoutWindowGeometryLeavesTheMainSurfaceInPlace) {
  auto client = connect();
  InputLog input(*client);
  auto window = make_fixed(*client, "parent", kRed, 400, 300);  // at the work area's top-left, (0, 0)
  pointer_to(200, 150);
  deliver(*client);
  ASSERT_EQ(input.pointer_surface, window->surface);
  ASSERT_EQ(input.pointer_x, 200);

  // The client never sets a window geometry: it is the bounding box of both surfaces, from (-30, -20).
  TestSubsurface sub(*client, window->surface, -30, -20, 100, 50);
  settle(*client);

  pointer_to(201, 151);
  deliver(*client);
  EXPECT_EQ(input.pointer_surface, window->surface);
  EXPECT_EQ(input.pointer_x, 201) << "the main surface has not moved right by the sub-surface's overhang";
  EXPECT_EQ(input.pointer_y, 151) << "nor down";
  pointer_to(10, 10);
  deliver(*client);
  EXPECT_EQ(input.pointer_surface, sub.surface);
  EXPECT_EQ(input.pointer_x, 40) << "the sub-surface sticks out 30 px left of the main surface";
  EXPECT_EQ(input.pointer_y, 30) << "and 20 px above it";

  auto png = driver->capture("subsurface-overhang");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(50, 40), kRed) << "the main surface below the sub-surface";
  EXPECT_EQ(png->at(10, 10), kBlue);
  EXPECT_EQ(png->at(399, 299), kRed) << "the main surface's last pixel";
  EXPECT_EQ(png->at(410, 100), kDesktopBackground) << "nothing right of the main surface";
}

TEST_F(InputRouting, DestroyingATouchedSurfaceEndsTheTouchOnceWithUp) {
  auto client = connect();
  InputLog input(*client);
  auto window = make_fixed(*client, "parent", kRed, 400, 300);
  TestSubsurface sub(*client, window->surface, 0, 0, 200, 200);
  touch(0, 4, 20, 20);
  deliver(*client);
  ASSERT_EQ(input.touches.count(4), 1u);
  ASSERT_EQ(input.touches[4].surface, sub.surface);

  sub.destroy();
  settle(*client);
  EXPECT_TRUE(input.touches.empty()) << "the client hears the touch end with its surface";
  EXPECT_EQ(input.ups, 1);

  touch(1, 4, 30, 30);
  touch(2, 4);
  deliver(*client);
  EXPECT_EQ(input.ups, 1) << "the finger's later lift is not a second wl_touch.up";
  EXPECT_EQ(client->error(), 0);
}

TEST_F(InputRouting, AConfinedPointerStopsAtTheRegionsEdgeInsteadOfStandingStill) {
  auto client = connect();
  ASSERT_NE(client->constraints, nullptr);
  InputLog input(*client);
  auto window = make_fixed(*client, "confined", kRed, 400, 300);
  pointer_to(100, 100);
  deliver(*client);
  ASSERT_EQ(input.pointer_surface, window->surface);

  int confined = -1;
  zwp_confined_pointer_v1* confinement = zwp_pointer_constraints_v1_confine_pointer(
      client->constraints, window->surface, client->pointer, nullptr, ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_PERSISTENT);
  zwp_confined_pointer_v1_add_listener(confinement, &kConfinedListener, &confined);
  wl_surface_commit(window->surface);
  wl_display_flush(client->display);
  ASSERT_TRUE(wait_until([&] { return confined == 1; })) << "the confinement is activated on the focused surface";

  weft_test_v1_pointer_motion(driver->control, wl_fixed_from_int(1000), wl_fixed_from_int(1000));
  deliver(*client);
  EXPECT_EQ(input.pointer_surface, window->surface);
  EXPECT_EQ(input.pointer_x, 399) << "the pointer goes to the surface's last column";
  EXPECT_EQ(input.pointer_y, 299);

  weft_test_v1_pointer_motion(driver->control, wl_fixed_from_int(-1000), wl_fixed_from_int(-50));
  deliver(*client);
  EXPECT_EQ(input.pointer_x, 0);
  EXPECT_EQ(input.pointer_y, 249) << "a motion along the edge keeps its other component";
  zwp_confined_pointer_v1_destroy(confinement);
  settle(*client);
}
