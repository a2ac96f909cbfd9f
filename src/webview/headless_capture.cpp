#include "headless_capture.hpp"

namespace weft::webview {

HeadlessCapture::HeadlessCapture(WebView& view) : view_(view) {
  view_.set_frame_handler([this](const FrameView& frame) {
    last_ = Image::copy_from(frame.data, frame.width, frame.height, frame.stride);
    ++frames_;
    // Release the next frame one display interval later, as a compositor's frame callback would.
    pacing_.reset(g_timeout_add(
        kFrameIntervalMs,
        [](gpointer data) -> gboolean {
          auto* self = static_cast<HeadlessCapture*>(data);
          self->pacing_.release();
          self->view_.frame_complete();
          return G_SOURCE_REMOVE;
        },
        this));
  });
}

HeadlessCapture::~HeadlessCapture() { view_.set_frame_handler(nullptr); }

bool HeadlessCapture::wait_for_frame_after(uint64_t after, int timeout_ms) {
  return run_until([&] { return frames_ > after; }, timeout_ms);
}

Result<Image> HeadlessCapture::settle(int timeout_ms) {
  // Two animation frames after the call guarantee that the layer tree holding the current DOM was committed; the
  // frame exported after that shows it.
  uint64_t before = frames_;
  WEFT_TRY(auto unused, view_.evaluate(
                            "return new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(1))));",
                            timeout_ms));
  (void)unused;
  // The page's rendering update has run; its frame is exported shortly after unless nothing changed on screen.
  if (!wait_for_frame_after(before, kSettleGraceMs) && last_.empty())
    return fail("no frame was exported within " + std::to_string(timeout_ms) + " ms");
  return last_;
}

}  // namespace weft::webview
