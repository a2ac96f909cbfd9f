#include "input.hpp"

#include <ctime>

#include "server.hpp"
#include "weft/core/log.hpp"

namespace weft::compositor {

namespace {

constexpr int32_t kRepeatRate = 25;     // keys per second
constexpr int32_t kRepeatDelay = 600;   // ms
constexpr uint32_t kCursorSize = 24;    // px

uint32_t now_msec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint32_t>(ts.tv_sec * 1000 + ts.tv_nsec / 1'000'000);
}

bool is_super(uint32_t keycode) { return keycode == KEY_LEFTMETA || keycode == KEY_RIGHTMETA; }

}  // namespace

Input::~Input() { disconnect(); }

void Input::disconnect() {
  new_input_.disconnect();
  motion_.disconnect();
  motion_absolute_.disconnect();
  button_.disconnect();
  axis_.disconnect();
  frame_.disconnect();
  touch_down_.disconnect();
  touch_up_.disconnect();
  touch_motion_.disconnect();
  touch_frame_.disconnect();
  swipe_begin_.disconnect();
  swipe_update_.disconnect();
  swipe_end_.disconnect();
  pinch_begin_.disconnect();
  pinch_update_.disconnect();
  pinch_end_.disconnect();
  hold_begin_.disconnect();
  hold_end_.disconnect();
  request_cursor_.disconnect();
  focus_change_.disconnect();
  new_constraint_.disconnect();
  constraint_destroy_.disconnect();
  keyboards_.clear();
}

