#pragma once
// One resource group per session child (spec §3.5): (a) a transient systemd user scope, (b) a child cgroup of appd's
// delegated cgroup v2 directory with cpu.max / memory.max / pids.max, or (c) a process group with no limits. The
// mechanism is chosen once per appd; every child is watched through a pidfd on the GLib loop, so exits are noticed
// without SIGCHLD handlers and reaped exactly once.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "appd_config.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/result.hpp"

namespace weft::appd {

enum class GroupMechanism { systemd_scope, cgroup_v2, process_group };

/// Which child a group holds (names the scope/cgroup and picks its limits).
enum class ChildRole { runtime, app_shell, portal };
[[nodiscard]] const char* role_name(ChildRole role);

/// Decides the mechanism for this appd (logs once when no limits apply) and prepares cgroup delegation (moves appd
/// into `<own>/supervisor` and enables the cpu, memory and pids controllers available).
class ResourceGroups {
 public:
  [[nodiscard]] static ResourceGroups detect(const AppdConfig& config);
  /// For tests: force a mechanism (the cgroup base must then be given).
  ResourceGroups(GroupMechanism mechanism, std::string cgroup_base, const AppdConfig& config);

  [[nodiscard]] GroupMechanism mechanism() const { return mechanism_; }
  [[nodiscard]] const std::string& cgroup_base() const { return cgroup_base_; }

  struct Spawned {
    ChildProcess process;
    std::optional<std::string> cgroup_dir;  // (b): removed after the child is reaped
    std::optional<std::string> scope_unit;  // (a)
  };
  /// Starts `options` in a new group for (session, role). The child always gets its own process group too, so the
  /// whole tree can be signalled even where no cgroup exists.
  [[nodiscard]] Result<Spawned> spawn(uint64_t session_id, ChildRole role, SpawnOptions options) const;
  /// As spawn() for a child that belongs to no session yet (a pre-started app shell): `name` ([a-z0-9-], unique in
  /// this appd) names its scope (`weft-<name>-<role>-<8 hex>`) and cgroup (`<name>-<role>`). Same limits as spawn().
  [[nodiscard]] Result<Spawned> spawn_unattached(const std::string& name, ChildRole role, SpawnOptions options) const;

 private:
  [[nodiscard]] Result<Spawned> spawn_in_group(const std::string& unit_name, const std::string& cgroup_name, ChildRole role,
                                               SpawnOptions options) const;
  GroupMechanism mechanism_;
  std::string cgroup_base_;  // (b): appd's own cgroup directory
  std::string cpu_quota_, memory_max_, shell_memory_max_;
};

/// A running session child: its process, its group, and a pidfd watch that reports the exit once.
class SupervisedChild {
 public:
  SupervisedChild(ChildRole role, ResourceGroups::Spawned spawned, std::function<void(const ExitStatus&)> on_exit);
  ~SupervisedChild();
  SupervisedChild(const SupervisedChild&) = delete;
  SupervisedChild& operator=(const SupervisedChild&) = delete;

  [[nodiscard]] ChildRole role() const { return role_; }
  [[nodiscard]] pid_t pid() const { return process_.pid(); }
  [[nodiscard]] bool running() const { return !exited_; }
  /// Signals the child's whole group (process group; with a cgroup, SIGKILL uses cgroup.kill).
  void signal_group(int sig);
  /// Replaces what runs when the child exits (a pre-started app shell changes hands from the pool to a session).
  void set_on_exit(std::function<void(const ExitStatus&)> on_exit) { on_exit_ = std::move(on_exit); }
  /// cgroup v2 `cpu.weight` (1–10000, default 100) of the child's group; false where the child has no cgroup of its
  /// own or the cpu controller is off (the weight then stays the default).
  bool set_cpu_weight(int weight);

 private:
  static gboolean on_pidfd(gint fd, GIOCondition, gpointer self);
  void reap();

  ChildRole role_;
  ChildProcess process_;
  std::optional<std::string> cgroup_dir_;
  std::optional<std::string> scope_unit_;
  UniqueFd pidfd_;
  glib::SourceId watch_;
  glib::SourceId poll_fallback_;
  bool exited_ = false;
  std::function<void(const ExitStatus&)> on_exit_;
};

}  // namespace weft::appd
