#include "seat.hpp"

namespace weft::compositor {

Seat::Seat(wl_display* display) : seat_(wlr_seat_create(display, "seat0")) {}

void Seat::set_capability(uint32_t capability, bool present) {
  const uint32_t wanted = present ? (capabilities_ | capability) : (capabilities_ & ~capability);
  capabilities_ = wanted;
  wlr_seat_set_capabilities(seat_, wanted);
}

void Seat::focus_keyboard(wlr_surface* surface) {
  if (exclusive_) surface = exclusive_;
  if (!surface) {
    wlr_seat_keyboard_notify_clear_focus(seat_);
    return;
  }
  if (seat_->keyboard_state.focused_surface == surface) return;
  // An xdg_popup grab (the only seat keyboard grab besides a drag's) keeps keys on the popup's client and ignores
  // focus changes; focus moving on (a new window, a click elsewhere) dismisses the menu instead of leaving it stuck
  // open over a window that can never get the keyboard. Ending the grab sends popup_done.
  if (seat_->keyboard_state.grab != seat_->keyboard_state.default_grab && !seat_->drag)
    wlr_seat_keyboard_end_grab(seat_);
  if (wlr_keyboard* keyboard = wlr_seat_get_keyboard(seat_)) {
    wlr_seat_keyboard_notify_enter(seat_, surface, keyboard->keycodes, keyboard->num_keycodes, &keyboard->modifiers);
  } else {
    wlr_seat_keyboard_notify_enter(seat_, surface, nullptr, 0, nullptr);
  }
}

}  // namespace weft::compositor
