#include "app_shell_pool.hpp"

#include <glib-unix.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "weft/core/ipc/app_shell_pool.hpp"
#include "weft/core/log.hpp"
#include "weft/core/ready.hpp"

namespace weft::appd {
namespace {

constexpr auto kEarlyDeath = std::chrono::seconds(60);  // a shell dying sooner than this after its start is a failure

void remove_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  if (ec) log::warn("app-shell pool: cannot remove ", dir, ": ", ec.message());
}

int elapsed_ms(std::chrono::steady_clock::time_point since) {
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count());
}

}  // namespace

struct AppShellPool::Idle {
  AppShellPool* owner = nullptr;
  PooledShell shell;
  std::string said;  // bytes read from the control channel so far (≤ the WARM line)
  bool dead = false;
  // After `shell`: removed before the fds they watch are closed.
  glib::SourceId control_watch;
  glib::SourceId warm_timer;
};

AppShellPool::AppShellPool(const AppdConfig& config, const ResourceGroups& groups,
                           std::function<bool()> launch_in_flight)
    : config_(config), groups_(groups), launch_in_flight_(std::move(launch_in_flight)) {}

AppShellPool::~AppShellPool() {
  begin_timer_.reset();
  spawn_source_.reset();
  reap_source_.reset();
  for (auto& idle : idle_) {
    idle->control_watch.reset();
    idle->warm_timer.reset();
    idle->shell.child.reset();  // SIGKILL to its group and reaped
    remove_directory(idle->shell.dir);
  }
}

std::unique_ptr<PooledShell> AppShellPool::take() {
  auto usable = [](const std::unique_ptr<Idle>& i) { return !i->dead && i->shell.child && i->shell.child->running(); };
  auto it = std::find_if(idle_.begin(), idle_.end(), [&](const auto& i) { return usable(i) && i->shell.warm; });
  if (it == idle_.end()) it = std::find_if(idle_.begin(), idle_.end(), usable);
  if (it == idle_.end()) return nullptr;
  std::unique_ptr<Idle> idle = std::move(*it);
  idle_.erase(it);
  idle->control_watch.reset();
  idle->warm_timer.reset();
  auto shell = std::make_unique<PooledShell>(std::move(idle->shell));
  pid_t pid = shell->child->pid();
  // The taker sets its own callback at once; until then an exit is only logged.
  shell->child->set_on_exit([pid](const ExitStatus& s) { log::info("app-shell pool: taken shell ", pid, " ", s.describe()); });
  shell->child->set_cpu_weight(kTakenCpuWeight);
  return shell;
}

void AppShellPool::begin_after(int delay_ms) {
  if (config_.app_shell_pool <= 0) return;
  if (delay_ms <= 0) {
    begin_timer_.reset();
    begun_ = true;
    return refill();
  }
  begin_timer_.reset(g_timeout_add_full(G_PRIORITY_LOW, static_cast<guint>(delay_ms), [](gpointer self) -> gboolean {
    auto* pool = static_cast<AppShellPool*>(self);
    pool->begin_timer_.release();
    pool->begun_ = true;
    pool->refill();
    return G_SOURCE_REMOVE;
  }, this, nullptr));
}

void AppShellPool::refill() {
  if (stopped_ || !begun_ || config_.app_shell_pool <= 0 || spawn_source_) return;
  if (idle_.size() >= static_cast<size_t>(config_.app_shell_pool)) return;
  if (launch_in_flight_ && launch_in_flight_()) return;  // asked again when the launch settles
  schedule_spawn(retry_ms_);
}

void AppShellPool::schedule_spawn(int delay_ms) {
  auto run = [](gpointer self) -> gboolean {
    auto* pool = static_cast<AppShellPool*>(self);
    pool->spawn_source_.release();
    pool->spawn_missing();
    return G_SOURCE_REMOVE;
  };
  // Low priority: every pending event of running sessions and API clients goes first.
  spawn_source_.reset(delay_ms > 0 ? g_timeout_add_full(G_PRIORITY_LOW, static_cast<guint>(delay_ms), run, this, nullptr)
                                   : g_idle_add_full(G_PRIORITY_LOW, run, this, nullptr));
}

void AppShellPool::spawn_missing() {
  if (stopped_ || (launch_in_flight_ && launch_in_flight_())) return;
  while (idle_.size() < static_cast<size_t>(config_.app_shell_pool)) {
    if (auto spawned = spawn_one(); !spawned.ok()) {
      retry_ms_ = retry_ms_ ? std::min(retry_ms_ * 2, kMaxRetryMs) : kFirstRetryMs;
      log::warn("app-shell pool: cannot start a shell (retrying in ", retry_ms_, " ms): ", spawned.error().message);
      schedule_spawn(retry_ms_);
      return;
    }
  }
}

