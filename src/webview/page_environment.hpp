#pragma once
// Everything around a page that is not the view itself: its own ephemeral WebKitWebContext (own WebProcess and
// NetworkProcess), settings without developer extras, document-start user scripts, the compiled content-blocker rules
// and the navigation/download policy (spec §6.1). weft-app-shell and weft-shell differ only in the config.

#include <wpe/webkit.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/glib.hpp"
#include "weft/core/result.hpp"

namespace weft::webview {

class WebView;

struct PageConfig {
  /// WebKit content-blocker JSON (content_rules.hpp); compiled before the first load.
  std::string content_rules;
  /// Directory for the compiled rules (the host's private cache, or a temp dir).
  std::string filter_store_dir;
  /// Top-level navigations to other URIs are refused; new windows and downloads always are.
  std::function<bool(std::string_view uri)> navigation_allowed;
  /// Scripts injected at document start into the top frame, in order.
  std::vector<std::string> user_scripts;
  /// Script message handlers (window.webkit.messageHandlers.<name>) registered before any page runs.
  std::vector<std::string> message_handlers;
  /// Directories the WebProcess may read when the sandbox runs (read-only).
  std::vector<std::string> sandbox_read_paths;
  /// WebKit's developer extras (the remote inspector can attach); off for every production view (spec §6.1).
  bool developer_extras = false;
};

class PageEnvironment {
 public:
  /// Builds the context and compiles the content rules (runs the main context for the ≈25 ms this takes).
  [[nodiscard]] static Result<std::unique_ptr<PageEnvironment>> create(PageConfig config);
  ~PageEnvironment();

  [[nodiscard]] WebKitWebContext* context() const { return context_.get(); }
  [[nodiscard]] WebKitUserContentManager* content_manager() const { return content_manager_.get(); }
  [[nodiscard]] WebKitSettings* settings() const { return settings_.get(); }

  /// Installs the navigation policy on a view created from this environment, until either of them is gone.
  void attach(WebView& view);

  // Binding a pre-started page to its app (weft-app-shell --pool): each takes effect for the next document loaded.
  /// Injected at document start into the top frame, after the scripts added before.
  void add_user_script(const std::string& source);
  /// window.webkit.messageHandlers.<name>.
  void register_message_handler(const std::string& name);
  /// Compiles `rules` (WebKit content-blocker JSON) in `store_dir` and adds the filter; runs the main context while
  /// the compilation takes (≈25 ms).
  [[nodiscard]] Result<void> add_content_rules(const std::string& store_dir, const std::string& rules);
  /// Replaces the navigation policy (PageConfig::navigation_allowed).
  void set_navigation_allowed(std::function<bool(std::string_view uri)> allowed);

 private:
  PageEnvironment() = default;
  static gboolean on_decide_policy(WebKitWebView* view, WebKitPolicyDecision* decision, WebKitPolicyDecisionType type,
                                   gpointer self);

  PageConfig config_;
  glib::Ptr<WebKitWebContext> context_;
  glib::Ptr<WebKitUserContentManager> content_manager_;
  glib::Ptr<WebKitSettings> settings_;
  // After the objects they connect to, so they are disconnected first.
  glib::SignalConnection download_started_;
  std::vector<glib::SignalConnection> view_policies_;
};

/// Reads a whole text file (UI kit script, etc.); an error naming the path when it cannot.
[[nodiscard]] Result<std::string> read_text_file(const std::string& path);

}  // namespace weft::webview
