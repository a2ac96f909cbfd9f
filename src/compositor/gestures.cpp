#include "gestures.hpp"

#include "weft/core/log.hpp"

namespace weft::compositor {

Gestures::Gestures(wl_display* display, wlr_cursor* cursor, Seat& seat) {
  wlr_pointer_gestures_v1* g = wlr_pointer_gestures_v1_create(display);
  wlr_seat* s = seat.get();
  // Each phase goes to the pointer-focused client (zwp_pointer_gesture_*_v1) and to the recognizer.
  swipe_begin_.connect(&cursor->events.swipe_begin, [this, g, s](wlr_event_pointer_swipe_begin* e) {
    recognizer_.begin(GestureType::swipe, e->time_msec, e->fingers);
    wlr_pointer_gestures_v1_send_swipe_begin(g, s, e->time_msec, e->fingers);
  });
  swipe_update_.connect(&cursor->events.swipe_update, [this, g, s](wlr_event_pointer_swipe_update* e) {
    recognizer_.update(GestureType::swipe, e->dx, e->dy, 1.0);
    wlr_pointer_gestures_v1_send_swipe_update(g, s, e->time_msec, e->dx, e->dy);
  });
  swipe_end_.connect(&cursor->events.swipe_end, [this, g, s](wlr_event_pointer_swipe_end* e) {
    wlr_pointer_gestures_v1_send_swipe_end(g, s, e->time_msec, e->cancelled);
    finished(recognizer_.end(GestureType::swipe, e->time_msec, e->cancelled));
  });
  pinch_begin_.connect(&cursor->events.pinch_begin, [this, g, s](wlr_event_pointer_pinch_begin* e) {
    recognizer_.begin(GestureType::pinch, e->time_msec, e->fingers);
    wlr_pointer_gestures_v1_send_pinch_begin(g, s, e->time_msec, e->fingers);
  });
  pinch_update_.connect(&cursor->events.pinch_update, [this, g, s](wlr_event_pointer_pinch_update* e) {
    recognizer_.update(GestureType::pinch, e->dx, e->dy, e->scale);
    wlr_pointer_gestures_v1_send_pinch_update(g, s, e->time_msec, e->dx, e->dy, e->scale, e->rotation);
  });
  pinch_end_.connect(&cursor->events.pinch_end, [this, g, s](wlr_event_pointer_pinch_end* e) {
    wlr_pointer_gestures_v1_send_pinch_end(g, s, e->time_msec, e->cancelled);
    finished(recognizer_.end(GestureType::pinch, e->time_msec, e->cancelled));
  });
  hold_begin_.connect(&cursor->events.hold_begin, [this, g, s](wlr_event_pointer_hold_begin* e) {
    recognizer_.begin(GestureType::hold, e->time_msec, e->fingers);
    wlr_pointer_gestures_v1_send_hold_begin(g, s, e->time_msec, e->fingers);
  });
  hold_end_.connect(&cursor->events.hold_end, [this, g, s](wlr_event_pointer_hold_end* e) {
    wlr_pointer_gestures_v1_send_hold_end(g, s, e->time_msec, e->cancelled);
    finished(recognizer_.end(GestureType::hold, e->time_msec, e->cancelled));
  });
}

void Gestures::finished(std::optional<NavigationGesture> gesture) {
  if (!gesture) return;
  log::debug("navigation gesture type=", static_cast<uint32_t>(gesture->type), " fingers=", gesture->fingers);
  recognised.emit(*gesture);
}

}  // namespace weft::compositor
