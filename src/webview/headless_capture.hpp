#pragma once
// Headless presenter: keeps a CPU copy of every exported frame and paces WebKit like a 60 Hz display would, with no
// display server at all. Tests, benches and screenshots use it to turn a page into pixels.

#include <cstdint>

#include "weft/core/glib.hpp"
#include "image.hpp"
#include "web_view.hpp"

namespace weft::webview {

class HeadlessCapture {
 public:
  /// Attaches to `view` (which must outlive the capture) as its frame handler.
  explicit HeadlessCapture(WebView& view);
  ~HeadlessCapture();
  HeadlessCapture(const HeadlessCapture&) = delete;
  HeadlessCapture& operator=(const HeadlessCapture&) = delete;

  [[nodiscard]] const Image& last_frame() const { return last_; }
  [[nodiscard]] uint64_t frames() const { return frames_; }

  /// Runs the main context until a frame newer than `after` arrived; false on timeout.
  bool wait_for_frame_after(uint64_t after, int timeout_ms);
  /// Waits until the page is loaded and painted: a frame that arrived after load finished and after the page's
  /// requestAnimationFrame ran twice (so the DOM state at load is on screen).
  [[nodiscard]] Result<Image> settle(int timeout_ms);

 private:
  static constexpr guint kFrameIntervalMs = 16;  // ≈ 60 Hz, like the headless compositor
  static constexpr int kSettleGraceMs = 1000;    // wait for a frame after the page's rendering update (ms)

  WebView& view_;
  Image last_;
  uint64_t frames_ = 0;
  glib::SourceId pacing_;
};

}  // namespace weft::webview
