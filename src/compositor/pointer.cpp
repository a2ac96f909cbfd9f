#include "pointer.hpp"

#include <ctime>
#include <optional>

namespace weft::compositor {

namespace {
constexpr uint32_t kCursorSize = 24;  // px

/// Now on the monotonic clock, in ms: the timestamp of events the compositor makes up rather than relays.
uint32_t monotonic_msec() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint32_t>(now.tv_sec * 1000 + now.tv_nsec / 1'000'000);
}
}  // namespace

Pointer::Pointer(wl_display* display, wlr_backend* backend, wlr_output_layout* layout, const Scene& scene,
                 const XdgShell& xdg, Seat& seat)
    : scene_(scene), xdg_(xdg), seat_(seat), cursor_(wlr_cursor_create()),
      xcursor_(wlr_xcursor_manager_create(nullptr, kCursorSize)),
      relative_pointer_(wlr_relative_pointer_manager_v1_create(display)),
      constraints_(wlr_pointer_constraints_v1_create(display)),
      idle_refresh_(wl_display_get_event_loop(display), [this] { refresh_focus(); }) {
  wlr_cursor* cursor = cursor_.get();
  wlr_seat* wseat = seat.get();
  wlr_cursor_attach_output_layout(cursor, layout);
  wlr_xcursor_manager_load(xcursor_.get(), 1);

  // Pointer and touch devices drive the cursor, which aggregates them over the layout.
  new_input_.connect(&backend->events.new_input, [this](wlr_input_device* device) {
    if (device->type == WLR_INPUT_DEVICE_POINTER) {
      wlr_cursor_attach_input_device(cursor_.get(), device);
      seat_.set_capability(WL_SEAT_CAPABILITY_POINTER, true);
    } else if (device->type == WLR_INPUT_DEVICE_TOUCH) {
      wlr_cursor_attach_input_device(cursor_.get(), device);
      seat_.set_capability(WL_SEAT_CAPABILITY_TOUCH, true);
    }
  });

  // Relative motion (a mouse): relative-pointer listeners get it unaccelerated even where the cursor cannot move.
  motion_.connect(&cursor->events.motion, [this, wseat](wlr_event_pointer_motion* e) {
    // µs timestamps (zwp_relative_pointer_v1.relative_motion)
    wlr_relative_pointer_manager_v1_send_relative_motion(relative_pointer_, wseat,
                                                         static_cast<uint64_t>(e->time_msec) * 1000, e->delta_x,
                                                         e->delta_y, e->unaccel_dx, e->unaccel_dy);
    // A locked pointer stays put; a confined one moves only inside its region.
    double dx = e->delta_x, dy = e->delta_y;
    if (!constrain_motion(&dx, &dy)) return;
    wlr_cursor_move(cursor_.get(), e->device, dx, dy);
    process_motion(e->time_msec);
  });
  // Absolute motion (a tablet, the nested host's pointer, injected moves).
  motion_absolute_.connect(&cursor->events.motion_absolute, [this](wlr_event_pointer_motion_absolute* e) {
    wlr_cursor_warp_absolute(cursor_.get(), e->device, e->x, e->y);
    process_motion(e->time_msec);
  });
  // wl_pointer.button, after the policy has focused the window under the press.
  button_.connect(&cursor->events.button, [this](wlr_event_pointer_button* e) { on_button(e); });
  // wl_pointer.axis to the pointer focus.
  axis_.connect(&cursor->events.axis, [wseat](wlr_event_pointer_axis* e) {
    wlr_seat_pointer_notify_axis(wseat, e->time_msec, e->orientation, e->delta, e->delta_discrete, e->source);
  });
  // wl_pointer.frame groups the events of one device report.
  frame_.connect(&cursor->events.frame, [wseat](void*) { wlr_seat_pointer_notify_frame(wseat); });

  // wl_touch.down to the surface under the point; a tap raises like a click.
  touch_down_.connect(&cursor->events.touch_down, [this, wseat](wlr_event_touch_down* e) {
    double lx = 0, ly = 0, sx = 0, sy = 0;
    wlr_cursor_absolute_to_layout_coords(cursor_.get(), e->device, e->x, e->y, &lx, &ly);
    wlr_surface* surface = scene_.surface_at(lx, ly, &sx, &sy);
    if (View* view = xdg_.view_at(lx, ly)) window_pressed.emit(*view);
    if (surface && wlr_seat_touch_notify_down(wseat, surface, e->time_msec, e->touch_id, sx, sy))
      end_touch_with_surface(e->touch_id, surface);
  });
  // wl_touch.motion stays with the surface the touch began on (implicit grab), in its coordinates wherever the
  // point goes: a sub-surface's or a window's with a geometry offset, not the window's.
  touch_motion_.connect(&cursor->events.touch_motion, [this, wseat](wlr_event_touch_motion* e) {
    double lx = 0, ly = 0;
    wlr_cursor_absolute_to_layout_coords(cursor_.get(), e->device, e->x, e->y, &lx, &ly);
    wlr_touch_point* point = wlr_seat_touch_get_point(wseat, e->touch_id);
    if (!point || !point->surface) return;
    const auto origin = scene_.surface_origin(point->surface);
    if (!origin) return;  // no longer shown: there is nothing for the position to be relative to
    wlr_seat_touch_notify_motion(wseat, e->time_msec, e->touch_id, lx - origin->first, ly - origin->second);
  });
  // wl_touch.up for points the seat knows (a down outside every surface made none, a destroyed surface ended its).
  touch_up_.connect(&cursor->events.touch_up, [this, wseat](wlr_event_touch_up* e) {
    touch_surface_gone_.erase(e->touch_id);
    if (wlr_seat_touch_get_point(wseat, e->touch_id)) wlr_seat_touch_notify_up(wseat, e->time_msec, e->touch_id);
  });
  touch_frame_.connect(&cursor->events.touch_frame, [wseat](void*) { wlr_seat_touch_notify_frame(wseat); });

  // wl_pointer.set_cursor is honoured only from the client that has pointer focus.
  request_cursor_.connect(&wseat->events.request_set_cursor, [this](wlr_seat_pointer_request_set_cursor_event* e) {
    if (e->seat_client == seat_.get()->pointer_state.focused_client)
      wlr_cursor_set_surface(cursor_.get(), e->surface, e->hotspot_x, e->hotspot_y);
  });
  // A constraint created on the surface under the pointer applies at once (lock_pointer / confine_pointer).
  new_constraint_.connect(&constraints_->events.new_constraint, [this](wlr_pointer_constraint_v1*) {
    update_constraint(seat_.get()->pointer_state.focused_surface);
  });
}

