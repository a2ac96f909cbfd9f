#pragma once
// RAII child processes: spawn with an explicit environment and fd map; the owner's destructor terminates and reaps.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft {

struct SpawnOptions {
  std::vector<std::string> argv{};  // argv[0] is the program; a name without '/' is searched in PATH
  /// Complete environment of the child ("NAME=value"); children never inherit the parent's wholesale unless
  /// `inherit_environment` is set (tests, development tools).
  std::vector<std::string> env{};
  bool inherit_environment = false;
  /// Parent fd → child fd number. Fds not listed (other than 0-2) are closed in the child.
  std::vector<std::pair<int, int>> fd_map{};
  /// When set, 0/1/2 not present in fd_map are redirected to /dev/null instead of inherited.
  bool null_stdio = false;
  bool new_process_group = false;
  /// When ≥ 0, an open `cgroup.procs` file the child writes "0" to before exec, so it runs inside that cgroup from
  /// its first instruction (appd's resource groups, spec §3.5 (b)). A failed write fails the spawn.
  int cgroup_procs_fd = -1;
  std::optional<std::string> working_dir{};
};

/// How a child ended.
struct ExitStatus {
  bool exited = false;  // normal exit: `code` is the status
  int code = 0;
  int signal = 0;  // killed by this signal when !exited
  [[nodiscard]] bool success() const { return exited && code == 0; }
  [[nodiscard]] std::string describe() const;
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  /// Terminates (SIGTERM, then SIGKILL after a grace period) and reaps a still-running child.
  ~ChildProcess();

  [[nodiscard]] static Result<ChildProcess> spawn(const SpawnOptions& options);

  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] bool running() const { return pid_ > 0 && !status_; }
  /// Non-blocking reap; the status once the child has ended.
  std::optional<ExitStatus> try_wait();
  /// Waits up to `timeout` (forever when nullopt).
  std::optional<ExitStatus> wait(std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  /// Sends `sig` to the child (or its process group when it has its own).
  void signal(int sig);
  /// SIGTERM, wait up to `grace`, then SIGKILL and reap.
  ExitStatus terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

 private:
  pid_t pid_ = -1;
  bool own_group_ = false;
  std::optional<ExitStatus> status_;
};

}  // namespace weft
