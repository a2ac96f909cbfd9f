#pragma once
// zwlr_layer_shell_v1 (§2.3): layer surfaces anchored to the primary output's edges, hit-tested like windows and
// given keyboard focus according to keyboard_interactivity. The layer shell places its surfaces itself and reports
// the output box minus their exclusive zones; the window policy builds the work area on it.

#include <list>
#include <memory>

#include "idle_task.hpp"
#include "listener.hpp"
#include "output.hpp"
#include "scene.hpp"
#include "seat.hpp"
#include "signal.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class LayerShell;

class LayerSurface {
 public:
  LayerSurface(LayerShell& shell, wlr_layer_surface_v1* layer);
  LayerSurface(const LayerSurface&) = delete;
  LayerSurface& operator=(const LayerSurface&) = delete;

  /// Places the surface inside `full` or `usable` and sends configure; shrinks `usable` by its exclusive zone.
  void arrange(const wlr_box& full, wlr_box* usable);
  /// keyboard_interactivity changed at a commit: a mapped surface takes the keyboard (exclusive) or gives it back
  /// (none).
  void update_keyboard_focus();
  [[nodiscard]] bool wants_keyboard() const;
  [[nodiscard]] bool holds_keyboard_exclusively() const;

  wlr_layer_surface_v1* const layer;
  wlr_scene_node* node = nullptr;  // subsurface tree in the scene layer of its zwlr layer
  zwlr_layer_shell_v1_layer scene_layer;
  bool mapped = false;  // ours: wlroots still reports mapped while the unmap signal runs

 private:
  LayerShell& shell_;
  zwlr_layer_surface_v1_keyboard_interactivity keyboard_interactivity_ =
      ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE;  // as of the last commit
  Listener<> map_, unmap_, destroy_, commit_;
  Listener<wlr_xdg_popup> new_popup_;
};

class LayerShell {
 public:
  LayerShell(wl_display* display, wl_event_loop* loop, Scene& scene, Outputs& outputs, Seat& seat);
  LayerShell(const LayerShell&) = delete;
  LayerShell& operator=(const LayerShell&) = delete;
  ~LayerShell();

  /// Places every layer surface on the primary output, then emits `arranged`.
  void arrange();
  /// Moves a layer surface's top-left to layout point (x, y), keeping its size (a test harness placing surfaces),
  /// until the next arrange places it by its anchors again; false if `surface` is no layer surface of this shell.
  bool move_to(const wlr_surface* surface, int x, int y);

  /// The layer surfaces were placed: the primary output's box minus their exclusive zones.
  Signal<const wlr_box&> arranged;
  /// A layer surface that had keyboard focus is unmapping: focus must go elsewhere.
  Signal<wlr_surface*> keyboard_released;

 private:
  friend class LayerSurface;
  [[nodiscard]] wlr_scene_tree* tree_for(zwlr_layer_shell_v1_layer layer) const;
  /// Tells the seat which surface, if any, holds the keyboard exclusively now.
  void update_exclusive_keyboard();
  void remove(LayerSurface& surface);

  Scene& scene_;
  Outputs& outputs_;
  Seat& seat_;
  std::list<std::unique_ptr<LayerSurface>> surfaces_;
  IdleTask idle_arrange_;
  Connection layout_changed_, output_removing_;
  Listener<wlr_layer_surface_v1> new_surface_;
};

}  // namespace weft::compositor
