// xdg-shell behaviour real clients rely on beyond the window policy: a popup that lies on no output.

#include "compositor_fixture.hpp"

using namespace weft::test;

namespace {

/// A popup hung `below` px under the bottom edge of its parent, with no constraint adjustment allowed; it draws once
/// configured and counts the frame callbacks of that commit.
struct OffScreenPopup {
  TestClient& client;
  wl_surface* surface = nullptr;
  xdg_surface* xsurface = nullptr;
  xdg_popup* popup = nullptr;
  int y = 0;  // last xdg_popup.configure, parent-relative
  bool drawn = false;
  int frames_done = 0;

  OffScreenPopup(TestWindow& parent, int below) : client(parent.client) {
    xdg_positioner* positioner = xdg_wm_base_create_positioner(client.wm_base);
    xdg_positioner_set_size(positioner, kWidth, kHeight);
    xdg_positioner_set_anchor_rect(positioner, 0, parent.configured_height - 1, parent.configured_width, 1);
    xdg_positioner_set_anchor(positioner, XDG_POSITIONER_ANCHOR_BOTTOM);
    xdg_positioner_set_gravity(positioner, XDG_POSITIONER_GRAVITY_BOTTOM);
    xdg_positioner_set_constraint_adjustment(positioner, XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_NONE);
    xdg_positioner_set_offset(positioner, 0, below);
    surface = wl_compositor_create_surface(client.compositor);
    xsurface = xdg_wm_base_get_xdg_surface(client.wm_base, surface);
    xdg_surface_add_listener(xsurface, &kSurfaceListener, this);
    popup = xdg_surface_get_popup(xsurface, parent.xsurface, positioner);
    xdg_popup_add_listener(popup, &kPopupListener, this);
    xdg_positioner_destroy(positioner);
    wl_surface_commit(surface);
    wl_display_flush(client.display);
  }
  ~OffScreenPopup() {
    xdg_popup_destroy(popup);
    xdg_surface_destroy(xsurface);
    wl_surface_destroy(surface);
  }

  static constexpr int kWidth = 60, kHeight = 40;  // px
  static constexpr wl_callback_listener kFrameListener = {
      .done =
          [](void* data, wl_callback* callback, uint32_t) {
            wl_callback_destroy(callback);
            ++static_cast<OffScreenPopup*>(data)->frames_done;
          },
  };
  static constexpr xdg_surface_listener kSurfaceListener = {
      .configure =
          [](void* data, xdg_surface* xs, uint32_t serial) {
            auto* self = static_cast<OffScreenPopup*>(data);
            xdg_surface_ack_configure(xs, serial);
            if (self->drawn) return;
            wl_surface_attach(self->surface, solid_buffer(self->client.shm, kWidth, kHeight, kYellow), 0, 0);
            wl_surface_damage_buffer(self->surface, 0, 0, kWidth, kHeight);
            wl_callback_add_listener(wl_surface_frame(self->surface), &kFrameListener, self);
            wl_surface_commit(self->surface);
            self->drawn = true;
          },
  };
  static constexpr xdg_popup_listener kPopupListener = {
      .configure = [](void* data, xdg_popup*, int32_t, int32_t y, int32_t, int32_t) {
        static_cast<OffScreenPopup*>(data)->y = y;
      },
      .popup_done = [](void*, xdg_popup*) {},
      .repositioned = [](void*, xdg_popup*, uint32_t) {},
  };
};

}  // namespace

class XdgShell : public CompositorTest {};

TEST_F(XdgShell, APopupBeyondTheOutputEdgeStillGetsItsFrameCallbacks) {
  auto client = connect();
  auto parent = make_app(*client, "parent", kRed);
  wait_drawn(*parent);
  ASSERT_EQ(parent->configured_height, kOutputHeight) << "the maximized parent must reach the output's bottom edge";
  OffScreenPopup popup(*parent, 50);
  ASSERT_TRUE(wait_until([&] { return popup.drawn; }));
  EXPECT_EQ(popup.y, kOutputHeight + 50) << "a popup without constraint adjustment is placed as asked";
  // On no output, the popup is in no output's frame; a client that draws on frame callbacks would stall for as long
  // as it stays there.
  EXPECT_TRUE(wait_until([&] { return popup.frames_done > 0; })) << "the off-screen popup's frame callback never fired";
}
