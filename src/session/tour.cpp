#include "tour.hpp"

#include <linux/input-event-codes.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>

#include "appd_client.hpp"
#include "session.hpp"
#include "test_control.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"

namespace weft::session {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kCounter = "org.weft.demo.counter";
constexpr const char* kNotes = "org.weft.demo.notes";

// The system page's layout (ui/system-ui.html, spec §6.4): a 48 px taskbar at the bottom, launcher icons in the
// accent colour, taskbar entries as raised buttons with a 28 px × at their right end.
constexpr int kTaskbar = 48;                  // px
constexpr int kEntryCloseWidth = 28;          // px
constexpr int kAppsButtonRight = 80;          // px: entries start to the right of the Apps button
constexpr int kClockArea = 150;               // px at the right end: keyboard button, status dot and clock
constexpr Frame::Rgb kTaskbarColour{20, 22, 28};
constexpr Frame::Rgb kAccent{91, 138, 245};
constexpr Frame::Rgb kOnline{63, 185, 80};     // status dot once the page is connected to appd
constexpr Frame::Rgb kNotesPanel{31, 35, 43};  // Notes' header and footer
// px at the right edge where the shell's toasts (top right, stacked, 4 s after each app is ready) cover app windows:
// comparisons of an app's window leave this column out.
constexpr int kToastColumn = 360;

constexpr int kLaunchTimeoutMs = 60000;

/// Runs one step after another; every failure names the step.
class Tour {
 public:
  Tour(Session& session, const TourSettings& settings, std::unique_ptr<TestControl> control)
      : session_(session), settings_(settings), control_(std::move(control)),
        scratch_(settings.output_dir + "/last-capture.png") {}

  Result<std::vector<TourShot>> run();

 private:
  using Check = std::function<bool(const Frame&)>;
  int W() const { return settings_.width; }
  int H() const { return settings_.height; }
  int work_height() const { return H() - kTaskbar; }
  /// The width of the part of the work area toasts never cover (from x = 0).
  int left_of_toasts() const { return W() - kToastColumn; }

  Error step_error(const std::string& what) const { return Error("tour step " + std::to_string(step_) + " (" + name_ + "): " + what); }
  void begin(const std::string& name) {
    ++step_;
    name_ = name;
    log::info("tour step ", step_, ": ", name);
  }
  /// Keeps the session supervised while waiting; a session that must end ends the tour.
  Result<void> wait_ms(int ms);
  Result<Frame> capture_scratch();
  /// Captures until `check` holds; the accepted frame, or an error naming the step and `expected`.
  Result<Frame> wait_for(const Check& check, const std::string& expected, int timeout_ms = 0);  // 0: the step timeout
  /// Captures until the work area stops changing (two captures kSettleMs apart agree).
  Result<Frame> settle();
  /// Writes the numbered shot of the current step (the desktop as it is now).
  Result<Frame> shot(const std::string& slug, const std::string& caption);

  Result<void> open_launcher();
  /// Icon centres of the open launcher, left to right (the order of INSTALLED_APPS).
  std::vector<std::pair<int, int>> launcher_icons(const Frame& frame) const;
  /// Taskbar entries, left to right (ascending session id): [x0, x1).
  std::vector<std::pair<int, int>> taskbar_entries(const Frame& frame) const;
  Result<uint64_t> launch_from_launcher(const std::string& app_id);
  Result<void> wait_state(uint64_t session_id, const std::string& state);
  Result<void> wait_focus(const std::string& app_id);
  Result<std::pair<int, int>> entry_of(size_t index, size_t expected_count);

  Session& session_;
  TourSettings settings_;
  std::unique_ptr<TestControl> control_;
  std::string scratch_;
  std::vector<TourShot> shots_;
  std::vector<std::string> installed_;  // sorted app ids, as the launcher shows them
  int step_ = 0;
  std::string name_;
};

Result<void> Tour::wait_ms(int ms) {
  if (auto status = session_.poll(ms)) return fail(step_error("the session is ending (status " + std::to_string(*status) + ")"));
  return ok();
}

Result<Frame> Tour::capture_scratch() {
  WEFT_TRY_VOID(control_->capture(scratch_));
  return read_frame(scratch_);
}

Result<Frame> Tour::wait_for(const Check& check, const std::string& expected, int timeout_ms) {
  if (timeout_ms == 0) timeout_ms = settings_.step_timeout_ms;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    WEFT_TRY(Frame frame, capture_scratch());
    if (check(frame)) return frame;
    if (Clock::now() >= deadline)
      return fail(step_error("expected " + expected + " within " + std::to_string(timeout_ms / 1000) + " s; the last capture is " + scratch_));
    WEFT_TRY_VOID(wait_ms(100));
  }
}