void Pointer::process_motion(uint32_t time_msec) {
  wlr_seat* seat = seat_.get();
  wlr_seat_pointer_state& state = seat->pointer_state;
  // A button held over a surface is an implicit grab: that surface keeps the pointer, and hears of motion outside it
  // in its own coordinates, until the last button is released. (wlroots' own grabs, drag-and-drop and popups, pick
  // their focus themselves.)
  if (state.button_count > 0 && state.focused_surface && state.grab == state.default_grab) {
    if (const auto origin = scene_.surface_origin(state.focused_surface)) {
      wlr_seat_pointer_notify_motion(seat, time_msec, cursor_->x - origin->first, cursor_->y - origin->second);
      return;
    }
  }
  double sx = 0, sy = 0;
  wlr_surface* surface = scene_.surface_at(cursor_->x, cursor_->y, &sx, &sy);
  if (!surface) {
    wlr_xcursor_manager_set_cursor_image(xcursor_.get(), "left_ptr", cursor_.get());
    wlr_seat_pointer_clear_focus(seat);
    update_constraint(nullptr);
    return;
  }
  wlr_seat_pointer_notify_enter(seat, surface, sx, sy);
  wlr_seat_pointer_notify_motion(seat, time_msec, sx, sy);
  update_constraint(surface);
}

void Pointer::refresh_focus() {
  wlr_seat* seat = seat_.get();
  // A button held is an implicit grab: focus stays with the surface it began on.
  if (seat->pointer_state.button_count > 0) return;
  double sx = 0, sy = 0;
  wlr_surface* surface = scene_.surface_at(cursor_->x, cursor_->y, &sx, &sy);
  wlr_seat_pointer_state& state = seat->pointer_state;
  if (surface == state.focused_surface && (!surface || (sx == state.sx && sy == state.sy))) return;
  if (!surface) {
    wlr_seat_pointer_clear_focus(seat);
    update_constraint(nullptr);
  } else if (surface != state.focused_surface) {
    wlr_seat_pointer_notify_enter(seat, surface, sx, sy);
    update_constraint(surface);
  } else {
    wlr_seat_pointer_notify_motion(seat, monotonic_msec(), sx, sy);
  }
  wlr_seat_pointer_notify_frame(seat);
}

