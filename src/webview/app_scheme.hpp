#pragma once
// Serves `weft-app://<app_id>/…` (AppFiles) and `weft-system://…` (SystemResources) in a WebKit context, with the
// spec's CSP on every response.

#include <wpe/webkit.h>

#include "app_files.hpp"

namespace weft::webview {

/// Registers `weft-app` (secure, CORS-enabled) on `context`; `files` must outlive the context's use of it.
void register_app_scheme(WebKitWebContext* context, const AppFiles& files);
/// Registers `weft-system` (secure) on the system page's context; `resources` must outlive the context's use of it.
void register_system_scheme(WebKitWebContext* context, const SystemResources& resources);

}  // namespace weft::webview
