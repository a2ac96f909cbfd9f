#include "page_environment.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "web_view.hpp"
#include "weft/core/log.hpp"

namespace weft::webview {

namespace {

constexpr int kFilterCompileTimeoutMs = 10000;

void set_if_present(GObject* object, const char* property, gboolean value) {
  if (g_object_class_find_property(G_OBJECT_GET_CLASS(object), property)) g_object_set(object, property, value, nullptr);
}

struct FilterUnref {
  void operator()(WebKitUserContentFilter* f) const { if (f) webkit_user_content_filter_unref(f); }
};
using FilterPtr = std::unique_ptr<WebKitUserContentFilter, FilterUnref>;  // a boxed type, not a GObject

Result<FilterPtr> compile_filter(const std::string& store_dir, const std::string& rules) {
  glib::Ptr<WebKitUserContentFilterStore> store(webkit_user_content_filter_store_new(store_dir.c_str()));
  struct Outcome {
    bool done = false;
    WebKitUserContentFilter* filter = nullptr;
    std::string error;
  };
  auto* outcome = new Outcome();
  glib::BytesPtr source(g_bytes_new(rules.data(), rules.size()));
  webkit_user_content_filter_store_save(
      store.get(), "weft-network-denial", source.get(), nullptr,
      [](GObject* object, GAsyncResult* result, gpointer data) {
        auto* out = static_cast<Outcome*>(data);
        GError* error = nullptr;
        out->filter = webkit_user_content_filter_store_save_finish(WEBKIT_USER_CONTENT_FILTER_STORE(object), result,
                                                                    &error);
        glib::ErrorPtr owned_error(error);
        if (error) out->error = error->message;
        out->done = true;
      },
      outcome);
  if (!run_until([&] { return outcome->done; }, kFilterCompileTimeoutMs)) {
    // The callback still owns `outcome` and will run later; leaking it is the only safe choice here.
    return fail("content rules did not compile within " + std::to_string(kFilterCompileTimeoutMs) + " ms");
  }
  std::unique_ptr<Outcome> owned(outcome);
  if (!owned->filter) return fail("content rules do not compile: " + owned->error);
  return FilterPtr(owned->filter);
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(path + ": cannot be read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<std::unique_ptr<PageEnvironment>> PageEnvironment::create(PageConfig config) {
  std::unique_ptr<PageEnvironment> env(new PageEnvironment());
  env->config_ = std::move(config);
  env->context_.reset(webkit_web_context_new_ephemeral());
  WebKitWebContext* ctx = env->context_.get();
  webkit_web_context_set_cache_model(ctx, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
  // No proxy (spec §6.1): the default mode would take http_proxy/https_proxy/all_proxy from the environment (or the
  // desktop's settings) and hand the proxy every connection the NetworkProcess opens, preconnects included.
  webkit_website_data_manager_set_network_proxy_settings(webkit_web_context_get_website_data_manager(ctx),
                                                         WEBKIT_NETWORK_PROXY_MODE_NO_PROXY, nullptr);
  // bubblewrap around the WebProcess. WebKit turns it off by itself inside containers (/.dockerenv), see
  // docs/webview.md: there a renderer compromise equals a same-user native process.
  webkit_web_context_set_sandbox_enabled(ctx, TRUE);
  for (const auto& path : env->config_.sandbox_read_paths) webkit_web_context_add_path_to_sandbox(ctx, path.c_str(), TRUE);
  env->download_started_ =
      glib::connect(ctx, "download-started", G_CALLBACK(+[](WebKitWebContext*, WebKitDownload* download, gpointer) {
                      log::warn("download refused");
                      webkit_download_cancel(download);
                    }),
                    nullptr);

  env->settings_.reset(webkit_settings_new());
  GObject* settings = G_OBJECT(env->settings_.get());
  set_if_present(settings, "enable-developer-extras", env->config_.developer_extras ? TRUE : FALSE);
  set_if_present(settings, "javascript-can-open-windows-automatically", FALSE);
  set_if_present(settings, "allow-file-access-from-file-urls", FALSE);
  set_if_present(settings, "allow-universal-access-from-file-urls", FALSE);
  set_if_present(settings, "enable-media-stream", FALSE);
  set_if_present(settings, "enable-mediasource", FALSE);
  set_if_present(settings, "enable-webrtc", FALSE);
  set_if_present(settings, "enable-page-cache", FALSE);
  set_if_present(settings, "enable-write-console-messages-to-stdout", log::enabled(log::Level::debug));

  env->content_manager_.reset(webkit_user_content_manager_new());
  for (const auto& source : env->config_.user_scripts) env->add_user_script(source);
  for (const auto& handler : env->config_.message_handlers) env->register_message_handler(handler);
  if (!env->config_.content_rules.empty())
    WEFT_TRY_VOID(env->add_content_rules(env->config_.filter_store_dir, env->config_.content_rules));
  return env;
}

void PageEnvironment::add_user_script(const std::string& source) {
  WebKitUserScript* script = webkit_user_script_new(source.c_str(), WEBKIT_USER_CONTENT_INJECT_TOP_FRAME,
                                                    WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, nullptr, nullptr);
  webkit_user_content_manager_add_script(content_manager_.get(), script);
  webkit_user_script_unref(script);
}

void PageEnvironment::register_message_handler(const std::string& name) {
  webkit_user_content_manager_register_script_message_handler(content_manager_.get(), name.c_str());
}

Result<void> PageEnvironment::add_content_rules(const std::string& store_dir, const std::string& rules) {
  WEFT_TRY(auto filter, compile_filter(store_dir, rules));
  webkit_user_content_manager_add_filter(content_manager_.get(), filter.get());
  return ok();
}

void PageEnvironment::set_navigation_allowed(std::function<bool(std::string_view uri)> allowed) {
  config_.navigation_allowed = std::move(allowed);
}

PageEnvironment::~PageEnvironment() = default;

void PageEnvironment::attach(WebView& view) {
  view_policies_.push_back(
      glib::connect(view.web_view(), "decide-policy", G_CALLBACK(&PageEnvironment::on_decide_policy), this));
}

gboolean PageEnvironment::on_decide_policy(WebKitWebView*, WebKitPolicyDecision* decision,
                                           WebKitPolicyDecisionType type, gpointer data) {
  auto* self = static_cast<PageEnvironment*>(data);
  switch (type) {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION: {
      auto* nav = WEBKIT_NAVIGATION_POLICY_DECISION(decision);
      WebKitURIRequest* request = webkit_navigation_action_get_request(webkit_navigation_policy_decision_get_navigation_action(nav));
      const char* uri = webkit_uri_request_get_uri(request);
      if (!uri || !self->config_.navigation_allowed || !self->config_.navigation_allowed(uri)) {
        log::warn("navigation refused");
        webkit_policy_decision_ignore(decision);
        return TRUE;
      }
      return FALSE;
    }
    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      log::warn("new window refused");
      webkit_policy_decision_ignore(decision);
      return TRUE;
    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE: {
      auto* response = WEBKIT_RESPONSE_POLICY_DECISION(decision);
      if (!webkit_response_policy_decision_is_mime_type_supported(response)) {
        log::warn("download refused");  // what WebKit cannot show it would download
        webkit_policy_decision_ignore(decision);
        return TRUE;
      }
      return FALSE;
    }
  }
  return FALSE;
}

}  // namespace weft::webview
