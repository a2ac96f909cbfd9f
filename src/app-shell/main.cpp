// weft-app-shell <app_id> <session_id> --ui <entry> (spec §6.2): one app's UI in its own WPE view, a Wayland client
// through WAYLAND_SOCKET only, with the JS bridge on WEFT_BRIDGE_FD and readiness on WEFT_READY_FD.
// weft-app-shell --pool: a pre-started shell (spec §3.4, last line) in its own empty network namespace with its web
// processes running on a blank page, bound to exactly one session later: the binding on WEFT_POOL_FD brings the app
// id, session id, UI entry, readiness token and the Wayland, bridge and readiness fds before any app content loads.
#include <CLI/CLI.hpp>

#include <glib-unix.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "weft/core/version.hpp"
#include "app_page.hpp"
#include "bridge_channel.hpp"
#include "first_frame.hpp"
#include "host_window.hpp"
#include "network_namespace.hpp"
#include "seat_input.hpp"
#include "text_input_bridge.hpp"
#include "wayland_connection.hpp"
#include "weft/core/app_id.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"
#include "weft/core/ipc/app_shell_pool.hpp"
#include "weft/core/ipc/bridge.hpp"
#include "weft/core/ready.hpp"

namespace weft::webview {
namespace {

constexpr int kInitialWidth = 800;   // logical px until the first configure
constexpr int kInitialHeight = 600;

// Compiled content rules live in the shell's private cache (XDG_CACHE_HOME inside shell-<sid>/), else a temp dir.
Result<std::string> cache_directory(std::string& remove_at_exit) {
  std::string base = paths::env_or("XDG_CACHE_HOME", "");
  if (!base.empty() && base.front() == '/') {
    std::error_code ec;
    std::filesystem::create_directories(base + "/weft-app-shell", ec);
    if (!ec) return base + "/weft-app-shell";
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "weft-app-shell-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return fail(errno_error("mkdtemp for the content-rule cache"));
  remove_at_exit = tmpl;
  return tmpl;
}

struct Arguments {
  std::string app_id;
  uint64_t session_id = 0;
  std::string entry;
  bool dev = false;      // appd: a development package in a development store (DEV_RELOAD is honoured)
  std::string inspect;   // appd, --dev only: 127.0.0.1:<port> for WebKit's remote inspector (HTTP + WebSocket)
  bool pool = false;     // appd: a pre-started shell, bound to its session later through WEFT_POOL_FD
};

// The session's channels. A cold start takes them from the environment (taken before any GLib or WebKit call, so
// WebKit's processes never see them); a pre-started shell receives them with its binding.
struct Inherited {
  std::optional<UniqueFd> wayland;  // empty: WAYLAND_SOCKET from the environment (cold start)
  std::optional<UniqueFd> bridge;
  std::optional<ready::Reporter> ready;
};

// Shows a bound page on the session's Wayland connection and runs until the shell should exit.
Result<int> present(glib::MainLoop& loop, AppPage& page, WebView& web, const std::string& app_id, uint64_t session_id,
                    bool dev, Inherited inherited) {
  if (inherited.wayland) {
    // libwayland takes WAYLAND_SOCKET, marks the fd close-on-exec and removes the variable.
    ::setenv("WAYLAND_SOCKET", std::to_string(inherited.wayland->release()).c_str(), 1);
  }
  WEFT_TRY(auto connection, WaylandConnection::connect(/*socket_only=*/true));
  connection->set_on_disconnected([&](const std::string&) { loop.quit(1); });
  WEFT_TRY(auto window, HostWindow::create(*connection, web,
                                           {.app_id = app_id,
                                            .title = app_id + "/" + std::to_string(session_id),
                                            .toplevel_title = app_id,
                                            .role = "normal",
                                            .exclusive_zone_bottom = std::nullopt}));
  window->on_close = [&](const char* why) {
    log::info("closing: ", why);
    loop.quit(0);
  };
  SeatInput input(*connection, web);
  // IME composition and the on-screen keyboard reach the page's editable elements through text-input-v3.
  TextInputBridge text_input(*connection, web);

  std::unique_ptr<BridgeChannel> bridge;
  if (inherited.bridge)
    bridge = std::make_unique<BridgeChannel>(web, page.environment().content_manager(), std::move(*inherited.bridge), [&] {
      log::info("bridge closed by appd: exiting");
      loop.quit(0);
    });
  CrashPolicy crashes(
      web, [&] { if (bridge) bridge->write_line(ipc::renderer_crashed_line()); }, [&] { loop.quit(1); });
  FirstFrameAfterLoad ready(web, *window, [&inherited, &ready] {
    // weft-dev measures a reload up to this line.
    if (ready.times_fired() > 1) return log::info("reloaded: first frame of the reloaded page presented");
    if (!inherited.ready) return;
    auto signalled = inherited.ready->signal();
    if (!signalled.ok()) log::warn("readiness not reported: ", signalled.error().message);
    else log::info("ready: first frame of the loaded page presented");
  });
  if (bridge && dev)
    bridge->on_dev_reload = [&](const std::string& entry) {
      if (auto served = page.serve_from(entry); !served.ok()) {
        log::warn("reload refused: ", served.error().message);
        return;
      }
      log::info("reloading the page from ", entry);
      ready.rearm();
      webkit_web_view_reload(web.web_view());
    };
  auto title_changed =
      glib::connect(web.web_view(), "notify::title", G_CALLBACK(+[](WebKitWebView* v, GParamSpec*, gpointer data) {
                      const char* title = webkit_web_view_get_title(v);
                      static_cast<HostWindow*>(data)->set_title(title && *title ? title : "");
                    }),
                    window.get());

  webkit_web_view_load_uri(web.web_view(), page.files().entry_uri().c_str());
  return loop.run();
}

Result<int> serve(const Arguments& args, Inherited inherited) {
  if (auto valid = validate_app_id(args.app_id); !valid.ok()) return fail(valid.error().message, 2);
  glib::MainLoop loop;
  std::string temp_cache;
  WEFT_TRY(std::string cache, cache_directory(temp_cache));
  struct RemoveTemporary {  // only a cache this process created is removed, also on error paths
    const std::string& path;
    ~RemoveTemporary() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
  } remove_temporary{temp_cache};
  WEFT_TRY(auto page, AppPage::create({.app_id = args.app_id,
                                       .session_id = args.session_id,
                                       .entry_path = args.entry,
                                       .ui_kit_path = paths::env_or("WEFT_UI_KIT_JS", "/usr/share/weft/system/weft-ui-kit.js"),
                                       .cache_dir = cache,
                                       .developer_extras = !args.inspect.empty()}));
  WEFT_TRY(auto view, page->create_view(kInitialWidth, kInitialHeight));
  return present(loop, *page, *view, args.app_id, args.session_id, args.dev, std::move(inherited));
}

// ---- pre-started shells (spec §3.4, last line; weft/core/ipc/app_shell_pool.hpp)

constexpr int kBlankLoadTimeoutMs = 30000;
// A blank document: starts the WebProcess (and through it the NetworkProcess) and runs one layout, paint and script,
// with nothing of any app in it. Its invisible text is laid out in the UI kit's font stack, regular and bold, so the
// WebProcess has loaded and shaped those fonts before the first app document needs them.
constexpr const char* kBlankPage =
    "<!doctype html><html><head><title></title></head>"
    "<body style=\"margin:0;color:transparent;font-family:system-ui,'DejaVu Sans',sans-serif\">"
    "<p>Aa0</p><p><b>Aa0</b></p><script>document.body.dataset.warm = '1';</script></body></html>";

// Reads the one binding line and its fds from the control channel; every size bounded.
class BindingReader {
 public:
  explicit BindingReader(int control_fd) : fd_(control_fd) {}
  // nullopt while incomplete; an error on EOF, a malformed line or missing fds.
  Result<std::optional<std::pair<ipc::PoolBinding, std::vector<UniqueFd>>>> read_some() {
    uint8_t buffer[4096];
    auto chunk = receive_with_fds(fd_, buffer);
    if (!chunk.ok()) {
      if (chunk.error().code == EAGAIN || chunk.error().code == EINTR) return std::optional<std::pair<ipc::PoolBinding, std::vector<UniqueFd>>>{};
      return fail("control channel: " + chunk.error().message);
    }
    if (chunk->bytes == 0) {
      closed_ = true;
      return fail("control channel closed before a binding arrived");
    }
    for (auto& fd : chunk->fds) fds_.push_back(std::move(fd));
    line_.append(reinterpret_cast<const char*>(buffer), chunk->bytes);
    size_t newline = line_.find('\n');
    if (newline == std::string::npos) {
      if (line_.size() > ipc::kMaxPoolBindingBytes) return fail("control channel: binding line too long");
      return std::optional<std::pair<ipc::PoolBinding, std::vector<UniqueFd>>>{};
    }
    if (newline + 1 != line_.size()) return fail("control channel: bytes after the binding line");
    if (fds_.size() != ipc::kPoolBindingFdCount)
      return fail("control channel: the binding carried " + std::to_string(fds_.size()) + " fds, not " +
                  std::to_string(static_cast<int>(ipc::kPoolBindingFdCount)));
    WEFT_TRY(ipc::PoolBinding binding, ipc::decode_pool_binding(line_));
    return std::optional(std::pair(std::move(binding), std::move(fds_)));
  }
  /// appd closed the channel (it shrank or ended the pool): not an error.
  [[nodiscard]] bool closed() const { return closed_; }

 private:
  int fd_;
  bool closed_ = false;
  std::string line_;
  std::vector<UniqueFd> fds_;
};

Result<int> serve_pooled(UniqueFd control) {
  glib::MainLoop loop;
  // Until bound, the loop is driven here, not by loop.run(): SIGTERM/SIGINT (appd shrinking or ending the pool) only
  // set a flag the waits below check.
  bool signalled = false;
  loop.on_signal([](int, void* flag) { *static_cast<bool*>(flag) = true; }, &signalled);
  // The cache of the pool slot (XDG_CACHE_HOME, made by appd fresh for this process) holds nothing until bound.
  WEFT_TRY(auto page, AppPage::create_unbound());
  WEFT_TRY(auto view, page->create_view(kInitialWidth, kInitialHeight));
  WebView& web = *view;
  bool crashed = false;
  auto terminated = glib::connect(web.web_view(), "web-process-terminated",
                                  G_CALLBACK(+[](WebKitWebView*, WebKitWebProcessTerminationReason, gpointer data) {
                                    *static_cast<bool*>(data) = true;
                                  }),
                                  &crashed);
  auto started = std::chrono::steady_clock::now();
  webkit_web_view_load_html(web.web_view(), kBlankPage, "about:blank");
  bool loaded = false;
  auto finished = glib::connect(web.web_view(), "load-changed",
                                G_CALLBACK(+[](WebKitWebView*, WebKitLoadEvent event, gpointer data) {
                                  if (event == WEBKIT_LOAD_FINISHED) *static_cast<bool*>(data) = true;
                                }),
                                &loaded);
  if (!run_until([&] { return loaded || crashed || signalled; }, kBlankLoadTimeoutMs) || crashed)
    return fail(crashed ? "the web process ended while the blank page loaded"
                        : "the blank page did not load within " + std::to_string(kBlankLoadTimeoutMs / 1000) + " s");
  finished.disconnect();
  if (signalled) return 0;
  log::info("pool: warm after ", std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(),
            " ms; waiting for a session");
  // appd may already have sent the binding and closed its end (a launch took this shell while it was warming): the
  // binding is still in the socket buffer, so a failed WARM is no reason to stop.
  if (::send(control.get(), ipc::kPoolWarmLine.data(), ipc::kPoolWarmLine.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(ipc::kPoolWarmLine.size()))
    log::debug("pool: WARM not delivered (", std::strerror(errno), "); reading the binding");

  // Wait for the binding (or the end of the pool: appd closes the channel).
  if (auto nb = set_nonblocking(control.get()); !nb.ok()) return fail(nb.error().message);
  BindingReader reader(control.get());
  std::optional<std::pair<ipc::PoolBinding, std::vector<UniqueFd>>> bound;
  std::optional<Error> failure;
  // Only wakes the loop when the channel has something; read_some() below reads it.
  glib::SourceId watch(g_unix_fd_add(control.get(), GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR),
                                     [](gint, GIOCondition, gpointer) -> gboolean { return G_SOURCE_CONTINUE; },
                                     nullptr));
  while (!bound && !failure && !crashed && !signalled) {
    g_main_context_iteration(nullptr, TRUE);
    auto got = reader.read_some();
    if (!got.ok()) failure = got.error();
    else if (*got) bound = std::move(**got);
  }
  watch.reset();
  control.reset();  // one binding per shell, ever: the channel is gone
  if (crashed) return fail("the web process ended while the shell waited for a session");
  if (signalled) {
    log::info("pool: signalled before a session arrived; exiting");
    return 0;
  }
  loop.on_signal(nullptr, nullptr);  // bound: SIGTERM ends the shell as in a cold start (spec §6.2)
  if (failure) {
    if (reader.closed()) {
      log::info("pool: ", failure->message, "; exiting");
      return 0;
    }
    return fail(failure->message);
  }
  auto& [binding, fds] = *bound;
  terminated.disconnect();
  auto bind_started = std::chrono::steady_clock::now();
  WEFT_TRY(auto reporter, ready::Reporter::from(std::move(fds[ipc::kPoolReadyFd]), binding.ready_token));
  std::error_code ec;
  std::filesystem::create_directories(binding.cache_dir + "/weft-app-shell", ec);
  if (ec) return fail("cannot create " + binding.cache_dir + "/weft-app-shell: " + ec.message());
  WEFT_TRY_VOID(page->bind({.app_id = binding.app_id,
                            .session_id = binding.session_id,
                            .entry_path = binding.entry,
                            .ui_kit_path = paths::env_or("WEFT_UI_KIT_JS", "/usr/share/weft/system/weft-ui-kit.js"),
                            .cache_dir = binding.cache_dir + "/weft-app-shell"}));
  log::info("pool: bound to ", binding.app_id, " session ", binding.session_id, " in ",
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - bind_started).count(),
            " ms");
  Inherited inherited;
  inherited.wayland = std::move(fds[ipc::kPoolWaylandFd]);
  inherited.bridge = std::move(fds[ipc::kPoolBridgeFd]);
  inherited.ready.emplace(std::move(reporter));
  return present(loop, *page, web, binding.app_id, binding.session_id, /*dev=*/false, std::move(inherited));
}

int report(Result<int> status) {
  if (!status.ok()) {
    log::error(status.error().message);
    return status.error().code ? status.error().code : 1;
  }
  return *status;
}

int run(int argc, char** argv) {
  log::init("weft-app-shell");
  CLI::App cli{"WEFT app shell: one app's UI in an isolated WPE view"};
  cli.set_version_flag("--version", version_line("weft-app-shell"));
  Arguments args;
  bool allow_namespace_failure = false;
  cli.add_option("app_id", args.app_id, "app id");
  cli.add_option("session_id", args.session_id, "session id");
  cli.add_option("--ui", args.entry, "UI entry file (its directory is the UI root)");
  cli.add_flag("--pool", args.pool,
               "pre-started shell (set by appd): start the web processes with a blank page, then take one session's "
               "binding from the control channel in WEFT_POOL_FD");
  cli.add_flag("--dev", args.dev, "development launch (set by appd for development stores only)");
  cli.add_option("--inspect", args.inspect,
                 "with --dev: serve WebKit's remote inspector on this 127.0.0.1:<port> (set by appd)");
  cli.add_flag("--allow-network-namespace-failure", allow_namespace_failure,
               "development only: run with the host's network where the kernel refuses an empty network namespace");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (args.pool ? (!args.app_id.empty() || args.session_id || !args.entry.empty() || args.dev || !args.inspect.empty())
                : (args.app_id.empty() || !args.session_id || args.entry.empty())) {
    log::error(args.pool ? "--pool takes no app id, session id, --ui, --dev or --inspect: the binding brings them"
                         : "usage: weft-app-shell <app_id> <session_id> --ui <entry> (or --pool)");
    return 2;
  }
  std::optional<UniqueFd> control;
  if (args.pool) {
    auto fd = take_fd_from_environment("WEFT_POOL_FD");
    if (!fd.ok() || !*fd) {
      log::error("--pool needs WEFT_POOL_FD: ", fd.ok() ? "unset" : fd.error().message);
      return 2;
    }
    control = std::move(**fd);
  }
  // Before any GLib or WebKit call: the privileged fds and tokens leave the environment and become close-on-exec.
  Inherited inherited;
  ::unsetenv("WEFT_BRIDGE_TOKEN");  // the fd channel is used; the token must never reach a child or a page
  auto bridge_fd = take_fd_from_environment("WEFT_BRIDGE_FD");
  auto reporter = ready::Reporter::take_from_environment();
  if (!bridge_fd.ok()) {
    log::error(bridge_fd.error().message);
    return 2;
  }
  inherited.bridge = std::move(*bridge_fd);
  if (reporter.ok()) inherited.ready.emplace(std::move(*reporter));
  else if (!args.pool) log::warn("readiness will not be reported: ", reporter.error().message);
  if (!args.inspect.empty()) {
    // The inspector server runs in this process and must be reachable from the developer's browser: a development
    // launch with --inspect keeps the host's network (the content filter, CSP and navigation policy still apply).
    if (!args.dev || args.inspect.rfind("127.0.0.1:", 0) != 0) {
      log::error("--inspect needs --dev and a 127.0.0.1:<port> address");
      return 2;
    }
    ::setenv("WEBKIT_INSPECTOR_HTTP_SERVER", args.inspect.c_str(), 1);
    log::warn("network: NOT ISOLATED (development launch with the remote inspector on http://", args.inspect, "/)");
    return report(serve(args, std::move(inherited)));
  }
  ::unsetenv("WEBKIT_INSPECTOR_HTTP_SERVER");
  ::unsetenv("WEBKIT_INSPECTOR_SERVER");
  // Still single-threaded and before GLib/WebKit: WebKit's processes are then born without a network (spec §6.2).
  if (auto isolated = enter_empty_network_namespace(); isolated.ok()) {
    log::info("network: isolated in an empty ", describe(*isolated));
  } else if (allow_namespace_failure) {
    log::error("network: NOT ISOLATED (--allow-network-namespace-failure, development only): page-chosen preconnects "
               "and DNS queries can reach the network: ", isolated.error().message);
  } else {
    log::error("network: ", isolated.error().message,
               "; refusing to run an app's web view with network access (--allow-network-namespace-failure "
               "overrides this for development)");
    return 1;
  }
  if (control) return report(serve_pooled(std::move(*control)));
  return report(serve(args, std::move(inherited)));
}

}  // namespace
}  // namespace weft::webview

int main(int argc, char** argv) { return weft::webview::run(argc, argv); }
