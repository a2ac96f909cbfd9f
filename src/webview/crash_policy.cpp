#include "crash_policy.hpp"

#include "weft/core/log.hpp"

namespace weft::webview {

CrashPolicy::CrashPolicy(WebView& view, std::function<void()> report, std::function<void()> give_up)
    : report_(std::move(report)), give_up_(std::move(give_up)) {
  terminated_ = glib::connect(view.web_view(), "web-process-terminated", G_CALLBACK(&CrashPolicy::on_terminated), this);
}

void CrashPolicy::on_terminated(WebKitWebView* view, WebKitWebProcessTerminationReason reason, gpointer data) {
  auto* self = static_cast<CrashPolicy*>(data);
  if (reason == WEBKIT_WEB_PROCESS_TERMINATED_BY_API) return;
  log::error("the web process ended (", reason == WEBKIT_WEB_PROCESS_CRASHED ? "crashed" : "exceeded its memory limit", ")");
  if (self->report_) self->report_();
  auto now = std::chrono::steady_clock::now();
  if (self->last_crash_ && now - *self->last_crash_ < kCrashWindow) {
    log::error("second renderer crash within ", kCrashWindow.count(), " s: giving up");
    if (self->give_up_) self->give_up_();
    return;
  }
  self->last_crash_ = now;
  webkit_web_view_reload(view);
}

}  // namespace weft::webview
