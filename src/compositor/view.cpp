#include "view.hpp"

namespace weft::compositor {

Role parse_role(std::string_view text) {
  if (text == "dialog") return Role::dialog;
  if (text == "panel") return Role::panel;
  if (text == "overlay") return Role::overlay;
  return Role::normal;  // "normal" and any other string (§2.1)
}

View::View(ViewSignals& signals, wlr_xdg_surface* xdg, wlr_scene_tree* parent, std::optional<uint64_t> session_id,
           std::function<void(View&)> release)
    : xdg(xdg), session_id(session_id), release_(std::move(release)) {
  node = wlr_scene_xdg_surface_create(&parent->node, xdg);
  node->data = this;
  xdg->data = node;

  // xdg_surface map: the first buffer after the initial configure; the policy places and focuses it.
  map_.connect(&xdg->events.map, [this, &signals](void*) {
    mapped = true;
    signals.mapped.emit(*this);
    ever_mapped = true;
  });
  // Unmap (null buffer or role destroyed): focus moves on.
  unmap_.connect(&xdg->events.unmap, [this, &signals](void*) {
    mapped = false;
    signals.unmapped.emit(*this);
  });
  // wp_presentation and zweft presentation_feedback report only frames that carry new content of this window.
  // The initial commit (wlroots has just scheduled the initial configure) is where the policy first places the view,
  // so that configure already carries the size and state the window will have.
  commit_.connect(&xdg->surface->events.commit, [this, &signals](void*) {
    if (this->xdg->surface->current.committed & WLR_SURFACE_STATE_BUFFER) new_content = true;
    // wlroots' scene has just laid out the surface tree for this commit, the window geometry at the tree's origin;
    // while that geometry is implicit, the tree moves with it so that the main surface stays where it was placed.
    follow_implicit_geometry();
    if (!initially_committed && this->xdg->toplevel->added) {
      initially_committed = true;
      signals.initially_committed.emit(*this);
    }
  });
  // The policy owns geometry: maximize/fullscreen requests are answered with the policy's configure.
  request_maximize_.connect(&xdg->toplevel->events.request_maximize, [this](void*) {
    wlr_xdg_surface_schedule_configure(this->xdg);
  });
  request_fullscreen_.connect(&xdg->toplevel->events.request_fullscreen, [this](void*) {
    wlr_xdg_surface_schedule_configure(this->xdg);
  });
  // The toplevel is gone: peers forget the view before its owner drops it.
  destroy_.connect(&xdg->events.destroy, [this, &signals](void*) {
    signals.destroying.emit(*this);
    auto release = release_;  // a copy: it destroys this View and with it the member
    release(*this);
  });
}

std::string View::app_id() const {
  if (traits_ && !traits_->app_id.empty()) return traits_->app_id;
  return xdg->toplevel->app_id ? xdg->toplevel->app_id : "";
}

std::string View::title() const {
  if (traits_ && !traits_->title.empty()) return traits_->title;
  return xdg->toplevel->title ? xdg->toplevel->title : "";
}

void View::apply_geometry(const wlr_box& target, bool maximized) {
  box = target;
  place_node();
  // Each xdg configure makes the client redraw: compare with what is scheduled and only send what changed.
  wlr_xdg_toplevel_configure& scheduled = xdg->toplevel->scheduled;
  if (scheduled.maximized != maximized) wlr_xdg_toplevel_set_maximized(xdg, maximized);
  if (scheduled.width != static_cast<uint32_t>(target.width) || scheduled.height != static_cast<uint32_t>(target.height))
    wlr_xdg_toplevel_set_size(xdg, target.width, target.height);
}

void View::move_to(int x, int y) {
  box.x = x;
  box.y = y;
  place_node();
}

void View::follow_implicit_geometry() {
  // The scene reads the geometry on each commit of the main surface only (a desynchronized sub-surface's commit can
  // change the bounding box without one): keep what it read, not what a later read would say.
  implicit_origin_x_ = implicit_origin_y_ = 0;
  if (wlr_box_empty(&xdg->current.geometry)) {
    wlr_box extents{};
    wlr_xdg_surface_get_geometry(xdg, &extents);
    implicit_origin_x_ = extents.x;
    implicit_origin_y_ = extents.y;
  }
  place_node();
}

void View::place_node() {
  wlr_scene_node_set_position(node, box.x + implicit_origin_x_, box.y + implicit_origin_y_);
}

wlr_box View::window_geometry() const {
  wlr_box geometry{};
  wlr_xdg_surface_get_geometry(xdg, &geometry);
  return wlr_box{box.x + implicit_origin_x_, box.y + implicit_origin_y_, geometry.width, geometry.height};
}

void View::set_activated(bool value) {
  activated = value;
  if (xdg->toplevel->scheduled.activated != value) wlr_xdg_toplevel_set_activated(xdg, value);
}

}  // namespace weft::compositor
