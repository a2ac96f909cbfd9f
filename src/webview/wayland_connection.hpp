#pragma once
// The host's connection to the compositor: a wl_display read from the GLib main context (WebKit needs GLib), the
// globals a web host binds, and one-line owning pointers for every Wayland proxy type webview uses.

#include <wayland-client.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "weft/core/glib.hpp"
#include "weft/core/result.hpp"
// The generated layer-shell header names a parameter `namespace`, a C++ keyword.
#define namespace namespace_
#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#undef namespace
#include "input-method-unstable-v2-client-protocol.h"
#include "text-input-unstable-v3-client-protocol.h"
#include "xdg-shell-client-protocol.h"
#include "zweft-shell-unstable-v1-client-protocol.h"

namespace weft::webview {

// The generated destroy functions are `static inline`, so each deleter is a type of its own (one line per proxy type).
template <class T>
struct WlDestroy;
template <class T>
using WlPtr = std::unique_ptr<T, WlDestroy<T>>;
#define WEFT_WL_OWNER(Type, destroy, Alias)                                  \
  template <>                                                               \
  struct WlDestroy<Type> {                                                  \
    void operator()(Type* proxy) const { if (proxy) destroy(proxy); }       \
  };                                                                        \
  using Alias = WlPtr<Type>
WEFT_WL_OWNER(wl_compositor, wl_compositor_destroy, WlCompositorPtr);
WEFT_WL_OWNER(wl_shm, wl_shm_destroy, WlShmPtr);
WEFT_WL_OWNER(wl_seat, wl_seat_destroy, WlSeatPtr);
WEFT_WL_OWNER(wl_output, wl_output_destroy, WlOutputPtr);
WEFT_WL_OWNER(wl_surface, wl_surface_destroy, WlSurfacePtr);
WEFT_WL_OWNER(wl_callback, wl_callback_destroy, WlCallbackPtr);
WEFT_WL_OWNER(wl_buffer, wl_buffer_destroy, WlBufferPtr);
WEFT_WL_OWNER(wl_shm_pool, wl_shm_pool_destroy, WlShmPoolPtr);
WEFT_WL_OWNER(wl_pointer, wl_pointer_release, WlPointerPtr);
WEFT_WL_OWNER(wl_keyboard, wl_keyboard_release, WlKeyboardPtr);
WEFT_WL_OWNER(wl_touch, wl_touch_release, WlTouchPtr);
WEFT_WL_OWNER(xdg_wm_base, xdg_wm_base_destroy, XdgWmBasePtr);
WEFT_WL_OWNER(xdg_surface, xdg_surface_destroy, XdgSurfacePtr);
WEFT_WL_OWNER(xdg_toplevel, xdg_toplevel_destroy, XdgToplevelPtr);
WEFT_WL_OWNER(zweft_shell_manager_v1, zweft_shell_manager_v1_destroy, ZweftManagerPtr);
WEFT_WL_OWNER(zweft_shell_window_v1, zweft_shell_window_v1_destroy, ZweftWindowPtr);
WEFT_WL_OWNER(wl_region, wl_region_destroy, WlRegionPtr);
WEFT_WL_OWNER(zwp_text_input_manager_v3, zwp_text_input_manager_v3_destroy, TextInputManagerPtr);
WEFT_WL_OWNER(zwp_text_input_v3, zwp_text_input_v3_destroy, TextInputPtr);
WEFT_WL_OWNER(zwp_input_method_manager_v2, zwp_input_method_manager_v2_destroy, InputMethodManagerPtr);
WEFT_WL_OWNER(zwp_input_method_v2, zwp_input_method_v2_destroy, InputMethodPtr);
WEFT_WL_OWNER(zwlr_layer_shell_v1, zwlr_layer_shell_v1_destroy, LayerShellPtr);
WEFT_WL_OWNER(zwlr_layer_surface_v1, zwlr_layer_surface_v1_destroy, LayerSurfacePtr);
#undef WEFT_WL_OWNER

class WaylandConnection {
 public:
  /// Connects through WAYLAND_SOCKET (app shells: `socket_only`, WAYLAND_DISPLAY is never consulted) or the usual
  /// WAYLAND_DISPLAY lookup, binds the globals and attaches the display to the default GLib main context.
  [[nodiscard]] static Result<std::unique_ptr<WaylandConnection>> connect(bool socket_only);
  ~WaylandConnection();
  WaylandConnection(const WaylandConnection&) = delete;
  WaylandConnection& operator=(const WaylandConnection&) = delete;

