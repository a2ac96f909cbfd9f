// weft-app-shell <app_id> <session_id> --ui <entry> (spec §6.2): one app's UI in its own WPE view, a Wayland client
// through WAYLAND_SOCKET only, with the JS bridge on WEFT_BRIDGE_FD and readiness on WEFT_READY_FD.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "weft/core/version.hpp"
#include "app_page.hpp"
#include "bridge_channel.hpp"
#include "first_frame.hpp"
#include "host_window.hpp"
#include "network_namespace.hpp"
#include "seat_input.hpp"
#include "wayland_connection.hpp"
#include "weft/core/app_id.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"
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
};

// Runs the app shell until it should exit; errors name what failed (code 2: usage, else 1).
// The bridge and readiness fds and the token arrive from appd; `inherited` holds them, already out of the environment
// and close-on-exec (taken before any GLib or WebKit call, so WebKit's processes never see them).
struct Inherited {
  std::optional<UniqueFd> bridge;
  std::optional<ready::Reporter> ready;
};

Result<int> serve(const Arguments& args, Inherited inherited) {
  if (auto valid = validate_app_id(args.app_id); !valid.ok()) return fail(valid.error().message, 2);
  auto bridge_fd = std::move(inherited.bridge);

  glib::MainLoop loop;
  WEFT_TRY(auto connection, WaylandConnection::connect(/*socket_only=*/true));
  connection->set_on_disconnected([&](const std::string&) { loop.quit(1); });
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
  WebView& web = *view;
  WEFT_TRY(auto window, HostWindow::create(*connection, web,
                                           {.app_id = args.app_id,
                                            .title = args.app_id + "/" + std::to_string(args.session_id),
                                            .toplevel_title = args.app_id,
                                            .role = "normal",
                                            .exclusive_zone_bottom = std::nullopt}));
  window->on_close = [&](const char* why) {
    log::info("closing: ", why);
    loop.quit(0);
  };
  SeatInput input(*connection, web);

  std::unique_ptr<BridgeChannel> bridge;
  if (bridge_fd)
    bridge = std::make_unique<BridgeChannel>(web, page->environment().content_manager(), std::move(*bridge_fd), [&] {
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
  if (bridge && args.dev)
    bridge->on_dev_reload = [&](const std::string& entry) {
      if (auto served = page->serve_from(entry); !served.ok()) {
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

  webkit_web_view_load_uri(web.web_view(), page->files().entry_uri().c_str());
  return loop.run();
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
  cli.add_option("app_id", args.app_id, "app id")->required();
  cli.add_option("session_id", args.session_id, "session id")->required();
  cli.add_option("--ui", args.entry, "UI entry file (its directory is the UI root)")->required();
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
  else log::warn("readiness will not be reported: ", reporter.error().message);
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
  return report(serve(args, std::move(inherited)));
}

}  // namespace
}  // namespace weft::webview

int main(int argc, char** argv) { return weft::webview::run(argc, argv); }
