#pragma once
// Readiness of both web host executables: after the first presented frame of the loaded page (their main loop is
// glib::MainLoop, the crash policy is in crash_policy.hpp).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "crash_policy.hpp"
#include "weft/core/glib.hpp"
#include "host_window.hpp"
#include "web_view.hpp"

namespace weft::webview {

/// Fires `on_ready` once: after the current load finished, the page ran a rendering update, and a frame exported no
/// earlier than that update was presented by the compositor (its frame callback fired).
class FirstFrameAfterLoad {
 public:
  FirstFrameAfterLoad(WebView& view, HostWindow& window, std::function<void()> on_ready);
  /// Waits again, for the next load (a development reload); `on_ready` fires once more.
  void rearm() {
    fired_ = false;
    needed_frame_ = 0;
  }
  /// How many times `on_ready` fired.
  [[nodiscard]] int times_fired() const { return times_fired_; }

 private:
  void check();
  WebView& view_;
  std::function<void()> on_ready_;
  glib::SignalConnection load_changed_;
  uint64_t needed_frame_ = 0;  // 0 = the page has not painted after load yet
  uint64_t last_presented_ = 0;
  bool fired_ = false;
  int times_fired_ = 0;
};

}  // namespace weft::webview
