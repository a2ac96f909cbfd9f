#pragma once
// What both web host executables share around their view: the GLib main loop with SIGTERM/SIGINT handling and
// readiness after the first presented frame of the loaded page (the crash policy is in crash_policy.hpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "crash_policy.hpp"
#include "gobject_ptr.hpp"
#include "host_window.hpp"
#include "web_view.hpp"

namespace weft::webview {

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

}  // namespace weft::webview
