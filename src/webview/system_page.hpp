#pragma once
// The page side of weft-shell (spec §6.4): the system page from a file, its own ephemeral context whose content rules
// allow only its own directory, weft-system:, data:, blob: and WebSockets to 127.0.0.1, and the UI kit.

#include <memory>
#include <string>

#include "app_files.hpp"
#include "page_environment.hpp"
#include "web_view.hpp"

namespace weft::webview {

struct SystemPageOptions {
  std::string html_path;    // absolute or relative path of system-ui.html
  std::string ui_kit_path;  // WEFT_UI_KIT_JS
  std::string cache_dir;
  std::string resources_dir;  // WEFT_SYSTEM_RESOURCES, root of weft-system://; empty or missing: not served
};

/// Script message handler of the system page: it posts "launcher-open" / "launcher-closed" so the host can raise
/// the overlay slot (the launcher must appear above app windows).
inline constexpr char kShellHandlerName[] = "weftShell";

class SystemPage {
 public:
  [[nodiscard]] static Result<std::unique_ptr<SystemPage>> create(const SystemPageOptions& options);
  [[nodiscard]] const std::string& uri() const { return uri_; }
  [[nodiscard]] PageEnvironment& environment() const { return *environment_; }
  [[nodiscard]] Result<std::unique_ptr<WebView>> create_view(int width, int height);

 private:
  std::string uri_;
  std::unique_ptr<SystemResources> resources_;  // borrowed by the scheme handler: lives as long as the page
  std::unique_ptr<PageEnvironment> environment_;
};

/// Dispatches `weft:navigation-gesture` on the page's window (spec §6.4).
void dispatch_navigation_gesture(WebView& view, uint32_t type, uint32_t fingers, double dx, double dy);

}  // namespace weft::webview
