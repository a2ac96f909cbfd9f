#include "run_command.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "app_project.hpp"
#include "appd_client.hpp"
#include "dev_desktop.hpp"
#include "dev_store.hpp"
#include "file_watch.hpp"
#include "log_labels.hpp"
#include "test_control.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/paths.hpp"

namespace weft::dev {
namespace {

using Clock = std::chrono::steady_clock;
namespace msg = ipc::appd;

constexpr std::chrono::seconds kLaunchTimeout{60};    // appd accepting the launch (its compositor link) and READY
constexpr std::chrono::seconds kReloadTimeout{10};    // DEV_RELOAD_UI to the reloaded page's first frame
constexpr std::chrono::milliseconds kInputSettle{600};  // after scripted input, before the screenshot
constexpr std::chrono::milliseconds kWatchDebounce{60};  // editors write a file in several steps
constexpr std::string_view kReloadedLine = "reloaded: first frame of the reloaded page presented";

void say(const std::string& text) { std::fprintf(stderr, "weft-dev: %s\n", text.c_str()); }

long long ms_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

/// A free TCP port on 127.0.0.1 for the inspector (bound and released: a race with another program is possible and
/// shows as an inspector that does not answer).
Result<uint16_t> free_loopback_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail(errno_error("socket"));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fail(errno_error("bind"));
  socklen_t len = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return fail(errno_error("getsockname"));
  return ntohs(addr.sin_port);
}

/// Lines of the desktop's log as they arrive, printed with their labels; remembers what the run waits for.
class LogPump {
 public:
  LogPump(int fd, bool verbose) : fd_(fd), verbose_(verbose) {}
  void follow(std::string app_id, uint64_t session_id) {
    app_id_ = std::move(app_id);
    session_id_ = session_id;
  }
  /// Reads what is available; false once the log ended (the desktop is gone).
  bool pump() {
    char buffer[16384];
    for (;;) {
      ssize_t n = ::read(fd_, buffer, sizeof buffer);
      if (n > 0) {
        partial_.append(buffer, static_cast<size_t>(n));
        size_t newline;
        while ((newline = partial_.find('\n')) != std::string::npos) {
          handle(partial_.substr(0, newline));
          partial_.erase(0, newline + 1);
        }
        continue;
      }
      if (n == 0) return false;
      return errno == EAGAIN || errno == EINTR;
    }
  }
  /// Waits up to `ms` for log lines (and prints them).
  bool pump_for(int ms) {
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, ms);
    return pump();
  }
  std::optional<int> app_ended;  // the app's exit status once its session stopped
  int reloads_presented = 0;

 private:
  void handle(const std::string& line) {
    auto labelled = label_line(line, app_id_, session_id_);
    if (session_id_ && labelled.source == Source::ui && labelled.text.find(kReloadedLine) != std::string::npos)
      ++reloads_presented;
    if (session_id_ && !app_ended)
      if (auto status = session_end_status(line, session_id_)) app_ended = status;
    if (labelled.source == Source::desktop && !verbose_ && !labelled.important) return;
    std::fprintf(stdout, "%s %s\n", std::string(label(labelled.source)).c_str(), labelled.text.c_str());
    std::fflush(stdout);
  }
  int fd_;
  bool verbose_;
  std::string partial_;
  std::string app_id_;
  uint64_t session_id_ = 0;
};

