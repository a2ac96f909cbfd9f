#include "zweft_shell.hpp"

#include <algorithm>
#include <vector>

#include "session_registry.hpp"
#include "weft/core/log.hpp"
#include "zweft-shell-unstable-v1-protocol.h"

namespace weft::compositor {

/// One bound zweft_shell_manager_v1 and the windows created through it (they close when it is destroyed).
struct ZweftManager {
  ZweftShell* shell;
  wl_resource* resource;
  std::vector<ZweftWindow*> windows;
};

namespace {

constexpr uint32_t kStateMaximized = ZWEFT_SHELL_WINDOW_V1_STATE_MAXIMIZED;
constexpr uint32_t kStateFullscreen = ZWEFT_SHELL_WINDOW_V1_STATE_FULLSCREEN;
constexpr uint32_t kStateActivated = ZWEFT_SHELL_WINDOW_V1_STATE_ACTIVATED;

const char* role_name(Role role) {
  switch (role) {
    case Role::normal: return "normal";
    case Role::dialog: return "dialog";
    case Role::panel: return "panel";
    case Role::overlay: return "overlay";
  }
  return "normal";
}

ZweftWindow* window_from(wl_resource* resource) { return static_cast<ZweftWindow*>(wl_resource_get_user_data(resource)); }

/// Every request except destroy on a closed window is a protocol error (§2.1).
bool reject_if_defunct(ZweftWindow* window) {
  if (!window->closed()) return false;
  wl_resource_post_error(window->resource, ZWEFT_SHELL_WINDOW_V1_ERROR_DEFUNCT_WINDOW,
                         "zweft_shell_window_v1@%u was closed by the compositor", wl_resource_get_id(window->resource));
  return true;
}

const struct zweft_shell_window_v1_interface kWindowImpl = {
    .destroy = [](wl_client*, wl_resource* resource) { wl_resource_destroy(resource); },
    .update_metadata =
        [](wl_client*, wl_resource* resource, const char* title, const char* role) {
          ZweftWindow* window = window_from(resource);
          if (reject_if_defunct(window)) return;
          window->set_metadata(title, role);
        },
    .set_geometry =
        [](wl_client*, wl_resource* resource, int32_t x, int32_t y, int32_t width, int32_t height) {
          ZweftWindow* window = window_from(resource);
          if (reject_if_defunct(window)) return;
          window->set_requested(wlr_box{x, y, width, height});
        },
    .set_exclusive_zone =
        [](wl_client*, wl_resource* resource, uint32_t edge, int32_t size) {
          ZweftWindow* window = window_from(resource);
          if (reject_if_defunct(window)) return;
          if (edge > static_cast<uint32_t>(Edge::right)) return;  // unknown edge: ignored
          window->set_exclusive_zone(static_cast<Edge>(edge), size);
        },
};

void destroy_window_resource(wl_resource* resource) { delete window_from(resource); }

void create_window(wl_client* client, wl_resource* manager_resource, uint32_t id, const char* app_id,
                   const char* title, const char* role_text, wl_resource* surface_resource, int32_t x, int32_t y,
                   int32_t width, int32_t height) {
  auto* manager = static_cast<ZweftManager*>(wl_resource_get_user_data(manager_resource));
  ZweftShell& shell = *manager->shell;
  wl_resource* resource =
      wl_resource_create(client, &zweft_shell_window_v1_interface, wl_resource_get_version(manager_resource), id);
  if (!resource) {
    wl_client_post_no_memory(client);
    return;
  }
  Role role = parse_role(role_text);
  std::string effective_app_id = app_id;
  const SessionTag* tag = shell.sessions.tag_of(client);
  if (tag) effective_app_id = tag->app_id;  // identity comes only from the binding (§2.4)
  wlr_surface* surface = surface_resource ? wlr_surface_from_resource(surface_resource) : nullptr;

  auto* window = new ZweftWindow(shell, resource, manager, role, effective_app_id, title, surface,
                                 wlr_box{x, y, width, height});
  wl_resource_set_implementation(resource, &kWindowImpl, window, destroy_window_resource);

  bool refuse = false;
  if (tag && (role == Role::panel || role == Role::overlay)) {
    log::warn("session client refused role ", role_name(role), " session_id=", tag->session_id,
              " app_id=", tag->app_id);
    refuse = true;
  } else if (surface) {
    ZweftWindow* existing = shell.slot_for_surface(surface);
    if (existing && existing != window) {
      refuse = true;  // already backs a slot
    } else if (wlr_surface_is_xdg_surface(surface)) {
      wlr_xdg_surface* xdg = wlr_xdg_surface_from_wlr_surface(surface);
      if (xdg->role == WLR_XDG_SURFACE_ROLE_POPUP) refuse = true;
      else if (View* view = shell.xdg.view_for_surface(surface)) {
        if (shell.slot_for_view(*view)) refuse = true;
        else window->attach(*view);
      }
    } else if (surface->role) {
      refuse = true;  // subsurface, cursor, drag icon, layer surface ...
    }
  }
  window->configure(true);  // exactly one configure precedes any other event
  if (refuse) window->close();
}

const struct zweft_shell_manager_v1_interface kManagerImpl = {
    .destroy = [](wl_client*, wl_resource* resource) { wl_resource_destroy(resource); },
    .create_window = create_window,
};

void destroy_manager_resource(wl_resource* resource) {
  auto* manager = static_cast<ZweftManager*>(wl_resource_get_user_data(resource));
  for (ZweftWindow* window : std::vector<ZweftWindow*>(manager->windows)) {
    window->manager = nullptr;
    window->close();
  }
  delete manager;
}

}  // namespace

ZweftWindow::ZweftWindow(ZweftShell& shell, wl_resource* resource, ZweftManager* manager, Role role,
                         std::string app_id, std::string title, wlr_surface* surface, wlr_box requested)
    : shell(shell), resource(resource), manager(manager), role(role), app_id(std::move(app_id)),
      title(std::move(title)), surface(surface), requested(requested) {
  shell.windows.push_back(this);
  manager->windows.push_back(this);
  if (surface) {
    // The named wl_surface is gone: the slot can never be backed (§2.1).
    surface_destroy_.connect(&surface->events.destroy, [this](void*) {
      close();
      this->surface = nullptr;
    });
    surface_commit_.connect(&surface->events.commit, [this](void*) {
      // A surface that later takes a role other than xdg_toplevel cannot back the slot.
      if (!view && this->surface->role && !wlr_surface_is_xdg_surface(this->surface)) close();
    });
  }
}

ZweftWindow::~ZweftWindow() {
  shell.windows.remove(this);
  if (manager) std::erase(manager->windows, this);
  detach_view();
  shell.policy.drop_exclusive_zone(this);
}

void ZweftWindow::attach(View& target) {
  view = &target;
  target.set_traits(traits());
  surface_commit_.disconnect();
  shell.policy.schedule_arrange();  // the role may move the view to another layer
}

void ZweftWindow::detach_view() {
  if (!view) return;
  view->set_traits(std::nullopt);
  view = nullptr;
}

void ZweftWindow::set_metadata(std::string new_title, std::string role_text) {
  // Display and accessibility only: never changes policy.
  title = std::move(new_title);
  metadata_role = std::move(role_text);
  if (view) view->set_traits(traits());
}

void ZweftWindow::set_requested(const wlr_box& box) {
  requested = box;
  if (view) {
    view->set_traits(traits());
    if (role == Role::dialog) shell.policy.place(*view);
  }
  configure(true);
}

void ZweftWindow::set_exclusive_zone(Edge edge, int size) {
  if (role != Role::panel || !surface) return;
  const wlr_box output = shell.policy.output_box();
  const int extent = (edge == Edge::top || edge == Edge::bottom) ? output.height : output.width;
  size = std::clamp(size, 0, std::max(extent, 0));
  shell.policy.set_exclusive_zone(this, size == 0 ? std::nullopt : std::optional<Zone>(Zone{edge, size}));
}

wlr_box ZweftWindow::current_geometry(uint32_t* state) const {
  const WindowPolicy& policy = shell.policy;
  *state = 0;
  if (view) {
    bool maximized = false;
    const wlr_box box = policy.geometry_for(*view, &maximized);
    if (role == Role::overlay) *state |= kStateFullscreen;
    else if (maximized) *state |= kStateMaximized;
    if (view->activated) *state |= kStateActivated;
    return box;
  }
  const wlr_box output = policy.output_box();
  if (!surface) {
    // Surface-less slot: the requested rectangle clamped to the output.
    wlr_box box{};
    box.x = std::clamp(requested.x, output.x, std::max(output.x, output.x + output.width - 1));
    box.y = std::clamp(requested.y, output.y, std::max(output.y, output.y + output.height - 1));
    box.width = std::clamp(requested.width, 1, std::max(1, output.x + output.width - box.x));
    box.height = std::clamp(requested.height, 1, std::max(1, output.y + output.height - box.y));
    return box;
  }
  switch (role) {
    case Role::panel: *state = kStateMaximized; return output;
    case Role::overlay: *state = kStateFullscreen; return output;
    case Role::dialog: return centre_in(policy.work_area(), requested.width, requested.height);
    case Role::normal: break;
  }
  *state = kStateMaximized;
  return policy.work_area();
}

void ZweftWindow::configure(bool force) {
  if (closed_) return;
  uint32_t state = 0;
  const wlr_box box = current_geometry(&state);
  const bool same = configured_ && box.x == last_box_.x && box.y == last_box_.y && box.width == last_box_.width &&
                    box.height == last_box_.height && state == last_state_;
  if (same && !force) return;
  configured_ = true;
  last_box_ = box;
  last_state_ = state;
  zweft_shell_window_v1_send_configure(resource, box.x, box.y, box.width, box.height, state);
}

void ZweftWindow::close() {
  if (closed_) return;
  if (!configured_) configure(true);
  closed_ = true;
  zweft_shell_window_v1_send_window_closed(resource);
  surface_destroy_.disconnect();
  surface_commit_.disconnect();
  shell.policy.drop_exclusive_zone(this);
  if (view) {
    detach_view();
    shell.policy.schedule_arrange();  // the toplevel reverts to the normal policy
  }
}

void ZweftWindow::send_focus(bool focused) {
  if (closed_ || focused_ == focused) return;
  focused_ = focused;
  zweft_shell_window_v1_send_focus_changed(resource, focused ? 1 : 0);
}

void ZweftWindow::send_presentation(const timespec& when, uint32_t refresh_ns) {
  if (closed_) return;
  zweft_shell_window_v1_send_presentation_feedback(resource, static_cast<uint32_t>(when.tv_sec & 0xffffffffu),
                                                   static_cast<uint32_t>(when.tv_nsec), refresh_ns);
}

void ZweftWindow::send_gesture(GestureType kind, uint32_t fingers, double dx, double dy) {
  if (closed_ || wl_resource_get_version(resource) < ZWEFT_SHELL_WINDOW_V1_NAVIGATION_GESTURE_SINCE_VERSION) return;
  zweft_shell_window_v1_send_navigation_gesture(resource, static_cast<uint32_t>(kind), fingers,
                                                wl_fixed_from_double(dx), wl_fixed_from_double(dy));
}

ZweftShell::ZweftShell(wl_display* display, const SessionRegistry& sessions, XdgShell& xdg, WindowPolicy& policy,
                       Seat& seat)
    : sessions(sessions), xdg(xdg), policy(policy) {
  global_ = wl_global_create(display, &zweft_shell_manager_v1_interface, kVersion, this,
                             [](wl_client* client, void* data, uint32_t version, uint32_t id) {
                               wl_resource* resource =
                                   wl_resource_create(client, &zweft_shell_manager_v1_interface, version, id);
                               if (!resource) {
                                 wl_client_post_no_memory(client);
                                 return;
                               }
                               auto* manager = new ZweftManager{static_cast<ZweftShell*>(data), resource, {}};
                               wl_resource_set_implementation(resource, &kManagerImpl, manager,
                                                              destroy_manager_resource);
                             });
  // A slot may name its surface before the surface takes the xdg_toplevel role, or it may take another role.
  new_toplevel_ = xdg.new_toplevel.connect([this](View& view) { on_new_toplevel(view); });
  new_popup_ = xdg.new_popup.connect([this](wlr_surface* surface) { on_foreign_role(surface); });
  // The toplevel is gone: its slot gets window_closed (§2.1).
  view_destroying_ = xdg.view_signals.destroying.connect([this](View& view) {
    if (ZweftWindow* slot = slot_for_view(view)) slot->close();
  });
  // presentation_feedback: each presented frame with new content of the slot's toplevel.
  presented_ = xdg.presented.connect([this](View& view, const timespec& when, uint32_t refresh_ns) {
    if (ZweftWindow* slot = slot_for_view(view)) slot->send_presentation(when, refresh_ns);
  });
  // configure carries geometry and state: resend it whenever the policy moved things or focus changed.
  arranged_ = policy.arranged.connect([this] { configure_all(); });
  window_changed_ = policy.window_changed.connect([this](View& view) {
    if (ZweftWindow* slot = slot_for_view(view)) slot->configure();
  });
  // focus_changed follows wl_keyboard focus, not activation: a slot hears it when its surface gains or loses keys.
  focus_change_.connect(&seat.get()->keyboard_state.events.focus_change,
                        [this](wlr_seat_keyboard_focus_change_event* e) {
                          if (e->old_surface)
                            if (ZweftWindow* slot = slot_for_surface(e->old_surface)) slot->send_focus(false);
                          if (e->new_surface)
                            if (ZweftWindow* slot = slot_for_surface(e->new_surface)) slot->send_focus(true);
                        });
}

void ZweftShell::on_new_toplevel(View& view) {
  for (ZweftWindow* window : windows) {
    if (!window->closed() && !window->view && window->surface == view.surface()) {
      window->attach(view);
      return;
    }
  }
}

void ZweftShell::on_foreign_role(wlr_surface* surface) {
  for (ZweftWindow* window : std::vector<ZweftWindow*>(windows.begin(), windows.end()))
    if (window->surface == surface && !window->view) window->close();
}

ZweftWindow* ZweftShell::slot_for_surface(const wlr_surface* surface) const {
  for (ZweftWindow* window : windows)
    if (!window->closed() && window->surface == surface) return window;
  return nullptr;
}

void ZweftShell::configure_all() {
  for (ZweftWindow* window : windows) window->configure();
}

void ZweftShell::close_session_slots(uint64_t session_id) {
  for (ZweftWindow* window : std::vector<ZweftWindow*>(windows.begin(), windows.end())) {
    const SessionTag* tag = sessions.tag_of(window->client());
    if (tag && tag->session_id == session_id) window->close();
  }
}

ZweftWindow* ZweftShell::slot_for_view(const View& view) const {
  for (ZweftWindow* window : windows)
    if (window->view == &view) return window;
  return nullptr;
}

void ZweftShell::send_navigation_gesture(const NavigationGesture& gesture) {
  for (ZweftWindow* window : windows)
    if (window->role == Role::panel) window->send_gesture(gesture.type, gesture.fingers, gesture.dx, gesture.dy);
}

}  // namespace weft::compositor
