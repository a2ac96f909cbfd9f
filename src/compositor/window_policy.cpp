#include "window_policy.hpp"

#include <algorithm>

#include "weft/core/log.hpp"

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

WindowPolicy::WindowPolicy(wl_event_loop* loop, Scene& scene, Outputs& outputs, XdgShell& xdg, Seat& seat)
    : scene_(scene), outputs_(outputs), xdg_(xdg), seat_(seat), idle_arrange_(loop, [this] { arrange(); }) {
  // Views come and go through xdg-shell; the policy places, stacks and focuses them.
  // The initial configure carries the policy's geometry (a maximized app window its work area), not 0×0 ("client
  // chooses") followed by a resize once the client has drawn at a size of its own choosing.
  initially_committed_ = xdg.view_signals.initially_committed.connect([this](View& view) {
    place_in_layer(view);
    place(view);
  });
  mapped_ = xdg.view_signals.mapped.connect([this](View& view) { on_map(view); });
  unmapped_ = xdg.view_signals.unmapped.connect([this](View& view) { on_unmap(view); });
  destroying_ = xdg.view_signals.destroying.connect([this](View& view) { forget(view); });
  // xdg_activation_v1.activate with a valid token focuses like a click.
  activation_ = xdg.activation_requested.connect([this](View& view) { focus(view); });
  // A new toplevel belongs to the output holding the pointer, before its first configure gives it a size.
  created_ = xdg.new_toplevel.connect([this](View& view) {
    if (!cursor_) return;
    Output* output = outputs_.at(cursor_->x, cursor_->y);
    if (output && output != outputs_.primary()) homes_[&view] = output->output;
  });
  // An unplugged output's windows move to the primary; the layout change that follows places them again.
  output_removing_ = outputs.removing.connect([this](wlr_output* output) {
    std::erase_if(homes_, [output](const auto& home) { return home.second == output; });
  });
}

wlr_output* WindowPolicy::output_of(const View& view) const {
  if (auto it = homes_.find(&view); it != homes_.end()) return it->second;
  Output* primary = outputs_.primary();
  return primary ? primary->output : nullptr;
}

wlr_box WindowPolicy::work_area_of(const wlr_output* output) const {
  Output* primary = outputs_.primary();
  if (!output || !primary || output == primary->output) return work_area();
  wlr_box box{};
  if (wlr_box* b = wlr_output_layout_get_box(outputs_.layout(), const_cast<wlr_output*>(output))) box = *b;
  return box.width > 0 && box.height > 0 ? box : work_area();
}

wlr_box WindowPolicy::work_area() const {
  const bool layers_known = layer_usable_.width > 0 && layer_usable_.height > 0;
  wlr_box area = layers_known ? layer_usable_ : output_box();
  if (area.width <= 0 || area.height <= 0) return area;
  for (const auto& [owner, zone] : zones_) area = shrink_by_zone(area, zone.edge, zone.size);
  return area;
}

wlr_box WindowPolicy::geometry_for(const View& view, bool* maximized) const {
  const wlr_box output = output_box();
  const wlr_box area = work_area_of(output_of(view));
  *maximized = true;
  switch (view.role()) {
    case Role::panel:
    case Role::overlay:
      return output;
    case Role::dialog: {
      *maximized = false;
      int width = view.traits() ? view.traits()->requested.width : 0;
      int height = view.traits() ? view.traits()->requested.height : 0;
      if (width <= 0 || height <= 0) {
        wlr_box natural{};
        wlr_xdg_surface_get_geometry(view.xdg, &natural);
        width = natural.width > 0 ? natural.width : area.width / 2;
        height = natural.height > 0 ? natural.height : area.height / 2;
      }
      return centre_in(area, width, height);
    }
    case Role::normal:
      break;
  }
  return area;
}

void WindowPolicy::place_in_layer(View& view) {
  wlr_scene_tree* layer = scene_.tree(SceneLayer::app);
  if (view.role() == Role::panel) layer = scene_.tree(SceneLayer::panel);
  else if (view.role() == Role::overlay) layer = scene_.tree(SceneLayer::overlay);
  if (view.node->parent != &layer->node) wlr_scene_node_reparent(view.node, &layer->node);
}