/// DEV_LAUNCH_APP, retried while appd answers 503 (its compositor link is still connecting); then waits for READY.
Result<uint64_t> launch(const std::string& socket, const std::string& app_id, uint16_t inspect_port, LogPump& log) {
  auto deadline = Clock::now() + kLaunchTimeout;
  WEFT_TRY(auto client, session::AppdClient::connect(socket));
  uint64_t session_id = 0;
  for (;;) {
    WEFT_TRY(auto reply, client.request(msg::DevLaunchApp{app_id, inspect_port}));
    if (auto* ack = std::get_if<msg::LaunchAck>(&reply)) {
      session_id = ack->session_id;
      break;
    }
    auto* error = std::get_if<msg::ErrorReply>(&reply);
    if (!error) return fail("DEV_LAUNCH_APP: unexpected reply " + std::string(msg::type_name(reply)));
    if (error->code != 503 || Clock::now() >= deadline)
      return fail("appd refused to launch " + app_id + ": " + error->message, static_cast<int>(error->code));
    log.pump_for(100);
  }
  log.follow(app_id, session_id);
  while (Clock::now() < deadline) {
    log.pump_for(50);
    WEFT_TRY(std::string state, client.state(session_id));
    if (state == "running") return session_id;
    if (state == "stopped" || state == "not_found") {
      log.pump_for(200);
      return fail(app_id + " stopped before it was ready (session " + std::to_string(session_id) + ", see the log above)");
    }
  }
  return fail(app_id + " was not ready within " + std::to_string(kLaunchTimeout.count()) + " s");
}

Result<std::pair<double, double>> parse_point(const std::string& text) {
  auto comma = text.find(',');
  if (comma == std::string::npos) return fail("--click \"" + text + "\" is not X,Y");
  try {
    return std::pair<double, double>{std::stod(text.substr(0, comma)), std::stod(text.substr(comma + 1))};
  } catch (...) {
    return fail("--click \"" + text + "\" is not X,Y");
  }
}

Result<void> take_screenshot(const DevDesktop& desktop, const RunOptions& options) {
  WEFT_TRY(std::string display, desktop.wayland_display());
  WEFT_TRY(auto control, session::TestControl::connect(display));
  if (!options.click.empty()) {
    WEFT_TRY(auto point, parse_point(options.click));
    control->pointer_click(point.first, point.second);
  }
  if (!options.keys.empty()) WEFT_TRY_VOID(control->type(options.keys));
  if (!options.click.empty() || !options.keys.empty()) std::this_thread::sleep_for(kInputSettle);
  std::string path = std::filesystem::absolute(options.screenshot).lexically_normal().string();
  WEFT_TRY_VOID(control->capture(path));
  say("screenshot " + path);
  return ok();
}

/// Rebuilds (projects; only the UI files for a ui/ edit) and reinstalls the package into the development store.
Result<void> rebuild_and_install(AppProject& project, bool component) {
  if (component && project.kind != AppProject::Kind::package) WEFT_TRY_VOID(build(project));
  if (!component) WEFT_TRY_VOID(sync_ui(project));
  auto installed = install_dev(project.package_dir);
  if (!installed) return fail(installed.error());
  return ok();
}

class Runner {
 public:
  Runner(const RunOptions& options, AppProject project, DevDesktop& desktop, LogPump& log, uint64_t session_id)
      : options_(options), project_(std::move(project)), desktop_(desktop), log_(log), session_id_(session_id) {}

  /// Runs until the app ends (its status) or a signal arrives (130).
  Result<int> loop(int signal_fd) {
    std::optional<FileWatch> watch;
    std::string ui_dir = project_.ui_dir();
    if (options_.watch) {
      WEFT_TRY(watch, FileWatch::create());
      if (!ui_dir.empty()) WEFT_TRY_VOID(watch->add_tree(ui_dir));
      for (const auto& dir : project_.component_dirs()) WEFT_TRY_VOID(watch->add_tree(dir));
      say("watching " + (ui_dir.empty() ? std::string("nothing (a build directory)") : ui_dir) +
          (project_.component_dirs().empty() ? "" : " and the component's sources"));
    }
    for (;;) {
      pollfd fds[3] = {{desktop_.log_fd(), POLLIN, 0}, {signal_fd, POLLIN, 0}, {watch ? watch->fd() : -1, POLLIN, 0}};
      ::poll(fds, 3, 500);
      if (!log_.pump()) return fail("the desktop ended");
      if (log_.app_ended) return *log_.app_ended;
      if (fds[1].revents & POLLIN) {
        say("stopping");
        return 130;
      }
      if (watch && (fds[2].revents & POLLIN)) {
        auto start = Clock::now();  // ≈ the save: inotify reports the write at once
        std::this_thread::sleep_for(kWatchDebounce);
        bool ui = false, component = false;
        for (const auto& root : watch->read_changes()) (root == ui_dir ? ui : component) = true;
        if (component || ui) WEFT_TRY_VOID(report(reload(start, component)));
      }
    }
  }