Result<void> AppShellPool::spawn_one() {
  // Fresh and unused for every shell: its name, directory, control channel and (inside the shell) network namespace.
  std::string name = "pool-" + ready::random_token().substr(0, 16);
  std::string dir = config_.weft_dir + "/shell-" + name;
  for (const std::string& d : {dir, dir + "/cache", dir + "/data"})
    if (::mkdir(d.c_str(), 0700) != 0) {
      Error error = errno_error("mkdir " + d);
      remove_directory(dir);
      return fail(error.message);
    }
  auto control = unix_socket_pair();
  auto out_pipe = make_pipe();
  auto err_pipe = make_pipe();
  if (!control.ok() || !out_pipe.ok() || !err_pipe.ok()) {
    remove_directory(dir);
    return fail("socketpair or pipes for a pool shell: out of descriptors");
  }
  SpawnOptions options;
  options.argv = {config_.app_shell_bin, "--pool"};
  options.env = child_base_environment(config_);
  // What a cold start sets at process start, per shell: its private XDG directories. No WAYLAND_DISPLAY, no socket.
  options.env.insert(options.env.end(), {"XDG_CACHE_HOME=" + dir + "/cache", "XDG_DATA_HOME=" + dir + "/data",
                                         "WEFT_POOL_FD=3"});
  if (config_.ui_kit_js) options.env.push_back("WEFT_UI_KIT_JS=" + *config_.ui_kit_js);
  options.fd_map = {{out_pipe->second.get(), 1}, {err_pipe->second.get(), 2}, {control->second.get(), 3}};
  options.null_stdio = true;
  auto spawned = groups_.spawn_unattached(name, ChildRole::app_shell, std::move(options));
  if (!spawned.ok()) {
    remove_directory(dir);
    return fail("cannot start weft-app-shell --pool: " + spawned.error().message);
  }
  auto idle = std::make_unique<Idle>();
  Idle* raw = idle.get();
  raw->owner = this;
  raw->shell.started = std::chrono::steady_clock::now();
  raw->shell.dir = dir;
  raw->shell.control = std::move(control->first);
  raw->shell.child = std::make_unique<SupervisedChild>(ChildRole::app_shell, std::move(spawned).value(),
                                                       [this, raw](const ExitStatus& s) { on_idle_exit(raw, s); });
  raw->shell.child->set_cpu_weight(kIdleCpuWeight);
  std::string label = "app-shell " + name + " (pid " + std::to_string(raw->shell.child->pid()) + ")";
  raw->shell.drains.push_back(std::make_unique<OutputDrain>(std::move(out_pipe->first), label + " stdout"));
  raw->shell.drains.push_back(std::make_unique<OutputDrain>(std::move(err_pipe->first), label + " stderr"));
  (void)set_nonblocking(raw->shell.control.get());
  raw->control_watch.reset(g_unix_fd_add(raw->shell.control.get(), GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR),
                                         [](gint, GIOCondition, gpointer data) -> gboolean {
                                           auto* i = static_cast<Idle*>(data);
                                           i->owner->on_control_readable(i);
                                           return G_SOURCE_CONTINUE;  // the callee removes the watch when done
                                         },
                                         raw));
  raw->warm_timer.reset(g_timeout_add(kWarmTimeoutMs, [](gpointer data) -> gboolean {
    auto* i = static_cast<Idle*>(data);
    i->warm_timer.release();
    i->owner->discard(i, "not warm within " + std::to_string(kWarmTimeoutMs / 1000) + " s", true);
    return G_SOURCE_REMOVE;
  }, raw));
  log::info("app-shell pool: started ", label);
  idle_.push_back(std::move(idle));
  return ok();
}

void AppShellPool::on_control_readable(Idle* idle) {
  char buffer[16];
  ssize_t n = ::read(idle->shell.control.get(), buffer, sizeof buffer);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {  // the shell is going away; its exit is handled by the pidfd watch
    idle->control_watch.reset();
    return;
  }
  idle->said.append(buffer, static_cast<size_t>(n));
  std::string_view warm = ipc::kPoolWarmLine;
  if (idle->said.size() > warm.size() || warm.substr(0, idle->said.size()) != idle->said)
    return discard(idle, "its control channel carried something other than WARM", true);
  if (idle->said.size() < warm.size()) return;
  idle->control_watch.reset();
  idle->warm_timer.reset();
  idle->shell.warm = true;
  log::info("app-shell pool: shell ", idle->shell.child->pid(), " is warm after ", elapsed_ms(idle->shell.started), " ms");
}

void AppShellPool::on_idle_exit(Idle* idle, const ExitStatus& status) {
  const bool early = std::chrono::steady_clock::now() - idle->shell.started < kEarlyDeath;
  discard(idle, "exited while idle: " + status.describe(), early && !stopped_);
}

void AppShellPool::discard(Idle* idle, const std::string& why, bool failed_early) {
  if (idle->dead) return;
  idle->dead = true;
  idle->control_watch.reset();
  idle->warm_timer.reset();
  if (!stopped_) log::warn("app-shell pool: shell ", idle->shell.child->pid(), " ", why, "; replacing it");
  if (failed_early) retry_ms_ = retry_ms_ ? std::min(retry_ms_ * 2, kMaxRetryMs) : kFirstRetryMs;
  // Removed from an idle: this may run inside the shell's own exit callback.
  if (!reap_source_)
    reap_source_.reset(g_idle_add([](gpointer self) -> gboolean {
      auto* pool = static_cast<AppShellPool*>(self);
      pool->reap_source_.release();
      for (auto it = pool->idle_.begin(); it != pool->idle_.end();) {
        if (!(*it)->dead) {
          ++it;
          continue;
        }
        (*it)->shell.child.reset();  // SIGKILL to what remains of its group, reaped
        remove_directory((*it)->shell.dir);
        it = pool->idle_.erase(it);
      }
      pool->refill();
      return G_SOURCE_REMOVE;
    }, this));
}

void AppShellPool::stop() {
  stopped_ = true;
  begin_timer_.reset();
  spawn_source_.reset();
  for (auto& idle : idle_)
    if (idle->shell.child && idle->shell.child->running()) idle->shell.child->signal_group(SIGTERM);
}

}  // namespace weft::appd