Result<Frame> Tour::settle() {
  constexpr int kSettleMs = 400;
  WEFT_TRY(Frame previous, capture_scratch());
  auto deadline = Clock::now() + std::chrono::milliseconds(settings_.step_timeout_ms);
  while (Clock::now() < deadline) {
    WEFT_TRY_VOID(wait_ms(kSettleMs));
    WEFT_TRY(Frame frame, capture_scratch());
    // A text caret may blink: a few dozen pixels may differ.
    if (frame.fraction_different(previous, 0, 0, W(), work_height(), 24) < 0.0002) return frame;
    previous = std::move(frame);
  }
  return previous;
}

Result<Frame> Tour::shot(const std::string& slug, const std::string& caption) {
  char number[8];
  std::snprintf(number, sizeof number, "%02d-", step_);
  std::string file = number + slug + ".png";
  std::string path = settings_.output_dir + "/" + file;
  WEFT_TRY_VOID(control_->capture(path));
  shots_.push_back({file, caption});
  return read_frame(path);
}

std::vector<std::pair<int, int>> Tour::launcher_icons(const Frame& frame) const {
  // The launcher panel is centred in the work area; its grid has kGridColumns tiles of kTile px with kGridGap px
  // between them, each with a kIcon px accent icon centred in the tile. The icons' row is the topmost row with an
  // accent run there (app content behind the launcher is dimmed by its backdrop, so it never matches the accent).
  constexpr int kGridColumns = 4, kTile = 96, kGridGap = 12, kPanelInset = 21, kIcon = 48;  // px
  const int grid_left = (W() - (kGridColumns * kTile + (kGridColumns - 1) * kGridGap + 2 * kPanelInset)) / 2 + kPanelInset;
  auto centre_x = [&](int i) { return grid_left + i * (kTile + kGridGap) + kTile / 2; };
  for (int y = 0; y < work_height(); ++y) {
    if (frame.fraction_near(centre_x(0) - kIcon / 4, y, kIcon / 2, 1, kAccent, 12) < 1.0) continue;
    std::vector<std::pair<int, int>> icons;
    for (int i = 0; i < kGridColumns; ++i) {
      // Just below the top edge (above the initial letter) the whole icon width is accent.
      if (frame.fraction_near(centre_x(i) - kIcon / 2 + 4, y + 6, kIcon - 8, 1, kAccent, 12) < 1.0) break;
      icons.emplace_back(centre_x(i), y + kIcon / 2);
    }
    return icons;
  }
  return {};
}

std::vector<std::pair<int, int>> Tour::taskbar_entries(const Frame& frame) const {
  int row = H() - kTaskbar + 8;  // 2 px inside an entry's top edge
  std::vector<std::pair<int, int>> entries;
  int start = -1;
  for (int x = kAppsButtonRight; x <= W() - kClockArea; ++x) {
    bool raised = x < W() - kClockArea && frame.fraction_near(x, row, 1, 1, kTaskbarColour, 4) == 0;
    if (raised && start < 0) start = x;
    if (!raised && start >= 0) {
      if (x - start >= 40) entries.emplace_back(start, x);
      start = -1;
    }
  }
  return entries;
}

Result<void> Tour::open_launcher() {
  // The page may still be loading its app list when the taskbar first shows: tap Super until the launcher is open.
  auto open = [&](const Frame& f) { return launcher_icons(f).size() == std::min<size_t>(installed_.size(), 4); };
  WEFT_TRY(Frame now, capture_scratch());
  if (open(now)) return ok();
  constexpr int kAttemptMs = 5000;  // ms per Super tap; the taps together take the step timeout
  for (int attempt = 0; attempt < std::max(1, settings_.step_timeout_ms / kAttemptMs); ++attempt) {
    control_->key(KEY_LEFTMETA);
    auto frame = wait_for(open, "the launcher with " + std::to_string(installed_.size()) + " icons", kAttemptMs);
    if (frame.ok()) return ok();
  }
  return fail(step_error("Super did not open a launcher showing " + std::to_string(installed_.size()) +
                         " apps; the last capture is " + scratch_));
}

