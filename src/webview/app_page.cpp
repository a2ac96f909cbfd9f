#include "app_page.hpp"

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
  WEFT_TRY(auto page, create_unbound(options.developer_extras));
  WEFT_TRY_VOID(page->bind({.app_id = options.app_id,
                            .session_id = options.session_id,
                            .entry_path = options.entry_path,
                            .ui_kit_path = options.ui_kit_path,
                            .cache_dir = options.cache_dir}));
  return page;
}

Result<std::unique_ptr<AppPage>> AppPage::create_unbound(bool developer_extras) {
  auto page = std::make_unique<AppPage>();
  PageConfig config;
  // Until bound, the only document is the blank page a pre-started shell loads to start its web processes.
  config.navigation_allowed = [](std::string_view uri) { return uri == "about:blank"; };
  config.developer_extras = developer_extras;
  // No sandbox read paths: the WebProcess never reads the app's files itself, the weft-app scheme handler in this
  // process serves them from the UI root's directory fd.
  WEFT_TRY(page->environment_, PageEnvironment::create(std::move(config)));
  register_app_scheme(page->environment_->context(), page->served_);
  return page;
}

Result<void> AppPage::bind(const AppBinding& binding) {
  if (files_) return fail("this page already serves " + files_->app_id() + "; a page never serves a second app");
  WEFT_TRY(AppFiles files, AppFiles::open(binding.app_id, binding.entry_path));
  PageEnvironment& env = *environment_;
  WEFT_TRY_VOID(env.add_content_rules(binding.cache_dir, app_content_rules(binding.app_id)));
  std::string app_id = binding.app_id;
  env.set_navigation_allowed([app_id](std::string_view uri) { return app_navigation_allowed(app_id, uri); });
  env.register_message_handler(std::string(kBridgeHandlerName));
  env.add_user_script(bridge_script(binding.session_id));
  std::string kit = load_ui_kit(binding.ui_kit_path);
  if (!kit.empty()) env.add_user_script(kit);
  files_ = std::make_unique<AppFiles>(std::move(files));
  served_.bind(files_.get());
  return ok();
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
