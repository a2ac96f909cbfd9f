#include "appd_endpoint.hpp"

#include <charconv>

#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"
#include "weft/core/ready.hpp"

namespace weft::webview {

namespace {
std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}
}  // namespace

Result<AppdEndpoint> read_appd_endpoint(const std::string& wsport_file, const std::string& token_file) {
  WEFT_TRY(std::string port_text, read_file(wsport_file, 64));
  WEFT_TRY(std::string token_text, read_file(token_file, 256));
  std::string_view port = trim(port_text);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return fail(wsport_file + ": '" + std::string(port) + "' is not a TCP port");
  std::string token(trim(token_text));
  if (!ready::is_valid_token(token)) return fail(token_file + ": not a 32-hex-digit token");
  return AppdEndpoint{static_cast<uint16_t>(value), std::move(token)};
}

std::string endpoint_call(const AppdEndpoint& endpoint) {
  // The token is 32 lowercase hex chars (validated), so it is safe inside a string literal.
  return "window.weftAppdEndpoint && window.weftAppdEndpoint(" + std::to_string(endpoint.port) + ", \"" +
         endpoint.token + "\");";
}

AppdEndpointWatcher::AppdEndpointWatcher(WebView& view, std::string wsport_file, std::string token_file)
    : view_(view), wsport_file_(std::move(wsport_file)), token_file_(std::move(token_file)) {
  timer_.reset(g_timeout_add(
      kPollIntervalMs,
      [](gpointer data) -> gboolean {
        static_cast<AppdEndpointWatcher*>(data)->poll(false);
        return G_SOURCE_CONTINUE;
      },
      this));
  load_changed_ = glib::connect(view.web_view(), "load-changed",
                                G_CALLBACK(+[](WebKitWebView*, WebKitLoadEvent event, gpointer data) {
                                  if (event == WEBKIT_LOAD_FINISHED) static_cast<AppdEndpointWatcher*>(data)->poll(true);
                                }),
                                this);
}

void AppdEndpointWatcher::poll(bool force) {
  auto endpoint = read_appd_endpoint(wsport_file_, token_file_);
  if (!endpoint.ok()) {
    if (current_) log::info("appd endpoint unavailable: ", endpoint.error().message);
    current_.reset();
    return;
  }
  if (!force && current_ && *current_ == *endpoint) return;
  current_ = *endpoint;
  log::info("appd endpoint: port ", endpoint->port);
  std::string call = endpoint_call(*endpoint);
  webkit_web_view_run_javascript(view_.web_view(), call.c_str(), nullptr, nullptr, nullptr);
}

}  // namespace weft::webview