 private:
  static Result<void> report(Result<void> done) {
    if (!done.ok()) say(done.error().message);  // a failed rebuild is the developer's to fix; keep watching
    return ok();
  }

  /// A ui/ edit: the page reloads in place. A component edit (`restart_runtime`): only the runtime restarts, from the
  /// rebuilt component, and the page reloads in the same window once it is ready.
  Result<void> reload(Clock::time_point start, bool restart_runtime) {
    WEFT_TRY_VOID(rebuild_and_install(project_, restart_runtime));
    auto built = ms_since(start);
    int before = log_.reloads_presented;
    WEFT_TRY(auto client, session::AppdClient::connect(desktop_.appd_socket()));
    WEFT_TRY(auto reply, client.request(msg::DevReloadUi{session_id_, restart_runtime}));
    if (auto* error = std::get_if<msg::ErrorReply>(&reply)) return fail("reload refused: " + error->message);
    auto deadline = Clock::now() + kReloadTimeout;
    while (log_.reloads_presented == before && !log_.app_ended && Clock::now() < deadline && log_.pump_for(20)) {
    }
    if (log_.reloads_presented == before)
      return fail(std::string("the window did not show the ") + (restart_runtime ? "restarted app" : "reload") +
                  " within " + std::to_string(kReloadTimeout.count()) + " s");
    if (restart_runtime)
      say("component rebuilt in " + std::to_string(built) + " ms, runtime restarted and page reloaded in " +
          std::to_string(ms_since(start)) + " ms (save to updated window)");
    else
      say("page reloaded in " + std::to_string(ms_since(start)) + " ms (save to updated window; installed after " +
          std::to_string(built) + " ms)");
    return ok();
  }

  const RunOptions& options_;
  AppProject project_;
  DevDesktop& desktop_;
  LogPump& log_;
  uint64_t session_id_;
};

/// The appd socket of a desktop already running for this user, when a plain run may use it (--watch, --inspect and
/// screenshots need a desktop of weft-dev's own: its development store, its log, its test control).
std::optional<std::string> running_desktop(const RunOptions& options) {
  if (options.headless || !options.screenshot.empty() || options.inspect || options.watch) return std::nullopt;
  auto socket = paths::appd_socket();
  if (!socket) return std::nullopt;
  auto client = session::AppdClient::connect(*socket);
  if (!client || !client->running()) return std::nullopt;
  return *socket;
}

/// Points this process's store variables at those of the appd behind `socket` (its environment, read through the
/// socket's peer pid: a build-tree desktop uses its own store), so the install lands where that appd looks.
Result<void> adopt_store_of(const std::string& socket) {
  WEFT_TRY(UniqueFd fd, connect_unix(socket));
  WEFT_TRY(auto peer, peer_credentials(fd.get()));
  WEFT_TRY(std::string environ, read_file("/proc/" + std::to_string(peer.pid) + "/environ"));
  for (const char* name : {"WEFT_APP_STORE", "WEFT_TRUSTED_KEYS", "XDG_DATA_HOME", "HOME"}) {
    std::string prefix = std::string(name) + "=";
    ::unsetenv(name);
    for (size_t at = 0; at < environ.size();) {
      size_t end = environ.find('\0', at);
      if (end == std::string::npos) end = environ.size();
      if (environ.compare(at, prefix.size(), prefix) == 0)
        ::setenv(name, environ.substr(at + prefix.size(), end - at - prefix.size()).c_str(), 1);
      at = end + 1;
    }
  }
  return ok();
}

