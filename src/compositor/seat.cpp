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
  // An xdg_popup grab keeps keyboard enters from leaving the grabbing client. Focus the compositor moves elsewhere (a
  // new window, another client's window) dismisses the grabbed popups first, as a click outside them does.
  if (seat_->keyboard_state.grab != seat_->keyboard_state.default_grab) wlr_seat_keyboard_end_grab(seat_);
  if (wlr_keyboard* keyboard = wlr_seat_get_keyboard(seat_)) {
    wlr_seat_keyboard_notify_enter(seat_, surface, keyboard->keycodes, keyboard->num_keycodes, &keyboard->modifiers);
  } else {
    wlr_seat_keyboard_notify_enter(seat_, surface, nullptr, 0, nullptr);
  }
}

}  // namespace weft::compositor
