#pragma once
// The scene graph: one wlr_scene with a tree per stacking layer (§2.2), bottom to top, and the desktop colour.

#include <optional>
#include <utility>

#include "wlr.hpp"

namespace weft::compositor {

/// Stacking layers, bottom to top: zweft roles interleaved with the zwlr layer-shell layers.
enum class SceneLayer {
  background,        // the desktop colour
  layer_background,  // zwlr layer "background"
  layer_bottom,      // zwlr layer "bottom"
  panel,             // zweft panel toplevels
  app,               // app windows
  layer_top,         // zwlr layer "top"
  overlay,           // zweft overlay toplevels
  layer_overlay,     // zwlr layer "overlay"
};

class Scene {
 public:
  /// Creates the scene and its layer trees and lets it follow `layout` (outputs placed there get scene outputs).
  explicit Scene(wlr_output_layout* layout);
  Scene(const Scene&) = delete;
  Scene& operator=(const Scene&) = delete;
  ~Scene();

  [[nodiscard]] wlr_scene* get() const { return scene_; }
  [[nodiscard]] wlr_scene_tree* tree(SceneLayer layer) const { return trees_[static_cast<int>(layer)]; }
  /// Whether `node` is a window's own node (a direct child of the panel, app or overlay tree).
  [[nodiscard]] bool is_window_node(const wlr_scene_node* node) const;
  /// The desktop colour covers `box` (the primary output in layout coordinates).
  void fit_background(const wlr_box& box);
  /// Surface and surface-local position under a layout point; nullptr where no surface is.
  [[nodiscard]] wlr_surface* surface_at(double lx, double ly, double* sx, double* sy) const;
  /// The window node under a layout point (see is_window_node), nullptr where there is none.
  [[nodiscard]] wlr_scene_node* window_node_at(double lx, double ly) const;
  /// Layout position of `surface`'s top-left corner where the scene shows it; nullopt while it is not shown. Input
  /// that stays with a surface after leaving it (an implicit grab) is reported relative to this.
  [[nodiscard]] std::optional<std::pair<int, int>> surface_origin(const wlr_surface* surface) const;

 private:
  static constexpr int kLayers = static_cast<int>(SceneLayer::layer_overlay) + 1;
  wlr_scene* scene_ = nullptr;  // destroyed through its root node
  wlr_scene_tree* trees_[kLayers] = {};
  wlr_scene_buffer* background_ = nullptr;  // the desktop colour, the primary output's size; none before an output
};

}  // namespace weft::compositor
