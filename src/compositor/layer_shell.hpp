#pragma once
// zwlr_layer_shell_v1 (§2.3): layer surfaces anchored to the primary output's edges, their exclusive zones taken out
// of the work area, hit-tested like windows and given keyboard focus according to keyboard_interactivity.

#include <list>
#include <memory>

#include "listener.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class Server;

class LayerSurface {
 public:
  LayerSurface(Server& server, wlr_layer_surface_v1* layer);
  LayerSurface(const LayerSurface&) = delete;
  LayerSurface& operator=(const LayerSurface&) = delete;
  ~LayerSurface();

  /// Places the surface inside `bounds` and sends configure; shrinks `usable` by its exclusive zone.
  void arrange(const wlr_box& full, wlr_box* usable);
  [[nodiscard]] bool wants_keyboard() const;

  Server& server;
  wlr_layer_surface_v1* layer;
  wlr_scene_node* node = nullptr;  // subsurface tree in the scene layer of its zwlr layer
  zwlr_layer_shell_v1_layer scene_layer;
  bool mapped = false;  // ours: wlroots still reports mapped while the unmap signal runs

 private:
  Listener<> map_, unmap_, destroy_, commit_;
  Listener<wlr_xdg_popup> new_popup_;
};

class LayerShell {
 public:
  explicit LayerShell(Server& server) : server_(server) {}
  void create(wl_display* display);
  void disconnect() { new_surface_.disconnect(); }

  /// Places every layer surface on the primary output; returns the output box minus their exclusive zones.
  [[nodiscard]] wlr_box arrange(const wlr_box& output);
  /// The scene tree of a zwlr layer.
  [[nodiscard]] wlr_scene_tree* tree_for(zwlr_layer_shell_v1_layer layer) const;
  /// The topmost mapped surface on the top/overlay layers that asked for exclusive keyboard focus.
  [[nodiscard]] LayerSurface* exclusive_focus() const;

  std::list<std::unique_ptr<LayerSurface>> surfaces;

 private:
  Server& server_;
  Listener<wlr_layer_surface_v1> new_surface_;
};

}  // namespace weft::compositor
