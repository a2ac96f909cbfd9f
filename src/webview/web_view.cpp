#include "web_view.hpp"

#include <malloc.h>

#include <wayland-server-core.h>  // wl_shm_buffer_*: fdo hands frames over as server-side shm buffers
#include <wpe/fdo.h>
#include <wpe/unstable/fdo-shm.h>
#include <wpe/wpe.h>

#include <chrono>

#include "weft/core/log.hpp"

namespace weft::webview {

Result<void> initialize_wpe() {
  static int state = 0;  // 0 = not tried, 1 = ok, -1 = failed
  if (state == 0) {
    // The loader otherwise looks for libWPEBackend-default.so, which Debian does not ship.
    if (!wpe_loader_init("libWPEBackend-fdo-1.0.so.1")) {
      state = -1;
    } else {
      state = wpe_fdo_initialize_shm() ? 1 : -1;
    }
  }
  if (state < 0) return fail("WPE: cannot load libWPEBackend-fdo-1.0.so.1 or initialise its shared-memory export");
  return ok();
}

Result<std::unique_ptr<WebView>> WebView::create(const Options& options) {
  WEFT_TRY_VOID(initialize_wpe());
  if (!options.context) return fail("WebView: a WebKitWebContext is required");
  if (options.width <= 0 || options.height <= 0)
    return fail("WebView: size " + std::to_string(options.width) + "x" + std::to_string(options.height) +
                " is not positive");
  std::unique_ptr<WebView> self(new WebView());
  self->width_ = options.width;
  self->height_ = options.height;

  // Zero-initialised: only the SHM export is set; the EGL callbacks never fire without a render node.
  static const wpe_view_backend_exportable_fdo_client client = {nullptr, nullptr, &WebView::on_export_shm, nullptr,
                                                                nullptr};
  self->exportable_ = wpe_view_backend_exportable_fdo_create(&client, self.get(), options.width, options.height);
  if (!self->exportable_) return fail("WPE: wpe_view_backend_exportable_fdo_create failed");
  self->backend_ = wpe_view_backend_exportable_fdo_get_view_backend(self->exportable_);
  WebKitWebViewBackend* backend = webkit_web_view_backend_new(
      self->backend_,
      [](gpointer exportable) {
        wpe_view_backend_exportable_fdo_destroy(static_cast<wpe_view_backend_exportable_fdo*>(exportable));
      },
      self->exportable_);

  WebKitWebView* view = WEBKIT_WEB_VIEW(g_object_new(
      WEBKIT_TYPE_WEB_VIEW, "backend", backend, "web-context", options.context, "user-content-manager",
      options.content_manager, "settings", options.settings, nullptr));
  self->view_.reset(view);
  if (options.transparent) {
    WebKitColor clear = {0, 0, 0, 0};
    webkit_web_view_set_background_color(view, &clear);
  }
  self->activity_ = wpe_view_activity_state_visible | wpe_view_activity_state_in_window;
  wpe_view_backend_add_activity_state(self->backend_, self->activity_);
  return self;
}

WebView::~WebView() {
  on_frame_ = nullptr;
  // Dropping the last reference finalises the view, whose backend destroys the exportable (and with it this callback
  // target); WebKit does not call into a finalised backend.
  view_.reset();
}

void WebView::on_export_shm(void* data, wpe_fdo_shm_exported_buffer* buffer) {
  auto* self = static_cast<WebView*>(data);
  wl_shm_buffer* shm = wpe_fdo_shm_exported_buffer_get_shm_buffer(buffer);
  ++self->frames_;
  if (shm && self->on_frame_) {
    wl_shm_buffer_begin_access(shm);
    FrameView frame{static_cast<const uint8_t*>(wl_shm_buffer_get_data(shm)), wl_shm_buffer_get_width(shm),
                    wl_shm_buffer_get_height(shm), wl_shm_buffer_get_stride(shm)};
    self->on_frame_(frame);
    wl_shm_buffer_end_access(shm);
  }
  // The pixels were copied: hand the buffer back at once so the WebProcess can reuse it.
  wpe_view_backend_exportable_fdo_dispatch_release_shm_exported_buffer(self->exportable_, buffer);
  if (!self->on_frame_) self->frame_complete();  // nobody presents: do not stall the page
}

void WebView::frame_complete() {
  if (exportable_) wpe_view_backend_exportable_fdo_dispatch_frame_complete(exportable_);
}

void WebView::set_size(int width, int height) {
  if (width <= 0 || height <= 0 || (width == width_ && height == height_)) return;
  width_ = width;
  height_ = height;
  wpe_view_backend_dispatch_set_size(backend_, static_cast<uint32_t>(width), static_cast<uint32_t>(height));
}

void WebView::set_scale(float scale) {
  if (scale <= 0 || scale == scale_) return;
  scale_ = scale;
  wpe_view_backend_dispatch_set_device_scale_factor(backend_, scale);
}

void WebView::set_focused(bool focused) {
  if (focused)
    wpe_view_backend_add_activity_state(backend_, wpe_view_activity_state_focused);
  else
    wpe_view_backend_remove_activity_state(backend_, wpe_view_activity_state_focused);
}

void WebView::dispatch_key(wpe_input_keyboard_event* event) { wpe_view_backend_dispatch_keyboard_event(backend_, event); }
void WebView::dispatch_pointer(wpe_input_pointer_event* event) { wpe_view_backend_dispatch_pointer_event(backend_, event); }
void WebView::dispatch_axis(wpe_input_axis_event* event) { wpe_view_backend_dispatch_axis_event(backend_, event); }
void WebView::dispatch_touch(wpe_input_touch_event* event) { wpe_view_backend_dispatch_touch_event(backend_, event); }

Result<void> WebView::load_and_wait(const char* uri, int timeout_ms) {
  struct State {
    bool finished = false;
    std::string error;
  } state;
  auto changed = glib::connect(view_.get(), "load-changed",
                               G_CALLBACK(+[](WebKitWebView*, WebKitLoadEvent event, gpointer data) {
                                 if (event == WEBKIT_LOAD_FINISHED) static_cast<State*>(data)->finished = true;
                               }),
                               &state);
  auto failed = glib::connect(view_.get(), "load-failed",
                              G_CALLBACK(+[](WebKitWebView*, WebKitLoadEvent, gchar* failing, GError* error,
                                             gpointer data) -> gboolean {
                                static_cast<State*>(data)->error =
                                    std::string(failing ? failing : "?") + ": " + error->message;
                                return FALSE;
                              }),
                              &state);
  webkit_web_view_load_uri(view_.get(), uri);
  bool done = run_until([&] { return state.finished; }, timeout_ms);
  changed.disconnect();
  failed.disconnect();
  if (!state.error.empty()) return fail("loading " + std::string(uri) + " failed: " + state.error);
  if (!done) return fail("loading " + std::string(uri) + " did not finish within " + std::to_string(timeout_ms) + " ms");
  return ok();
}

Result<std::string> WebView::evaluate(const char* function_body, int timeout_ms) {
  // Shared with the callback, which may run after a timeout returned.
  struct Outcome {
    bool done = false;
    std::string json;
    std::string error;
  };
  auto outcome = std::make_shared<Outcome>();
  webkit_web_view_run_async_javascript_function_in_world(
      view_.get(), function_body, nullptr, nullptr, nullptr,
      [](GObject* source, GAsyncResult* result, gpointer data) {
        std::unique_ptr<std::shared_ptr<Outcome>> holder(static_cast<std::shared_ptr<Outcome>*>(data));
        Outcome& out = **holder;
        GError* error = nullptr;
        WebKitJavascriptResult* js = webkit_web_view_run_javascript_finish(WEBKIT_WEB_VIEW(source), result, &error);
        glib::ErrorPtr owned_error(error);
        if (js) {
          glib::CharPtr text(jsc_value_to_json(webkit_javascript_result_get_js_value(js), 0));
          out.json = text ? text.get() : "null";
          webkit_javascript_result_unref(js);
        } else {
          out.error = error ? error->message : "unknown error";
        }
        out.done = true;
      },
      new std::shared_ptr<Outcome>(outcome));
  if (!run_until([&] { return outcome->done; }, timeout_ms))
    return fail("script did not finish within " + std::to_string(timeout_ms) + " ms");
  if (!outcome->error.empty()) return fail("script failed: " + outcome->error);
  return outcome->json;
}

bool run_until(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // A periodic wake-up so the deadline is checked even when nothing else happens on the context.
  constexpr guint kRunUntilTickMs = 20;
  glib::SourceId tick(g_timeout_add(kRunUntilTickMs, [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr));
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    g_main_context_iteration(nullptr, TRUE);
  }
  return true;
}

void WebView::release_memory() {
  WebKitWebContext* context = webkit_web_view_get_context(view_.get());
  // The WebProcess's memory cache (decoded resources) and the context's caches; with an ephemeral data manager there
  // is no disk cache to lose.
  webkit_web_context_clear_cache(context);
  webkit_website_data_manager_clear(webkit_web_view_get_website_data_manager(view_.get()),
                                    WEBKIT_WEBSITE_DATA_MEMORY_CACHE, 0, nullptr, nullptr, nullptr);
  // This process's free glibc heap pages (frames, Wayland buffers freed since) go back to the kernel.
  ::malloc_trim(0);
  log::info("memory pressure: released WebKit caches and trimmed the heap");
}

}  // namespace weft::webview
