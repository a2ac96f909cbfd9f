#pragma once
// Seat, cursor and input devices: keyboard (xkb keymap, repeat, Super tap), pointer (buttons, axis, gestures), touch.
// Test injection enters through the same handlers as real devices.

#include <cstdint>
#include <list>
#include <memory>
#include <optional>

#include "gesture_recognizer.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class Server;
class View;

class Input {
 public:
  explicit Input(Server& server) : server_(server) {}
  ~Input();

  /// Creates seat, cursor and xcursor theme; listens for devices. Call before the backend starts.
  void create(wl_display* display);
  /// Headless only: virtual keyboard, pointer and touch devices that test injection drives.
  void add_virtual_devices();
  void disconnect();

  // Injection (weft_test_v1), through the same code paths as device events.
  [[nodiscard]] bool has_virtual_devices() const { return virtual_keyboard_ != nullptr; }
  void inject_pointer_move(double lx, double ly);
  void inject_pointer_motion(double dx, double dy);
  void inject_pointer_button(uint32_t button, bool pressed);
  void inject_pointer_axis(double vertical);
  void inject_key(uint32_t key, bool pressed);
  void inject_touch(int kind, int32_t id, double lx, double ly);  // kind: 0 down, 1 motion, 2 up
  void inject_gesture_begin(GestureType type, uint32_t time_msec, uint32_t fingers);
  void inject_gesture_update(GestureType type, uint32_t time_msec, double dx, double dy, double scale);
  void inject_gesture_end(GestureType type, uint32_t time_msec, bool cancelled);

  /// Gives keyboard focus to `surface` (nullptr clears it).
  void focus_keyboard(wlr_surface* surface);
  [[nodiscard]] wlr_surface* keyboard_focus() const;

  wlr_seat* seat = nullptr;
  wlr::CursorPtr cursor;

 private:
  struct Keyboard {
    wlr_input_device* device;
    Listener<> key, modifiers, destroy;
  };

  void on_new_input(wlr_input_device* device);
  void add_keyboard(wlr_input_device* device);
  void on_key(Keyboard& keyboard, wlr_event_keyboard_key* event);
  void process_motion(uint32_t time_msec);
  void on_button(wlr_event_pointer_button* event);
  /// Surface and surface-local position under a layout point.
  wlr_surface* surface_at(double lx, double ly, double* sx, double* sy) const;
  View* view_at(double lx, double ly) const;
  void update_capabilities();
  /// zwp_pointer_constraints_v1: activates the constraint of the pointer-focused surface, deactivating the old one.
  void update_constraint(wlr_surface* focused);
  /// Whether relative motion may move the cursor to (lx, ly) under the active constraint.
  [[nodiscard]] bool constraint_allows(double lx, double ly) const;
  void gesture_finished(std::optional<NavigationGesture> gesture);

  Server& server_;
  wlr::XcursorManagerPtr xcursor_;
  std::list<std::unique_ptr<Keyboard>> keyboards_;
  bool has_pointer_ = false;
  bool has_touch_ = false;
  GestureRecognizer recognizer_;
  // Super tap: a Super press held back until we know whether another key or button follows.
  std::optional<wlr_event_keyboard_key> held_super_;

  wlr_input_device* virtual_keyboard_ = nullptr;
  wlr_input_device* virtual_pointer_ = nullptr;
  wlr_input_device* virtual_touch_ = nullptr;
  uint32_t gesture_fingers_ = 0;
  double sx_unused_ = 0, sy_unused_ = 0;  // of the injected gesture in progress

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
  Listener<wlr_event_pointer_swipe_begin> swipe_begin_;
  Listener<wlr_event_pointer_swipe_update> swipe_update_;
  Listener<wlr_event_pointer_swipe_end> swipe_end_;
  Listener<wlr_event_pointer_pinch_begin> pinch_begin_;
  Listener<wlr_event_pointer_pinch_update> pinch_update_;
  Listener<wlr_event_pointer_pinch_end> pinch_end_;
  Listener<wlr_event_pointer_hold_begin> hold_begin_;
  Listener<wlr_event_pointer_hold_end> hold_end_;
  Listener<wlr_seat_pointer_request_set_cursor_event> request_cursor_;
  Listener<wlr_seat_keyboard_focus_change_event> focus_change_;
  wlr_pointer_constraints_v1* constraints_ = nullptr;
  wlr_pointer_constraint_v1* active_constraint_ = nullptr;
  Listener<wlr_pointer_constraint_v1> new_constraint_;
  Listener<> constraint_destroy_;
};

}  // namespace weft::compositor
