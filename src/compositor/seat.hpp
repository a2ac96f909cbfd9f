#pragma once
// The seat: its capabilities and who has keyboard focus. Keyboards, pointer and touch devices deliver through it;
// the window policy and the layer shell decide focus through it.

#include <cstdint>

#include "wlr.hpp"

namespace weft::compositor {

class Seat {
 public:
  explicit Seat(wl_display* display);
  Seat(const Seat&) = delete;
  Seat& operator=(const Seat&) = delete;

  [[nodiscard]] wlr_seat* get() const { return seat_; }
  /// Adds or removes one WL_SEAT_CAPABILITY_* bit; clients see the new set.
  void set_capability(uint32_t capability, bool present);

  /// Gives keyboard focus to `surface` (nullptr clears it), unless a surface holds the keyboard exclusively.
  void focus_keyboard(wlr_surface* surface);
  [[nodiscard]] wlr_surface* keyboard_focus() const { return seat_->keyboard_state.focused_surface; }
  /// The surface that keeps the keyboard while it is set (a top/overlay layer surface with exclusive interactivity),
  /// nullptr for none. Takes effect at the next focus_keyboard.
  void set_exclusive_keyboard(wlr_surface* surface) { exclusive_ = surface; }

 private:
  wlr_seat* seat_;  // destroyed with the display
  uint32_t capabilities_ = 0;
  wlr_surface* exclusive_ = nullptr;  // borrowed; the layer shell clears it before the surface goes
};

}  // namespace weft::compositor