void Input::create(wl_display* display) {
  Server& s = server_;
  seat = wlr_seat_create(display, "seat0");
  cursor.reset(wlr_cursor_create());
  wlr_cursor_attach_output_layout(cursor.get(), s.layout.get());
  xcursor_.reset(wlr_xcursor_manager_create(nullptr, kCursorSize));
  wlr_xcursor_manager_load(xcursor_.get(), 1);

  new_input_.connect(&s.backend->events.new_input, [this](wlr_input_device* d) { on_new_input(d); });

  motion_.connect(&cursor->events.motion, [this](wlr_event_pointer_motion* e) {
    // Relative motion goes to zwp_relative_pointer_v1 listeners of the focused client (µs timestamps).
    wlr_relative_pointer_manager_v1_send_relative_motion(server_.relative_pointer, seat,
                                                         static_cast<uint64_t>(e->time_msec) * 1000, e->delta_x,
                                                         e->delta_y, e->unaccel_dx, e->unaccel_dy);
    // A locked pointer stays put; a confined one moves only inside its region.
    if (!constraint_allows(cursor->x + e->delta_x, cursor->y + e->delta_y)) return;
    wlr_cursor_move(cursor.get(), e->device, e->delta_x, e->delta_y);
    process_motion(e->time_msec);
  });
  motion_absolute_.connect(&cursor->events.motion_absolute, [this](wlr_event_pointer_motion_absolute* e) {
    wlr_cursor_warp_absolute(cursor.get(), e->device, e->x, e->y);
    process_motion(e->time_msec);
  });
  button_.connect(&cursor->events.button, [this](wlr_event_pointer_button* e) { on_button(e); });
  axis_.connect(&cursor->events.axis, [this](wlr_event_pointer_axis* e) {
    wlr_seat_pointer_notify_axis(seat, e->time_msec, e->orientation, e->delta, e->delta_discrete, e->source);
  });
  frame_.connect(&cursor->events.frame, [this](void*) { wlr_seat_pointer_notify_frame(seat); });

  touch_down_.connect(&cursor->events.touch_down, [this](wlr_event_touch_down* e) {
    double lx = 0, ly = 0, sx = 0, sy = 0;
    wlr_cursor_absolute_to_layout_coords(cursor.get(), e->device, e->x, e->y, &lx, &ly);
    wlr_surface* surface = surface_at(lx, ly, &sx, &sy);
    if (View* view = view_at(lx, ly)) server_.policy.focus(*view);  // a tap raises like a click
    if (surface) wlr_seat_touch_notify_down(seat, surface, e->time_msec, e->touch_id, sx, sy);
  });
  touch_motion_.connect(&cursor->events.touch_motion, [this](wlr_event_touch_motion* e) {
    double lx = 0, ly = 0, sx = 0, sy = 0;
    wlr_cursor_absolute_to_layout_coords(cursor.get(), e->device, e->x, e->y, &lx, &ly);
    wlr_touch_point* point = wlr_seat_touch_get_point(seat, e->touch_id);
    if (!point) return;
    if (surface_at(lx, ly, &sx, &sy) != point->surface) {
      // Outside the surface the touch began on: keep coordinates relative to it.
      int nx = 0, ny = 0;
      View* view = server_.view_for_surface(point->surface);
      if (view) wlr_scene_node_coords(view->node, &nx, &ny);
      sx = lx - nx;
      sy = ly - ny;
    }
    wlr_seat_touch_notify_motion(seat, e->time_msec, e->touch_id, sx, sy);
  });
  touch_up_.connect(&cursor->events.touch_up, [this](wlr_event_touch_up* e) {
    if (wlr_seat_touch_get_point(seat, e->touch_id)) wlr_seat_touch_notify_up(seat, e->time_msec, e->touch_id);
  });
  touch_frame_.connect(&cursor->events.touch_frame, [this](void*) { wlr_seat_touch_notify_frame(seat); });

  wlr_pointer_gestures_v1* g = s.pointer_gestures;
  swipe_begin_.connect(&cursor->events.swipe_begin, [this, g](wlr_event_pointer_swipe_begin* e) {
    recognizer_.begin(GestureType::swipe, e->time_msec, e->fingers);
    wlr_pointer_gestures_v1_send_swipe_begin(g, seat, e->time_msec, e->fingers);
  });
  swipe_update_.connect(&cursor->events.swipe_update, [this, g](wlr_event_pointer_swipe_update* e) {
    recognizer_.update(GestureType::swipe, e->dx, e->dy, 1.0);
    wlr_pointer_gestures_v1_send_swipe_update(g, seat, e->time_msec, e->dx, e->dy);
  });
  swipe_end_.connect(&cursor->events.swipe_end, [this, g](wlr_event_pointer_swipe_end* e) {
    wlr_pointer_gestures_v1_send_swipe_end(g, seat, e->time_msec, e->cancelled);
    gesture_finished(recognizer_.end(GestureType::swipe, e->time_msec, e->cancelled));
  });
  pinch_begin_.connect(&cursor->events.pinch_begin, [this, g](wlr_event_pointer_pinch_begin* e) {
    recognizer_.begin(GestureType::pinch, e->time_msec, e->fingers);
    wlr_pointer_gestures_v1_send_pinch_begin(g, seat, e->time_msec, e->fingers);
  });
  pinch_update_.connect(&cursor->events.pinch_update, [this, g](wlr_event_pointer_pinch_update* e) {
    recognizer_.update(GestureType::pinch, e->dx, e->dy, e->scale);
    wlr_pointer_gestures_v1_send_pinch_update(g, seat, e->time_msec, e->dx, e->dy, e->scale, e->rotation);
  });
  pinch_end_.connect(&cursor->events.pinch_end, [this, g](wlr_event_pointer_pinch_end* e) {
    wlr_pointer_gestures_v1_send_pinch_end(g, seat, e->time_msec, e->cancelled);
    gesture_finished(recognizer_.end(GestureType::pinch, e->time_msec, e->cancelled));
  });
  hold_begin_.connect(&cursor->events.hold_begin, [this, g](wlr_event_pointer_hold_begin* e) {
    recognizer_.begin(GestureType::hold, e->time_msec, e->fingers);
    wlr_pointer_gestures_v1_send_hold_begin(g, seat, e->time_msec, e->fingers);
  });
  hold_end_.connect(&cursor->events.hold_end, [this, g](wlr_event_pointer_hold_end* e) {
    wlr_pointer_gestures_v1_send_hold_end(g, seat, e->time_msec, e->cancelled);
    gesture_finished(recognizer_.end(GestureType::hold, e->time_msec, e->cancelled));
  });

  request_cursor_.connect(&seat->events.request_set_cursor, [this](wlr_seat_pointer_request_set_cursor_event* e) {
    if (e->seat_client == seat->pointer_state.focused_client)
      wlr_cursor_set_surface(cursor.get(), e->surface, e->hotspot_x, e->hotspot_y);
  });
  constraints_ = wlr_pointer_constraints_v1_create(display);
  new_constraint_.connect(&constraints_->events.new_constraint, [this](wlr_pointer_constraint_v1*) {
    update_constraint(seat->pointer_state.focused_surface);
  });
  focus_change_.connect(&seat->keyboard_state.events.focus_change,
                        [this](wlr_seat_keyboard_focus_change_event* e) {
                          if (e->old_surface)
                            if (ZweftWindow* slot = server_.zweft.slot_for_surface(e->old_surface))
                              slot->send_focus(false);
                          if (e->new_surface)
                            if (ZweftWindow* slot = server_.zweft.slot_for_surface(e->new_surface))
                              slot->send_focus(true);
                        });
}

