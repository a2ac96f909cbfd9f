#pragma once
// A client of the compositor's weft_test_v1 (protocol/weft-test-v1.xml, offered only with --test-control): captures
// of the composited output and input injected through the compositor's virtual devices, as a person would type and
// click. The tour drives the desktop with it, and so do the tests (tests/support's CompositorSession).

#include <wayland-client.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "weft/core/result.hpp"

struct weft_test_v1;

namespace weft::session {

/// The composited output as 8-bit RGB rows (what a capture wrote).
struct Frame {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
  struct Rgb {
    uint8_t r, g, b;
  };
  [[nodiscard]] Rgb at(int x, int y) const {
    const uint8_t* p = &rgb[(static_cast<size_t>(y) * width + x) * 3];
    return {p[0], p[1], p[2]};
  }
  /// Share of the pixels of the rectangle whose channels are all within `tolerance` of `colour`.
  [[nodiscard]] double fraction_near(int x, int y, int w, int h, Rgb colour, int tolerance = 6) const;
  /// Share of the pixels of the rectangle that differ (any channel by more than `tolerance`) between two frames.
  [[nodiscard]] double fraction_different(const Frame& other, int x, int y, int w, int h, int tolerance = 24) const;
};
[[nodiscard]] Result<Frame> read_frame(const std::string& png_path);

class TestControl {
 public:
  /// Connects to the compositor at `display_name` (in $XDG_RUNTIME_DIR) and binds weft_test_v1.
  [[nodiscard]] static Result<std::unique_ptr<TestControl>> connect(const std::string& display_name);
  ~TestControl();
  TestControl(const TestControl&) = delete;
  TestControl& operator=(const TestControl&) = delete;

  /// Renders the output now and writes it to `png_path` (absolute).
  [[nodiscard]] Result<void> capture(const std::string& png_path);
  /// Sets the scale of the output `name` (e.g. "HEADLESS-1"; 0.25 to 8); clients hear wl_output.scale.
  [[nodiscard]] Result<void> set_output_scale(const std::string& name, double scale);
  /// Unplugs or re-plugs the headless test keyboard (as a USB keyboard is pulled or plugged); done when it returns.
  [[nodiscard]] Result<void> set_keyboard_plugged(bool plugged);
  void key(uint32_t evdev_key);  // press + release
  void key_state(uint32_t evdev_key, bool pressed);
  /// Types ASCII text through key presses (US layout: letters, digits, space and common punctuation).
  [[nodiscard]] Result<void> type(const std::string& text);
  void pointer_click(double x, double y);  // layout px
  void scroll(double vertical);             // logical px; positive scrolls down
  void touch_tap(double x, double y);       // layout px
  /// The app id of the keyboard-focused toplevel, empty if none; and the number of mapped toplevels.
  [[nodiscard]] std::pair<std::string, uint32_t> focus_state();
  /// The title the compositor holds for the keyboard-focused toplevel (its zweft slot title when it has one).
  [[nodiscard]] std::string focused_title();

 private:
  TestControl() = default;
  void roundtrip();
  wl_display* display_ = nullptr;
  wl_registry* registry_ = nullptr;
  weft_test_v1* test_ = nullptr;
  struct Captured {
    bool done = false;
    bool ok = false;
    std::string message;
  } captured_, output_answer_;
  uint32_t version_ = 1;
  struct State {
    std::string focused_app_id;
    std::string focused_title;
    uint32_t mapped = 0;
  } state_;
};

}  // namespace weft::session
