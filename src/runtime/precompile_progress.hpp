#pragma once
// What `weft-runtime --aot-precompile` prints while it fills the AOT cache (weft-pack install shows it): one line per
// core module, or on a terminal one progress bar redrawn several times a second and a summary line.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "weft/runtime/aot_precompile.hpp"

namespace weft::runtime {

class PrecompileProgress {
 public:
  /// `terminal`: draw the bar (the caller checked isatty on `out`'s descriptor).
  PrecompileProgress(std::string app_id, size_t count, std::ostream& out, bool terminal);
  ~PrecompileProgress();
  PrecompileProgress(const PrecompileProgress&) = delete;
  PrecompileProgress& operator=(const PrecompileProgress&) = delete;

  /// One step of precompile_modules; thread-safe.
  void step(const PrecompileStep& s);
  /// Stops redrawing and, on a terminal, prints the summary line; idempotent.
  void finish();

 private:
  void tick();
  void draw();  // mutex_ held

  std::string app_id_;
  size_t count_;
  std::ostream& out_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finished_ = false;
  std::vector<bool> running_;           // by module index: the compiler is on it
  std::vector<double> unit_fraction_;  // by module index: share of a split module's translation units compiled
  size_t done_ = 0, compiled_ = 0;
  std::thread ticker_;  // last: started once everything it reads exists
};

}  // namespace weft::runtime