void Input::add_virtual_devices() {
  wlr_backend* backend = server_.backend.get();
  virtual_keyboard_ = wlr_headless_add_input_device(backend, WLR_INPUT_DEVICE_KEYBOARD);
  virtual_pointer_ = wlr_headless_add_input_device(backend, WLR_INPUT_DEVICE_POINTER);
  virtual_touch_ = wlr_headless_add_input_device(backend, WLR_INPUT_DEVICE_TOUCH);
}

void Input::on_new_input(wlr_input_device* device) {
  switch (device->type) {
    case WLR_INPUT_DEVICE_KEYBOARD:
      add_keyboard(device);
      break;
    case WLR_INPUT_DEVICE_POINTER:
      wlr_cursor_attach_input_device(cursor.get(), device);
      has_pointer_ = true;
      break;
    case WLR_INPUT_DEVICE_TOUCH:
      wlr_cursor_attach_input_device(cursor.get(), device);
      has_touch_ = true;
      break;
    default:
      break;
  }
  update_capabilities();
}

void Input::update_capabilities() {
  uint32_t caps = 0;
  if (!keyboards_.empty()) caps |= WL_SEAT_CAPABILITY_KEYBOARD;
  if (has_pointer_) caps |= WL_SEAT_CAPABILITY_POINTER;
  if (has_touch_) caps |= WL_SEAT_CAPABILITY_TOUCH;
  wlr_seat_set_capabilities(seat, caps);
}

void Input::add_keyboard(wlr_input_device* device) {
  wlr::XkbContextPtr context(xkb_context_new(XKB_CONTEXT_NO_FLAGS));
  // Rules, model, layout and options come from XKB_DEFAULT_* or the system defaults.
  wlr::XkbKeymapPtr keymap(xkb_keymap_new_from_names(context.get(), nullptr, XKB_KEYMAP_COMPILE_NO_FLAGS));
  if (!keymap) {
    log::error("keyboard ", device->name ? device->name : "?", ": no xkb keymap could be compiled");
    return;
  }
  wlr_keyboard_set_keymap(device->keyboard, keymap.get());
  wlr_keyboard_set_repeat_info(device->keyboard, kRepeatRate, kRepeatDelay);

  auto keyboard = std::make_unique<Keyboard>();
  Keyboard* kb = keyboard.get();
  kb->device = device;
  kb->modifiers.connect(&device->keyboard->events.modifiers, [this, kb](void*) {
    wlr_seat_set_keyboard(seat, kb->device);
    wlr_seat_keyboard_notify_modifiers(seat, &kb->device->keyboard->modifiers);
  });
  kb->key.connect(&device->keyboard->events.key, [this, kb](void* data) {
    on_key(*kb, static_cast<wlr_event_keyboard_key*>(data));
  });
  kb->destroy.connect(&device->events.destroy, [this, kb](void*) {
    if (virtual_keyboard_ == kb->device) virtual_keyboard_ = nullptr;
    keyboards_.remove_if([kb](const std::unique_ptr<Keyboard>& k) { return k.get() == kb; });
    update_capabilities();
  });
  keyboards_.push_back(std::move(keyboard));
  wlr_seat_set_keyboard(seat, device);
}