void WindowPolicy::place(View& view) {
  bool maximized = false;
  wlr_box box = geometry_for(view, &maximized);  // before reading `maximized`: argument order is unspecified
  if (auto it = harness_positions_.find(&view); it != harness_positions_.end()) {
    box.x = it->second.first;
    box.y = it->second.second;
  }
  view.apply_geometry(box, maximized);
}

bool WindowPolicy::move_focused_window(Toward toward) {
  View* view = focused_;
  if (!view || !view->mapped || !view->is_app_window()) return false;
  Output* next = outputs_.neighbour(output_of(*view), toward);
  if (!next) return false;
  move_to_output(*view, next->output);
  return true;
}

void WindowPolicy::move_to_output(View& view, wlr_output* output) {
  Output* primary = outputs_.primary();
  // homes_ holds only windows away from the primary: those on it follow whichever output is primary next.
  if (primary && output == primary->output) homes_.erase(&view);
  else homes_[&view] = output;
  harness_positions_.erase(&view);  // a window sent elsewhere is placed by the policy there, not where a harness left it
  log::info("window \"", view.title(), "\" moved to output ", output->name);
  // Its new work area can differ in size: the window is configured again, and the scene sends wl_surface.leave and
  // enter as the node moves onto the other output.
  arrange();
}

void WindowPolicy::move_to(View& view, int x, int y) {
  harness_positions_[&view] = {x, y};
  view.move_to(x, y);
}

void WindowPolicy::arrange() {
  const wlr_box output = output_box();
  scene_.fit_background(outputs_.layout_box());
  if (output.width <= 0) return;
  for (auto& view : xdg_.views()) {
    place_in_layer(*view);
    place(*view);
  }
  arranged.emit();
}

void WindowPolicy::set_layer_area(const wlr_box& usable) {
  layer_usable_ = usable;
  arrange();
}

void WindowPolicy::set_exclusive_zone(const void* owner, std::optional<Zone> zone) {
  auto it = std::find_if(zones_.begin(), zones_.end(), [&](const auto& z) { return z.first == owner; });
  if (!zone) {
    if (it != zones_.end()) zones_.erase(it);
  } else if (it != zones_.end()) {
    it->second = *zone;
  } else {
    zones_.emplace_back(owner, *zone);
  }
  arrange();
}

void WindowPolicy::drop_exclusive_zone(const void* owner) {
  const auto dropped = std::erase_if(zones_, [&](const auto& z) { return z.first == owner; });
  if (dropped) schedule_arrange();
}

void WindowPolicy::on_map(View& view) {
  place_in_layer(view);
  place(view);

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
  window_changed.emit(view);
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
  if (!focus_panel()) seat_.focus_keyboard(nullptr);
}

void WindowPolicy::focus(View& view, bool raise) {
  if (raise && view.role() != Role::panel) wlr_scene_node_raise_to_top(view.node);
  if (focused_ && focused_ != &view) {
    View* previous = focused_;
    previous->set_activated(false);
    window_changed.emit(*previous);
  }
  focused_ = &view;
  view.set_activated(true);
  seat_.focus_keyboard(view.surface());
  window_changed.emit(view);
}

bool WindowPolicy::focus_panel() {
  for (auto& view : xdg_.views()) {
    if (view->mapped && view->role() == Role::panel) {
      focus(*view, false);
      return true;
    }
  }
  return false;
}

View* WindowPolicy::topmost_app(const uint64_t* session_id) const {
  wlr_scene_node* child;
  wl_list_for_each_reverse(child, &scene_.tree(SceneLayer::app)->node.state.children, state.link) {
    auto* view = static_cast<View*>(child->data);
    if (!view || !view->mapped) continue;
    if (session_id && view->session_id != *session_id) continue;
    return view;
  }
  return nullptr;
}

void WindowPolicy::restore_focus(wlr_surface* surface) {
  if (focused_ && focused_->mapped && focused_->surface() != surface) {
    seat_.focus_keyboard(focused_->surface());
    return;
  }
  focus_after_unmap(false);
}

void WindowPolicy::forget(View& view) {
  homes_.erase(&view);
  harness_positions_.erase(&view);
  if (focused_ == &view) focused_ = nullptr;
  if (overlay_return_ == &view) overlay_return_ = nullptr;
}

}  // namespace weft::compositor