/// Runs the app in the user's running desktop: installed unsigned into its first store, launched through its appd,
/// followed until its session stops. The app's output is in that desktop's log.
Result<int> run_in_desktop(const std::string& socket, const AppProject& project, int signal_fd) {
  WEFT_TRY_VOID(adopt_store_of(socket));
  WEFT_TRY(std::string revision, install_dev(project.package_dir));
  say("installed " + project.app_id + " (revision " + revision.substr(0, 12) + ") into " + paths::store_roots().front());
  LogPump no_log(-1, false);
  WEFT_TRY(uint64_t session_id, launch(socket, project.app_id, 0, no_log));
  say(project.app_id + " is running as session " + std::to_string(session_id) + " in the desktop at " + socket +
      " (its output is in that desktop's log; Ctrl+C closes it)");
  WEFT_TRY(auto client, session::AppdClient::connect(socket));
  for (;;) {
    pollfd p{signal_fd, POLLIN, 0};
    if (::poll(&p, 1, 500) > 0) {
      (void)client.request(msg::TerminateApp{session_id, false});
      return 130;
    }
    WEFT_TRY(std::string state, client.state(session_id));
    if (state == "stopped" || state == "not_found") return 0;
  }
}

Result<int> run(const RunOptions& options, int signal_fd) {
  WEFT_TRY(AppProject project, find_project(options.dir));
  if (project.kind != AppProject::Kind::package) say("building " + (project.kind == AppProject::Kind::cmake_project ? project.source_dir : project.build_dir));
  WEFT_TRY_VOID(build(project));
  if (auto socket = running_desktop(options)) return run_in_desktop(*socket, project, signal_fd);
  WEFT_TRY(DevStore store, open_dev_store());
  WEFT_TRY(std::string revision, install_dev(project.package_dir));
  say("installed " + project.app_id + " (revision " + revision.substr(0, 12) + ") into the development store " + store.apps);

  bool has_display = std::getenv("WAYLAND_DISPLAY") || std::getenv("DISPLAY");
  DesktopOptions desktop_options{.headless = options.headless || !options.screenshot.empty() || !has_display,
                                 .output = options.output};
  if ((!options.keys.empty() || !options.click.empty()) && options.screenshot.empty())
    return fail("--keys and --click script the check before --screenshot; give --screenshot FILE too");
  WEFT_TRY(DevDesktop desktop, DevDesktop::start(store, desktop_options));
  say(std::string(desktop_options.headless ? "headless" : "nested") + " desktop started (weft-session pid " +
      std::to_string(desktop.pid()) + ", appd " + desktop.appd_socket() + ")");
  LogPump log(desktop.log_fd(), options.verbose);

  uint16_t inspect_port = 0;
  if (options.inspect) {
    WEFT_TRY(inspect_port, free_loopback_port());
  }
  auto session_id = launch(desktop.appd_socket(), project.app_id, inspect_port, log);
  if (!session_id) {
    desktop.stop();
    log.pump();
    return fail(session_id.error());
  }
  say(project.app_id + " is running as session " + std::to_string(*session_id));
  if (inspect_port) say("inspector: http://127.0.0.1:" + std::to_string(inspect_port) + "/");

  if (!options.screenshot.empty()) {
    auto shot = take_screenshot(desktop, options);
    desktop.stop();
    log.pump();
    if (!shot) return fail(shot.error());
    return 0;
  }
  Runner runner(options, std::move(project), desktop, log, *session_id);
  auto status = runner.loop(signal_fd);
  desktop.stop();
  log.pump();
  return status;
}

}  // namespace

int run_app(const RunOptions& options) {
  // SIGINT/SIGTERM end the run through the loop, which stops the desktop in order.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  UniqueFd signals(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  auto status = run(options, signals.get());
  if (!status) {
    say(status.error().message);
    return 1;
  }
  return *status;
}

}  // namespace weft::dev
