#include "first_frame.hpp"

#include <algorithm>

namespace weft::webview {

FirstFrameAfterLoad::FirstFrameAfterLoad(WebView& view, HostWindow& window, std::function<void()> on_ready)
    : view_(view), on_ready_(std::move(on_ready)) {
  window.on_presented = [this](uint64_t frame) {
    last_presented_ = std::max(last_presented_, frame);
    check();
  };
  load_changed_ = glib::connect(
      view.web_view(), "load-changed", G_CALLBACK(+[](WebKitWebView* web_view, WebKitLoadEvent event, gpointer data) {
        if (event != WEBKIT_LOAD_FINISHED) return;
        auto* self = static_cast<FirstFrameAfterLoad*>(data);
        // Two animation frames: the layer tree with the loaded DOM has been committed; the frames exported from then on
        // show it. The tracker lives as long as the host's view, so it outlives the script.
        webkit_web_view_run_async_javascript_function_in_world(
            web_view, "return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))));",
            nullptr, nullptr, nullptr,
            [](GObject* source, GAsyncResult* result, gpointer d) {
              auto* tracker = static_cast<FirstFrameAfterLoad*>(d);
              GError* error = nullptr;
              WebKitJavascriptResult* js = webkit_web_view_run_javascript_finish(WEBKIT_WEB_VIEW(source), result, &error);
              glib::ErrorPtr owned_error(error);
              if (js) webkit_javascript_result_unref(js);
              if (tracker->fired_) return;
              tracker->needed_frame_ = std::max<uint64_t>(1, tracker->view_.frames_exported());
              tracker->check();
            },
            self);
      }),
      this);
}

void FirstFrameAfterLoad::check() {
  if (fired_ || needed_frame_ == 0 || last_presented_ < needed_frame_) return;
  fired_ = true;
  ++times_fired_;
  if (on_ready_) on_ready_();
}

}  // namespace weft::webview