Result<void> Tour::wait_state(uint64_t session_id, const std::string& state) {
  auto deadline = Clock::now() + std::chrono::milliseconds(kLaunchTimeoutMs);
  std::string last;
  while (Clock::now() < deadline) {
    WEFT_TRY(auto client, AppdClient::connect(session_.weft_dir() + "/appd.sock"));
    WEFT_TRY(last, client.state(session_id));
    if (last == state) return ok();
    WEFT_TRY_VOID(wait_ms(100));
  }
  return fail(step_error("session " + std::to_string(session_id) + " is " + last + ", expected " + state));
}

Result<void> Tour::wait_focus(const std::string& app_id) {
  auto deadline = Clock::now() + std::chrono::milliseconds(settings_.step_timeout_ms);
  std::string focused;
  while (Clock::now() < deadline) {
    focused = control_->focus_state().first;
    if (focused == app_id) return ok();
    WEFT_TRY_VOID(wait_ms(100));
  }
  return fail(step_error("expected " + app_id + " to have keyboard focus, not \"" + focused + "\""));
}

Result<uint64_t> Tour::launch_from_launcher(const std::string& app_id) {
  WEFT_TRY_VOID(open_launcher());
  WEFT_TRY(Frame launcher, capture_scratch());
  auto icons = launcher_icons(launcher);
  auto index = std::find(installed_.begin(), installed_.end(), app_id) - installed_.begin();
  if (static_cast<size_t>(index) >= icons.size()) return fail(step_error(app_id + " has no icon in the launcher"));
  WEFT_TRY(auto client, AppdClient::connect(session_.weft_dir() + "/appd.sock"));
  WEFT_TRY(auto before, client.running());
  control_->pointer_click(icons[index].first, icons[index].second);
  // The click sends LAUNCH_APP from the page: a new session of the app appears in QUERY_RUNNING.
  auto deadline = Clock::now() + std::chrono::milliseconds(settings_.step_timeout_ms);
  while (Clock::now() < deadline) {
    WEFT_TRY(auto now, client.running());
    for (const auto& s : now.sessions) {
      bool old = std::any_of(before.sessions.begin(), before.sessions.end(),
                             [&](const msg::SessionInfo& b) { return b.session_id == s.session_id; });
      if (!old && s.app_id == app_id) {
        WEFT_TRY_VOID(wait_state(s.session_id, "running"));
        WEFT_TRY_VOID(wait_focus(app_id));
        return s.session_id;
      }
    }
    WEFT_TRY_VOID(wait_ms(100));
  }
  return fail(step_error("clicking the " + app_id + " icon launched nothing"));
}

Result<std::pair<int, int>> Tour::entry_of(size_t index, size_t expected_count) {
  WEFT_TRY(Frame frame, wait_for([&](const Frame& f) { return taskbar_entries(f).size() == expected_count; },
                                 std::to_string(expected_count) + " taskbar entries"));
  return taskbar_entries(frame).at(index);
}

