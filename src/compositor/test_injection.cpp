#include "test_injection.hpp"

#include <cmath>
#include <ctime>

namespace weft::compositor {

namespace {

uint32_t now_msec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint32_t>(ts.tv_sec * 1000 + ts.tv_nsec / 1'000'000);
}

/// The device coordinate (0..1 across `extent` px starting at `start`) that wlr_cursor maps back to `l` or, where
/// rounding makes that impossible, to the nearest layout coordinate above it: 230 / 800 * 800 is 229.99999999999997,
/// which a hit test floors to pixel 229, so an injected move or touch would land a pixel short of where it was aimed.
double device_coordinate(double l, int start, int extent) {
  if (extent <= 0) return 0;
  double x = (l - start) / extent;
  // wlr_cursor_absolute_to_layout_coords computes extent * x + start; a few ulps up always reach l.
  for (int step = 0; step < 8 && extent * x + start < l; ++step) x = std::nextafter(x, 2.0);
  return x;
}

}  // namespace

TestInjection::TestInjection(wlr_backend* backend, wlr_output_layout* layout) : backend_(backend), layout_(layout) {
  add_keyboard();
  pointer_ = wlr_headless_add_input_device(backend, WLR_INPUT_DEVICE_POINTER);
  touch_ = wlr_headless_add_input_device(backend, WLR_INPUT_DEVICE_TOUCH);
  has_devices_ = keyboard_ && pointer_ && touch_;
  // The backend destroys its devices when it goes: injection stops there.
  if (pointer_) pointer_destroy_.connect(&pointer_->events.destroy, [this](void*) { pointer_ = nullptr; });
  if (touch_) touch_destroy_.connect(&touch_->events.destroy, [this](void*) { touch_ = nullptr; });
}

void TestInjection::add_keyboard() {
  // Before the backend starts, it announces the device (new_input) at its start; after, at once.
  keyboard_ = wlr_headless_add_input_device(backend_, WLR_INPUT_DEVICE_KEYBOARD);
  if (keyboard_) keyboard_destroy_.connect(&keyboard_->events.destroy, [this](void*) { keyboard_ = nullptr; });
}

void TestInjection::set_keyboard_plugged(bool plugged) {
  if (plugged == (keyboard_ != nullptr)) return;
  if (plugged) add_keyboard();
  else wlr_input_device_destroy(keyboard_);  // its destroy signal clears keyboard_ and tells Keyboards
}


void TestInjection::normalise(double lx, double ly, double* x, double* y) const {
  wlr_box* box = wlr_output_layout_get_box(layout_, nullptr);
  *x = box ? device_coordinate(lx, box->x, box->width) : 0;
  *y = box ? device_coordinate(ly, box->y, box->height) : 0;
}

void TestInjection::pointer_move(double lx, double ly) {
  if (!pointer_) return;
  wlr_event_pointer_motion_absolute event{pointer_, now_msec(), 0, 0};
  normalise(lx, ly, &event.x, &event.y);
  wl_signal_emit(&pointer_->pointer->events.motion_absolute, &event);
  wl_signal_emit(&pointer_->pointer->events.frame, pointer_->pointer);
}

void TestInjection::pointer_motion(double dx, double dy) {
  if (!pointer_) return;
  wlr_event_pointer_motion event{pointer_, now_msec(), dx, dy, dx, dy};
  wl_signal_emit(&pointer_->pointer->events.motion, &event);
  wl_signal_emit(&pointer_->pointer->events.frame, pointer_->pointer);
}

void TestInjection::pointer_button(uint32_t button, bool pressed) {
  if (!pointer_) return;
  wlr_event_pointer_button event{pointer_, now_msec(), button, pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED};
  wl_signal_emit(&pointer_->pointer->events.button, &event);
  wl_signal_emit(&pointer_->pointer->events.frame, pointer_->pointer);
}

