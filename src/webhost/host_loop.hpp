#pragma once
// What both web host executables share around their view: the GLib main loop with SIGTERM/SIGINT handling, the
// renderer crash policy (spec §6.1: reload once per 60 s, a second crash within 60 s ends the host) and readiness
// after the first presented frame of the loaded page.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "gobject_ptr.hpp"
#include "host_window.hpp"
#include "web_view.hpp"

namespace weft::webhost {

class HostLoop {
 public:
  HostLoop();
  ~HostLoop();
  /// Runs until quit(); returns the exit status given to quit().
  int run();
  void quit(int status);

 private:
  GMainLoop* loop_;
  SourceId sigterm_;
  SourceId sigint_;
  int status_ = 0;
};

/// Reloads a crashed WebProcess at most once per kCrashWindow; on a second crash within the window calls `give_up`.
/// `report` runs on every crash (the app shell writes RENDERER_CRASHED to its bridge).
class CrashPolicy {
 public:
  static constexpr std::chrono::seconds kCrashWindow{60};
  CrashPolicy(WebView& view, std::function<void()> report, std::function<void()> give_up);
  ~CrashPolicy();

 private:
  static void on_terminated(WebKitWebView* view, WebKitWebProcessTerminationReason reason, gpointer self);
  WebView& view_;
  std::function<void()> report_;
  std::function<void()> give_up_;
  std::optional<std::chrono::steady_clock::time_point> last_crash_;
  gulong handler_ = 0;
};

/// Fires `on_ready` once: after the current load finished, the page ran a rendering update, and a frame exported no
/// earlier than that update was presented by the compositor (its frame callback fired).
class FirstFrameAfterLoad {
 public:
  FirstFrameAfterLoad(WebView& view, HostWindow& window, std::function<void()> on_ready);
  ~FirstFrameAfterLoad();

 private:
  void check();
  WebView& view_;
  std::function<void()> on_ready_;
  gulong load_handler_ = 0;
  uint64_t needed_frame_ = 0;  // 0 = the page has not painted after load yet
  uint64_t last_presented_ = 0;
  bool fired_ = false;
};

}  // namespace weft::webhost