Result<std::vector<TourShot>> Tour::run() {
  WEFT_TRY(auto client, AppdClient::connect(session_.weft_dir() + "/appd.sock"));

  begin("the desktop");
  WEFT_TRY(Frame desktop, wait_for(
      [&](const Frame& f) {
        return f.fraction_near(kAppsButtonRight, H() - kTaskbar + 4, W() - kAppsButtonRight - kClockArea, kTaskbar - 8,
                               kTaskbarColour, 4) > 0.95 &&
               f.fraction_near(W() - kClockArea, H() - kTaskbar, kClockArea, kTaskbar, kOnline, 16) > 0;
      },
      "the taskbar in the bottom 48 px, connected to appd (green dot)", kLaunchTimeoutMs));
  WEFT_TRY(auto installed, client.installed());
  for (const auto& app : installed.apps) installed_.push_back(app.app_id);
  for (const char* needed : {kCounter, kNotes})
    if (std::find(installed_.begin(), installed_.end(), needed) == installed_.end())
      return fail(step_error(std::string(needed) + " is not installed (QUERY_INSTALLED_APPS)"));
  WEFT_TRY(desktop, shot("desktop", "The WEFT desktop: the taskbar (Apps button, clock) at the bottom; nothing runs yet."));

  begin("Super opens the launcher");
  WEFT_TRY_VOID(open_launcher());
  WEFT_TRY(Frame launcher, shot("launcher", "Super opens the launcher: one icon per installed app (Counter, Notes, …)."));

  begin("a click on the Counter icon");
  // launch_from_launcher opens the launcher only when it is closed; it is open now.
  WEFT_TRY(uint64_t counter, launch_from_launcher(kCounter));
  WEFT_TRY(Frame zero, settle());
  if (zero.fraction_near(0, 0, W(), work_height(), kAccent, 24) < 0.002)
    return fail(step_error("the counter window (accent buttons) is not on screen"));
  WEFT_TRY(zero, shot("counter", "A click on the Counter icon: the app fills the work area above the taskbar and shows 0."));

  begin("+ pressed twice");
  Frame previous = zero;
  for (int press = 1; press <= 2; ++press) {
    WEFT_TRY_VOID(control_->type("+"));
    // Each reply from the component changes the number shown (compared over the work area).
    WEFT_TRY(previous, wait_for([&](const Frame& f) { return f.fraction_different(previous, 0, 0, left_of_toasts(), work_height()) > 0.0005; },
                                "the number to change after + number " + std::to_string(press)));
  }
  WEFT_TRY(Frame two, settle());
  WEFT_TRY(two, shot("counter-two", "+ pressed twice: the component counted and the page shows 2."));

  begin("Notes from the launcher");
  WEFT_TRY(uint64_t notes, launch_from_launcher(kNotes));
  // The editor takes focus once the component loaded the (empty) notes.
  WEFT_TRY(Frame empty, settle());
  if (empty.fraction_near(0, 0, W(), 40, kNotesPanel, 6) < 0.5)
    return fail(step_error("the Notes window (its header) is not on screen"));
  WEFT_TRY(empty, shot("notes", "Notes opened from the launcher; both apps have a taskbar entry."));

  begin("typing a line");
  WEFT_TRY_VOID(control_->type(kTourNote));
  // The editor sits between Notes' header and footer.
  auto editor_changed = [&](const Frame& f) { return f.fraction_different(empty, 0, 60, left_of_toasts(), 120) > 0.004; };
  WEFT_TRY(Frame typed, wait_for(editor_changed, "the typed text in the editor"));
  WEFT_TRY(typed, settle());
  WEFT_TRY(typed, shot("notes-typed", std::string("A line typed into Notes: \"") + kTourNote + "\"."));

  begin("Ctrl+S saves");
  control_->key_state(KEY_LEFTCTRL, true);
  control_->key(KEY_S);
  control_->key_state(KEY_LEFTCTRL, false);
  std::string notes_file = settings_.data_home + "/weft/app-data/" + kNotes + "/notes.txt";
  {
    auto deadline = Clock::now() + std::chrono::milliseconds(settings_.step_timeout_ms);
    for (;;) {
      auto text = read_file(notes_file);
      if (text.ok() && *text == kTourNote) break;
      if (Clock::now() >= deadline) return fail(step_error(notes_file + " does not hold the typed line"));
      WEFT_TRY_VOID(wait_ms(100));
    }
  }
  WEFT_TRY(Frame saved, shot("notes-saved", "Ctrl+S saved it: the component wrote notes.txt in the app's data directory."));

  begin("closing Notes from the taskbar");
  WEFT_TRY(auto notes_entry, entry_of(1, 2));
  control_->pointer_click(notes_entry.second - kEntryCloseWidth / 2, H() - kTaskbar / 2);
  WEFT_TRY_VOID(wait_state(notes, "stopped"));
  WEFT_TRY(Frame closed, wait_for([&](const Frame& f) { return taskbar_entries(f).size() == 1; }, "one taskbar entry"));
  WEFT_TRY(closed, settle());
  WEFT_TRY(closed, shot("notes-closed", "Notes closed with the × of its taskbar entry; Counter is shown again."));

  begin("Notes again: the text is back");
  WEFT_TRY(notes, launch_from_launcher(kNotes));
  auto text_back = [&](const Frame& f) {
    return f.fraction_different(typed, 0, 60, left_of_toasts(), 120) < 0.002 && f.fraction_different(empty, 0, 60, left_of_toasts(), 120) > 0.004;
  };
  WEFT_TRY(Frame back, wait_for(text_back, "the editor to show the saved line again"));
  WEFT_TRY(back, shot("notes-relaunched", "Notes launched again: the saved line is back."));

  begin("Counter from the taskbar");
  WEFT_TRY(auto counter_entry, entry_of(0, 2));
  control_->pointer_click((counter_entry.first + counter_entry.second - kEntryCloseWidth) / 2, H() - kTaskbar / 2);
  WEFT_TRY_VOID(wait_focus(kCounter));
  WEFT_TRY(Frame front, wait_for([&](const Frame& f) { return f.fraction_different(two, 0, 0, left_of_toasts(), work_height()) < 0.001; },
                                 "the counter (still at 2) in front"));
  WEFT_TRY(front, shot("switch-counter", "A click on Counter in the taskbar brings it to the front, still at 2."));

  begin("Notes from the taskbar");
  WEFT_TRY(notes_entry, entry_of(1, 2));
  control_->pointer_click((notes_entry.first + notes_entry.second - kEntryCloseWidth) / 2, H() - kTaskbar / 2);
  WEFT_TRY_VOID(wait_focus(kNotes));
  WEFT_TRY(front, wait_for([&](const Frame& f) { return f.fraction_different(back, 0, 60, left_of_toasts(), 120) < 0.002; },
                           "Notes in front again"));
  WEFT_TRY(front, shot("switch-notes", "A click on Notes in the taskbar brings Notes back."));

  begin("closing both apps");
  for (size_t left = 2; left > 0; --left) {
    WEFT_TRY(auto entry, entry_of(0, left));
    control_->pointer_click(entry.second - kEntryCloseWidth / 2, H() - kTaskbar / 2);
    WEFT_TRY(Frame fewer, wait_for([&](const Frame& f) { return taskbar_entries(f).size() == left - 1; },
                                   std::to_string(left - 1) + " taskbar entries"));
  }
  WEFT_TRY_VOID(wait_state(counter, "stopped"));
  WEFT_TRY_VOID(wait_state(notes, "stopped"));
  WEFT_TRY(auto running, client.running());
  if (!running.sessions.empty()) return fail(step_error("sessions still running after both ×"));
  WEFT_TRY(Frame end, wait_for([&](const Frame& f) { return f.fraction_different(desktop, 0, 0, W(), work_height()) < 0.001; },
                               "the work area to be the empty desktop again"));
  WEFT_TRY(end, shot("closed", "Both apps closed from the taskbar: the desktop is empty again."));
  return shots_;
}

}  // namespace