  [[nodiscard]] wl_display* display() const { return display_; }
  [[nodiscard]] wl_compositor* compositor() const { return compositor_.get(); }
  [[nodiscard]] wl_shm* shm() const { return shm_.get(); }
  /// Binds the seat now, so the caller's listener sees its first capabilities event (null without a seat).
  [[nodiscard]] WlSeatPtr bind_seat() const;
  [[nodiscard]] xdg_wm_base* wm_base() const { return wm_base_.get(); }
  /// Null when the compositor does not offer zweft_shell_manager_v1.
  [[nodiscard]] zweft_shell_manager_v1* shell_manager() const { return shell_manager_.get(); }
  /// Null when the compositor does not offer wlr-layer-shell to this client (session-bound app shells never get it).
  [[nodiscard]] zwlr_layer_shell_v1* layer_shell() const { return layer_shell_.get(); }
  /// Null when the compositor offers no zwp_text_input_manager_v3.
  [[nodiscard]] zwp_text_input_manager_v3* text_input_manager() const { return text_input_manager_.get(); }
  /// Null unless the compositor lets this client be the input method (the system UI only).
  [[nodiscard]] zwp_input_method_manager_v2* input_method_manager() const { return input_method_manager_.get(); }
  /// The integer scale (wl_output.scale, applied on done) of an output this connection bound; 0 for one it does not
  /// know (unplugged).
  [[nodiscard]] int output_scale(const wl_output* output) const;
  /// The largest scale among all outputs (1 without any): what a surface that entered no output yet renders at.
  [[nodiscard]] int max_output_scale() const;
  /// Called after an output's scale changed (its done event) and after an output was unplugged (its global removed).
  void set_on_output_scales_changed(std::function<void()> callback) { on_output_scales_changed_ = std::move(callback); }

  /// Called once when the connection fails or the compositor goes away.
  void set_on_disconnected(std::function<void(const std::string& why)> callback) { on_disconnected_ = std::move(callback); }

 private:
  WaylandConnection() = default;
  static void on_global(void* data, wl_registry* registry, uint32_t name, const char* interface, uint32_t version);
  static void on_global_remove(void* data, wl_registry* registry, uint32_t name);
  void output_scales_changed();
  void disconnected(const std::string& why);
  friend struct DisplaySource;

  wl_display* display_ = nullptr;  // disconnected in the destructor, after every proxy is destroyed
  wl_registry* registry_ = nullptr;
  WlCompositorPtr compositor_;
  WlShmPtr shm_;
  uint32_t seat_name_ = 0;  // registry name of the first wl_seat, 0 = none
  uint32_t seat_version_ = 0;
  struct Output {
    WaylandConnection* owner = nullptr;
    uint32_t name = 0;  // registry name, to recognise its global_remove
    WlOutputPtr proxy;
    int scale = 1;          // applied on wl_output.done
    int pending_scale = 1;  // from wl_output.scale
  };
  static const wl_output_listener kOutputListener;
  std::vector<std::unique_ptr<Output>> outputs_;
  XdgWmBasePtr wm_base_;
  ZweftManagerPtr shell_manager_;
  LayerShellPtr layer_shell_;
  TextInputManagerPtr text_input_manager_;
  InputMethodManagerPtr input_method_manager_;
  std::function<void()> on_output_scales_changed_;
  glib::SourcePtr source_;  // the display's fd on the default main context
  std::function<void(const std::string&)> on_disconnected_;
};

}  // namespace weft::webview
