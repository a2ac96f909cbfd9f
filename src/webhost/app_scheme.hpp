#pragma once
// Serves `weft-app://<app_id>/…` from an AppFiles resolver in a WebKit context, with the spec's CSP on every response.

#include <wpe/webkit.h>

#include "app_files.hpp"

namespace weft::webhost {

/// Registers the scheme (secure, CORS-enabled) on `context`; `files` must outlive the context's use of it.
void register_app_scheme(WebKitWebContext* context, const AppFiles& files);

}  // namespace weft::webhost
