#pragma once
// wl_seat input → wpe_input_* for one view (spec §6.1): pointer motion/buttons/axis, keyboard through xkbcommon with
// the compositor's keymap, modifiers and host-side key repeat, and touch. The host has one surface, so every event
// that reaches this client belongs to the view.

#include <xkbcommon/xkbcommon.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "weft/core/glib.hpp"
#include "wayland_connection.hpp"
#include "web_view.hpp"

struct wpe_input_touch_event_raw;

namespace weft::webview {

struct XkbContextUnref { void operator()(xkb_context* c) const { xkb_context_unref(c); } };
struct XkbKeymapUnref { void operator()(xkb_keymap* k) const { xkb_keymap_unref(k); } };
struct XkbStateUnref { void operator()(xkb_state* s) const { xkb_state_unref(s); } };

class SeatInput {
 public:
  /// Binds the connection's seat (none: no input) and feeds `view`, which must outlive this object.
  SeatInput(const WaylandConnection& connection, WebView& view);
  ~SeatInput();
  SeatInput(const SeatInput&) = delete;
  SeatInput& operator=(const SeatInput&) = delete;

  /// Modifier bits of wpe_input_modifier for the current keyboard and button state.
  [[nodiscard]] uint32_t modifiers() const { return key_modifiers_ | button_modifiers_; }

 private:
  static const wl_seat_listener kSeatListener;
  static const wl_pointer_listener kPointerListener;
  static const wl_keyboard_listener kKeyboardListener;
  static const wl_touch_listener kTouchListener;

  void on_capabilities(uint32_t caps);
  void on_key(uint32_t time, uint32_t evdev_key, bool pressed);
  void start_repeat(uint32_t evdev_key);
  void stop_repeat();
  /// Logical px (what the compositor sends) → the view's px (logical × its current scale, which may change).
  [[nodiscard]] int to_view(double logical) const;
  /// Every touch point as WPE wants it, in the view's px.
  [[nodiscard]] std::vector<wpe_input_touch_event_raw> touch_state(uint32_t time) const;

  WebView& view_;
  WlSeatPtr seat_;
  WlPointerPtr pointer_;
  WlKeyboardPtr keyboard_;
  WlTouchPtr touch_;
  std::unique_ptr<xkb_context, XkbContextUnref> xkb_;
  std::unique_ptr<xkb_keymap, XkbKeymapUnref> keymap_;
  std::unique_ptr<xkb_state, XkbStateUnref> xkb_state_;
  double pointer_x_ = 0;  // logical px; converted when sent, so a scale change between events is followed
  double pointer_y_ = 0;
  uint32_t key_modifiers_ = 0;
  uint32_t button_modifiers_ = 0;
  double axis_x_ = 0;  // accumulated within one wl_pointer.frame
  double axis_y_ = 0;
  uint32_t axis_time_ = 0;
  int32_t repeat_rate_ = 25;    // keys per second, 0 = no repeat
  int32_t repeat_delay_ = 600;  // ms
  uint32_t repeat_key_ = 0;
  uint32_t repeat_time_ = 0;
  glib::SourceId repeat_source_;
  struct TouchPoint {
    int32_t id;
    double x, y;  // logical px
    int type;      // wpe_input_touch_event_type of the latest change
  };
  std::vector<TouchPoint> touch_points_;
};

}  // namespace weft::webview
