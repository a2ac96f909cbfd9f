// Launch benchmark (issues 16 and 13): the real weft-session, headless, under a private user, run twice — with appd's
// pre-started app-shell pool (WEFT_APP_SHELL_POOL=1, the default) and without it (0, every app shell starts cold).
// Prints, asserting nothing:
//   - session start → desktop ready: the shell's system page presented ("ready: system page presented", logged by
//     weft-shell once the compositor reported the frame presented) and appd answering QUERY_INSTALLED_APPS;
//   - LAUNCH_APP → APP_READY (state `running`) for each demo: the app shell reports ready only after the compositor's
//     presentation feedback for its first frame after load, and the runtime after its component started; p50/p95
//     over N launches, each 1 s after the previous app stopped and, with the pool, after its new shell was warm (the
//     steady state of someone opening apps a few seconds apart);
//   - the pool's refill: from APP_READY of the launch that took the shell to the new shell's WARM (web processes up,
//     blank page loaded), the CPU time the new shell's process tree used for it, and the CPU time any pool process
//     other than the launched app used while the app was loading (LAUNCH_APP → APP_READY);
//   - idle desktop PSS (compositor + shell with its WebKit processes + appd, with the pool: plus its idle shell) and
//     USS per running app (runtime + app shell + its WebKit processes).
// Run: WEFT_BUILD_DIR=<build> <build>/bin/launch_bench [launches per app]
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "appd_client.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/process_memory.hpp"
#include "weft/test/temp_dir.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using weft::test::Memory;
namespace msg = weft::ipc::appd;

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "launch_bench: %s\n", why.c_str());
  std::exit(1);
}

// weft-session's stderr (its own log and its children's), read line by line as it arrives.
class LogReader {
 public:
  explicit LogReader(weft::UniqueFd fd) : fd_(std::move(fd)) {}
  /// Reads until a line containing `needle` arrived or `timeout_ms` passed; the time it was read.
  std::optional<Clock::time_point> wait_for(const std::string& needle, int timeout_ms) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
      size_t nl;
      while ((nl = pending_.find('\n')) != std::string::npos) {
        std::string line = pending_.substr(0, nl);
        pending_.erase(0, nl + 1);
        if (line.find(kPoolWarmNeedle) != std::string::npos) warm_lines_.push_back({Clock::now(), line});
        if (line.find(needle) != std::string::npos) {
          last_match_ = line;
          return Clock::now();
        }
      }
      // Rounded up: truncating a 1 ms wait gave 0 before the first poll, so nothing was ever read.
      auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return std::nullopt;
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[8192];
      ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
      if (n <= 0) return std::nullopt;
      pending_.append(buffer, static_cast<size_t>(n));
    }
  }
  /// appd's next "app-shell pool: shell <pid> is warm after <ms> ms" line (also those read while waiting for other
  /// lines), with the time it was read.
  std::optional<std::pair<Clock::time_point, std::string>> next_warm(int timeout_ms) {
    if (warm_lines_.empty() && !wait_for(kPoolWarmNeedle, timeout_ms)) return std::nullopt;
    if (warm_lines_.empty()) return std::nullopt;
    auto first = warm_lines_.front();
    warm_lines_.erase(warm_lines_.begin());
    return first;
  }
  static constexpr const char* kPoolWarmNeedle = "is warm after";
  /// The line the last successful wait_for() found.
  [[nodiscard]] const std::string& last_match() const { return last_match_; }
  /// Drops what arrived so far (keeps the pipe from filling while the bench does other things).
  void drain() {
    char buffer[8192];
    pollfd p{fd_.get(), POLLIN, 0};
    while (::poll(&p, 1, 0) > 0 && ::read(fd_.get(), buffer, sizeof buffer) > 0) {
    }
    pending_.clear();
  }

 private:
  weft::UniqueFd fd_;
  std::string pending_;
  std::string last_match_;
  std::vector<std::pair<Clock::time_point, std::string>> warm_lines_;
};

pid_t child_named(pid_t parent, const std::string& name) {
  for (const auto& child : weft::test::children_of(parent))
    if (child.comm == name) return child.pid;
  return -1;
}

// Polls QUERY_APP_STATE (the Unix API carries no broadcasts) every 2 ms until `running`; the time it was seen.
Clock::time_point wait_running(weft::session::AppdClient& appd, uint64_t session, const std::string& app) {
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline) {
    auto state = appd.state(session);
    if (!state) die("QUERY_APP_STATE for " + app + ": " + state.error().message);
    if (*state == "running") return Clock::now();
    if (*state == "stopped") die(app + " stopped before it was ready");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  die(app + " was not ready within 60 s");
}

