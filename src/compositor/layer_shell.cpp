#include "layer_shell.hpp"

#include <algorithm>

#include "server.hpp"

namespace weft::compositor {

namespace {

constexpr uint32_t kTop = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP;
constexpr uint32_t kBottom = ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
constexpr uint32_t kLeft = ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT;
constexpr uint32_t kRight = ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;

/// One axis of the placement: position and size inside [start, start+extent) for anchors at both ends or one.
void place_axis(bool anchor_start, bool anchor_end, int start, int extent, uint32_t desired, int margin_start,
                int margin_end, int* pos, int* size) {
  *size = desired > 0 ? static_cast<int>(desired) : extent - margin_start - margin_end;
  if (anchor_start && !anchor_end) *pos = start + margin_start;
  else if (anchor_end && !anchor_start) *pos = start + extent - *size - margin_end;
  else *pos = start + margin_start + (extent - margin_start - margin_end - *size) / 2;  // both or neither: centred
  *size = std::max(*size, 1);
}

}  // namespace

LayerSurface::LayerSurface(Server& s, wlr_layer_surface_v1* l) : server(s), layer(l), scene_layer(l->pending.layer) {
  if (!layer->output)
    if (Output* primary = server.primary_output()) layer->output = primary->output;
  node = wlr_scene_subsurface_tree_create(&server.layers.tree_for(scene_layer)->node, layer->surface);
  layer->data = node;
  wlr_scene_node_set_enabled(node, false);

  map_.connect(&layer->events.map, [this](void*) {
    mapped = true;
    wlr_scene_node_set_enabled(node, true);
    server.policy.arrange();
    if (wants_keyboard()) server.input.focus_keyboard(layer->surface);
  });
  unmap_.connect(&layer->events.unmap, [this](void*) {
    mapped = false;
    wlr_scene_node_set_enabled(node, false);
    if (server.input.keyboard_focus() == layer->surface) server.policy.restore_focus(layer->surface);
    server.policy.schedule_arrange();
  });
  commit_.connect(&layer->surface->events.commit, [this](void*) {
    if (!layer->current.committed) return;
    if (layer->current.layer != scene_layer) {
      scene_layer = layer->current.layer;
      wlr_scene_node_reparent(node, &server.layers.tree_for(scene_layer)->node);
    }
    server.policy.arrange();
  });
  new_popup_.connect(&layer->events.new_popup, [this](wlr_xdg_popup* popup) {
    // Popups stack with their layer surface; the positioner is relative to it.
    popup->base->data = wlr_scene_xdg_surface_create(node, popup->base);
  });
  destroy_.connect(&layer->events.destroy, [this](void*) {
    Server& owner = server;
    owner.layers.surfaces.remove_if([this](const std::unique_ptr<LayerSurface>& p) { return p.get() == this; });
    owner.policy.schedule_arrange();
  });
}

LayerSurface::~LayerSurface() = default;

bool LayerSurface::wants_keyboard() const {
  return mapped && layer->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE;
}

void LayerSurface::arrange(const wlr_box& full, wlr_box* usable) {
  const wlr_layer_surface_v1_state& st = layer->current;
  // Exclusive zone -1: ignore other surfaces' zones and stretch to the anchored edges.
  const wlr_box bounds = st.exclusive_zone == -1 ? full : *usable;
  wlr_box box{};
  place_axis(st.anchor & kLeft, st.anchor & kRight, bounds.x, bounds.width, st.desired_width,
             static_cast<int>(st.margin.left), static_cast<int>(st.margin.right), &box.x, &box.width);
  place_axis(st.anchor & kTop, st.anchor & kBottom, bounds.y, bounds.height, st.desired_height,
             static_cast<int>(st.margin.top), static_cast<int>(st.margin.bottom), &box.y, &box.height);
  wlr_scene_node_set_position(node, box.x, box.y);
  if (layer->configured || layer->added) {
    if (st.actual_width != static_cast<uint32_t>(box.width) || st.actual_height != static_cast<uint32_t>(box.height) ||
        !layer->configured)
      wlr_layer_surface_v1_configure(layer, box.width, box.height);
  }
  if (!mapped || st.exclusive_zone <= 0) return;
  // A positive zone counts only when anchored to one edge, or one edge and both perpendicular ones.
  const uint32_t a = st.anchor;
  const bool horizontal_bar = (a & kLeft) && (a & kRight);
  const bool vertical_bar = (a & kTop) && (a & kBottom);
  wlr_box& u = *usable;
  if ((a & kTop) && !(a & kBottom) && (horizontal_bar || !(a & (kLeft | kRight)))) {
    const int zone = st.exclusive_zone + static_cast<int>(st.margin.top);
    u.y += zone;
    u.height -= zone;
  } else if ((a & kBottom) && !(a & kTop) && (horizontal_bar || !(a & (kLeft | kRight)))) {
    u.height -= st.exclusive_zone + static_cast<int>(st.margin.bottom);
  } else if ((a & kLeft) && !(a & kRight) && (vertical_bar || !(a & (kTop | kBottom)))) {
    const int zone = st.exclusive_zone + static_cast<int>(st.margin.left);
    u.x += zone;
    u.width -= zone;
  } else if ((a & kRight) && !(a & kLeft) && (vertical_bar || !(a & (kTop | kBottom)))) {
    u.width -= st.exclusive_zone + static_cast<int>(st.margin.right);
  }
  u.width = std::max(u.width, 1);
  u.height = std::max(u.height, 1);
}

void LayerShell::create(wl_display* display) {
  wlr_layer_shell_v1* shell = wlr_layer_shell_v1_create(display);
  new_surface_.connect(&shell->events.new_surface, [this](wlr_layer_surface_v1* layer) {
    surfaces.push_back(std::make_unique<LayerSurface>(server_, layer));
    server_.policy.arrange();
  });
}

wlr_scene_tree* LayerShell::tree_for(zwlr_layer_shell_v1_layer layer) const {
  switch (layer) {
    case ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND: return server_.layer_background;
    case ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM: return server_.layer_bottom;
    case ZWLR_LAYER_SHELL_V1_LAYER_TOP: return server_.layer_top;
    case ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY: return server_.layer_overlay;
  }
  return server_.layer_top;
}

wlr_box LayerShell::arrange(const wlr_box& output) {
  wlr_box usable = output;
  // Overlay and top first: their zones push the lower layers (sway's order).
  for (auto layer : {ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY, ZWLR_LAYER_SHELL_V1_LAYER_TOP, ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM,
                     ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND})
    for (auto& surface : surfaces)
      if (surface->scene_layer == layer) surface->arrange(output, &usable);
  return usable;
}

LayerSurface* LayerShell::exclusive_focus() const {
  for (auto it = surfaces.rbegin(); it != surfaces.rend(); ++it) {
    const LayerSurface& s = **it;
    if (s.mapped && s.scene_layer >= ZWLR_LAYER_SHELL_V1_LAYER_TOP &&
        s.layer->current.keyboard_interactive == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE)
      return it->get();
  }
  return nullptr;
}

}  // namespace weft::compositor
