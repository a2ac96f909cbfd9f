#pragma once
// Command line of weft-compositor.

#include <cstdint>
#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::compositor {

enum class BackendKind { headless, x11, wayland, drm, automatic };

inline constexpr int kMaxOutputExtent = 16384;  // px a side; beyond this no renderer allocates a buffer
inline constexpr size_t kMaxOutputs = 16;       // outputs at once; each costs a frame buffer

/// Headless output mode (`--output WxH[@Hz]`).
struct OutputMode {
  int width = 1280;         // px
  int height = 800;         // px
  int refresh_mhz = 60000;  // mHz
};

struct Options {
  BackendKind backend = BackendKind::automatic;
  OutputMode output;                      // the first (primary) headless output
  std::vector<OutputMode> extra_outputs;  // `--output` given again: more headless outputs, left to right
  bool test_control = false;       // advertise weft_test_v1 and add virtual input devices
  std::string screenshot_path;     // SIGUSR1 writes the primary output here as PNG
  bool show_version = false;
  bool show_help = false;          // --help was printed
};

/// Parses `WxH` or `WxH@Hz` (Hz may be fractional): an error naming the text and the reason otherwise.
[[nodiscard]] Result<OutputMode> parse_output_mode(const std::string& text);
[[nodiscard]] Result<BackendKind> parse_backend(const std::string& text);

/// The variables `--backend=auto` looks at (empty = unset).
struct BackendEnvironment {
  std::string wlr_backends;     // WLR_BACKENDS, wlroots' own choice: "headless", "x11", "wayland", "drm,libinput"
  std::string wayland_display;  // WAYLAND_DISPLAY
  std::string display;          // DISPLAY
};
/// The backend to create: `requested` unless it is automatic; then WLR_BACKENDS when set (so a session started by
/// systemd units on a machine without a display runs headless with `WLR_BACKENDS=headless` in the user manager's
/// environment), else nested in WAYLAND_DISPLAY or DISPLAY, else DRM. A WLR_BACKENDS naming no single backend WEFT
/// runs is an error that names it.
[[nodiscard]] Result<BackendKind> resolve_backend(BackendKind requested, const BackendEnvironment& env);
/// Parses argv; `--help` text goes to stdout and sets show_help.
[[nodiscard]] Result<Options> parse_options(int argc, char** argv);

}  // namespace weft::compositor
