#include "session.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "demo_packages.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"
#include "weft/core/process_table.hpp"

namespace weft::session {
namespace {

using Clock = std::chrono::steady_clock;

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  return set;
}

int exit_code(const ExitStatus& status) { return status.exited ? status.code : 128 + status.signal; }

/// Direct children of this process (pid, zombie?).
std::vector<std::pair<pid_t, bool>> own_children() {
  std::vector<std::pair<pid_t, bool>> found;
  pid_t self = ::getpid();
  for (const auto& process : read_process_table())
    if (process.ppid == self) found.emplace_back(process.pid, process.state == 'Z');
  return found;
}

}  // namespace

Result<DevStore> dev_store(const Environment& parent) {
  std::string data_home;
  if (auto it = parent.find("XDG_DATA_HOME"); it != parent.end() && !it->second.empty() && it->second[0] == '/')
    data_home = it->second;
  else if (auto home = parent.find("HOME"); home != parent.end() && !home->second.empty() && home->second[0] == '/')
    data_home = home->second + "/.local/share";
  else
    return fail("HOME is not an absolute path: cannot place the session's app store");
  DevStore store{data_home + "/weft/dev-session/apps", data_home + "/weft/dev-session/trusted-keys"};
  if (auto it = parent.find("WEFT_APP_STORE"); it != parent.end() && !it->second.empty()) store.app_store = it->second;
  if (auto it = parent.find("WEFT_TRUSTED_KEYS"); it != parent.end() && !it->second.empty())
    store.trusted_keys = it->second;
  return store;
}

