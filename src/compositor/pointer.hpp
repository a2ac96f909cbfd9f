#pragma once
// Pointer and touch: the cursor over the output layout, pointer focus by hit-testing the scene, buttons and axis,
// touch points, relative motion (zwp_relative_pointer_v1) and pointer constraints (zwp_pointer_constraints_v1).
// A press or tap on a window is announced, not acted on: the window policy decides what it raises and focuses.

#include <map>
#include <memory>

#include "idle_task.hpp"
#include "listener.hpp"
#include "scene.hpp"
#include "seat.hpp"
#include "signal.hpp"
#include "wlr.hpp"
#include "xdg_shell.hpp"

namespace weft::compositor {

class Pointer {
 public:
  Pointer(wl_display* display, wlr_backend* backend, wlr_output_layout* layout, const Scene& scene,
          const XdgShell& xdg, Seat& seat);
  Pointer(const Pointer&) = delete;
  Pointer& operator=(const Pointer&) = delete;

  [[nodiscard]] wlr_cursor* cursor() const { return cursor_.get(); }
  /// Hit-tests again under the still cursor: content that moved, mapped, resized or went away under it gets
  /// wl_pointer enter/leave/motion as if the pointer had moved.
  void refresh_focus();
  /// refresh_focus() from the idle phase, once however many surfaces committed.
  void schedule_refresh_focus() { idle_refresh_.schedule(); }

  /// A pointer button changes state; runs before anything else sees it.
  Signal<> button_changing;
  /// A button press or touch down landed on a window (the view under it), before the client hears of it.
  Signal<View&> window_pressed;

 private:
  void process_motion(uint32_t time_msec);
  void on_button(wlr_event_pointer_button* event);
  /// Activates the constraint of the pointer-focused surface, deactivating the old one.
  void update_constraint(wlr_surface* focused);
  /// Shortens relative motion (dx, dy), layout px, to what the active constraint allows; false when it allows none.
  [[nodiscard]] bool constrain_motion(double* dx, double* dy) const;
  /// Sends wl_touch.up for `touch_id` if the client destroys `surface` while the point is down.
  void end_touch_with_surface(int32_t touch_id, wlr_surface* surface);

  const Scene& scene_;
  const XdgShell& xdg_;
  Seat& seat_;
  wlr::CursorPtr cursor_;
  wlr::XcursorManagerPtr xcursor_;
  wlr_relative_pointer_manager_v1* relative_pointer_;
  wlr_pointer_constraints_v1* constraints_;
  wlr_pointer_constraint_v1* active_constraint_ = nullptr;
  IdleTask idle_refresh_;

  Listener<wlr_input_device> new_input_;
  Listener<wlr_event_pointer_motion> motion_;
  Listener<wlr_event_pointer_motion_absolute> motion_absolute_;
  Listener<wlr_event_pointer_button> button_;
  Listener<wlr_event_pointer_axis> axis_;
  Listener<> frame_;
  Listener<wlr_event_touch_down> touch_down_;
  Listener<wlr_event_touch_up> touch_up_;
  Listener<wlr_event_touch_motion> touch_motion_;
  Listener<> touch_frame_;
  Listener<wlr_seat_pointer_request_set_cursor_event> request_cursor_;
  Listener<wlr_pointer_constraint_v1> new_constraint_;
  Listener<> constraint_destroy_;
  std::map<int32_t, std::unique_ptr<Listener<>>> touch_surface_gone_;  // touch id → its surface's destroy
};

}  // namespace weft::compositor
