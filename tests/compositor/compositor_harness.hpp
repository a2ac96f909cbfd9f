#pragma once
// Boots a real weft-compositor (headless, pixman) as a child with its own XDG_RUNTIME_DIR, and reads PNG screenshots.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "weft/core/child_process.hpp"
#include "weft/core/result.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/pixels.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::test {

class CompositorHarness {
 public:
  /// Starts `weft-compositor --backend=headless --output 1280x800 --test-control` plus `extra_args` (and
  /// `extra_env` entries "NAME=value"), and waits for the socket name on its stdout.
  [[nodiscard]] static Result<std::unique_ptr<CompositorHarness>> start(std::vector<std::string> extra_args = {},
                                                                         std::vector<std::string> extra_env = {});
  ~CompositorHarness();

  [[nodiscard]] const std::string& runtime_dir() const { return dir_.path(); }
  [[nodiscard]] const std::string& socket_name() const { return socket_name_; }
  /// Absolute path of the Wayland socket (for wl_display_connect).
  [[nodiscard]] std::string socket_path() const { return dir_.path() + "/" + socket_name_; }
  /// Environment for client children: XDG_RUNTIME_DIR, WAYLAND_DISPLAY, PATH, HOME, fonts.
  [[nodiscard]] std::vector<std::string> client_env() const;
  /// Everything the compositor wrote to stderr so far.
  [[nodiscard]] std::string log() const;
  /// Waits until `needle` appears in the log.
  [[nodiscard]] bool wait_for_log(const std::string& needle,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  [[nodiscard]] ChildProcess& process() { return child_; }

 private:
  CompositorHarness() = default;
  TempDir dir_{"compositor-test"};
  std::string socket_name_;
  std::string log_path_;
  ChildProcess child_;
};

/// 8-bit RGB pixels read from a PNG (compared exactly, or with weft/test/pixels.hpp's predicates).
struct Png {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // row-major, 3 bytes per pixel
  [[nodiscard]] Rgb at(int x, int y) const {
    const size_t i = (static_cast<size_t>(y) * width + x) * 3;
    return Rgb{rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};
[[nodiscard]] Result<Png> read_png(const std::string& path);

/// Background colour of the compositor (no window): premultiplied (0.11, 0.12, 0.14) as pixman truncates it to 8 bits.
inline constexpr Rgb kDesktopBackground{28, 30, 35};

}  // namespace weft::test
