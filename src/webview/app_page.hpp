#pragma once
// The page side of weft-app-shell (spec §6.2, §6.3): the app's files behind weft-app://, its own ephemeral context
// with network denial, the UI kit and JS bridge injected at document start. Shared by the executable and the tests.

#include <cstdint>
#include <memory>
#include <string>

#include "app_files.hpp"
#include "app_scheme.hpp"
#include "page_environment.hpp"
#include "web_view.hpp"

namespace weft::webview {

struct AppPageOptions {
  std::string app_id;
  uint64_t session_id = 0;
  std::string entry_path;    // --ui <entry>
  std::string ui_kit_path;   // WEFT_UI_KIT_JS; empty or missing file: no kit (logged)
  std::string cache_dir;     // private directory for compiled content rules
  bool developer_extras = false;  // development launches with --inspect only: the remote inspector may attach
};

/// What binds a page to one app: the app-specific part of AppPageOptions.
struct AppBinding {
  std::string app_id;
  uint64_t session_id = 0;
  std::string entry_path;
  std::string ui_kit_path;
  std::string cache_dir;
};

class AppPage {
 public:
  /// A page bound to its app at once (a cold start; tests).
  [[nodiscard]] static Result<std::unique_ptr<AppPage>> create(const AppPageOptions& options);
  /// A page with no app yet (a pre-started app shell, spec §3.4 last line): its own ephemeral context and settings,
  /// the weft-app scheme refusing every request, and top-level navigation only to about:blank.
  [[nodiscard]] static Result<std::unique_ptr<AppPage>> create_unbound(bool developer_extras = false);
  /// Binds the page to one app, once in its life: the app's files behind weft-app://, its content rules and
  /// navigation policy, the JS bridge and the UI kit at document start — all before the app's first document loads.
  /// A second call fails: a page never serves a second app.
  [[nodiscard]] Result<void> bind(const AppBinding& binding);
  [[nodiscard]] bool bound() const { return files_ != nullptr; }

  /// Only once bound.
  [[nodiscard]] const AppFiles& files() const { return *files_; }
  /// Development reloads: see AppFiles::reopen.
  [[nodiscard]] Result<void> serve_from(const std::string& entry_path) { return files_->reopen(entry_path); }
  [[nodiscard]] PageEnvironment& environment() const { return *environment_; }
  /// A view of this page's context with the navigation policy attached (not loaded yet).
  [[nodiscard]] Result<std::unique_ptr<WebView>> create_view(int width, int height);

 private:
  std::unique_ptr<AppFiles> files_;  // borrowed by the scheme handler: lives as long as the page
  AppFilesSlot served_;              // what the scheme handler serves: empty until bind()
  std::unique_ptr<PageEnvironment> environment_;
};

/// The UI kit script, or empty (with a warning) when the file cannot be read.
[[nodiscard]] std::string load_ui_kit(const std::string& path);

}  // namespace weft::webview
