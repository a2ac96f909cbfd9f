#pragma once
// The compositor core as a library: owns the display, backend, renderer, scene and every protocol global. Tests, the
// benchmark and the weft-compositor executable all drive this one object.

#include <list>
#include <memory>
#include <string>

#include "appd_link.hpp"
#include "input.hpp"
#include "layer_shell.hpp"
#include "listener.hpp"
#include "options.hpp"
#include "output.hpp"
#include "selection.hpp"
#include "session_registry.hpp"
#include "view.hpp"
#include "window_policy.hpp"
#include "wlr.hpp"
#include "zweft_shell.hpp"
#include "weft/core/result.hpp"

namespace weft::compositor {

class TestControl;

class Server {
 public:
  explicit Server(Options options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  /// Creates the backend and globals, starts the backend and opens the display socket.
  [[nodiscard]] Result<void> start();
  /// Binds the appd link socket (WEFT_COMPOSITOR_SOCKET or $XDG_RUNTIME_DIR/weft/compositor.sock).
  [[nodiscard]] Result<void> listen_appd_link();
  void run() { wl_display_run(display_.get()); }
  void terminate() { wl_display_terminate(display_.get()); }

  [[nodiscard]] const std::string& socket_name() const { return socket_name_; }
  [[nodiscard]] const Options& options() const { return options_; }
  [[nodiscard]] Output* primary_output() const;
  [[nodiscard]] View* view_for_surface(wlr_surface* surface) const;
  [[nodiscard]] size_t mapped_toplevels() const;

  /// Renders the primary output into a PNG file (pixman or GLES, any backend).
  [[nodiscard]] Result<std::pair<int, int>> capture_png(const std::string& path);

  wlr::DisplayPtr display_;
  wl_event_loop* loop = nullptr;
  wlr::BackendPtr backend;
  wlr_session* session = nullptr;  // DRM only; owned by the backend
  wlr::RendererPtr renderer;
  wlr::AllocatorPtr allocator;
  wlr::OutputLayoutPtr layout;
  wlr_scene* scene = nullptr;  // destroyed through its root node
  // Scene trees, bottom to top.
  wlr_scene_tree* background_layer = nullptr;  // the desktop colour
  wlr_scene_tree* layer_background = nullptr;  // zwlr layer "background"
  wlr_scene_tree* layer_bottom = nullptr;      // zwlr layer "bottom"
  wlr_scene_tree* panel_layer = nullptr;       // zweft panel toplevels
  wlr_scene_tree* app_layer = nullptr;         // app windows
  wlr_scene_tree* layer_top = nullptr;         // zwlr layer "top"
  wlr_scene_tree* overlay_layer = nullptr;     // zweft overlay toplevels
  wlr_scene_tree* layer_overlay = nullptr;     // zwlr layer "overlay"
  wlr_scene_rect* background = nullptr;
  wlr_compositor* compositor = nullptr;
  wlr_xdg_shell* xdg_shell = nullptr;
  wlr_presentation* presentation = nullptr;
  wlr_pointer_gestures_v1* pointer_gestures = nullptr;
  wlr_relative_pointer_manager_v1* relative_pointer = nullptr;
  wlr_xdg_activation_v1* activation = nullptr;
  wlr_xdg_decoration_manager_v1* decoration = nullptr;
  wlr_screencopy_manager_v1* screencopy = nullptr;
  wlr_data_control_manager_v1* data_control = nullptr;

  std::list<std::unique_ptr<Output>> outputs;
  std::list<std::unique_ptr<View>> views;  // creation order; stacking lives in the scene
  SessionRegistry sessions;
  WindowPolicy policy;
  Input input;
  Selection selection;
  ZweftShell zweft;
  LayerShell layers;
  AppdLink link;
  std::unique_ptr<TestControl> test_control;

 private:
  Result<void> create_backend();
  void create_globals();
  void on_new_xdg_surface(wlr_xdg_surface* xdg);
  static bool filter_global(const wl_client* client, const wl_global* global, void* data);

  Options options_;
  std::string socket_name_;
  wlr::EventSourcePtr sigusr1_;
  Listener<wlr_output> new_output_;
  Listener<wlr_xdg_surface> new_xdg_surface_;
  Listener<wlr_xdg_activation_v1_request_activate_event> request_activate_;
  Listener<wlr_xdg_toplevel_decoration_v1> new_decoration_;
};

}  // namespace weft::compositor
