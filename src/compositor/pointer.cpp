#include "pointer.hpp"

namespace weft::compositor {

namespace {
constexpr uint32_t kCursorSize = 24;  // px
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
    if (!constraint_allows(cursor_->x + e->delta_x, cursor_->y + e->delta_y)) return;
    wlr_cursor_move(cursor_.get(), e->device, e->delta_x, e->delta_y);
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
    if (surface) wlr_seat_touch_notify_down(wseat, surface, e->time_msec, e->touch_id, sx, sy);
  });
  // wl_touch.motion stays with the surface the touch began on (implicit grab).
  touch_motion_.connect(&cursor->events.touch_motion, [this, wseat](wlr_event_touch_motion* e) {
    double lx = 0, ly = 0, sx = 0, sy = 0;
    wlr_cursor_absolute_to_layout_coords(cursor_.get(), e->device, e->x, e->y, &lx, &ly);
    wlr_touch_point* point = wlr_seat_touch_get_point(wseat, e->touch_id);
    if (!point) return;
    if (scene_.surface_at(lx, ly, &sx, &sy) != point->surface) {
      // Outside the surface the touch began on: keep coordinates relative to it.
      int nx = 0, ny = 0;
      if (View* view = xdg_.view_for_surface(point->surface)) wlr_scene_node_coords(view->node, &nx, &ny);
      sx = lx - nx;
      sy = ly - ny;
    }
    wlr_seat_touch_notify_motion(wseat, e->time_msec, e->touch_id, sx, sy);
  });
  // wl_touch.up for points the seat knows (a down outside every surface made none).
  touch_up_.connect(&cursor->events.touch_up, [wseat](wlr_event_touch_up* e) {
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
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    wlr_seat_pointer_notify_motion(seat, static_cast<uint32_t>(now.tv_sec * 1000 + now.tv_nsec / 1'000'000), sx, sy);
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

bool Pointer::constraint_allows(double lx, double ly) const {
  if (!active_constraint_) return true;
  if (active_constraint_->type == WLR_POINTER_CONSTRAINT_V1_LOCKED) return false;
  // Confined: the destination must lie in the region, in surface-local coordinates.
  int sx = 0, sy = 0;
  if (View* view = xdg_.view_for_surface(active_constraint_->surface)) wlr_scene_node_coords(view->node, &sx, &sy);
  return pixman_region32_contains_point(&active_constraint_->region, static_cast<int>(lx) - sx,
                                        static_cast<int>(ly) - sy, nullptr);
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
  wlr_seat_pointer_notify_button(seat_.get(), event->time_msec, event->button, event->state);
}

}  // namespace weft::compositor
