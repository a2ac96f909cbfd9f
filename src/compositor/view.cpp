#include "view.hpp"

#include "server.hpp"

namespace weft::compositor {

Role parse_role(std::string_view text) {
  if (text == "dialog") return Role::dialog;
  if (text == "panel") return Role::panel;
  if (text == "overlay") return Role::overlay;
  return Role::normal;  // "normal" and any other string (§2.1)
}

View::View(Server& server, wlr_xdg_surface* xdg) : server(server), xdg(xdg) {
  if (const SessionTag* tag = server.sessions.tag_of(client())) session_id = tag->session_id;
  node = wlr_scene_xdg_surface_create(&server.app_layer->node, xdg);
  node->data = this;
  xdg->data = node;

  map_.connect(&xdg->events.map, [this](void*) {
    mapped = true;
    this->server.policy.on_map(*this);
    ever_mapped = true;
  });
  unmap_.connect(&xdg->events.unmap, [this](void*) {
    mapped = false;
    this->server.policy.on_unmap(*this);
  });
  commit_.connect(&xdg->surface->events.commit, [this](void*) {
    if (this->xdg->surface->current.committed & WLR_SURFACE_STATE_BUFFER) new_content = true;
  });
  // The policy owns geometry: maximize/fullscreen requests are answered with the policy's configure.
  request_maximize_.connect(&xdg->toplevel->events.request_maximize, [this](void*) {
    wlr_xdg_surface_schedule_configure(this->xdg);
  });
  request_fullscreen_.connect(&xdg->toplevel->events.request_fullscreen, [this](void*) {
    wlr_xdg_surface_schedule_configure(this->xdg);
  });
  destroy_.connect(&xdg->events.destroy, [this](void*) {
    Server& s = this->server;
    s.views.remove_if([this](const std::unique_ptr<View>& v) { return v.get() == this; });
  });
}

View::~View() {
  // The toplevel is gone: its slot gets window_closed (§2.1).
  if (slot) slot->close();
  server.policy.forget(*this);
}

Role View::role() const { return slot ? slot->role : Role::normal; }

std::string View::app_id() const {
  if (slot && !slot->app_id.empty()) return slot->app_id;
  return xdg->toplevel->app_id ? xdg->toplevel->app_id : "";
}

std::string View::title() const {
  if (slot && !slot->title.empty()) return slot->title;
  return xdg->toplevel->title ? xdg->toplevel->title : "";
}

void View::apply_geometry(const wlr_box& target, bool maximized) {
  box = target;
  wlr_scene_node_set_position(node, target.x, target.y);
  // Each xdg configure makes the client redraw: compare with what is scheduled and only send what changed.
  wlr_xdg_toplevel_configure& scheduled = xdg->toplevel->scheduled;
  if (scheduled.maximized != maximized) wlr_xdg_toplevel_set_maximized(xdg, maximized);
  if (scheduled.width != static_cast<uint32_t>(target.width) || scheduled.height != static_cast<uint32_t>(target.height))
    wlr_xdg_toplevel_set_size(xdg, target.width, target.height);
}

void View::set_activated(bool value) {
  activated = value;
  if (xdg->toplevel->scheduled.activated != value) wlr_xdg_toplevel_set_activated(xdg, value);
}

}  // namespace weft::compositor
