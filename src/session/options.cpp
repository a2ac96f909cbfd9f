#include "options.hpp"

#include <string_view>

#include "weft/core/app_id.hpp"

namespace weft::session {
namespace {

bool valid_output(const std::string& text) {
  auto x = text.find('x');
  if (x == 0 || x == std::string::npos || x + 1 >= text.size()) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (i != x && (text[i] < '0' || text[i] > '9')) return false;
  return true;
}

}  // namespace

const char* usage() {
  return "usage: weft-session [--headless [--output WxH]] [--screenshot-dir DIR] [--launch APP_ID] [--tour]\n"
         "  --headless        run the compositor without a display (screenshots on SIGUSR1 to --screenshot-dir)\n"
         "  --output WxH      size of the headless output\n"
         "  --screenshot-dir  where screenshots (and the tour) are written\n"
         "  --launch APP_ID   launch this app once the desktop is up\n"
         "  --tour            headless: drive the desktop through the demo apps, write numbered PNGs + index.html\n"
         "  --test-control    headless, tests only: the compositor offers weft_test_v1 (captures, injected input)\n";
}

Result<Options> parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](const char* name) -> Result<std::string> {
      if (i + 1 >= argc) return fail(std::string(name) + " needs a value");
      return std::string(argv[++i]);
    };
    if (arg == "--headless") {
      options.headless = true;
    } else if (arg == "--tour") {
      options.tour = true;
    } else if (arg == "--test-control") {
      options.test_control = true;
    } else if (arg == "--output") {
      WEFT_TRY(options.output, value("--output"));
      if (!valid_output(options.output)) return fail("--output \"" + options.output + "\" is not WxH (e.g. 1024x640)");
    } else if (arg == "--screenshot-dir") {
      WEFT_TRY(options.screenshot_dir, value("--screenshot-dir"));
    } else if (arg == "--launch") {
      WEFT_TRY(options.launch_app_id, value("--launch"));
      if (auto valid = validate_app_id(options.launch_app_id); !valid)
        return fail("--launch: " + valid.error().message);
    } else if (arg == "--help" || arg == "-h") {
      options.show_help = true;
    } else if (arg == "--version") {
      options.show_version = true;
    } else {
      return fail("unknown argument \"" + std::string(arg) + "\"\n" + usage());
    }
  }
  if (options.tour) options.headless = true;
  if (options.tour) options.test_control = true;
  if (options.test_control && !options.headless) return fail("--test-control needs --headless");
  if (!options.output.empty() && !options.headless) return fail("--output needs --headless (or --tour)");
  if (options.tour && options.output.empty()) options.output = kTourOutput;
  return options;
}

Backend choose_backend(const Options& options, bool has_display) {
  if (options.headless) return Backend::headless;
  return has_display ? Backend::nested : Backend::drm;
}

}  // namespace weft::session
