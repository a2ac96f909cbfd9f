#include "restart_policy.hpp"

namespace weft::session {

std::optional<std::chrono::milliseconds> RestartPolicy::on_crash(Clock::time_point now) {
  while (!restarts_.empty() && now - restarts_.front() >= kRestartWindow) restarts_.pop_front();
  if (static_cast<int>(restarts_.size()) >= kMaxRestarts) return std::nullopt;
  auto delay = kFirstDelay * (1 << restarts_.size());
  restarts_.push_back(now);
  return delay;
}

}  // namespace weft::session