void Input::on_key(Keyboard& keyboard, wlr_event_keyboard_key* event) {
  wlr_seat_set_keyboard(seat, keyboard.device);
  const bool pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED;
  if (held_super_) {
    if (!pressed && event->keycode == held_super_->keycode) {
      // Super tap: focus the panel (no raise) and deliver both events there, for the launcher (§2.2).
      const wlr_event_keyboard_key press = *held_super_;
      held_super_.reset();
      server_.policy.focus_panel();
      wlr_seat_keyboard_notify_key(seat, press.time_msec, press.keycode, WL_KEYBOARD_KEY_STATE_PRESSED);
      wlr_seat_keyboard_notify_key(seat, event->time_msec, event->keycode, event->state);
      return;
    }
    // Not a tap: the held press goes to whoever has focus, then this key.
    const wlr_event_keyboard_key press = *held_super_;
    held_super_.reset();
    wlr_seat_keyboard_notify_key(seat, press.time_msec, press.keycode, WL_KEYBOARD_KEY_STATE_PRESSED);
  } else if (pressed && is_super(event->keycode) && keyboard.device->keyboard->num_keycodes <= 1) {
    held_super_ = *event;
    return;
  }
  wlr_seat_keyboard_notify_key(seat, event->time_msec, event->keycode, event->state);
}

wlr_surface* Input::surface_at(double lx, double ly, double* sx, double* sy) const {
  wlr_scene_node* node = wlr_scene_node_at(&server_.scene->node, lx, ly, sx, sy);
  if (!node || node->type != WLR_SCENE_NODE_SURFACE) return nullptr;
  return wlr_scene_surface_from_node(node)->surface;
}

View* Input::view_at(double lx, double ly) const {
  double sx = 0, sy = 0;
  wlr_scene_node* node = wlr_scene_node_at(&server_.scene->node, lx, ly, &sx, &sy);
  const Server& s = server_;
  while (node) {
    wlr_scene_node* parent = node->parent;
    if (parent == &s.app_layer->node || parent == &s.panel_layer->node || parent == &s.overlay_layer->node)
      return static_cast<View*>(node->data);
    node = parent;
  }
  return nullptr;
}

void Input::process_motion(uint32_t time_msec) {
  double sx = 0, sy = 0;
  wlr_surface* surface = surface_at(cursor->x, cursor->y, &sx, &sy);
  if (!surface) {
    wlr_xcursor_manager_set_cursor_image(xcursor_.get(), "left_ptr", cursor.get());
    wlr_seat_pointer_clear_focus(seat);
    update_constraint(nullptr);
    return;
  }
  wlr_seat_pointer_notify_enter(seat, surface, sx, sy);
  wlr_seat_pointer_notify_motion(seat, time_msec, sx, sy);
  update_constraint(surface);
}

void Input::update_constraint(wlr_surface* focused) {
  wlr_pointer_constraint_v1* wanted =
      focused ? wlr_pointer_constraints_v1_constraint_for_surface(constraints_, focused, seat) : nullptr;
  if (wanted == active_constraint_) return;
  if (active_constraint_) wlr_pointer_constraint_v1_send_deactivated(active_constraint_);
  active_constraint_ = wanted;
  constraint_destroy_.disconnect();
  if (!wanted) return;
  constraint_destroy_.connect(&wanted->events.destroy, [this](void*) {
    active_constraint_ = nullptr;
    constraint_destroy_.disconnect();
  });
  wlr_pointer_constraint_v1_send_activated(wanted);
}

bool Input::constraint_allows(double lx, double ly) const {
  if (!active_constraint_) return true;
  if (active_constraint_->type == WLR_POINTER_CONSTRAINT_V1_LOCKED) return false;
  // Confined: the destination must lie in the region, in surface-local coordinates.
  View* view = server_.view_for_surface(active_constraint_->surface);
  int sx = 0, sy = 0;
  if (view) wlr_scene_node_coords(view->node, &sx, &sy);
  return pixman_region32_contains_point(&active_constraint_->region, static_cast<int>(lx) - sx,
                                        static_cast<int>(ly) - sy, nullptr);
}

