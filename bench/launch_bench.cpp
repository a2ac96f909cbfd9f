// Launch benchmark (issue 16): the real weft-session, headless, under a private user. Prints, asserting nothing:
//   - session start → desktop ready: the shell's system page presented ("ready: system page presented", logged by
//     weft-shell once the compositor reported the frame presented) and appd answering QUERY_INSTALLED_APPS;
//   - LAUNCH_APP → APP_READY (state `running`) for each demo: the app shell reports ready only after the compositor's
//     presentation feedback for its first frame after load, and the runtime after its component started. The first
//     launch of an app in a fresh session is "cold" (its WebProcess, fonts and component read from disk for the first
//     time in this session); the following ones are "warm". p50/p95 over N launches;
//   - idle desktop PSS (compositor + shell with its WebKit processes + appd) and USS per running app (runtime + app
//     shell + its WebKit processes).
// Run: WEFT_BUILD_DIR=<build> <build>/bin/launch_bench [launches per app]
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
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
        if (line.find(needle) != std::string::npos) return Clock::now();
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
  double cold_ms = 0;
  std::vector<double> warm_ms;
  Memory running;  // runtime + app shell tree, measured on the last launch
};

}  // namespace

int main(int argc, char** argv) {
  int launches = argc > 1 ? std::atoi(argv[1]) : 20;
  if (launches < 2 || launches > 200) {
    std::fprintf(stderr, "usage: launch_bench [launches per app (2-200)]\n");
    return 2;
  }
  weft::test::TempDir root("launch-bench");
  std::string runtime_dir = root / "run", home = root / "home";
  ::mkdir(runtime_dir.c_str(), 0700);
  ::mkdir(home.c_str(), 0700);

  auto pipe = weft::make_pipe();
  if (!pipe) die(pipe.error().message);
  weft::SpawnOptions options;
  options.argv = {weft::test::executable("weft-session"), "--headless", "--output", "1024x640"};
  options.env = {"PATH=" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin"),
                 "HOME=" + home, "XDG_RUNTIME_DIR=" + runtime_dir, "WEFT_LOG=info"};
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
  double desktop_ready_ms = ms_between(started, std::max(*shell_presented, appd_answered));
  double shell_ms = ms_between(started, *shell_presented), appd_ms = ms_between(started, appd_answered);

  // ---- idle desktop memory (after the first frames settled)
  std::this_thread::sleep_for(std::chrono::seconds(2));
  log.drain();
  struct Part {
    const char* name;
    Memory memory;
  };
  std::vector<Part> desktop;
  for (const char* name : {"weft-compositor", "weft-shell", "weft-appd"}) {
    pid_t pid = child_named(session->pid(), name);
    if (pid < 0) die(std::string(name) + " is not running under weft-session");
    desktop.push_back({name, weft::test::tree_memory(pid)});
  }
  pid_t appd_pid = child_named(session->pid(), "weft-appd");

  // ---- launches: cold first, then warm, each to APP_READY and terminated again
  std::vector<AppFigures> apps;
  for (const char* app : {"org.weft.demo.counter", "org.weft.demo.notes"}) {
    AppFigures figures{app, 0, {}, {}};
    for (int i = 0; i < launches; ++i) {
      auto sent = Clock::now();
      auto id = appd->launch(app);
      if (!id) die("LAUNCH_APP " + std::string(app) + ": " + id.error().message);
      double ms = ms_between(sent, wait_running(*appd, *id, app));
      if (i == 0)
        figures.cold_ms = ms;
      else
        figures.warm_ms.push_back(ms);
      if (i == launches - 1) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        for (const auto& child : weft::test::children_of(appd_pid))
          if (child.comm == "weft-runtime" || child.comm == "weft-app-shell")
            figures.running += weft::test::tree_memory(child.pid);
      }
      if (auto stop = appd->request(msg::TerminateApp{*id, false}); !stop) die("TERMINATE_APP: " + stop.error().message);
      wait_stopped(*appd, *id);
      log.drain();
    }
    apps.push_back(std::move(figures));
  }
  session->terminate(std::chrono::seconds(15));

  std::printf("launch_bench: weft-session --headless 1024x640, %d launches per app (1 cold + %d warm)\n\n", launches,
              launches - 1);
  std::printf("| measure | ms |\n|---|---|\n");
  std::printf("| session start → shell page presented | %.0f |\n", shell_ms);
  std::printf("| session start → appd answers | %.0f |\n", appd_ms);
  std::printf("| session start → desktop ready (both) | %.0f |\n", desktop_ready_ms);
  for (const auto& app : apps) {
    std::printf("| %s LAUNCH_APP → APP_READY, cold | %.0f |\n", app.app.c_str(), app.cold_ms);
    std::printf("| %s LAUNCH_APP → APP_READY, warm p50 | %.0f |\n", app.app.c_str(), percentile(app.warm_ms, 0.5));
    std::printf("| %s LAUNCH_APP → APP_READY, warm p95 | %.0f |\n", app.app.c_str(), percentile(app.warm_ms, 0.95));
  }
  std::printf("\n| process (with its children) | PSS MiB | USS MiB |\n|---|---|---|\n");
  Memory idle;
  for (const auto& part : desktop) {
    std::printf("| %s | %.1f | %.1f |\n", part.name, part.memory.pss_kb / 1024.0, part.memory.uss_kb / 1024.0);
    idle += part.memory;
  }
  std::printf("| idle desktop (sum) | %.1f | %.1f |\n", idle.pss_kb / 1024.0, idle.uss_kb / 1024.0);
  for (const auto& app : apps)
    std::printf("| running %s (runtime + app shell + WebKit) | %.1f | %.1f |\n", app.app.c_str(),
                app.running.pss_kb / 1024.0, app.running.uss_kb / 1024.0);
  return 0;
}
