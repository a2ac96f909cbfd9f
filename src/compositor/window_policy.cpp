#include "window_policy.hpp"

#include <algorithm>

#include "server.hpp"

namespace weft::compositor {

wlr_box shrink_by_zone(const wlr_box& area, Edge edge, int size) {
  wlr_box out = area;
  switch (edge) {
    case Edge::top:
      size = std::clamp(size, 0, area.height);
      out.y += size;
      out.height -= size;
      break;
    case Edge::bottom:
      out.height -= std::clamp(size, 0, area.height);
      break;
    case Edge::left:
      size = std::clamp(size, 0, area.width);
      out.x += size;
      out.width -= size;
      break;
    case Edge::right:
      out.width -= std::clamp(size, 0, area.width);
      break;
  }
  out.width = std::max(out.width, 1);
  out.height = std::max(out.height, 1);
  return out;
}

wlr_box centre_in(const wlr_box& area, int width, int height) {
  width = std::clamp(width, 1, std::max(area.width, 1));
  height = std::clamp(height, 1, std::max(area.height, 1));
  return wlr_box{area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height};
}

wlr_box WindowPolicy::output_box() const {
  Output* output = server_.primary_output();
  return output ? output->layout_box() : wlr_box{};
}

wlr_box WindowPolicy::work_area() const {
  const wlr_box output = output_box();
  const bool layers_known = layer_usable_.width > 0 && layer_usable_.height > 0;
  return server_.zweft.work_area(layers_known ? layer_usable_ : output);
}

wlr_box WindowPolicy::geometry_for(const View& view, bool* maximized) const {
  const wlr_box output = output_box();
  *maximized = true;
  switch (view.role()) {
    case Role::panel:
    case Role::overlay:
      return output;
    case Role::dialog: {
      *maximized = false;
      int width = view.slot ? view.slot->requested.width : 0;
      int height = view.slot ? view.slot->requested.height : 0;
      if (width <= 0 || height <= 0) {
        wlr_box natural{};
        wlr_xdg_surface_get_geometry(view.xdg, &natural);
        width = natural.width > 0 ? natural.width : work_area().width / 2;
        height = natural.height > 0 ? natural.height : work_area().height / 2;
      }
      return centre_in(work_area(), width, height);
    }
    case Role::normal:
      break;
  }
  return work_area();
}

void WindowPolicy::place_in_layer(View& view) {
  wlr_scene_tree* layer = server_.app_layer;
  if (view.role() == Role::panel) layer = server_.panel_layer;
  else if (view.role() == Role::overlay) layer = server_.overlay_layer;
  if (view.node->parent != &layer->node) wlr_scene_node_reparent(view.node, &layer->node);
}

void WindowPolicy::arrange() {
  const wlr_box output = output_box();
  if (server_.background) {
    wlr_scene_node_set_position(&server_.background->node, output.x, output.y);
    wlr_scene_rect_set_size(server_.background, output.width, output.height);
  }
  if (output.width <= 0) return;
  layer_usable_ = server_.layers.arrange(output);
  for (auto& view : server_.views) {
    place_in_layer(*view);
    bool maximized = false;
    const wlr_box box = geometry_for(*view, &maximized);
    view->apply_geometry(box, maximized);
  }
  server_.zweft.configure_all();
}

void WindowPolicy::schedule_arrange() {
  if (idle_arrange_ || !server_.loop) return;
  idle_arrange_ = wl_event_loop_add_idle(
      server_.loop,
      [](void* data) {
        auto* self = static_cast<WindowPolicy*>(data);
        self->idle_arrange_ = nullptr;
        self->arrange();
      },
      this);
}

void WindowPolicy::on_map(View& view) {
  place_in_layer(view);
  bool maximized = false;
  const wlr_box box = geometry_for(view, &maximized);  // before reading `maximized`: argument order is unspecified
  view.apply_geometry(box, maximized);

  bool take_focus = false;
  switch (view.role()) {
    case Role::panel:
      wlr_scene_node_lower_to_bottom(view.node);
      if (!topmost_app()) focus_panel();
      return;
    case Role::overlay:
      if (focused_ != &view) overlay_return_ = focused_;
      take_focus = true;
      break;
    case Role::normal:
    case Role::dialog:
      if (view.session_id) {
        const bool first = mapped_sessions_.insert(*view.session_id).second;
        const bool session_has_focus = focused_ && focused_->session_id == view.session_id;
        take_focus = first || session_has_focus;
      } else {
        take_focus = !view.ever_mapped;
      }
      break;
  }
  if (take_focus) {
    focus(view);
  } else if (focused_ && focused_ != &view && focused_->node->parent == view.node->parent) {
    // A window that does not take focus must not cover the one that has it.
    wlr_scene_node_place_below(view.node, focused_->node);
  }
}

void WindowPolicy::on_unmap(View& view) {
  if (overlay_return_ == &view) overlay_return_ = nullptr;
  if (focused_ != &view) return;
  view.set_activated(false);
  focused_ = nullptr;
  if (view.slot) view.slot->configure();
  focus_after_unmap(view.role() == Role::overlay);
}

void WindowPolicy::focus_after_unmap(bool was_overlay) {
  if (was_overlay && overlay_return_ && overlay_return_->mapped) {
    View* previous = overlay_return_;
    overlay_return_ = nullptr;
    focus(*previous, false);
    return;
  }
  if (View* next = topmost_app()) {
    focus(*next);
    return;
  }
  if (!focus_panel()) server_.input.focus_keyboard(nullptr);
}

void WindowPolicy::focus(View& view, bool raise) {
  if (raise && view.role() != Role::panel) wlr_scene_node_raise_to_top(view.node);
  if (focused_ && focused_ != &view) {
    View* previous = focused_;
    previous->set_activated(false);
    if (previous->slot) previous->slot->configure();
  }
  focused_ = &view;
  view.set_activated(true);
  server_.input.focus_keyboard(view.surface());
  if (view.slot) view.slot->configure();
}

bool WindowPolicy::focus_panel() {
  for (auto& view : server_.views) {
    if (view->mapped && view->role() == Role::panel) {
      focus(*view, false);
      return true;
    }
  }
  return false;
}

View* WindowPolicy::topmost_app(const uint64_t* session_id) const {
  wlr_scene_node* child;
  wl_list_for_each_reverse(child, &server_.app_layer->node.state.children, state.link) {
    auto* view = static_cast<View*>(child->data);
    if (!view || !view->mapped) continue;
    if (session_id && view->session_id != *session_id) continue;
    return view;
  }
  return nullptr;
}

void WindowPolicy::restore_focus(wlr_surface* surface) {
  if (focused_ && focused_->mapped && focused_->surface() != surface) {
    server_.input.focus_keyboard(focused_->surface());
    return;
  }
  focus_after_unmap(false);
}

void WindowPolicy::cancel_scheduled() {
  if (idle_arrange_) wl_event_source_remove(idle_arrange_);
  idle_arrange_ = nullptr;
}

void WindowPolicy::forget(View& view) {
  if (focused_ == &view) focused_ = nullptr;
  if (overlay_return_ == &view) overlay_return_ = nullptr;
}

}  // namespace weft::compositor
