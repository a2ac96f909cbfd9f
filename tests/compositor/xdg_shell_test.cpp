// xdg-shell behaviour real clients rely on beyond the window policy: popups that lie off every output, popup grabs
// when the compositor moves keyboard focus.

#include "compositor_fixture.hpp"

using namespace weft::test;

class XdgShell : public CompositorTest {};

TEST_F(XdgShell, APopupBeyondTheOutputEdgeStillGetsItsFrameCallbacks) {
  auto client = connect();
  auto parent = make_app(*client, "parent", kRed);
  wait_drawn(*parent);
  // Hung 50 px below the bottom edge of the maximized parent, with no constraint adjustment allowed: the popup stays
  // where the client asked, on no output at all.
  PopupOptions options;
  options.anchor_x = 600;
  options.anchor_y = kOutputHeight - 1;
  options.anchor = XDG_POSITIONER_ANCHOR_BOTTOM;
  options.gravity = XDG_POSITIONER_GRAVITY_BOTTOM;
  options.constraint_adjustment = XDG_POSITIONER_CONSTRAINT_ADJUSTMENT_NONE;
  options.offset_y = 50;
  options.width = 60;
  options.height = 40;
  TestPopup popup(*parent, kYellow, options);
  ASSERT_TRUE(wait_until([&] { return popup.drawn; }));
  EXPECT_GE(parent->configured_height, kOutputHeight) << "the parent must fill the output for this test";
  EXPECT_EQ(popup.y, kOutputHeight + 50) << "an unadjustable popup is placed as asked";
  // A client that draws on frame callbacks would otherwise stall for as long as the popup stays off-screen.
  EXPECT_TRUE(wait_until([&] { return popup.frames_done > 0; })) << "the off-screen popup's frame callback never fired";
}

TEST_F(XdgShell, ANewWindowTakingFocusDismissesAGrabbedPopupAndGetsTheKeyboard) {
  auto client = connect();
  auto menu_owner = make_app(*client, "menu-owner", kRed);
  wait_drawn(*menu_owner);
  // A click gives the client the input serial an explicit grab needs.
  driver->click(100, 100);
  ASSERT_TRUE(wait_until([&] { return client->last_input_serial != 0 && client->keyboard_focus; }));
  PopupOptions options;
  options.anchor_x = 100;
  options.anchor_y = 100;
  options.grab_serial = client->last_input_serial;
  TestPopup menu(*menu_owner, kYellow, options);
  ASSERT_TRUE(wait_until([&] { return menu.drawn; }));
  settle(*client);
  ASSERT_FALSE(menu.dismissed) << "the grabbed popup was dismissed before anything happened";

  // Another client's window maps and the policy focuses it (a non-session toplevel's first map).
  auto other = connect();
  auto newcomer = make_app(*other, "newcomer", kGreen);
  wait_drawn(*newcomer);
  EXPECT_TRUE(wait_until([&] { return menu.dismissed; })) << "the grabbed popup outlived the focus change";
  EXPECT_TRUE(wait_until([&] { return other->keyboard_focus == newcomer->surface; }))
      << "the popup grab kept the keyboard from the newly focused window";
  EXPECT_EQ(focused_title(), "newcomer");
}
