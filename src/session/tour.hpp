#pragma once
// The tour (`weft-session --tour`): a person's first minutes with WEFT, played on a headless desktop through the
// compositor's weft_test_v1 (injected keys and pointer, captures). Each step acts, then waits until the desktop shows
// that it happened (pixels, appd's QUERY_RUNNING / QUERY_APP_STATE, the focused app, files on disk) and writes a
// numbered PNG; index.html shows them in order with one caption each. A step that does not happen fails the tour
// with a message naming the step.

#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::session {

class Session;

struct TourShot {
  std::string file;     // e.g. "01-desktop.png"
  std::string caption;
};

struct TourSettings {
  std::string output_dir;  // PNGs and index.html
  std::string data_home;   // the session's XDG_DATA_HOME (where Notes stores its text)
  int width = 0;           // output size, px
  int height = 0;
  int step_timeout_ms = 30000;  // how long a step may take to show on screen (WEFT_TOUR_STEP_TIMEOUT_MS overrides)
};

/// Runs the tour against a started session; the shots written, in order.
[[nodiscard]] Result<std::vector<TourShot>> run_tour(Session& session, const TourSettings& settings);

/// Writes `<dir>/index.html` showing the shots in order with their captions.
[[nodiscard]] Result<void> write_tour_index(const std::string& dir, const std::vector<TourShot>& shots);

/// Removes what an earlier tour left in `dir` (numbered PNGs, index.html, last-capture.png), so that a new tour
/// never shows stale shots; other files are left alone.
void clear_previous_tour(const std::string& dir);

/// The text the tour types into Notes.
inline constexpr const char* kTourNote = "Hello from the WEFT tour";

}  // namespace weft::session
