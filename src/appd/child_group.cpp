#include "child_group.hpp"

#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "weft/core/log.hpp"
#include "weft/core/ready.hpp"

namespace weft::appd {
namespace {

constexpr int kRuntimeTasksMax = 64;
constexpr int kAppShellTasksMax = 512;
constexpr guint kExitPollMs = 50;  // fallback when pidfd_open is unavailable

bool write_text(const std::string& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has_word(const std::string& list, std::string_view word) {
  std::istringstream in(list);
  std::string item;
  while (in >> item)
    if (item == word) return true;
  return false;
}

// The cgroup2 mount point and appd's own directory beneath it ("0::<path>" in /proc/self/cgroup).
std::optional<std::string> own_cgroup_v2_dir() {
  std::string mount;
  std::ifstream mounts("/proc/self/mounts");
  std::string dev, dir, type, rest;
  while (mounts >> dev >> dir >> type && std::getline(mounts, rest)) {
    if (type == "cgroup2") {
      mount = dir;
      break;
    }
  }
  if (mount.empty()) return std::nullopt;
  std::ifstream groups("/proc/self/cgroup");
  std::string line;
  while (std::getline(groups, line)) {
    if (line.rfind("0::", 0) == 0) {
      std::string rel = line.substr(3);
      return rel == "/" ? mount : mount + rel;
    }
  }
  return std::nullopt;
}

// (b) is possible when appd may create child groups and move processes: its directory and cgroup.procs are writable.
bool delegated(const std::string& dir) {
  return ::access(dir.c_str(), W_OK) == 0 && ::access((dir + "/cgroup.procs").c_str(), W_OK) == 0 &&
         ::access((dir + "/cgroup.subtree_control").c_str(), W_OK) == 0;
}

// cgroup v2's "no internal processes" rule: appd leaves its own directory for `<own>/supervisor` so the controllers
// can be enabled for the session groups beside it.
bool prepare_delegation(const std::string& base) {
  std::string supervisor = base + "/supervisor";
  if (::mkdir(supervisor.c_str(), 0755) != 0 && errno != EEXIST) return false;
  if (!write_text(supervisor + "/cgroup.procs", "0")) return false;
  std::string available = read_text(base + "/cgroup.controllers");
  for (const char* controller : {"cpu", "memory", "pids"}) {
    if (!has_word(available, controller)) continue;
    if (!write_text(base + "/cgroup.subtree_control", std::string("+") + controller))
      log::warn("cgroup: cannot enable the ", controller, " controller in ", base);
  }
  return true;
}

// A cgroup can be removed only once empty; after cgroup.kill its processes take a moment to exit.
void remove_cgroup(const std::string& dir) {
  constexpr int kAttempts = 100;  // × 2 ms
  for (int i = 0; i < kAttempts; ++i) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) break;
    ::usleep(2000);
  }
  log::warn("cgroup ", dir, " could not be removed: ", std::strerror(errno));
}

}  // namespace

const char* role_name(ChildRole role) {
  switch (role) {
    case ChildRole::runtime: return "runtime";
    case ChildRole::app_shell: return "app-shell";
    case ChildRole::portal: return "portal";
  }
  return "child";
}

ResourceGroups::ResourceGroups(GroupMechanism mechanism, std::string cgroup_base, const AppdConfig& config)
    : mechanism_(mechanism),
      cgroup_base_(std::move(cgroup_base)),
      cpu_quota_(config.cpu_quota),
      memory_max_(config.memory_max),
      shell_memory_max_(config.shell_memory_max) {}

ResourceGroups ResourceGroups::detect(const AppdConfig& config) {
  if (config.cgroups_disabled) {
    log::info("resource groups: WEFT_DISABLE_CGROUP is set; apps run in process groups and no limits apply");
    return ResourceGroups(GroupMechanism::process_group, "", config);
  }
  std::string runtime_dir = config.weft_dir.substr(0, config.weft_dir.rfind('/'));
  if (::access((runtime_dir + "/systemd/private").c_str(), F_OK) == 0 && ::access("/usr/bin/systemd-run", X_OK) == 0) {
    log::info("resource groups: systemd user scopes under weft-apps.slice");
    return ResourceGroups(GroupMechanism::systemd_scope, "", config);
  }
  if (auto own = own_cgroup_v2_dir(); own && delegated(*own)) {
    // Limits need the controllers; on hybrid hosts cpu, memory and pids are bound to cgroup v1 and v2 offers none.
    std::string available = read_text(*own + "/cgroup.controllers");
    bool any = false;
    for (const char* controller : {"cpu", "memory", "pids"}) any = any || has_word(available, controller);
    if (!any) {
      log::warn("resource groups: the cgroup v2 directory ", *own, " offers none of the cpu, memory and pids "
                "controllers (they are bound to cgroup v1 on this host); apps run in process groups and no CPU, "
                "memory or task limits apply");
      return ResourceGroups(GroupMechanism::process_group, "", config);
    }
    if (prepare_delegation(*own)) {
      log::info("resource groups: cgroup v2 subtree of ", *own, " (controllers: ", available.substr(0, available.find('\n')), ")");
      return ResourceGroups(GroupMechanism::cgroup_v2, *own, config);
    }
  }
  log::warn("resource groups: no systemd user manager and no delegated cgroup v2 directory; apps run in process "
            "groups and no CPU, memory or task limits apply");
  return ResourceGroups(GroupMechanism::process_group, "", config);
}

