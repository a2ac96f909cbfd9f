#pragma once
// Serves `weft-app://<app_id>/…` (AppFiles) and `weft-system://…` (SystemResources) in a WebKit context, with the
// spec's CSP on every response.

#include <wpe/webkit.h>

#include "app_files.hpp"

namespace weft::webview {

/// The app files a view serves. Empty until the view is bound to its app (a pre-started app shell has no app yet):
/// until then every request is refused with 404.
class AppFilesSlot {
 public:
  void bind(const AppFiles* files) { files_ = files; }
  [[nodiscard]] const AppFiles* files() const { return files_; }
  [[nodiscard]] Result<ServedFile> resolve(std::string_view uri) const;

 private:
  const AppFiles* files_ = nullptr;
};

/// Registers `weft-app` (secure, CORS-enabled) on `context`; `slot` must outlive the context's use of it.
void register_app_scheme(WebKitWebContext* context, const AppFilesSlot& slot);
/// Registers `weft-system` (secure) on the system page's context; `resources` must outlive the context's use of it.
void register_system_scheme(WebKitWebContext* context, const SystemResources& resources);

}  // namespace weft::webview
