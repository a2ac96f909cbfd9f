// weft-shell [html] (spec §6.4): the system UI (taskbar, launcher, toasts) in a WPE view on a `panel` slot that
// reserves the bottom 48 px, talking to appd over its WebSocket API with the system role.
#include <CLI/CLI.hpp>

#include <charconv>
#include <filesystem>
#include <optional>
#include <string>

#include "weft/core/version.hpp"
#include "appd_endpoint.hpp"
#include "first_frame.hpp"
#include "host_window.hpp"
#include "input_method_bridge.hpp"
#include "seat_input.hpp"
#include "text_input_bridge.hpp"
#include "system_page.hpp"
#include "wayland_connection.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"

namespace weft::webview {
namespace {

constexpr int kTaskbarHeight = 48;  // logical px, the panel's exclusive zone at the bottom
constexpr int kInitialWidth = 1280;
constexpr int kInitialHeight = 800;
constexpr char kShellAppId[] = "org.weft.system.shell";

// Installed location first; a development build tree keeps a copy next to bin/.
std::string system_file(const char* variable, const std::string& installed, const char* name) {
  std::string chosen = paths::env_or(variable, "");
  if (!chosen.empty()) return chosen;
  std::error_code ec;
  if (std::filesystem::exists(installed, ec)) return installed;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path dev = self.parent_path().parent_path() / "share" / "weft" / "system" / name;
  return std::filesystem::exists(dev, ec) ? dev.string() : installed;
}

// The system page's messages to its host: `launcher-open` / `launcher-closed` raise and drop the overlay slot;
// `toasts X Y W H` (CSS px) / `toasts none` show that area above app windows or remove it; `osk-*` go to the input
// method (the on-screen keyboard).
void handle_page_message(HostWindow& window, InputMethodBridge& input_method, std::string_view message) {
  if (input_method.handle_page_message(message)) return;
  if (message == "launcher-open" || message == "launcher-closed") {
    window.set_overlay(message == "launcher-open");
    return;
  }
  constexpr std::string_view kToasts = "toasts ";
  if (message.starts_with(kToasts)) {
    std::string_view rest = message.substr(kToasts.size());
    if (rest == "none") {
      window.set_popup_area(std::nullopt);
      return;
    }
    constexpr int kMaxExtent = 16384;  // px; larger than any output
    int values[4];
    bool valid = true;
    for (int& value : values) {
      while (rest.starts_with(' ')) rest.remove_prefix(1);
      auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
      valid = valid && error == std::errc() && value >= 0 && value <= kMaxExtent;
      rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    }
    if (valid && rest.empty()) {
      window.set_popup_area(PageArea{values[0], values[1], values[2], values[3]});
      return;
    }
  }
  log::warn("ignoring a system page message: ", std::string(message.substr(0, 80)));
}

// Runs the shell until it should exit; errors name what failed.
Result<int> serve(const std::string& html, const std::string& kit, const std::string& resources) {
  WEFT_TRY(std::string wsport, paths::appd_wsport_file());
  WEFT_TRY(std::string systoken, paths::appd_systoken_file());
  glib::MainLoop loop;
  WEFT_TRY(auto connection, WaylandConnection::connect(/*socket_only=*/false));
  connection->set_on_disconnected([&](const std::string&) { loop.quit(1); });
  std::string cache = (std::filesystem::temp_directory_path() / "weft-shell-XXXXXX").string();
  if (!mkdtemp(cache.data())) return fail(errno_error("mkdtemp for the content-rule cache"));
  struct RemoveCache {
    std::string path;
    ~RemoveCache() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  } remove_cache{cache};
  WEFT_TRY(auto page, SystemPage::create({.html_path = html, .ui_kit_path = kit, .cache_dir = cache, .resources_dir = resources}));
  WEFT_TRY(auto view, page->create_view(kInitialWidth, kInitialHeight));
  WebView& web = *view;
  WEFT_TRY(auto window, HostWindow::create(*connection, web,
                                           {.app_id = kShellAppId,
                                            .title = "WEFT Shell",
                                            .toplevel_title = "WEFT Shell",
                                            .role = "panel",
                                            .exclusive_zone_bottom = kTaskbarHeight}));
  window->on_close = [&](const char* why) {
    log::info("closing: ", why);
    loop.quit(0);
  };
  window->on_navigation_gesture = [&](uint32_t type, uint32_t fingers, double dx, double dy) {
    dispatch_navigation_gesture(web, type, fingers, dx, dy);
  };
  SeatInput input(*connection, web);
  // IME composition and the on-screen keyboard reach the page's editable elements through text-input-v3.
  TextInputBridge text_input(*connection, web);
  // The on-screen keyboard: the page draws it above the taskbar; while shown, the panel's zone grows by its height so
  // the work area (and the focused field) ends above it.
  // WEFT_INPUT_METHOD=external: an external IME is the input method instead (the keyboard then never shows).
  const std::string input_method_choice = paths::env_or("WEFT_INPUT_METHOD", "keyboard");
  if (input_method_choice != "keyboard" && input_method_choice != "external")
    log::warn("WEFT_INPUT_METHOD=", input_method_choice, " is neither keyboard nor external: using keyboard");
  InputMethodBridge input_method(*connection, web, input_method_choice != "external");
  input_method.on_keyboard_height = [&window](int height) {
    window->set_exclusive_zone_bottom(kTaskbarHeight + height);
  };
  struct PageTargets {
    HostWindow& window;
    InputMethodBridge& input_method;
  } targets{*window, input_method};
  std::string signal = std::string("script-message-received::") + kShellHandlerName;
  auto page_message =
      glib::connect(page->environment().content_manager(), signal.c_str(),
                    G_CALLBACK(+[](WebKitUserContentManager*, WebKitJavascriptResult* result, gpointer data) {
                      glib::CharPtr text(jsc_value_to_string(webkit_javascript_result_get_js_value(result)));
                      std::string_view message = text ? text.get() : "";
                      auto* t = static_cast<PageTargets*>(data);
                      handle_page_message(t->window, t->input_method, message);
                    }),
                    &targets);
  CrashPolicy crashes(web, nullptr, [&] { loop.quit(1); });
  AppdEndpointWatcher endpoint(web, wsport, systoken);
  FirstFrameAfterLoad ready(web, *window, [] { log::info("ready: system page presented"); });

  webkit_web_view_load_uri(web.web_view(), page->uri().c_str());
  return loop.run();
}

int run(int argc, char** argv) {
  log::init("weft-shell");
  CLI::App cli{"WEFT shell: the system UI"};
  cli.set_version_flag("--version", version_line("weft-shell"));
  std::string html;
  cli.add_option("html", html, "system page (default: WEFT_SYSTEM_UI_HTML)");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (html.empty()) html = system_file("WEFT_SYSTEM_UI_HTML", "/usr/share/weft/system/system-ui.html", "system-ui.html");
  std::string kit = system_file("WEFT_UI_KIT_JS", "/usr/share/weft/system/weft-ui-kit.js", "weft-ui-kit.js");
  std::string resources = paths::env_or("WEFT_SYSTEM_RESOURCES", "/usr/share/weft/system");
  auto status = serve(html, kit, resources);
  if (!status.ok()) {
    log::error(status.error().message);
    return 1;
  }
  return *status;
}

}  // namespace
}  // namespace weft::webview

int main(int argc, char** argv) { return weft::webview::run(argc, argv); }
