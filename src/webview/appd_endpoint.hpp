#pragma once
// weft-shell's view of appd's WebSocket endpoint (spec §6.4): the port in appd.wsport and the system token in
// appd.systoken, re-read periodically and handed to the page as window.weftAppdEndpoint(port, token) after each load
// and on every change. The token goes only to the system page, never to logs.

#include <cstdint>
#include <optional>
#include <string>

#include "weft/core/glib.hpp"
#include "web_view.hpp"
#include "weft/core/result.hpp"

namespace weft::webview {

struct AppdEndpoint {
  uint16_t port = 0;
  std::string token;  // 32 lowercase hex
  friend bool operator==(const AppdEndpoint&, const AppdEndpoint&) = default;
};

/// Reads both rendezvous files; an error naming the file and the problem (missing, not a port, not a token).
[[nodiscard]] Result<AppdEndpoint> read_appd_endpoint(const std::string& wsport_file, const std::string& token_file);
/// The page call for an endpoint: `window.weftAppdEndpoint && window.weftAppdEndpoint(<port>, "<token>")`.
[[nodiscard]] std::string endpoint_call(const AppdEndpoint& endpoint);

class AppdEndpointWatcher {
 public:
  static constexpr guint kPollIntervalMs = 1000;
  AppdEndpointWatcher(WebView& view, std::string wsport_file, std::string token_file);
  AppdEndpointWatcher(const AppdEndpointWatcher&) = delete;
  AppdEndpointWatcher& operator=(const AppdEndpointWatcher&) = delete;

 private:
  void poll(bool force);
  WebView& view_;
  std::string wsport_file_;
  std::string token_file_;
  std::optional<AppdEndpoint> current_;
  glib::SourceId timer_;
  glib::SignalConnection load_changed_;
};

}  // namespace weft::webview
