// zwp_pointer_constraints_v1 + zwp_relative_pointer_v1: a locked pointer reports relative motion but does not move.

#include "compositor_fixture.hpp"

using namespace weft::test;

namespace {

struct RelativeMotion {
  double dx = 0, dy = 0;
  int events = 0;
};

const zwp_relative_pointer_v1_listener kRelativeListener = {
    .relative_motion =
        [](void* data, zwp_relative_pointer_v1*, uint32_t, uint32_t, wl_fixed_t dx, wl_fixed_t dy, wl_fixed_t,
           wl_fixed_t) {
          auto* m = static_cast<RelativeMotion*>(data);
          m->dx += wl_fixed_to_double(dx);
          m->dy += wl_fixed_to_double(dy);
          ++m->events;
        },
};

const zwp_locked_pointer_v1_listener kLockedListener = {
    .locked = [](void* data, zwp_locked_pointer_v1*) { *static_cast<int*>(data) = 1; },
    .unlocked = [](void* data, zwp_locked_pointer_v1*) { *static_cast<int*>(data) = 0; },
};

}  // namespace

using PointerConstraints = CompositorTest;

TEST_F(PointerConstraints, LockedPointerReportsRelativeMotionWithoutMoving) {
  auto client = connect();
  ASSERT_NE(client->constraints, nullptr);
  ASSERT_NE(client->relative_pointer, nullptr);
  auto game = make_app(*client, "game", kRed);
  wait_drawn(*game);
  weft_test_v1_pointer_move(driver->control, wl_fixed_from_int(300), wl_fixed_from_int(300));
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return client->pointer_focus == game->surface; }));

  RelativeMotion relative;
  zwp_relative_pointer_v1* rel = zwp_relative_pointer_manager_v1_get_relative_pointer(client->relative_pointer,
                                                                                      client->pointer);
  zwp_relative_pointer_v1_add_listener(rel, &kRelativeListener, &relative);
  int locked = -1;
  zwp_locked_pointer_v1* lock = zwp_pointer_constraints_v1_lock_pointer(
      client->constraints, game->surface, client->pointer, nullptr, ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_PERSISTENT);
  zwp_locked_pointer_v1_add_listener(lock, &kLockedListener, &locked);
  wl_surface_commit(game->surface);
  wl_display_flush(client->display);
  ASSERT_TRUE(wait_until([&] { return locked == 1; })) << "the lock is activated on the focused surface";

  const int motions_before = client->pointer_motions;
  weft_test_v1_pointer_motion(driver->control, wl_fixed_from_int(40), wl_fixed_from_int(-10));
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return relative.events >= 1; }));
  settle(*client);
  EXPECT_DOUBLE_EQ(relative.dx, 40.0);
  EXPECT_DOUBLE_EQ(relative.dy, -10.0);
  EXPECT_EQ(client->pointer_motions, motions_before) << "a locked pointer does not move";

  zwp_locked_pointer_v1_destroy(lock);
  wl_display_flush(client->display);
  settle(*client);
  weft_test_v1_pointer_motion(driver->control, wl_fixed_from_int(40), wl_fixed_from_int(0));
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return client->pointer_motions > motions_before; })) << "unlocked, it moves again";
  zwp_relative_pointer_v1_destroy(rel);
}
