#pragma once
// The running desktop (spec §1.1): weft-compositor first (ready once compositor.display exists), then weft-appd and
// weft-shell; a crashed appd or shell is restarted under RestartPolicy; stop() ends them in reverse order (appd first,
// it ends every app session; then the shell; then the compositor) with SIGTERM, kStopGrace, SIGKILL, and reaps
// everything. weft-session is a child subreaper: processes orphaned by a crashed child (an app's runtime whose appd
// was killed, a WebKit process whose shell was killed) come back to it and are ended and reaped, so nothing outlives
// the session.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "child_environment.hpp"
#include "restart_policy.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::session {

class Session {
 public:
  static constexpr std::chrono::seconds kCompositorReadyTimeout{10};
  static constexpr std::chrono::seconds kAppdReadyTimeout{20};
  static constexpr std::chrono::seconds kStopGrace{10};
  static constexpr std::chrono::seconds kOrphanGrace{2};

  /// Blocks SIGTERM, SIGINT and SIGUSR1 (read through a signalfd by poll()).
  Session(SessionSettings settings, Environment parent);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Starts the compositor, waits for it, installs the demo packages (build tree), starts appd and the shell.
  [[nodiscard]] Result<void> start();
  /// Supervises for up to `ms`: reaps and restarts children, ends orphans, handles signals (SIGUSR1 is forwarded to
  /// the compositor: a screenshot). The session's exit status once it must end (signal received: 0; compositor died:
  /// its status; a child gave up restarting: 1).
  [[nodiscard]] std::optional<int> poll(int ms);
  /// Stops everything in reverse start order and reaps every descendant. Idempotent.
  void stop();

  [[nodiscard]] const std::string& wayland_display() const { return display_; }
  [[nodiscard]] const std::string& weft_dir() const { return weft_dir_; }
  [[nodiscard]] const SessionSettings& settings() const { return settings_; }
  [[nodiscard]] pid_t appd_pid() const { return appd_.process.running() ? appd_.process.pid() : -1; }
  [[nodiscard]] pid_t shell_pid() const { return shell_.process.running() ? shell_.process.pid() : -1; }

 private:
  enum class Role { compositor, appd, shell };
  struct Supervised {
    Role role;
    const char* name;
    ChildProcess process;
    RestartPolicy policy;
    std::optional<std::chrono::steady_clock::time_point> restart_at;
    bool gave_up = false;
  };
  [[nodiscard]] Result<void> start_compositor();
  [[nodiscard]] Result<void> spawn(Supervised& child);
  [[nodiscard]] std::optional<int> supervise();
  /// Schedules the restart of a crashed (or unstartable) child; false when RestartPolicy refuses.
  [[nodiscard]] bool schedule_restart(Supervised& child, const std::string& why);
  void sweep_orphans(bool kill_now);
  static void end_child(Supervised& child, std::chrono::milliseconds grace);

  SessionSettings settings_;
  Environment parent_;
  std::string weft_dir_;
  std::string display_;
  UniqueFd signals_;
  Supervised compositor_{Role::compositor, "weft-compositor", {}, {}, {}, false};
  Supervised appd_{Role::appd, "weft-appd", {}, {}, {}, false};
  Supervised shell_{Role::shell, "weft-shell", {}, {}, {}, false};
  std::map<pid_t, std::chrono::steady_clock::time_point> orphans_;  // first seen
  bool stopped_ = false;
};

/// The store and trust directory a build-tree session uses unless WEFT_APP_STORE / WEFT_TRUSTED_KEYS are set:
/// `<data home>/weft/dev-session/{apps,trusted-keys}` — the development key is trusted there and nowhere else.
struct DevStore {
  std::string app_store;
  std::string trusted_keys;
};
[[nodiscard]] Result<DevStore> dev_store(const Environment& parent);

}  // namespace weft::session
