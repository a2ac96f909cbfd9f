#pragma once
// The seat: its capabilities and who has keyboard focus. Keyboards, pointer and touch devices deliver through it;
// the window policy and the layer shell decide focus through it.
//
// The keyboard capability has two audiences. Every client hears it while any keyboard is plugged in, virtual ones
// (zwp_virtual_keyboard_v1) included: a client needs a wl_keyboard for those keys to reach it. The input method's
// client hears it from device keyboards only: it shows the on-screen keyboard when no keyboard a person can type on is
// there, and the keys of virtual keyboards (its own, a test tool's) are not that.

#include <cstdint>

#include "idle_task.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class Seat {
 public:
  explicit Seat(wl_display* display);
  Seat(const Seat&) = delete;
  Seat& operator=(const Seat&) = delete;

  [[nodiscard]] wlr_seat* get() const { return seat_; }
  /// Adds or removes one WL_SEAT_CAPABILITY_* bit other than the keyboard's; clients see the new set.
  void set_capability(uint32_t capability, bool present);
  /// The keyboards plugged in: `any` counts virtual keyboards too, `physical` device keyboards only.
  void set_keyboards(bool any, bool physical);
  /// The client that hears the keyboard capability from device keyboards only (the input method's); nullptr: none.
  void set_input_method_client(wl_client* client);

  /// Gives keyboard focus to `surface` (nullptr clears it), unless a surface holds the keyboard exclusively.
  void focus_keyboard(wlr_surface* surface);
  [[nodiscard]] wlr_surface* keyboard_focus() const { return seat_->keyboard_state.focused_surface; }
  /// The surface that keeps the keyboard while it is set (a top/overlay layer surface with exclusive interactivity),
  /// nullptr for none. Takes effect at the next focus_keyboard.
  void set_exclusive_keyboard(wlr_surface* surface) { exclusive_ = surface; }

 private:
  /// Sends the capabilities to every client, and to the input method's client its own view of them.
  void publish();
  /// wl_seat.capabilities to every wl_seat the client bound.
  void send_to_client(wl_client* client, uint32_t capabilities) const;
  [[nodiscard]] uint32_t input_method_view() const;

  wlr_seat* seat_;  // destroyed with the display
  uint32_t capabilities_ = 0;  // pointer and touch bits
  bool any_keyboard_ = false, physical_keyboard_ = false;
  wl_client* input_method_client_ = nullptr;  // borrowed; cleared when it is destroyed
  uint32_t told_input_method_ = 0;  // the capabilities its wl_seats last heard
  Listener<> input_method_client_destroy_;
  Listener<wl_resource> input_method_resource_created_;
  // wlroots answers a new wl_seat of that client with every client's capabilities during the bind: its own view
  // follows once the bind is over.
  IdleTask retell_input_method_;
  wlr_surface* exclusive_ = nullptr;  // borrowed; the layer shell clears it before the surface goes
};

}  // namespace weft::compositor