Result<std::vector<TourShot>> run_tour(Session& session, const TourSettings& settings) {
  WEFT_TRY(auto control, TestControl::connect(session.wayland_display()));
  Tour tour(session, settings, std::move(control));
  auto shots = tour.run();
  // On failure the last capture stays for the reader of the error message.
  if (shots) ::unlink((settings.output_dir + "/last-capture.png").c_str());
  return shots;
}

namespace {

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

void clear_previous_tour(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename();
    bool numbered = name.size() > 7 && std::isdigit(static_cast<unsigned char>(name[0])) &&
                    std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '-' &&
                    entry.path().extension() == ".png";
    if (numbered || name == "index.html" || name == "last-capture.png") std::filesystem::remove(entry.path(), ec);
  }
}

Result<void> write_tour_index(const std::string& dir, const std::vector<TourShot>& shots) {
  std::string html =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>WEFT tour</title>\n"
      "<style>body{background:#15171c;color:#e6e8ee;font:15px system-ui,sans-serif;margin:2rem auto;max-width:1060px}"
      "figure{margin:0 0 2.5rem}img{max-width:100%;border:1px solid #3a4050}figcaption{margin-top:.5rem}</style>\n"
      "</head><body>\n<h1>WEFT tour</h1>\n<p>Recorded by <code>weft-session --tour</code> on a headless desktop: every "
      "step was done with injected keys and pointer clicks, as a person would, and checked on screen before the next.</p>\n";
  for (const auto& s : shots) {
    std::string caption = html_escape(s.caption);
    html += "<figure><img src=\"" + html_escape(s.file) + "\" alt=\"" + caption + "\"><figcaption>" +
            s.file.substr(0, 2) + ". " + caption + "</figcaption></figure>\n";
  }
  html += "</body></html>\n";
  return write_file_atomic(dir + "/index.html", html, 0644);
}

}  // namespace weft::session
