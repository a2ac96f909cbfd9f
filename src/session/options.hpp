#pragma once
// Command line of weft-session (spec §1.1):
//   weft-session [--headless [--output WxH]] [--screenshot-dir DIR] [--launch APP_ID] [--tour]

#include <optional>
#include <string>

#include "weft/core/result.hpp"

namespace weft::session {

/// Which compositor backend the session asks for (§1.1: nested when a display exists, headless on request, else DRM).
enum class Backend { nested, headless, drm };

struct Options {
  bool headless = false;
  std::string output;          // WxH for the headless output; empty = the compositor's default (the tour: kTourOutput)
  std::string screenshot_dir;  // headless: the compositor writes its screenshots here; the tour writes its PNGs here
  std::string launch_app_id;   // launched through appd once the desktop is up
  bool tour = false;           // implies headless
  bool test_control = false;   // headless only: the compositor offers weft_test_v1 (tests drive the desktop)
  bool show_help = false;
  bool show_version = false;
};

/// The tour's output size when --output is not given: small enough for documentation screenshots.
inline constexpr const char* kTourOutput = "1024x640";

[[nodiscard]] Result<Options> parse_options(int argc, char** argv);
[[nodiscard]] const char* usage();

/// The backend for these options: headless with --headless or --tour; nested when WAYLAND_DISPLAY or DISPLAY is set
/// (`has_display`); DRM otherwise.
[[nodiscard]] Backend choose_backend(const Options& options, bool has_display);

}  // namespace weft::session