Session::Session(SessionSettings settings, Environment parent)
    : settings_(std::move(settings)), parent_(std::move(parent)) {
  sigset_t set = handled_signals();
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  signals_ = UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

Session::~Session() { stop(); }

Result<void> Session::start() {
  WEFT_TRY(weft_dir_, paths::ensure_weft_runtime_dir());
  // Orphans of our children (an app session whose appd was killed) are re-parented here, not to init.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) log::warn("cannot become a child subreaper: ", std::strerror(errno));
  // A socket left by an appd that crashed would be taken for the new one's.
  if (auto appd_socket = paths::appd_socket(); appd_socket.ok()) ::unlink(appd_socket->c_str());
  WEFT_TRY_VOID(start_compositor());
  WEFT_TRY_VOID(install_demo_packages(settings_, parent_));
  WEFT_TRY_VOID(spawn(appd_));
  // The shell finds appd through appd.wsport; starting it once appd is listening saves its first retries.
  WEFT_TRY(auto appd_socket, paths::appd_socket());
  auto deadline = Clock::now() + kAppdReadyTimeout;
  while (::access(appd_socket.c_str(), F_OK) != 0) {
    if (auto status = appd_.process.try_wait()) return fail("weft-appd exited at start: " + status->describe());
    if (Clock::now() >= deadline)
      return fail("weft-appd created no " + appd_socket + " within " + std::to_string(kAppdReadyTimeout.count()) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  WEFT_TRY_VOID(spawn(shell_));
  return ok();
}

Result<void> Session::start_compositor() {
  // A display file left by a session that crashed would be read as ours.
  WEFT_TRY(auto display_file, paths::compositor_display_file());
  ::unlink(display_file.c_str());
  WEFT_TRY_VOID(spawn(compositor_));
  auto deadline = Clock::now() + kCompositorReadyTimeout;
  while (Clock::now() < deadline) {
    if (auto status = compositor_.process.try_wait())
      return fail("weft-compositor exited before it was ready: " + status->describe());
    if (auto name = read_file(display_file); name.ok() && !name->empty()) {
      display_ = *name;
      log::info("compositor ready on ", display_);
      return ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return fail("weft-compositor wrote no " + display_file + " within " +
              std::to_string(kCompositorReadyTimeout.count()) + " s");
}

Result<void> Session::spawn(Supervised& child) {
  SpawnOptions options;
  switch (child.role) {
    case Role::compositor: options = compositor_command(settings_, parent_); break;
    case Role::appd: options = appd_command(settings_, parent_, display_); break;
    case Role::shell: options = shell_command(settings_, parent_, display_); break;
  }
  auto process = ChildProcess::spawn(options);
  if (!process) return fail(std::string("cannot start ") + child.name + ": " + process.error().message);
  child.process = std::move(*process);
  child.restart_at.reset();
  log::info("started ", child.name, " pid=", child.process.pid());
  return ok();
}

std::optional<int> Session::poll(int ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    if (auto status = supervise()) return status;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{signals_.get(), POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(std::min<long>(left, 50)));  // ms: how often children are checked
    signalfd_siginfo info{};
    while (::read(signals_.get(), &info, sizeof info) == sizeof info) {
      if (info.ssi_signo == SIGUSR1) {
        compositor_.process.signal(SIGUSR1);
        continue;
      }
      log::info("received ", strsignal(static_cast<int>(info.ssi_signo)), ": stopping the session");
      return 0;
    }
  }
}

std::optional<int> Session::supervise() {
  if (stopped_) return 0;
  if (auto status = compositor_.process.try_wait()) {
    log::error("weft-compositor ended: ", status->describe());
    return exit_code(*status);
  }
  auto now = Clock::now();
  for (Supervised* child : {&appd_, &shell_}) {
    if (child->gave_up) continue;
    if (child->restart_at) {
      if (now < *child->restart_at) continue;
      if (auto started = spawn(*child); !started && !schedule_restart(*child, started.error().message)) return 1;
      continue;
    }
    auto status = child->process.try_wait();
    if (!status) continue;
    ::kill(-child->process.pid(), SIGKILL);  // the rest of its process group (e.g. WebKit processes) goes with it
    if (!schedule_restart(*child, "ended: " + status->describe())) return 1;
  }
  sweep_orphans(false);
  return std::nullopt;
}

bool Session::schedule_restart(Supervised& child, const std::string& why) {
  auto now = Clock::now();
  auto delay = child.policy.on_crash(now);
  if (!delay) {
    log::error(child.name, " ", why, "; it failed ", RestartPolicy::kMaxRestarts + 1, " times within ",
               RestartPolicy::kRestartWindow.count(), " s: not restarting it, ending the session");
    child.gave_up = true;
    child.restart_at.reset();
    return false;
  }
  log::warn(child.name, " ", why, "; restarting it in ", delay->count(), " ms");
  child.restart_at = now + *delay;
  return true;
}

void Session::sweep_orphans(bool kill_now) {
  std::set<pid_t> known;
  for (Supervised* child : {&compositor_, &appd_, &shell_})
    if (child->process.running()) known.insert(child->process.pid());
  auto now = Clock::now();
  std::map<pid_t, Clock::time_point> still;
  for (auto [pid, zombie] : own_children()) {
    if (known.count(pid)) continue;
    if (zombie) {
      ::waitpid(pid, nullptr, WNOHANG);
      continue;
    }
    auto seen = orphans_.count(pid) ? orphans_[pid] : now;
    if (seen == now && !kill_now) log::info("ending orphaned process pid=", pid);
    ::kill(pid, (kill_now || now - seen >= kOrphanGrace) ? SIGKILL : SIGTERM);
    still[pid] = seen;
  }
  orphans_ = std::move(still);
}

void Session::end_child(Supervised& child, std::chrono::milliseconds grace) {
  child.restart_at.reset();
  if (!child.process.running()) return;
  // SIGTERM to the process itself (appd stops its sessions in order; a group signal would race it), SIGKILL to its
  // whole process group after the grace period or once it has gone.
  pid_t pid = child.process.pid();
  ::kill(pid, SIGTERM);
  auto status = child.process.wait(grace);
  ::kill(-pid, SIGKILL);
  if (!status) status = child.process.wait();
  log::info(child.name, " stopped: ", status ? status->describe() : std::string("unknown"));
}

void Session::stop() {
  if (stopped_) return;
  stopped_ = true;
  // Reverse start order: appd ends every app session, then the shell, then the compositor (§1.1).
  for (Supervised* child : {&appd_, &shell_, &compositor_})
    end_child(*child, std::chrono::duration_cast<std::chrono::milliseconds>(kStopGrace));
  // Orphans get SIGTERM, then SIGKILL after kOrphanGrace; everything is reaped.
  auto deadline = Clock::now() + kStopGrace;
  while (Clock::now() < deadline) {
    sweep_orphans(Clock::now() + kOrphanGrace >= deadline);
    if (own_children().empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!weft_dir_.empty()) {
    if (auto display_file = paths::compositor_display_file(); display_file.ok()) ::unlink(display_file->c_str());
  }
}

}  // namespace weft::session
