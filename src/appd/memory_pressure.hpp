#pragma once
// Memory pressure (issue 13): appd reads the kernel's pressure-stall information for memory (PSI,
// /proc/pressure/memory) at a bounded interval and classifies it against two thresholds. The supervisor acts on the
// level: `release` asks background app shells to drop what WebKit can drop, `stop` closes the least recently focused
// background app through the normal stop path. The focused app is never a victim.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/result.hpp"

namespace weft::appd {

/// One PSI line's averages: share of wall time (percent, 0–100) in which tasks stalled on memory over the last 10, 60
/// and 300 s, and the total stall time in µs.
struct PsiAverages {
  double avg10 = 0, avg60 = 0, avg300 = 0;
  uint64_t total_us = 0;
};
/// `some`: at least one task stalled; `full`: all non-idle tasks stalled at once (absent on very old kernels: zeros).
struct PsiSample {
  PsiAverages some;
  PsiAverages full;
};

/// Parses the text of /proc/pressure/memory (or a cgroup's memory.pressure):
///   some avg10=0.00 avg60=0.00 avg300=0.00 total=0
///   full avg10=0.00 avg60=0.00 avg300=0.00 total=0
/// Errors name the line and field: missing `some` line, unknown line kind, missing or malformed field, an average
/// outside 0–100. Input is bounded by the caller (kMaxPsiBytes).
[[nodiscard]] Result<PsiSample> parse_psi(std::string_view text);
inline constexpr size_t kMaxPsiBytes = 4096;

enum class PressureLevel { none, release, stop };
[[nodiscard]] const char* pressure_level_name(PressureLevel level);

/// Thresholds in percent of stalled time over the last 10 s (PSI avg10). Level `release` when `some` reaches
/// release_some_avg10; level `stop` when `full` reaches stop_full_avg10 (every runnable task waiting on memory: the
/// system is thrashing).
struct PressureThresholds {
  double release_some_avg10 = 10.0;
  double stop_full_avg10 = 10.0;
};
[[nodiscard]] PressureLevel classify(const PsiSample& sample, const PressureThresholds& thresholds);

/// `10` or `12.5` (percent, 0 < value ≤ 100); nullopt when malformed.
[[nodiscard]] std::optional<double> parse_pressure_percent(std::string_view text);

/// Watches a PSI file on the GLib main loop and reports each parsed sample. Where the kernel permits it (the file is on
/// procfs or cgroup2 and takes a trigger: root, or an unprivileged process on Linux ≥ 6.5), a PSI trigger
/// `some <stall µs> 2000000` at `trigger_some_percent` of a 2-s window wakes the watch through poll(POLLPRI) and appd
/// sleeps while there is no pressure; once woken it reads every interval_ms until `some avg10` is back to 0. Elsewhere
/// (no trigger permitted, or a test stand-in file on another file system) it reads every interval_ms. A file that cannot
/// be read or parsed is logged once per outage and the watch keeps trying.
class PsiWatch {
 public:
  PsiWatch(std::string path, unsigned interval_ms, double trigger_some_percent,
           std::function<void(const PsiSample&)> on_sample);
  void start();
  [[nodiscard]] const std::string& path() const { return path_; }
  /// True when a PSI trigger wakes the watch (false: periodic reads only).
  [[nodiscard]] bool waits_on_trigger() const { return trigger_.valid(); }
  static constexpr uint64_t kTriggerWindowUs = 2000000;  // a multiple of 2 s, as unprivileged triggers need

 private:
  static gboolean on_tick(gpointer self);
  static gboolean on_trigger(gint fd, GIOCondition condition, gpointer self);
  [[nodiscard]] bool arm_trigger();
  void sample();

  std::string path_;
  unsigned interval_ms_;
  double trigger_some_percent_;
  std::function<void(const PsiSample&)> on_sample_;
  bool logged_failure_ = false;
  UniqueFd trigger_;
  glib::SourceId trigger_watch_;
  glib::SourceId timer_;
};

/// A session as the pressure policy sees it.
struct PressureCandidate {
  uint64_t session_id = 0;
  int64_t last_focused_us = 0;  // monotonic µs of its last keyboard focus (its launch time if never focused)
  bool running = false;         // state `running` (starting and stopping sessions are left alone)
};
/// The background session to stop: the running one focused least recently, never `foreground_session`; ties go to the
/// older session (lower id). nullopt when there is none.
[[nodiscard]] std::optional<uint64_t> choose_pressure_victim(const std::vector<PressureCandidate>& sessions,
                                                             uint64_t foreground_session);

}  // namespace weft::appd
