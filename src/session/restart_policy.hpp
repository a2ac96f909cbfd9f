#pragma once
// When a crashed weft-shell or weft-appd is started again (spec §1.1): at most kMaxRestarts restarts within
// kRestartWindow, each after a delay that starts at kFirstDelay and doubles with every restart still in the window.

#include <chrono>
#include <deque>
#include <optional>

namespace weft::session {

class RestartPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kMaxRestarts = 5;
  static constexpr std::chrono::seconds kRestartWindow{60};
  static constexpr std::chrono::milliseconds kFirstDelay{1000};

  /// A crash at `now`: the delay before the restart, or nullopt when the limit is reached (the child stays down).
  [[nodiscard]] std::optional<std::chrono::milliseconds> on_crash(Clock::time_point now);

 private:
  std::deque<Clock::time_point> restarts_;  // restarts granted within the window
};

}  // namespace weft::session
