#pragma once
// The web view's window on the compositor: wl_surface + xdg_toplevel, registered as a zweft_shell_window_v1 slot
// (spec §2.1). Each exported WPE frame is copied into a released wl_shm buffer, attached with damage and committed with
// a frame callback; WebKit's next frame is released only when that callback fires (vsync pacing).
// The shell can additionally raise an `overlay` slot: while it is shown, frames go to it instead, so the page's
// launcher appears above app windows (the panel slot always stays beneath them). It can also show one area of the page
// (toasts) as a popup on the compositor's overlay layer, which takes neither keyboard focus nor pointer input.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "image.hpp"
#include "shm_buffers.hpp"
#include "wayland_connection.hpp"
#include "web_view.hpp"

namespace weft::webview {

struct WindowOptions {
  std::string app_id;
  std::string title;           // zweft slot title (app shells: "<app_id>/<sid>")
  std::string toplevel_title;  // xdg title (document title, else the app id)
  std::string role;            // "normal" | "panel" | ...
  std::optional<int> exclusive_zone_bottom;  // logical px, panels only
};

/// A rectangle of the page in logical px (CSS px at scale 1).
struct PageArea {
  int x = 0, y = 0, width = 0, height = 0;
  friend bool operator==(const PageArea&, const PageArea&) = default;
};

class HostWindow {
 public:
  /// Creates the toplevel and slot and becomes `view`'s frame handler; both must outlive the window.
  [[nodiscard]] static Result<std::unique_ptr<HostWindow>> create(WaylandConnection& connection, WebView& view,
                                                                  WindowOptions options);
  ~HostWindow();
  HostWindow(const HostWindow&) = delete;
  HostWindow& operator=(const HostWindow&) = delete;

  /// xdg title; empty falls back to the app id.
  void set_title(const std::string& title);
  /// Changes the panel's bottom exclusive zone (logical px; panels only): the on-screen keyboard adds its height.
  void set_exclusive_zone_bottom(int zone);
  /// Shows (true) or removes (false) the overlay slot that presents the view above app windows.
  void set_overlay(bool shown);
  /// Shows a copy of `area` of the page at the same place above app windows (a wlr-layer-shell overlay surface with
  /// an empty input region and no keyboard interactivity), kept up to date with every frame; nullopt or an empty area
  /// removes it. Needs a compositor that offers layer-shell to this client (system clients only).
  void set_popup_area(std::optional<PageArea> area);

  /// xdg_toplevel.close or zweft window_closed of the main slot: the host should exit.
  std::function<void(const char* why)> on_close;
  /// After the compositor's frame callback for a committed frame: the WPE frame number that was shown.
  std::function<void(uint64_t frame_number)> on_presented;
  /// zweft navigation_gesture (panels only).
  std::function<void(uint32_t type, uint32_t fingers, double dx, double dy)> on_navigation_gesture;

  [[nodiscard]] uint64_t frames_presented() const { return presented_; }

  /// One xdg toplevel + zweft slot + its buffers.
  struct Toplevel {
    HostWindow* owner = nullptr;
    std::unique_ptr<ShmBuffers> buffers;
    // Destroyed in reverse order: slot, toplevel, xdg surface, then the surface they extend.
    WlSurfacePtr surface;
    XdgSurfacePtr xdg_surface;
    XdgToplevelPtr toplevel;
    ZweftWindowPtr slot;
    bool configured = false;
    int pending_width = 0;  // from xdg_toplevel.configure, applied on xdg_surface.configure
    int pending_height = 0;
    bool pending_activated = false;  // xdg_toplevel.configure's activated state, applied on xdg_surface.configure
  };

 private:
  HostWindow(WaylandConnection& connection, WebView& view) : connection_(connection), view_(view) {}
  std::unique_ptr<Toplevel> make_toplevel(const std::string& role, const std::string& title);
  void on_frame(const FrameView& frame);
  void present_pending();
  void configured(Toplevel& toplevel);
  void close(const char* why);
  /// Sets the view's scale to the largest scale of the outputs the main surface is on (before it entered any: the
  /// largest of all outputs), so the page re-renders when an output's scale changes or the window moves.
  void follow_output_scale();
  /// The buffer scale a frame is committed with: the view's scale, or less for a frame WebKit rendered before a scale
  /// change whose size that scale does not divide (wl_surface requires buffer sizes that are multiples of the scale).
  [[nodiscard]] int buffer_scale_of(const Image& frame) const;
  /// Where frames go: the overlay once configured, else the main toplevel.
  Toplevel& target();
  /// Copies the popup's area from the newest frame into a free buffer and commits it (retried on buffer release).
  void draw_popup();
  [[nodiscard]] const Image& newest_frame() const { return pending_.empty() ? last_ : pending_; }

  struct Popup {
    PageArea area;
    // Destroyed in reverse order: the layer surface, then its wl_surface, then the buffers.
    std::unique_ptr<ShmBuffers> buffers;
    WlSurfacePtr surface;
    LayerSurfacePtr layer;
    bool configured = false;
    bool stale = true;  // the page or the area changed since the popup was last drawn
  };

  static const wl_surface_listener kSurfaceListener;
  static const xdg_surface_listener kXdgSurfaceListener;
  static const xdg_toplevel_listener kToplevelListener;
  static const zweft_shell_window_v1_listener kSlotListener;
  static const wl_callback_listener kFrameListener;
  static const zwlr_layer_surface_v1_listener kPopupListener;

  WaylandConnection& connection_;
  WebView& view_;
  WindowOptions options_;
  std::unique_ptr<Toplevel> main_;
  std::unique_ptr<Toplevel> overlay_;
  std::unique_ptr<Popup> popup_;
  WlCallbackPtr frame_callback_;
  Image pending_;  // latest frame not yet shown (before the first configure, or while both buffers are held)
  Image last_;     // the newest frame committed, for a surface that appears later (overlay) or comes back (panel)
  bool callback_on_overlay_ = false;
  uint64_t pending_number_ = 0;
  uint64_t in_flight_number_ = 0;
  uint64_t presented_ = 0;
  bool closed_ = false;
  std::vector<wl_output*> entered_;  // outputs the main surface is on (wl_surface.enter/leave)
};

}  // namespace weft::webview
