#include "app_page.hpp"

#include <filesystem>

#include "app_scheme.hpp"
#include "bridge_protocol.hpp"
#include "content_rules.hpp"
#include "weft/core/log.hpp"

namespace weft::webview {

std::string load_ui_kit(const std::string& path) {
  if (path.empty()) return {};
  auto text = read_text_file(path);
  if (!text.ok()) {
    log::warn("UI kit not injected: ", text.error().message);
    return {};
  }
  return std::move(text).value();
}

Result<std::unique_ptr<AppPage>> AppPage::create(const AppPageOptions& options) {
  WEFT_TRY(AppFiles files, AppFiles::open(options.app_id, options.entry_path));
  auto page = std::make_unique<AppPage>();
  page->files_ = std::make_unique<AppFiles>(std::move(files));

  PageConfig config;
  config.content_rules = app_content_rules(options.app_id);
  config.filter_store_dir = options.cache_dir;
  std::string app_id = options.app_id;
  config.navigation_allowed = [app_id](std::string_view uri) { return app_navigation_allowed(app_id, uri); };
  config.message_handlers.push_back(kBridgeHandlerName);
  config.user_scripts.push_back(bridge_script(options.session_id));
  std::string kit = load_ui_kit(options.ui_kit_path);
  if (!kit.empty()) config.user_scripts.push_back(std::move(kit));
  config.developer_extras = options.developer_extras;
  config.sandbox_read_paths.push_back(std::filesystem::path(options.entry_path).parent_path().string());
  WEFT_TRY(page->environment_, PageEnvironment::create(std::move(config)));
  register_app_scheme(page->environment_->context(), *page->files_);
  return page;
}

Result<std::unique_ptr<WebView>> AppPage::create_view(int width, int height) {
  WEFT_TRY(auto view, WebView::create({.width = width,
                                       .height = height,
                                       .context = environment_->context(),
                                       .content_manager = environment_->content_manager(),
                                       .settings = environment_->settings()}));
  environment_->attach(*view);
  return view;
}

}  // namespace weft::webview