void TestInjection::pointer_axis(double vertical) {
  if (!pointer_) return;
  wlr_event_pointer_axis event{pointer_, now_msec(), WLR_AXIS_SOURCE_WHEEL, WLR_AXIS_ORIENTATION_VERTICAL, vertical, 0};
  wl_signal_emit(&pointer_->pointer->events.axis, &event);
  wl_signal_emit(&pointer_->pointer->events.frame, pointer_->pointer);
}

void TestInjection::key(uint32_t key, bool pressed) {
  if (!keyboard_) return;
  wlr_event_keyboard_key event{now_msec(), key, true,
                               pressed ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED};
  wlr_keyboard_notify_key(keyboard_->keyboard, &event);
}

void TestInjection::touch(TouchPhase phase, int32_t id, double lx, double ly) {
  if (!touch_) return;
  wlr_touch* touch = touch_->touch;
  double x = 0, y = 0;
  normalise(lx, ly, &x, &y);
  const uint32_t time = now_msec();
  switch (phase) {
    case TouchPhase::down: {
      wlr_event_touch_down event{touch_, time, id, x, y};
      wl_signal_emit(&touch->events.down, &event);
      break;
    }
    case TouchPhase::motion: {
      wlr_event_touch_motion event{touch_, time, id, x, y};
      wl_signal_emit(&touch->events.motion, &event);
      break;
    }
    case TouchPhase::up: {
      wlr_event_touch_up event{touch_, time, id};
      wl_signal_emit(&touch->events.up, &event);
      break;
    }
  }
  wl_signal_emit(&touch->events.frame, nullptr);
}

void TestInjection::gesture_begin(GestureType type, uint32_t time_msec, uint32_t fingers) {
  if (!pointer_) return;
  wlr_pointer* p = pointer_->pointer;
  switch (type) {
    case GestureType::swipe: {
      wlr_event_pointer_swipe_begin e{pointer_, time_msec, fingers};
      wl_signal_emit(&p->events.swipe_begin, &e);
      break;
    }
    case GestureType::pinch: {
      wlr_event_pointer_pinch_begin e{pointer_, time_msec, fingers};
      wl_signal_emit(&p->events.pinch_begin, &e);
      break;
    }
    case GestureType::hold: {
      wlr_event_pointer_hold_begin e{pointer_, time_msec, fingers};
      wl_signal_emit(&p->events.hold_begin, &e);
      break;
    }
  }
  gesture_fingers_ = fingers;
}

void TestInjection::gesture_update(GestureType type, uint32_t time_msec, double dx, double dy, double scale) {
  if (!pointer_) return;
  wlr_pointer* p = pointer_->pointer;
  if (type == GestureType::swipe) {
    wlr_event_pointer_swipe_update e{pointer_, time_msec, gesture_fingers_, dx, dy};
    wl_signal_emit(&p->events.swipe_update, &e);
  } else if (type == GestureType::pinch) {
    wlr_event_pointer_pinch_update e{pointer_, time_msec, gesture_fingers_, dx, dy, scale, 0};
    wl_signal_emit(&p->events.pinch_update, &e);
  }
}

void TestInjection::gesture_end(GestureType type, uint32_t time_msec, bool cancelled) {
  if (!pointer_) return;
  wlr_pointer* p = pointer_->pointer;
  switch (type) {
    case GestureType::swipe: {
      wlr_event_pointer_swipe_end e{pointer_, time_msec, cancelled};
      wl_signal_emit(&p->events.swipe_end, &e);
      break;
    }
    case GestureType::pinch: {
      wlr_event_pointer_pinch_end e{pointer_, time_msec, cancelled};
      wl_signal_emit(&p->events.pinch_end, &e);
      break;
    }
    case GestureType::hold: {
      wlr_event_pointer_hold_end e{pointer_, time_msec, cancelled};
      wl_signal_emit(&p->events.hold_end, &e);
      break;
    }
  }
}

}  // namespace weft::compositor
