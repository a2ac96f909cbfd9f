#pragma once
// The app shell's bridge channel (spec §6.3): `{"type":"APP_MESSAGE","payload":"<str>"}\n` lines both ways on
// WEFT_BRIDGE_FD, and the script injected into the page that exposes window.weftIpc and window.weftSessionId.
// No WebKit here: the codec and the line splitter are unit-testable without a view.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::webview {

/// Largest page payload (bytes), as for every app payload (spec §3.1).
inline constexpr size_t kMaxBridgePayloadBytes = 64 * 1024;
/// Largest bridge line (bytes, without the newline).
inline constexpr size_t kMaxBridgeLineBytes = 1 << 20;
/// Payloads that arrive before the page sets onmessage are kept up to this count (oldest dropped).
inline constexpr size_t kMaxBufferedPayloads = 256;

/// ok, or why the payload cannot travel (`payload exceeds 65536 bytes`, `payload contains a line break`).
[[nodiscard]] Result<void> check_bridge_payload(std::string_view payload);
/// One bridge line (with the trailing newline) carrying `payload`; the payload is checked first.
[[nodiscard]] Result<std::string> encode_app_message(std::string_view payload);
/// The payload of an APP_MESSAGE line; nullopt for other well-formed types (ignored); an error for malformed lines.
[[nodiscard]] Result<std::optional<std::string>> decode_bridge_line(std::string_view line);
/// `{"type":"RENDERER_CRASHED"}\n`.
[[nodiscard]] std::string renderer_crashed_line();

/// Splits a byte stream into lines of at most kMaxBridgeLineBytes; an overlong line is an error (the channel is then
/// unusable: the caller closes it).
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line = kMaxBridgeLineBytes) : max_line_(max_line) {}
  [[nodiscard]] Result<std::vector<std::string>> feed(std::string_view bytes);

 private:
  size_t max_line_;
  std::string partial_;
};

/// The document-start script of app views: defines window.weftSessionId and window.weftIpc (send/onmessage with
/// buffering) on top of the `weft` script message handler, and a non-writable delivery hook for the host.
[[nodiscard]] std::string bridge_script(uint64_t session_id);
/// A call of the delivery hook carrying `payload` as a JS string literal (JSON-escaped, so never markup or code).
[[nodiscard]] std::string delivery_call(std::string_view payload);

/// Name of the WebKit script message handler the page posts to.
inline constexpr char kBridgeHandlerName[] = "weft";

}  // namespace weft::webview