void wait_stopped(weft::session::AppdClient& appd, uint64_t session) {
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    auto state = appd.state(session);
    if (!state || *state == "stopped") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

struct AppFigures {
  std::string app;
  std::vector<double> launch_ms;  // LAUNCH_APP → APP_READY, in launch order
  Memory running;                 // runtime + app shell tree, measured on the last launch
};

struct ModeFigures {
  int pool = 0;
  double shell_ms = 0, appd_ms = 0, desktop_ready_ms = 0;
  std::vector<std::pair<std::string, Memory>> desktop;
  std::vector<AppFigures> apps;
  std::vector<double> refill_ms;        // APP_READY → the refilled shell's WARM
  std::vector<double> refill_cpu_ms;    // CPU time of the refilled shell's tree up to WARM
  std::vector<double> pool_cpu_during_launch_ms;  // CPU time of pool processes other than the launched app's
};

// utime + stime of one process, ms (0 once it is gone).
double cpu_ms(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15 (1-based) of stat(5)
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double tree_cpu_ms(pid_t root) {
  double total = cpu_ms(root);
  for (const auto& p : weft::test::descendants(root)) total += cpu_ms(p.pid);
  return total;
}

std::set<pid_t> app_shells_of(pid_t appd) {
  std::set<pid_t> pids;
  for (const auto& child : weft::test::children_of(appd))
    if (child.comm == "weft-app-shell") pids.insert(child.pid);
  return pids;
}

ModeFigures run_session(int pool, int launches) {
  ModeFigures figures;
  figures.pool = pool;
  weft::test::TempDir root("launch-bench");
  std::string runtime_dir = root / "run", home = root / "home";
  ::mkdir(runtime_dir.c_str(), 0700);
  ::mkdir(home.c_str(), 0700);

  auto pipe = weft::make_pipe();
  if (!pipe) die(pipe.error().message);
  weft::SpawnOptions options;
  options.argv = {weft::test::executable("weft-session"), "--headless", "--output", "1024x640"};
  options.env = {"PATH=" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin"),
                 "HOME=" + home, "XDG_RUNTIME_DIR=" + runtime_dir, "WEFT_LOG=info",
                 "WEFT_APP_SHELL_POOL=" + std::to_string(pool)};
  options.fd_map = {{pipe->second.get(), 2}};
  options.new_process_group = true;
  auto started = Clock::now();
  auto session = weft::ChildProcess::spawn(options);
  if (!session) die("weft-session: " + session.error().message);
  pipe->second.reset();
  LogReader log(std::move(pipe->first));

  // ---- session start → desktop ready: watch the log and try appd in turns of ≤ 2 ms
  std::string socket = runtime_dir + "/weft/appd.sock";
  std::optional<weft::session::AppdClient> appd;
  std::optional<Clock::time_point> shell_presented;
  Clock::time_point appd_answered;
  for (auto deadline = Clock::now() + std::chrono::seconds(90); !(appd && shell_presented);) {
    if (Clock::now() > deadline)
      die(shell_presented ? "appd did not answer QUERY_INSTALLED_APPS" : "weft-shell never presented its page");
    if (!shell_presented) shell_presented = log.wait_for("ready: system page presented", 1);
    if (!appd) {
      if (auto client = weft::session::AppdClient::connect(socket); client && client->installed()) {
        appd_answered = Clock::now();
        appd.emplace(std::move(*client));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }
  figures.desktop_ready_ms = ms_between(started, std::max(*shell_presented, appd_answered));
  figures.shell_ms = ms_between(started, *shell_presented);
  figures.appd_ms = ms_between(started, appd_answered);

  // ---- idle desktop memory (after the first frames settled and, with the pool, its shell is warm)
  if (pool > 0 && !log.next_warm(60000)) die("the pool shell never became warm");
  std::this_thread::sleep_for(std::chrono::seconds(2));
  if (pool == 0) log.drain();
  for (const char* name : {"weft-compositor", "weft-shell", "weft-appd"}) {
    pid_t pid = child_named(session->pid(), name);
    if (pid < 0) die(std::string(name) + " is not running under weft-session");
    figures.desktop.push_back({name, weft::test::tree_memory(pid)});
  }
  pid_t appd_pid = child_named(session->pid(), "weft-appd");

  // ---- launches, each to APP_READY and terminated again
  for (const char* app : {"org.weft.demo.counter", "org.weft.demo.notes"}) {
    AppFigures app_figures{app, {}, {}};
    for (int i = 0; i < launches; ++i) {
      // Launches 1 s apart after the previous one stopped (and, with the pool, after its new shell said WARM): someone
      // opening apps one after another, not a launch storm.
      std::this_thread::sleep_for(std::chrono::seconds(1));
      std::set<pid_t> pool_before = app_shells_of(appd_pid);  // the idle pool shells (none without a pool)
      auto sent = Clock::now();
      auto id = appd->launch(app);
      if (!id) die("LAUNCH_APP " + std::string(app) + ": " + id.error().message);
      auto ready = wait_running(*appd, *id, app);
      app_figures.launch_ms.push_back(ms_between(sent, ready));
      // Pool processes other than the launched app's shell (a refill started during the load would show here).
      if (pool > 0) {
        double other = 0;
        for (pid_t shell : app_shells_of(appd_pid))
          if (!pool_before.count(shell)) other += tree_cpu_ms(shell);
        figures.pool_cpu_during_launch_ms.push_back(other);
      }
      if (i == launches - 1) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        for (const auto& child : weft::test::children_of(appd_pid)) {
          bool session_shell = child.comm == "weft-app-shell" &&
                               (pool_before.count(child.pid) || weft::test::command_line(child.pid).find(app) != std::string::npos);
          if (child.comm == "weft-runtime" || session_shell) app_figures.running += weft::test::tree_memory(child.pid);
        }
      }
      if (pool > 0) {
        // The refill: the new shell's WARM line, its time since APP_READY and its tree's CPU time.
        auto warm = log.next_warm(60000);
        if (!warm) die("the pool was not refilled after launching " + std::string(app));
        figures.refill_ms.push_back(ms_between(ready, warm->first));
        const std::string& line = warm->second;
        pid_t refilled = std::atoi(line.substr(line.find("app-shell pool: shell ") + 22).c_str());
        figures.refill_cpu_ms.push_back(tree_cpu_ms(refilled));
      }
      if (auto stop = appd->request(msg::TerminateApp{*id, false}); !stop) die("TERMINATE_APP: " + stop.error().message);
      wait_stopped(*appd, *id);
      if (pool == 0) log.drain();
    }
    figures.apps.push_back(std::move(app_figures));
  }
  session->terminate(std::chrono::seconds(15));
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  int launches = argc > 1 ? std::atoi(argv[1]) : 20;
  if (launches < 2 || launches > 200) {
    std::fprintf(stderr, "usage: launch_bench [launches per app (2-200)]\n");
    return 2;
  }
  std::vector<ModeFigures> modes = {run_session(1, launches), run_session(0, launches)};

  std::printf("launch_bench: weft-session --headless 1024x640, %d launches per app, pre-warmed (pool of 1) and cold\n\n",
              launches);
  std::printf("| measure | pre-warmed ms | cold ms |\n|---|---|---|\n");
  auto row = [&](const char* name, auto get) { std::printf("| %s | %.0f | %.0f |\n", name, get(modes[0]), get(modes[1])); };
  row("session start → shell page presented", [](const ModeFigures& m) { return m.shell_ms; });
  row("session start → appd answers", [](const ModeFigures& m) { return m.appd_ms; });
  row("session start → desktop ready (both)", [](const ModeFigures& m) { return m.desktop_ready_ms; });
  for (size_t a = 0; a < modes[0].apps.size(); ++a) {
    const std::string& app = modes[0].apps[a].app;
    std::printf("| %s LAUNCH_APP → APP_READY, first | %.0f | %.0f |\n", app.c_str(), modes[0].apps[a].launch_ms[0],
                modes[1].apps[a].launch_ms[0]);
    std::printf("| %s LAUNCH_APP → APP_READY, p50 | %.0f | %.0f |\n", app.c_str(),
                percentile(modes[0].apps[a].launch_ms, 0.5), percentile(modes[1].apps[a].launch_ms, 0.5));
    std::printf("| %s LAUNCH_APP → APP_READY, p95 | %.0f | %.0f |\n", app.c_str(),
                percentile(modes[0].apps[a].launch_ms, 0.95), percentile(modes[1].apps[a].launch_ms, 0.95));
  }
  const ModeFigures& pooled = modes[0];
  std::printf("\n| pool refill (%zu refills) | p50 | p95 |\n|---|---|---|\n", pooled.refill_ms.size());
  std::printf("| APP_READY → refilled shell warm, ms | %.0f | %.0f |\n", percentile(pooled.refill_ms, 0.5),
              percentile(pooled.refill_ms, 0.95));
  std::printf("| CPU time of the refill (shell + WebKit processes), ms | %.0f | %.0f |\n",
              percentile(pooled.refill_cpu_ms, 0.5), percentile(pooled.refill_cpu_ms, 0.95));
  std::printf("| CPU time of other pool processes during a launch, ms | %.0f | %.0f |\n",
              percentile(pooled.pool_cpu_during_launch_ms, 0.5), percentile(pooled.pool_cpu_during_launch_ms, 0.95));

  for (const auto& mode : modes) {
    std::printf("\n| %s: process (with its children) | PSS MiB | USS MiB |\n|---|---|---|\n",
                mode.pool ? "pre-warmed" : "cold");
    Memory idle;
    for (const auto& [name, memory] : mode.desktop) {
      std::printf("| %s | %.1f | %.1f |\n", name.c_str(), memory.pss_kb / 1024.0, memory.uss_kb / 1024.0);
      idle += memory;
    }
    std::printf("| idle desktop (sum) | %.1f | %.1f |\n", idle.pss_kb / 1024.0, idle.uss_kb / 1024.0);
    for (const auto& app : mode.apps)
      std::printf("| running %s (runtime + app shell + WebKit) | %.1f | %.1f |\n", app.app.c_str(),
                  app.running.pss_kb / 1024.0, app.running.uss_kb / 1024.0);
  }
  return 0;
}
