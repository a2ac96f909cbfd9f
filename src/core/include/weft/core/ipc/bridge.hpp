#pragma once
// The one relay/bridge line protocol (spec §3.5, §6.3), shared by the app shell's bridge, the runtime's ipc host and
// appd's relay:
//  - bridge lines (app shell ⇄ appd on WEFT_BRIDGE_FD): `{"type":"APP_MESSAGE","payload":"<str>"}\n` each way, and
//    `{"type":"RENDERER_CRASHED"}\n` from the host; lines ≤ kMaxBridgeLineBytes.
//  - relay lines (component ⇄ appd on ipc-<sid>.sock): the payload itself, `\n`-terminated, ≤ kMaxPayloadBytes.
// Every payload obeys ONE limit, kMaxPayloadBytes (64 KiB), and carries no `\n` or `\r`.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::ipc {

/// Largest app payload in bytes (IPC_FORWARD, APP_MESSAGE, relay lines, weftIpc.send, ipc.send).
inline constexpr size_t kMaxPayloadBytes = 64 * 1024;
/// Largest bridge line in bytes (without its newline): an APP_MESSAGE with a 64 KiB payload escaped as JSON fits.
inline constexpr size_t kMaxBridgeLineBytes = 1 << 20;

/// Spec error strings, used by code and tests alike.
inline constexpr std::string_view kPayloadTooLarge = "payload exceeds 65536 bytes";
inline constexpr std::string_view kPayloadHasLineBreak = "payload contains a line break";

/// ok, or why the payload cannot travel (code 400: kPayloadTooLarge, kPayloadHasLineBreak).
[[nodiscard]] Result<void> validate_payload(std::string_view payload);

/// One bridge line (with the trailing newline) carrying `payload`; the payload is validated first. The JSON is ASCII
/// only, so U+2028/2029 and invalid UTF-8 can never break out of a JS string literal built from it.
[[nodiscard]] Result<std::string> encode_app_message_line(std::string_view payload);
/// `{"type":"RENDERER_CRASHED"}\n`.
[[nodiscard]] std::string renderer_crashed_line();
/// appd → app shell, development launches only: `{"type":"DEV_RELOAD","entry":"<abs path>"}\n` — serve the UI from
/// `entry`'s directory (the app's newly installed revision) and reload the page in place.
[[nodiscard]] std::string dev_reload_line(std::string_view entry);

/// appd → app shell under memory pressure while the app is in the background: `{"type":"RELEASE_MEMORY"}\n` — drop
/// what WebKit can drop (caches; docs/appd.md "Memory pressure").
[[nodiscard]] std::string release_memory_line();

/// What a bridge line holds.
struct BridgeLine {
  enum class Kind { app_message, renderer_crashed, dev_reload, release_memory, other };
  Kind kind = Kind::other;
  std::string payload;  // app_message only
  std::string entry;    // dev_reload only
  std::string type;     // the line's "type"
};
/// Decodes one bridge line (without its newline; a trailing `\r` is ignored). Errors: not a JSON object, no string
/// "type", APP_MESSAGE without a string payload.
[[nodiscard]] Result<BridgeLine> decode_bridge_line(std::string_view line);

/// Splits a byte stream into `\n`-terminated lines of at most `max_line` bytes (without the newline). An overlong line
/// is an error, after which the stream is unusable and the caller closes it.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line = kMaxBridgeLineBytes) : max_line_(max_line) {}
  [[nodiscard]] Result<std::vector<std::string>> feed(std::string_view bytes);
  /// Bytes of an unterminated line held back.
  [[nodiscard]] size_t pending() const { return partial_.size(); }

 private:
  size_t max_line_;
  std::string partial_;
};

}  // namespace weft::ipc
