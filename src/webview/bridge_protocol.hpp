#pragma once
// The page side of the app shell's bridge (spec §6.3): the script injected into the page that exposes window.weftIpc
// and window.weftSessionId, and the call that delivers a payload to it. The lines on WEFT_BRIDGE_FD are weft-core's
// (weft/core/ipc/bridge.hpp). No WebKit here: unit-testable without a view.

#include <cstdint>
#include <string>
#include <string_view>


namespace weft::webview {

/// Payloads that arrive before the page sets onmessage are kept up to this count (oldest dropped).
inline constexpr size_t kMaxBufferedPayloads = 256;

/// The document-start script of app views: defines window.weftSessionId and window.weftIpc (send/onmessage with
/// buffering) on top of the `weft` script message handler, and a non-writable delivery hook for the host.
[[nodiscard]] std::string bridge_script(uint64_t session_id);
/// A call of the delivery hook carrying `payload` as a JS string literal (JSON-escaped, so never markup or code).
[[nodiscard]] std::string delivery_call(std::string_view payload);

/// Name of the WebKit script message handler the page posts to.
inline constexpr char kBridgeHandlerName[] = "weft";

}  // namespace weft::webview
