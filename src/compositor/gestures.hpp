#pragma once
// Touchpad gestures: relayed to clients through zwp_pointer_gestures_v1 and fed to the GestureRecognizer; a gesture
// past its §2.1 threshold is announced as a navigation gesture.

#include "gesture_recognizer.hpp"
#include "listener.hpp"
#include "seat.hpp"
#include "signal.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class Gestures {
 public:
  Gestures(wl_display* display, wlr_cursor* cursor, Seat& seat);
  Gestures(const Gestures&) = delete;
  Gestures& operator=(const Gestures&) = delete;

  /// A swipe, pinch or hold ended uncancelled past its threshold.
  Signal<const NavigationGesture&> recognised;

 private:
  void finished(std::optional<NavigationGesture> gesture);

  GestureRecognizer recognizer_;
  Listener<wlr_event_pointer_swipe_begin> swipe_begin_;
  Listener<wlr_event_pointer_swipe_update> swipe_update_;
  Listener<wlr_event_pointer_swipe_end> swipe_end_;
  Listener<wlr_event_pointer_pinch_begin> pinch_begin_;
  Listener<wlr_event_pointer_pinch_update> pinch_update_;
  Listener<wlr_event_pointer_pinch_end> pinch_end_;
  Listener<wlr_event_pointer_hold_begin> hold_begin_;
  Listener<wlr_event_pointer_hold_end> hold_end_;
};

}  // namespace weft::compositor
