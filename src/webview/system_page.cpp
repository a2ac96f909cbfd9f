#include "system_page.hpp"

#include <filesystem>
#include <sstream>

#include "app_page.hpp"
#include "app_scheme.hpp"
#include "weft/core/log.hpp"
#include "content_rules.hpp"

namespace weft::webview {

Result<std::unique_ptr<SystemPage>> SystemPage::create(const SystemPageOptions& options) {
  std::error_code ec;
  std::filesystem::path html = std::filesystem::canonical(options.html_path, ec);
  if (ec || !std::filesystem::is_regular_file(html, ec))
    return fail("system page " + options.html_path + ": not a readable file");
  std::string dir = html.parent_path().string();
  auto page = std::make_unique<SystemPage>();
  glib::CharPtr uri(g_filename_to_uri(html.c_str(), nullptr, nullptr));
  if (!uri) return fail("system page " + html.string() + ": cannot form a file URI");
  page->uri_ = uri.get();

  PageConfig config;
  config.content_rules = system_content_rules(dir);
  config.filter_store_dir = options.cache_dir;
  config.navigation_allowed = [dir](std::string_view target) { return system_navigation_allowed(dir, target); };
  std::string kit = load_ui_kit(options.ui_kit_path);
  if (!kit.empty()) config.user_scripts.push_back(std::move(kit));
  config.sandbox_read_paths.push_back(dir);
  config.message_handlers.push_back(kShellHandlerName);
  WEFT_TRY(page->environment_, PageEnvironment::create(std::move(config)));
  if (!options.resources_dir.empty()) {
    auto resources = SystemResources::open(options.resources_dir);
    if (resources.ok()) {
      page->resources_ = std::make_unique<SystemResources>(std::move(resources).value());
      register_system_scheme(page->environment_->context(), *page->resources_);
    } else {
      log::warn("weft-system:// not served: ", resources.error().message);
    }
  }
  return page;
}

Result<std::unique_ptr<WebView>> SystemPage::create_view(int width, int height) {
  WEFT_TRY(auto view, WebView::create({.width = width,
                                       .height = height,
                                       .context = environment_->context(),
                                       .content_manager = environment_->content_manager(),
                                       .settings = environment_->settings(),
                                       .transparent = true}));
  environment_->attach(*view);
  return view;
}

void dispatch_navigation_gesture(WebView& view, uint32_t type, uint32_t fingers, double dx, double dy) {
  std::ostringstream js;
  js << "window.dispatchEvent(new CustomEvent('weft:navigation-gesture', {detail: {gesture_type: " << type
     << ", fingers: " << fingers << ", dx: " << dx << ", dy: " << dy << "}}));";
  webkit_web_view_run_javascript(view.web_view(), js.str().c_str(), nullptr, nullptr, nullptr);
}

}  // namespace weft::webview
