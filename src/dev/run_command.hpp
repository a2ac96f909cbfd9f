#pragma once
// `weft-dev run`: build, install into the development store, run through a desktop, print the labelled log, exit with
// the app (or after --screenshot); --watch reloads the page on UI edits and rebuilds/restarts on component edits.

#include <string>

namespace weft::dev {

struct RunOptions {
  std::string dir;
  bool watch = false;
  bool inspect = false;
  bool headless = false;    // forced; also implied by --screenshot and by the absence of a display
  std::string output = "1024x640";  // headless output
  std::string screenshot;   // PNG written after READY (and --keys/--click), then the desktop stops
  std::string keys;         // typed before the screenshot
  std::string click;        // "X,Y" clicked before the screenshot (output px)
  bool verbose = false;     // the whole desktop log, not only its warnings and errors
};

/// The process exit status: the app's, 0 after a screenshot, 1 when something failed before the app ran.
[[nodiscard]] int run_app(const RunOptions& options);

}  // namespace weft::dev