void Input::on_button(wlr_event_pointer_button* event) {
  if (held_super_) {
    const wlr_event_keyboard_key press = *held_super_;
    held_super_.reset();
    wlr_seat_keyboard_notify_key(seat, press.time_msec, press.keycode, WL_KEYBOARD_KEY_STATE_PRESSED);
  }
  if (event->state == WLR_BUTTON_PRESSED) {
    if (View* view = view_at(cursor->x, cursor->y)) {
      server_.policy.focus(*view);
    } else if (wlr_surface* surface = surface_at(cursor->x, cursor->y, &sx_unused_, &sy_unused_);
               surface && wlr_surface_is_layer_surface(surface)) {
      // Layer surfaces that accept the keyboard get it on click (no window is raised or deactivated).
      wlr_layer_surface_v1* layer = wlr_layer_surface_v1_from_wlr_surface(surface);
      if (layer->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE)
        focus_keyboard(surface);
    }
  }
  wlr_seat_pointer_notify_button(seat, event->time_msec, event->button, event->state);
}

void Input::gesture_finished(std::optional<NavigationGesture> gesture) {
  if (!gesture) return;
  log::debug("navigation gesture type=", static_cast<uint32_t>(gesture->type), " fingers=", gesture->fingers);
  server_.zweft.send_navigation_gesture(gesture->type, gesture->fingers, gesture->dx, gesture->dy);
}

void Input::focus_keyboard(wlr_surface* surface) {
  // A top/overlay layer surface with exclusive interactivity keeps the keyboard while it is mapped.
  if (LayerSurface* exclusive = server_.layers.exclusive_focus()) surface = exclusive->layer->surface;
  if (!surface) {
    wlr_seat_keyboard_notify_clear_focus(seat);
    return;
  }
  if (seat->keyboard_state.focused_surface == surface) return;
  if (wlr_keyboard* keyboard = wlr_seat_get_keyboard(seat)) {
    wlr_seat_keyboard_notify_enter(seat, surface, keyboard->keycodes, keyboard->num_keycodes, &keyboard->modifiers);
  } else {
    wlr_seat_keyboard_notify_enter(seat, surface, nullptr, 0, nullptr);
  }
}

wlr_surface* Input::keyboard_focus() const { return seat->keyboard_state.focused_surface; }

// ---- injection (weft_test_v1) ----

namespace {
/// Layout point → the 0..1 range absolute devices report over the layout's bounding box.
void normalise(wlr_output_layout* layout, double lx, double ly, double* x, double* y) {
  wlr_box* box = wlr_output_layout_get_box(layout, nullptr);
  *x = box && box->width > 0 ? (lx - box->x) / box->width : 0;
  *y = box && box->height > 0 ? (ly - box->y) / box->height : 0;
}
}  // namespace

void Input::inject_pointer_move(double lx, double ly) {
  if (!virtual_pointer_) return;
  wlr_event_pointer_motion_absolute event{virtual_pointer_, now_msec(), 0, 0};
  normalise(server_.layout.get(), lx, ly, &event.x, &event.y);
  wl_signal_emit(&virtual_pointer_->pointer->events.motion_absolute, &event);
  wl_signal_emit(&virtual_pointer_->pointer->events.frame, virtual_pointer_->pointer);
}

void Input::inject_pointer_motion(double dx, double dy) {
  if (!virtual_pointer_) return;
  wlr_event_pointer_motion event{virtual_pointer_, now_msec(), dx, dy, dx, dy};
  wl_signal_emit(&virtual_pointer_->pointer->events.motion, &event);
  wl_signal_emit(&virtual_pointer_->pointer->events.frame, virtual_pointer_->pointer);
}

void Input::inject_pointer_button(uint32_t button, bool pressed) {
  if (!virtual_pointer_) return;
  wlr_event_pointer_button event{virtual_pointer_, now_msec(), button,
                                 pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED};
  wl_signal_emit(&virtual_pointer_->pointer->events.button, &event);
  wl_signal_emit(&virtual_pointer_->pointer->events.frame, virtual_pointer_->pointer);
}

