#pragma once
// Integration harness: a headless weft-compositor of the test's own (private XDG_RUNTIME_DIR, --test-control), the
// weft_test_v1 client weft-session's tour uses (src/session/test_control.hpp) for captures and injected input, and
// helpers to start the web hosts against it. Everything is torn down by the destructor, also when a test fails.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "image.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::session {
class TestControl;
}

namespace weft::test {

using webview::Image;

class CompositorSession {
 public:
  CompositorSession();
  ~CompositorSession();
  CompositorSession(const CompositorSession&) = delete;
  CompositorSession& operator=(const CompositorSession&) = delete;

  /// Creates the runtime dir, starts the compositor with a `width`x`height` output and connects the test client.
  [[nodiscard]] Result<void> start(int width, int height);

  [[nodiscard]] const std::string& runtime_dir() const { return runtime_dir_.path(); }
  [[nodiscard]] std::string weft_dir() const { return runtime_dir_ / "weft"; }
  [[nodiscard]] const std::string& display_name() const { return display_name_; }
  /// Environment for a host process: PATH, HOME, XDG_RUNTIME_DIR, WEFT_LOG, plus `extra`.
  [[nodiscard]] std::vector<std::string> host_environment(std::vector<std::string> extra) const;

  /// The composited output as pixels (through weft_test_v1.capture and a PNG in the runtime dir).
  [[nodiscard]] Result<Image> capture();
  /// Captures until `accept` holds (services the GLib context in between); the last capture either way.
  [[nodiscard]] Result<Image> capture_until(const std::function<bool(const Image&)>& accept, int timeout_ms);
  void key(uint32_t evdev_key);  // press + release
  void key_state(uint32_t evdev_key, bool pressed);
  void pointer_click(double x, double y);
  void scroll(double vertical);  // logical px; positive scrolls down
  void touch_tap(double x, double y);
  /// Sets the scale of the session's one output (HEADLESS-1); captures stay in device px.
  [[nodiscard]] Result<void> set_output_scale(double scale);
  [[nodiscard]] std::string focused_app_id();
  /// Title the compositor holds for the focused window (the zweft slot title when one was given).
  [[nodiscard]] std::string focused_title();

  /// Binds a new Wayland client to (session_id, app_id) over the appd link and returns the client's socket end.
  [[nodiscard]] Result<UniqueFd> bind_session(uint64_t session_id, const std::string& app_id);

  /// appd's `close_session`: the compositor sends xdg_toplevel.close to the session's toplevels.
  [[nodiscard]] Result<void> close_session(uint64_t session_id);

  /// Runs the default GLib context for `ms`.
  void pump(int ms);

 private:
  TempDir runtime_dir_{"webview-session"};  // XDG_RUNTIME_DIR of the compositor and the hosts; captures land here
  std::string display_name_;
  ChildProcess compositor_;
  UniqueFd appd_link_;
  std::unique_ptr<session::TestControl> control_;
  int captures_ = 0;
};

/// Reads an RGBA or RGB PNG (what the compositor's capture writes).
[[nodiscard]] Result<Image> read_png(const std::string& path);

}  // namespace weft::test
