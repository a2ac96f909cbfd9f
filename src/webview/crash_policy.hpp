#pragma once
// Renderer crash policy of both web hosts (spec §6.1): a crashed WebProcess is reloaded once per 60 s; a second crash
// within 60 s ends the host with a non-zero status.

#include <chrono>
#include <functional>
#include <optional>

#include "web_view.hpp"

namespace weft::webview {

/// Reloads a crashed WebProcess at most once per kCrashWindow; on a second crash within the window calls `give_up`.
/// `report` runs on every crash (the app shell writes RENDERER_CRASHED to its bridge).
class CrashPolicy {
 public:
  static constexpr std::chrono::seconds kCrashWindow{60};
  CrashPolicy(WebView& view, std::function<void()> report, std::function<void()> give_up);

 private:
  static void on_terminated(WebKitWebView* view, WebKitWebProcessTerminationReason reason, gpointer self);
  std::function<void()> report_;
  std::function<void()> give_up_;
  std::optional<std::chrono::steady_clock::time_point> last_crash_;
  glib::SignalConnection terminated_;
};

}  // namespace weft::webview
