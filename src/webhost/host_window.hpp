#pragma once
// The web view's window on the compositor: wl_surface + xdg_toplevel, registered as a zweft_shell_window_v1 slot
// (spec §2.1). Each exported WPE frame is copied into a released wl_shm buffer, attached with damage and committed with
// a frame callback; WebKit's next frame is released only when that callback fires (vsync pacing).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "image.hpp"
#include "shm_buffers.hpp"
#include "wayland_connection.hpp"
#include "web_view.hpp"

namespace weft::webhost {

struct WindowOptions {
  std::string app_id;
  std::string title;          // zweft slot title (app shells: "<app_id>/<sid>")
  std::string toplevel_title; // xdg title (document title, else the app id)
  std::string role;           // "normal" | "panel" | ...
  std::optional<int> exclusive_zone_bottom;  // logical px, panels only
};

class HostWindow {
 public:
  /// Creates the toplevel and slot and becomes `view`'s frame handler; both must outlive the window.
  [[nodiscard]] static Result<std::unique_ptr<HostWindow>> create(WaylandConnection& connection, WebView& view,
                                                                  WindowOptions options);
  ~HostWindow();
  HostWindow(const HostWindow&) = delete;
  HostWindow& operator=(const HostWindow&) = delete;

  [[nodiscard]] wl_surface* surface() const { return surface_.get(); }
  /// xdg title; empty falls back to the app id.
  void set_title(const std::string& title);

  /// xdg_toplevel.close or zweft window_closed: the host should exit.
  std::function<void(const char* why)> on_close;
  /// After the compositor's frame callback for a committed frame: the WPE frame number that was shown.
  std::function<void(uint64_t frame_number)> on_presented;
  /// zweft navigation_gesture (panels only).
  std::function<void(uint32_t type, uint32_t fingers, double dx, double dy)> on_navigation_gesture;

  [[nodiscard]] uint64_t frames_presented() const { return presented_; }
  [[nodiscard]] bool configured() const { return configured_; }

 private:
  HostWindow(WaylandConnection& connection, WebView& view) : connection_(connection), view_(view), buffers_(connection.shm()) {}
  void on_frame(const FrameView& frame);
  void present_pending();
  void apply_size(int width, int height);

  static const xdg_surface_listener kXdgSurfaceListener;
  static const xdg_toplevel_listener kToplevelListener;
  static const zweft_shell_window_v1_listener kSlotListener;
  static const wl_callback_listener kFrameListener;

  WaylandConnection& connection_;
  WebView& view_;
  WindowOptions options_;
  ShmBuffers buffers_;
  // Destroyed in reverse order: slot, toplevel, xdg surface, then the surface they extend.
  WlSurfacePtr surface_;
  XdgSurfacePtr xdg_surface_;
  XdgToplevelPtr toplevel_;
  ZweftWindowPtr slot_;
  WlCallbackPtr frame_callback_;
  Image pending_;  // latest frame not yet shown (before the first configure, or while both buffers are held)
  uint64_t pending_number_ = 0;
  uint64_t in_flight_number_ = 0;
  uint64_t presented_ = 0;
  bool configured_ = false;
  int pending_width_ = 0;   // from xdg_toplevel.configure, applied on xdg_surface.configure
  int pending_height_ = 0;
  bool closed_ = false;
};

}  // namespace weft::webhost
