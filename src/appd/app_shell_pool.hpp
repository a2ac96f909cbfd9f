#pragma once
// Pre-started app shells (spec §3.4, last line; issue 13): appd keeps AppdConfig::app_shell_pool `weft-app-shell
// --pool` processes running, each with its WebKit web and network processes up on a blank page, in its own empty
// network namespace, with its own fresh private directory, and with no Wayland connection, no app content and no app
// identity. A launch takes one; the session then hands it everything that makes it that session's app shell over the
// control channel (weft/core/ipc/app_shell_pool.hpp) before any app content loads. A shell serves one session in its
// life. The pool refills only while no launch is in flight (so a refill never competes with a launching app), from a
// low-priority idle, and with cgroup v2 groups at the lowest CPU weight until the shell is taken.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "appd_config.hpp"
#include "child_group.hpp"
#include "session.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/glib.hpp"

namespace weft::appd {

/// A pre-started app shell taken from the pool. The taker sets the child's exit callback and owns all of it.
struct PooledShell {
  std::unique_ptr<SupervisedChild> child;
  UniqueFd control;                                   // appd's end of WEFT_POOL_FD
  std::string dir;                                    // its private directory: `<weft>/shell-pool-<16 hex>/`
  std::vector<std::unique_ptr<OutputDrain>> drains;   // its stdout and stderr into appd's log
  bool warm = false;                                  // said WARM (web processes up, blank page loaded)
  std::chrono::steady_clock::time_point started;
};

class AppShellPool {
 public:
  /// `launch_in_flight` says whether a session is starting (refills wait until none is).
  AppShellPool(const AppdConfig& config, const ResourceGroups& groups, std::function<bool()> launch_in_flight);
  /// Kills and reaps the idle shells and removes their directories.
  ~AppShellPool();
  AppShellPool(const AppShellPool&) = delete;
  AppShellPool& operator=(const AppShellPool&) = delete;

  /// A warm shell if there is one, else a live one still warming (it finishes loading its blank page first), else
  /// nothing (pool size 0, or every shell is taken): the launch then starts its app shell cold.
  [[nodiscard]] std::unique_ptr<PooledShell> take();
  /// Starts shells up to the configured size unless a launch is in flight, the pool has not begun or it is stopped
  /// (call it whenever that may have changed); the spawns run from a low-priority idle.
  void refill();
  /// The pool begins filling after `delay_ms` (appd's start: the desktop starts first), or at the first refill()
  /// after a launch settled, whichever comes first.
  void begin_after(int delay_ms);
  /// appd shuts down: no more refills; SIGTERM to every idle shell (the destructor reaps what remains).
  void stop();

  /// A shell that is not WARM within this long is replaced.
  static constexpr int kWarmTimeoutMs = 30000;
  /// Delay before replacing a shell that died before it was warm: 1 s, doubling to 60 s while it keeps happening.
  static constexpr int kFirstRetryMs = 1000;
  static constexpr int kMaxRetryMs = 60000;
  /// cgroup v2 cpu.weight of an idle pool shell (1 = lowest), and of a taken one (the default).
  static constexpr int kIdleCpuWeight = 1;
  static constexpr int kTakenCpuWeight = 100;

 private:
  struct Idle;
  void spawn_missing();
  [[nodiscard]] Result<void> spawn_one();
  void on_idle_exit(Idle* idle, const ExitStatus& status);
  void on_control_readable(Idle* idle);
  void discard(Idle* idle, const std::string& why, bool failed_early);
  void schedule_spawn(int delay_ms);

  const AppdConfig& config_;
  const ResourceGroups& groups_;
  std::function<bool()> launch_in_flight_;
  std::vector<std::unique_ptr<Idle>> idle_;
  glib::SourceId spawn_source_;
  glib::SourceId reap_source_;
  int retry_ms_ = 0;  // 0 = no failure streak
  bool begun_ = false;
  glib::SourceId begin_timer_;
  bool stopped_ = false;
};

}  // namespace weft::appd
