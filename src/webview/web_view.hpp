#pragma once
// One WPE WebKit view rendered through WPEBackend-fdo's exportable in shared-memory mode. The view knows nothing about
// where its frames go: a presenter (a Wayland window, or the headless capture used by tests and benches) receives each
// exported frame while its pixels are readable and later releases WebKit's next frame with frame_complete().

#include <wpe/webkit.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "weft/core/glib.hpp"
#include "weft/core/result.hpp"

struct wpe_view_backend;
struct wpe_view_backend_exportable_fdo;
struct wpe_input_keyboard_event;
struct wpe_input_pointer_event;
struct wpe_input_axis_event;
struct wpe_input_touch_event;
struct wpe_fdo_shm_exported_buffer;

namespace weft::webview {

/// Loads the fdo backend into libwpe and selects SHM export; idempotent, once per process.
[[nodiscard]] Result<void> initialize_wpe();

/// Borrowed view of one exported frame: premultiplied ARGB8888, `stride` bytes per row; valid only during the call.
struct FrameView {
  const uint8_t* data = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;
};

class WebView {
 public:
  struct Options {
    int width = 800;   // logical px
    int height = 600;  // logical px
    WebKitWebContext* context = nullptr;                  // required; the view keeps its own reference
    WebKitUserContentManager* content_manager = nullptr;  // optional
    WebKitSettings* settings = nullptr;                   // optional
    bool transparent = false;                             // background colour {0,0,0,0}
  };
  using FrameHandler = std::function<void(const FrameView&)>;

  [[nodiscard]] static Result<std::unique_ptr<WebView>> create(const Options& options);
  ~WebView();
  WebView(const WebView&) = delete;
  WebView& operator=(const WebView&) = delete;

  [[nodiscard]] WebKitWebView* web_view() const { return view_.get(); }
  [[nodiscard]] wpe_view_backend* backend() const { return backend_; }

  /// Receives every exported frame. The presenter must call frame_complete() once the frame was shown.
  void set_frame_handler(FrameHandler handler) { on_frame_ = std::move(handler); }
  /// Lets WebKit render the next frame (vsync pacing: call it from the compositor's frame callback).
  void frame_complete();

  void set_size(int width, int height);  // logical px
  /// WebKit's device scale factor: frames are logical size × scale px and input positions are given in those px.
  /// The one current scale of the host: the window sets it from its outputs, input and text input read it.
  void set_scale(float scale);
  [[nodiscard]] float scale() const { return scale_; }
  void set_focused(bool focused);
  [[nodiscard]] int width() const { return width_; }
  [[nodiscard]] int height() const { return height_; }
  [[nodiscard]] uint64_t frames_exported() const { return frames_; }

  /// Memory pressure while the app is in the background (docs/appd.md): drops WebKit's resource caches (memory cache of
  /// the WebProcess, the context's caches) and returns the host's free heap pages to the kernel. Asynchronous in the
  /// web processes; the page and its state are untouched.
  void release_memory();

  void dispatch_key(wpe_input_keyboard_event* event);
  void dispatch_pointer(wpe_input_pointer_event* event);
  void dispatch_axis(wpe_input_axis_event* event);
  void dispatch_touch(wpe_input_touch_event* event);

  /// Runs `function_body` (may `return` a value or a Promise) as an async function in the page's main world and
  /// waits for its result as JSON text (for tests, tools and the shell's endpoint calls; never with app strings).
  [[nodiscard]] Result<std::string> evaluate(const char* function_body, int timeout_ms);
  /// Starts a load and runs the main context until it finished or failed (for tests and tools; not in hosts).
  [[nodiscard]] Result<void> load_and_wait(const char* uri, int timeout_ms);

 private:
  WebView() = default;
  static void on_export_shm(void* data, ::wpe_fdo_shm_exported_buffer* buffer);

  wpe_view_backend_exportable_fdo* exportable_ = nullptr;  // owned by the WebKitWebViewBackend
  wpe_view_backend* backend_ = nullptr;                    // borrowed from the exportable
  glib::Ptr<WebKitWebView> view_;
  FrameHandler on_frame_;
  int width_ = 0;
  int height_ = 0;
  float scale_ = 1;
  uint64_t frames_ = 0;
  uint32_t activity_ = 0;
};

/// Runs the default main context until `done()` is true or `timeout_ms` passed; false on timeout.
bool run_until(const std::function<bool()>& done, int timeout_ms);

}  // namespace weft::webview
