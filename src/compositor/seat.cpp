#include "seat.hpp"

#include <string_view>

namespace weft::compositor {

Seat::Seat(wl_display* display)
    : seat_(wlr_seat_create(display, "seat0")),
      retell_input_method_(wl_display_get_event_loop(display), [this] {
        if (!input_method_client_) return;
        told_input_method_ = input_method_view();
        send_to_client(input_method_client_, told_input_method_);
      }) {}

void Seat::set_capability(uint32_t capability, bool present) {
  capabilities_ = present ? (capabilities_ | capability) : (capabilities_ & ~capability);
  publish();
}

void Seat::set_keyboards(bool any, bool physical) {
  any_keyboard_ = any;
  physical_keyboard_ = physical;
  publish();
}

uint32_t Seat::input_method_view() const {
  return capabilities_ | (physical_keyboard_ ? WL_SEAT_CAPABILITY_KEYBOARD : 0);
}

void Seat::publish() {
  const uint32_t everyone = capabilities_ | (any_keyboard_ ? WL_SEAT_CAPABILITY_KEYBOARD : 0);
  const bool changed = everyone != seat_->capabilities;
  // Sends to every client's wl_seats (and makes their wl_keyboards inert when the keyboard bit goes; the keyboard
  // focus stays where it was).
  if (changed) wlr_seat_set_capabilities(seat_, everyone);
  if (!input_method_client_) return;
  // Its wl_seats just heard everyone's set, or its own view changed: either way they hear its view now.
  const uint32_t view = input_method_view();
  if (!changed && view == told_input_method_) return;
  told_input_method_ = view;
  send_to_client(input_method_client_, view);
}

void Seat::send_to_client(wl_client* client, uint32_t capabilities) const {
  wlr_seat_client* seat_client = wlr_seat_client_for_wl_client(seat_, client);
  if (!seat_client) return;
  wl_resource* resource;
  wl_resource_for_each(resource, &seat_client->resources) wl_seat_send_capabilities(resource, capabilities);
}

void Seat::set_input_method_client(wl_client* client) {
  if (client == input_method_client_) return;
  if (input_method_client_) {
    // It stays connected without the role (it destroyed its input method): it hears what everyone hears again.
    send_to_client(input_method_client_, seat_->capabilities);
    input_method_resource_created_.disconnect();
    input_method_client_destroy_.disconnect();
    retell_input_method_.cancel();
  }
  input_method_client_ = client;
  if (!client) return;
  // The client going away: forget it before its resources do (the resource-created list goes with it).
  input_method_client_destroy_.connect_client_destroy(client, [this](void*) {
    input_method_resource_created_.disconnect();
    input_method_client_destroy_.disconnect();
    retell_input_method_.cancel();
    input_method_client_ = nullptr;
  });
  // A wl_seat it binds later hears everyone's capabilities from wlroots first; its own view follows.
  input_method_resource_created_.connect_resource_created(client, [this](wl_resource* resource) {
    if (std::string_view(wl_resource_get_class(resource)) == wl_seat_interface.name) retell_input_method_.schedule();
  });
  told_input_method_ = input_method_view();
  send_to_client(client, told_input_method_);
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
