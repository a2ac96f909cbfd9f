#include "layer_shell.hpp"

#include <algorithm>

namespace weft::compositor {

namespace {

constexpr uint32_t kTop = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP;
constexpr uint32_t kBottom = ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
constexpr uint32_t kLeft = ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT;
constexpr uint32_t kRight = ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;

/// Why `state` is no valid layer-surface state, or nullptr: a size of 0 on an axis means "stretch between the anchors",
/// so it needs the anchors at both ends of that axis (zwlr_layer_surface_v1.set_size; wlroots 0.15 does not check it).
const char* invalid_size(const wlr_layer_surface_v1_state& state) {
  if (state.desired_width == 0 && (state.anchor & (kLeft | kRight)) != (kLeft | kRight))
    return "width 0 needs both the left and the right anchor";
  if (state.desired_height == 0 && (state.anchor & (kTop | kBottom)) != (kTop | kBottom))
    return "height 0 needs both the top and the bottom anchor";
  return nullptr;
}

/// Raises INVALID_SIZE on the layer surface when its committed state asks for a size it cannot have; true if it did.
bool reject_invalid_size(wlr_layer_surface_v1* layer) {
  const char* why = invalid_size(layer->current);
  if (!why) return false;
  wl_resource_post_error(layer->resource, ZWLR_LAYER_SURFACE_V1_ERROR_INVALID_SIZE,
                         "zwlr_layer_surface_v1: %s (anchor mask 0x%x, size %ux%u)", why, layer->current.anchor,
                         layer->current.desired_width, layer->current.desired_height);
  return true;
}

/// One axis of the placement: position and size inside [start, start+extent) for anchors at both ends or one.
void place_axis(bool anchor_start, bool anchor_end, int start, int extent, uint32_t desired, int margin_start,
                int margin_end, int* pos, int* size) {
  *size = desired > 0 ? static_cast<int>(desired) : extent - margin_start - margin_end;
  if (anchor_start && !anchor_end) *pos = start + margin_start;
  else if (anchor_end && !anchor_start) *pos = start + extent - *size - margin_end;
  else if (anchor_start && anchor_end) *pos = start + margin_start + (extent - margin_start - margin_end - *size) / 2;
  else *pos = start + (extent - *size) / 2;  // neither: centred; margins count only on anchored edges (set_margin)
  *size = std::max(*size, 1);
}

}  // namespace

LayerSurface::LayerSurface(LayerShell& shell, wlr_layer_surface_v1* l)
    : layer(l), scene_layer(l->pending.layer), shell_(shell) {
  if (!layer->output)
    if (Output* primary = shell.outputs_.primary()) layer->output = primary->output;
  node = wlr_scene_subsurface_tree_create(&shell.tree_for(scene_layer)->node, layer->surface);
  layer->data = node;
  wlr_scene_node_set_enabled(node, false);

  // Mapped: shown, its zone counts, and keyboard_interactivity may give it the keyboard.
  map_.connect(&layer->events.map, [this](void*) {
    mapped = true;
    wlr_scene_node_set_enabled(node, true);
    shell_.update_exclusive_keyboard();
    shell_.arrange();
    if (wants_keyboard()) shell_.seat_.focus_keyboard(layer->surface);
  });
  // Unmapped: hidden, its zone freed, and the keyboard goes back if it had it.
  unmap_.connect(&layer->events.unmap, [this](void*) {
    mapped = false;
    wlr_scene_node_set_enabled(node, false);
    shell_.update_exclusive_keyboard();
    if (shell_.seat_.keyboard_focus() == layer->surface) shell_.keyboard_released.emit(layer->surface);
    shell_.idle_arrange_.schedule();
  });
  // Double-buffered state (anchor, size, zone, margins, layer, interactivity) applies at commit: place again.
  commit_.connect(&layer->surface->events.commit, [this](void*) {
    if (!layer->current.committed) return;
    if (reject_invalid_size(layer)) return;
    if (layer->current.layer != scene_layer) {
      scene_layer = layer->current.layer;
      wlr_scene_node_reparent(node, &shell_.tree_for(scene_layer)->node);
    }
    shell_.update_exclusive_keyboard();
    update_keyboard_focus();
    shell_.arrange();
  });
  // Popups stack with their layer surface; the positioner is relative to it.
  new_popup_.connect(&layer->events.new_popup, [this](wlr_xdg_popup* popup) {
    popup->base->data = wlr_scene_xdg_surface_create(node, popup->base);
  });
  // Destroyed (wlroots unmaps it first): dropped, and the rest placed again once wlroots is done unlinking it.
  destroy_.connect(&layer->events.destroy, [this](void*) { shell_.remove(*this); });
}

void LayerSurface::update_keyboard_focus() {
  const auto interactivity = layer->current.keyboard_interactive;
  if (interactivity == keyboard_interactivity_) return;
  keyboard_interactivity_ = interactivity;
  if (!mapped) return;  // map decides focus for a surface not shown yet
  // A mapped surface turning exclusive takes the keyboard now; one turning to none gives it back if it had it.
  if (interactivity == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE) {
    shell_.seat_.focus_keyboard(layer->surface);
  } else if (interactivity == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE &&
             shell_.seat_.keyboard_focus() == layer->surface) {
    shell_.keyboard_released.emit(layer->surface);
  }
}

bool LayerSurface::wants_keyboard() const {
  return mapped && layer->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE;
}

bool LayerSurface::holds_keyboard_exclusively() const {
  return mapped && scene_layer >= ZWLR_LAYER_SHELL_V1_LAYER_TOP &&
         layer->current.keyboard_interactive == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE;
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

LayerShell::LayerShell(wl_display* display, wl_event_loop* loop, Scene& scene, Outputs& outputs, Seat& seat)
    : scene_(scene), outputs_(outputs), seat_(seat), idle_arrange_(loop, [this] { arrange(); }) {
  wlr_layer_shell_v1* shell = wlr_layer_shell_v1_create(display);
  // get_layer_surface: the surface gets its initial configure from the first arrange.
  new_surface_.connect(&shell->events.new_surface, [this](wlr_layer_surface_v1* layer) {
    if (reject_invalid_size(layer)) return;  // never placed: the client is disconnected with the error
    surfaces_.push_back(std::make_unique<LayerSurface>(*this, layer));
    arrange();
  });
  // The primary output's box moved or resized: anchors and zones are relative to it.
  layout_changed_ = outputs.layout_changed.connect([this] { arrange(); });
  // Layer surfaces live on the primary output: an unplugged one's surfaces follow the next primary (wlroots keeps
  // no watch on layer_surface.output, so it must not be left pointing at the destroyed output).
  output_removing_ = outputs.removing.connect([this](wlr_output* gone) {
    Output* primary = outputs_.primary();
    for (auto& surface : surfaces_)
      if (surface->layer->output == gone) surface->layer->output = primary ? primary->output : nullptr;
  });
}

LayerShell::~LayerShell() {
  // The seat must not keep a surface this shell no longer watches.
  seat_.set_exclusive_keyboard(nullptr);
}

void LayerShell::remove(LayerSurface& surface) {
  surfaces_.remove_if([&](const std::unique_ptr<LayerSurface>& p) { return p.get() == &surface; });
  update_exclusive_keyboard();
  idle_arrange_.schedule();
}

wlr_scene_tree* LayerShell::tree_for(zwlr_layer_shell_v1_layer layer) const {
  switch (layer) {
    case ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND: return scene_.tree(SceneLayer::layer_background);
    case ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM: return scene_.tree(SceneLayer::layer_bottom);
    case ZWLR_LAYER_SHELL_V1_LAYER_TOP: return scene_.tree(SceneLayer::layer_top);
    case ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY: return scene_.tree(SceneLayer::layer_overlay);
  }
  return scene_.tree(SceneLayer::layer_top);
}

void LayerShell::arrange() {
  const wlr_box output = outputs_.primary_box();
  wlr_box usable = output;
  if (output.width > 0) {
    // Surfaces that reserve a zone first, then the rest inside what they left, whatever order they came in: a surface
    // must not overlap a zone reserved after it was placed. In each pass overlay and top first: their zones push
    // the lower layers (sway's order).
    for (bool reserving : {true, false})
      for (auto layer : {ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY, ZWLR_LAYER_SHELL_V1_LAYER_TOP,
                         ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM, ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND})
        for (auto& surface : surfaces_)
          if (surface->scene_layer == layer && (surface->layer->current.exclusive_zone > 0) == reserving)
            surface->arrange(output, &usable);
  }
  arranged.emit(usable);
}

bool LayerShell::move_to(const wlr_surface* surface, int x, int y) {
  for (auto& placed : surfaces_) {
    if (placed->layer->surface != surface) continue;
    wlr_scene_node_set_position(placed->node, x, y);
    return true;
  }
  return false;
}

void LayerShell::update_exclusive_keyboard() {
  // The topmost such surface wins: the last created.
  for (auto it = surfaces_.rbegin(); it != surfaces_.rend(); ++it) {
    if ((*it)->holds_keyboard_exclusively()) {
      seat_.set_exclusive_keyboard((*it)->layer->surface);
      return;
    }
  }
  seat_.set_exclusive_keyboard(nullptr);
}

}  // namespace weft::compositor
