#include "options.hpp"

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <iostream>

namespace weft::compositor {
namespace {


Result<int> parse_extent(std::string_view text, std::string_view what, std::string_view whole) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > kMaxOutputExtent)
    return fail("--output \"" + std::string(whole) + "\": " + std::string(what) + " must be an integer from 1 to " +
                std::to_string(kMaxOutputExtent));
  return value;
}

}  // namespace

Result<OutputMode> parse_output_mode(const std::string& text) {
  OutputMode mode;
  const auto x = text.find('x');
  if (x == std::string::npos) return fail("--output \"" + text + "\": expected WxH or WxH@Hz");
  const auto at = text.find('@', x);
  const std::string_view all(text);
  WEFT_TRY(mode.width, parse_extent(all.substr(0, x), "width", text));
  WEFT_TRY(mode.height, parse_extent(all.substr(x + 1, at == std::string::npos ? std::string::npos : at - x - 1),
                                     "height", text));
  if (at != std::string::npos) {
    const std::string hz(all.substr(at + 1));
    char* end = nullptr;
    const double value = std::strtod(hz.c_str(), &end);
    if (hz.empty() || end != hz.c_str() + hz.size() || !std::isfinite(value) || value < 1.0 || value > 1000.0)
      return fail("--output \"" + text + "\": refresh must be a number of Hz from 1 to 1000");
    mode.refresh_mhz = static_cast<int>(std::lround(value * 1000.0));
  }
  return mode;
}

Result<BackendKind> parse_backend(const std::string& text) {
  if (text == "headless") return BackendKind::headless;
  if (text == "x11") return BackendKind::x11;
  if (text == "wayland") return BackendKind::wayland;
  if (text == "drm") return BackendKind::drm;
  if (text == "auto") return BackendKind::automatic;
  return fail("--backend \"" + text + "\": expected headless, x11, wayland, drm or auto");
}

Result<BackendKind> resolve_backend(BackendKind requested, const BackendEnvironment& env) {
  if (requested != BackendKind::automatic) return requested;
  if (!env.wlr_backends.empty()) {
    // wlroots takes a comma-separated list; libinput only adds input devices to drm, so it names no backend of ours.
    std::vector<std::string> named;
    std::string_view rest = env.wlr_backends;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string name(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (name != "libinput" && !name.empty()) named.push_back(name);
    }
    const std::string why = "WLR_BACKENDS=\"" + env.wlr_backends + "\": ";
    if (named.size() != 1) return fail(why + "name exactly one of headless, x11, wayland or drm (libinput goes with drm)");
    auto kind = parse_backend(named.front());
    if (!kind || *kind == BackendKind::automatic)
      return fail(why + "\"" + named.front() + "\" is not one of headless, x11, wayland or drm");
    return *kind;
  }
  if (!env.wayland_display.empty()) return BackendKind::wayland;
  if (!env.display.empty()) return BackendKind::x11;
  return BackendKind::drm;
}

Result<Options> parse_options(int argc, char** argv) {
  Options options;
  std::string backend = "auto";
  std::vector<std::string> outputs;
  bool winit = false;
  CLI::App app{"weft-compositor: the WEFT Wayland compositor"};
  app.add_option("--backend", backend,
                 "headless|x11|wayland|drm|auto (auto: WLR_BACKENDS if set, else nested in WAYLAND_DISPLAY or DISPLAY, "
                 "else drm)")
      ->take_last();
  app.add_flag("--winit", winit, "alias for a nested backend (wayland if WAYLAND_DISPLAY is set, else x11)");
  app.add_option("--output", outputs,
                 "headless output mode WxH[@Hz] (default 1280x800@60); again for more outputs, left to right "
                 "(a nested backend opens a window of that size for each)");
  app.add_option("--screenshot-path", options.screenshot_path, "PNG written on SIGUSR1");
  app.add_flag("--test-control", options.test_control, "offer weft_test_v1 (tests only)");
  app.add_flag("--version", options.show_version, "print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    options.show_help = true;
    return options;
  } catch (const CLI::ParseError& e) {
    return fail(std::string("command line: ") + e.what());
  }
  WEFT_TRY(options.backend, parse_backend(backend));
  if (winit) options.backend = std::getenv("WAYLAND_DISPLAY") ? BackendKind::wayland : BackendKind::x11;
  if (outputs.size() > kMaxOutputs)
    return fail("--output given " + std::to_string(outputs.size()) + " times: at most " + std::to_string(kMaxOutputs));
  for (size_t i = 0; i < outputs.size(); ++i) {
    WEFT_TRY(OutputMode mode, parse_output_mode(outputs[i]));
    if (i == 0) options.output = mode;
    else options.extra_outputs.push_back(mode);
  }
  return options;
}

}  // namespace weft::compositor