void Pointer::update_constraint(wlr_surface* focused) {
  wlr_pointer_constraint_v1* wanted =
      focused ? wlr_pointer_constraints_v1_constraint_for_surface(constraints_, focused, seat_.get()) : nullptr;
  if (wanted == active_constraint_) return;
  if (active_constraint_) wlr_pointer_constraint_v1_send_deactivated(active_constraint_);
  active_constraint_ = wanted;
  constraint_destroy_.disconnect();
  if (!wanted) return;
  // The client destroyed the constraint (or its surface went): nothing is active any more.
  constraint_destroy_.connect(&wanted->events.destroy, [this](void*) {
    active_constraint_ = nullptr;
    constraint_destroy_.disconnect();
  });
  wlr_pointer_constraint_v1_send_activated(wanted);
}

bool Pointer::constrain_motion(double* dx, double* dy) const {
  if (!active_constraint_) return true;
  if (active_constraint_->type == WLR_POINTER_CONSTRAINT_V1_LOCKED) return false;
  const auto origin = scene_.surface_origin(active_constraint_->surface);
  if (!origin) return true;
  // Confined: the pointer goes as far as the region lets it, to the region's point nearest the destination (surface
  // px; each rectangle's last pixel column and row are x2 - 1 and y2 - 1).
  const double sx = cursor_->x + *dx - origin->first, sy = cursor_->y + *dy - origin->second;
  int count = 0;
  const pixman_box32_t* rects = pixman_region32_rectangles(&active_constraint_->region, &count);
  std::optional<std::pair<double, double>> nearest;
  double nearest_distance = 0;  // px²
  for (int i = 0; i < count; ++i) {
    const pixman_box32_t& r = rects[i];
    const double x = sx < r.x1 ? r.x1 : sx >= r.x2 ? r.x2 - 1 : sx;
    const double y = sy < r.y1 ? r.y1 : sy >= r.y2 ? r.y2 - 1 : sy;
    const double distance = (x - sx) * (x - sx) + (y - sy) * (y - sy);
    if (!nearest || distance < nearest_distance) {
      nearest = std::pair{x, y};
      nearest_distance = distance;
    }
  }
  if (!nearest) return false;  // an empty region: nowhere to go
  *dx = origin->first + nearest->first - cursor_->x;
  *dy = origin->second + nearest->second - cursor_->y;
  return true;
}

void Pointer::end_touch_with_surface(int32_t touch_id, wlr_surface* surface) {
  auto& watch = touch_surface_gone_[touch_id];
  watch = std::make_unique<Listener<>>();
  // The client destroyed the surface under a finger: its touch sequence ends now (wl_touch.up), not when the finger
  // lifts, or the client would keep a touch point for a surface it no longer has.
  watch->connect(&surface->events.destroy, [this, touch_id](void*) {
    wlr_seat* seat = seat_.get();
    if (wlr_seat_touch_get_point(seat, touch_id)) {
      wlr_seat_touch_notify_up(seat, monotonic_msec(), touch_id);
      wlr_seat_touch_notify_frame(seat);
    }
    touch_surface_gone_.erase(touch_id);  // this listener: the callback runs from a copy
  });
}

void Pointer::on_button(wlr_event_pointer_button* event) {
  button_changing.emit();
  if (event->state == WLR_BUTTON_PRESSED) {
    double sx = 0, sy = 0;
    if (View* view = xdg_.view_at(cursor_->x, cursor_->y)) {
      window_pressed.emit(*view);
    } else if (wlr_surface* surface = scene_.surface_at(cursor_->x, cursor_->y, &sx, &sy);
               surface && wlr_surface_is_layer_surface(surface)) {
      // Layer surfaces that accept the keyboard get it on click (no window is raised or deactivated).
      wlr_layer_surface_v1* layer = wlr_layer_surface_v1_from_wlr_surface(surface);
      if (layer->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE)
        seat_.focus_keyboard(surface);
    }
  }
  wlr_seat* seat = seat_.get();
  wlr_seat_pointer_notify_button(seat, event->time_msec, event->button, event->state);
  // The last button up ends the implicit grab: the pointer belongs to whatever is under it again.
  if (event->state == WLR_BUTTON_RELEASED && seat->pointer_state.button_count == 0) refresh_focus();
}

}  // namespace weft::compositor