void Input::inject_pointer_axis(double vertical) {
  if (!virtual_pointer_) return;
  wlr_event_pointer_axis event{virtual_pointer_, now_msec(), WLR_AXIS_SOURCE_WHEEL,
                               WLR_AXIS_ORIENTATION_VERTICAL, vertical, 0};
  wl_signal_emit(&virtual_pointer_->pointer->events.axis, &event);
  wl_signal_emit(&virtual_pointer_->pointer->events.frame, virtual_pointer_->pointer);
}

void Input::inject_key(uint32_t key, bool pressed) {
  if (!virtual_keyboard_) return;
  wlr_event_keyboard_key event{now_msec(), key, true,
                               pressed ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED};
  wlr_keyboard_notify_key(virtual_keyboard_->keyboard, &event);
}

void Input::inject_touch(int kind, int32_t id, double lx, double ly) {
  if (!virtual_touch_) return;
  wlr_touch* touch = virtual_touch_->touch;
  double x = 0, y = 0;
  normalise(server_.layout.get(), lx, ly, &x, &y);
  const uint32_t time = now_msec();
  if (kind == 0) {
    wlr_event_touch_down event{virtual_touch_, time, id, x, y};
    wl_signal_emit(&touch->events.down, &event);
  } else if (kind == 1) {
    wlr_event_touch_motion event{virtual_touch_, time, id, x, y};
    wl_signal_emit(&touch->events.motion, &event);
  } else {
    wlr_event_touch_up event{virtual_touch_, time, id};
    wl_signal_emit(&touch->events.up, &event);
  }
  wl_signal_emit(&touch->events.frame, nullptr);
}

void Input::inject_gesture_begin(GestureType type, uint32_t time_msec, uint32_t fingers) {
  if (!virtual_pointer_) return;
  wlr_pointer* p = virtual_pointer_->pointer;
  switch (type) {
    case GestureType::swipe: {
      wlr_event_pointer_swipe_begin e{virtual_pointer_, time_msec, fingers};
      wl_signal_emit(&p->events.swipe_begin, &e);
      break;
    }
    case GestureType::pinch: {
      wlr_event_pointer_pinch_begin e{virtual_pointer_, time_msec, fingers};
      wl_signal_emit(&p->events.pinch_begin, &e);
      break;
    }
    case GestureType::hold: {
      wlr_event_pointer_hold_begin e{virtual_pointer_, time_msec, fingers};
      wl_signal_emit(&p->events.hold_begin, &e);
      break;
    }
  }
  gesture_fingers_ = fingers;
}

void Input::inject_gesture_update(GestureType type, uint32_t time_msec, double dx, double dy, double scale) {
  if (!virtual_pointer_) return;
  wlr_pointer* p = virtual_pointer_->pointer;
  if (type == GestureType::swipe) {
    wlr_event_pointer_swipe_update e{virtual_pointer_, time_msec, gesture_fingers_, dx, dy};
    wl_signal_emit(&p->events.swipe_update, &e);
  } else if (type == GestureType::pinch) {
    wlr_event_pointer_pinch_update e{virtual_pointer_, time_msec, gesture_fingers_, dx, dy, scale, 0};
    wl_signal_emit(&p->events.pinch_update, &e);
  }
}

void Input::inject_gesture_end(GestureType type, uint32_t time_msec, bool cancelled) {
  if (!virtual_pointer_) return;
  wlr_pointer* p = virtual_pointer_->pointer;
  switch (type) {
    case GestureType::swipe: {
      wlr_event_pointer_swipe_end e{virtual_pointer_, time_msec, cancelled};
      wl_signal_emit(&p->events.swipe_end, &e);
      break;
    }
    case GestureType::pinch: {
      wlr_event_pointer_pinch_end e{virtual_pointer_, time_msec, cancelled};
      wl_signal_emit(&p->events.pinch_end, &e);
      break;
    }
    case GestureType::hold: {
      wlr_event_pointer_hold_end e{virtual_pointer_, time_msec, cancelled};
      wl_signal_emit(&p->events.hold_end, &e);
      break;
    }
  }
}

}  // namespace weft::compositor