Result<ResourceGroups::Spawned> ResourceGroups::spawn(uint64_t session_id, ChildRole role, SpawnOptions options) const {
  return spawn_in_group(std::to_string(session_id), "s" + std::to_string(session_id), role, std::move(options));
}

Result<ResourceGroups::Spawned> ResourceGroups::spawn_unattached(const std::string& name, ChildRole role,
                                                                 SpawnOptions options) const {
  return spawn_in_group(name, name, role, std::move(options));
}

Result<ResourceGroups::Spawned> ResourceGroups::spawn_in_group(const std::string& unit_name,
                                                               const std::string& cgroup_name, ChildRole role,
                                                               SpawnOptions options) const {
  options.new_process_group = true;
  Spawned spawned;
  const bool shell = role == ChildRole::app_shell;
  const std::string& memory = shell ? shell_memory_max_ : memory_max_;
  const int tasks = shell ? kAppShellTasksMax : kRuntimeTasksMax;
  UniqueFd procs;
  if (mechanism_ == GroupMechanism::systemd_scope) {
    std::string unit = "weft-" + unit_name + "-" + role_name(role) + "-" + ready::random_token().substr(0, 8);
    std::vector<std::string> argv = {"/usr/bin/systemd-run", "--user", "--scope", "--quiet", "--collect",
                                     "--unit=" + unit, "--slice=weft-apps.slice", "-p", "CPUQuota=" + cpu_quota_,
                                     "-p", "MemoryMax=" + memory, "-p", "TasksMax=" + std::to_string(tasks), "--"};
    argv.insert(argv.end(), options.argv.begin(), options.argv.end());
    options.argv = std::move(argv);
    spawned.scope_unit = unit + ".scope";
  } else if (mechanism_ == GroupMechanism::cgroup_v2) {
    std::string dir = cgroup_base_ + "/" + cgroup_name + "-" + role_name(role);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      return fail(errno_error("cgroup directory " + dir).message, 500);
    auto quota = parse_cpu_quota_us(cpu_quota_);
    auto bytes = parse_byte_size(memory);
    // Limit files exist only for controllers enabled in the parent; a missing one is logged, not fatal.
    if (quota && !write_text(dir + "/cpu.max", std::to_string(*quota) + " 100000"))
      log::debug("cgroup: no cpu.max in ", dir);
    if (bytes && !write_text(dir + "/memory.max", std::to_string(*bytes))) log::debug("cgroup: no memory.max in ", dir);
    if (!write_text(dir + "/pids.max", std::to_string(tasks))) log::debug("cgroup: no pids.max in ", dir);
    procs = UniqueFd(::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!procs) return fail(errno_error("open " + dir + "/cgroup.procs").message, 500);
    options.cgroup_procs_fd = procs.get();
    spawned.cgroup_dir = dir;
  }
  auto child = ChildProcess::spawn(options);
  if (!child.ok()) {
    if (spawned.cgroup_dir) remove_cgroup(*spawned.cgroup_dir);
    return fail(child.error().message, 500);
  }
  spawned.process = std::move(child).value();
  return spawned;
}

SupervisedChild::SupervisedChild(ChildRole role, ResourceGroups::Spawned spawned,
                                 std::function<void(const ExitStatus&)> on_exit)
    : role_(role),
      process_(std::move(spawned.process)),
      cgroup_dir_(std::move(spawned.cgroup_dir)),
      scope_unit_(std::move(spawned.scope_unit)),
      on_exit_(std::move(on_exit)) {
  pidfd_ = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, process_.pid(), 0)));
  if (pidfd_) {
    watch_.reset(g_unix_fd_add(pidfd_.get(), G_IO_IN, &on_pidfd, this));
  } else {
    poll_fallback_.reset(g_timeout_add(kExitPollMs, [](gpointer self) -> gboolean {
      auto* child = static_cast<SupervisedChild*>(self);
      if (!child->process_.try_wait()) return G_SOURCE_CONTINUE;
      child->poll_fallback_.release();
      child->reap();
      return G_SOURCE_REMOVE;
    }, this));
  }
}

SupervisedChild::~SupervisedChild() {
  watch_.reset();
  poll_fallback_.reset();
  if (!exited_) {
    signal_group(SIGKILL);
    process_.wait(std::chrono::milliseconds(2000));
  }
  if (cgroup_dir_) remove_cgroup(*cgroup_dir_);
}

gboolean SupervisedChild::on_pidfd(gint, GIOCondition, gpointer self) {
  auto* child = static_cast<SupervisedChild*>(self);
  child->watch_.release();
  child->reap();
  return G_SOURCE_REMOVE;
}

void SupervisedChild::reap() {
  auto status = process_.try_wait();
  if (!status) status = process_.wait(std::chrono::milliseconds(1000));
  exited_ = true;
  // The group may hold descendants (WebKit's web and network processes) that outlive the leader.
  signal_group(SIGKILL);
  if (cgroup_dir_) remove_cgroup(*std::exchange(cgroup_dir_, std::nullopt));
  if (on_exit_) on_exit_(status.value_or(ExitStatus{}));
}

bool SupervisedChild::set_cpu_weight(int weight) {
  return cgroup_dir_ && write_text(*cgroup_dir_ + "/cpu.weight", std::to_string(weight));
}

void SupervisedChild::signal_group(int sig) {
  if (sig == SIGKILL && cgroup_dir_ && write_text(*cgroup_dir_ + "/cgroup.kill", "1")) return;
  if (process_.pid() > 0) ::kill(-process_.pid(), sig);
}

}  // namespace weft::appd
