#pragma once
// Network denial for web content (spec §6.2, §6.4): WebKit content-blocker rules (JSON) and the navigation policy.
// Three layers apply together: these rules stop loads before the NetworkProcess, the navigation policy refuses
// top-level navigations and new windows, and the CSP header covers the rest.

#include <string>
#include <string_view>

namespace weft::webview {

/// Blocks every load except `weft-app://<app_id>/…`, `data:`, `blob:` and `about:blank`.
[[nodiscard]] std::string app_content_rules(std::string_view app_id);
/// Blocks every load except files beneath `page_dir` (absolute, no trailing slash), `weft-system:`, `data:`, `blob:`,
/// `about:blank` and WebSockets to 127.0.0.1 (appd's port changes at each appd start).
[[nodiscard]] std::string system_content_rules(std::string_view page_dir);

/// Top-level navigation of an app view: only within `weft-app://<app_id>/`.
[[nodiscard]] bool app_navigation_allowed(std::string_view app_id, std::string_view uri);
/// Top-level navigation of the system page: only files beneath `page_dir`.
[[nodiscard]] bool system_navigation_allowed(std::string_view page_dir, std::string_view uri);

/// `text` with every regex metacharacter escaped, for a content-blocker url-filter.
[[nodiscard]] std::string regex_escape(std::string_view text);

}  // namespace weft::webview
