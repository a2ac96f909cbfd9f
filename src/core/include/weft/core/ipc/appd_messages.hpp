#pragma once
// The appd message set (spec §3.1, §3.2; compat), defined once for every process and test.
// Two encodings:
//  - MessagePack (Unix socket, inside u32-LE frames): decoders accept a map tagged by "type" and a positional array
//    (tag first, fields in the listed order, nested records too; trailing optional fields may be missing; any integer
//    width and either float width). WEFT emits responses as positional arrays and requests as maps.
//  - JSON (WebSocket text frames): objects with the same tags and field names.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "weft/core/ipc/bridge.hpp"
#include "weft/core/result.hpp"

namespace weft::ipc::appd {

// ---- requests ----
struct LaunchApp { std::string app_id; uint64_t surface_id = 0; friend bool operator==(const LaunchApp&, const LaunchApp&) = default; };
struct TerminateApp { uint64_t session_id = 0; bool force = false; friend bool operator==(const TerminateApp&, const TerminateApp&) = default; };
struct ActivateApp { uint64_t session_id = 0; friend bool operator==(const ActivateApp&, const ActivateApp&) = default; };
struct QueryAppState { uint64_t session_id = 0; friend bool operator==(const QueryAppState&, const QueryAppState&) = default; };
struct QueryRunning { friend bool operator==(const QueryRunning&, const QueryRunning&) = default; };
struct QueryInstalledApps { friend bool operator==(const QueryInstalledApps&, const QueryInstalledApps&) = default; };
struct IpcForward { uint64_t session_id = 0; std::string payload; friend bool operator==(const IpcForward&, const IpcForward&) = default; };
struct PanelGesture {
  uint32_t gesture_type = 0; uint32_t fingers = 0; double dx = 0; double dy = 0;
  friend bool operator==(const PanelGesture&, const PanelGesture&) = default;
};
/// WebSocket only: first message of a connection. role "system" (token = appd.systoken) or "app" (session_id + bridge token).
struct Hello {
  std::string role; std::optional<uint64_t> session_id; std::string token;
  friend bool operator==(const Hello&, const Hello&) = default;
};
/// WebSocket app role and the bridge fd channel: one opaque payload string.
struct AppMessage { std::string payload; friend bool operator==(const AppMessage&, const AppMessage&) = default; };

// ---- development requests (Unix socket only; weft-dev, docs/debugging-apps.md) ----
/// LAUNCH_APP with development options. `inspect_port` != 0 asks for WebKit's remote inspector on 127.0.0.1:<port>;
/// appd grants it only for a `development` package in a development store (else ERROR 403).
struct DevLaunchApp { std::string app_id; uint32_t inspect_port = 0; friend bool operator==(const DevLaunchApp&, const DevLaunchApp&) = default; };
/// Reloads a development session's page in place from the app's currently installed revision; with
/// `restart_runtime` the component is first restarted from that revision too (the window stays).
struct DevReloadUi {
  uint64_t session_id = 0; bool restart_runtime = false;
  friend bool operator==(const DevReloadUi&, const DevReloadUi&) = default;
};
/// Sends `payload` to a development session's component (as IPC_FORWARD) and answers DEV_IPC_REPLIES with every line
/// the component sent within `wait_ms` (also delivered to the page as usual).
struct DevIpcExchange {
  uint64_t session_id = 0; std::string payload; uint32_t wait_ms = 0;
  friend bool operator==(const DevIpcExchange&, const DevIpcExchange&) = default;
};

// ---- responses / notifications ----
struct SessionInfo { uint64_t session_id = 0; std::string app_id; friend bool operator==(const SessionInfo&, const SessionInfo&) = default; };
struct AppInfo { std::string app_id; std::string name; std::string version; friend bool operator==(const AppInfo&, const AppInfo&) = default; };

struct LaunchAck { uint64_t session_id = 0; std::string app_id; friend bool operator==(const LaunchAck&, const LaunchAck&) = default; };
struct AppReady { uint64_t session_id = 0; std::string app_id; friend bool operator==(const AppReady&, const AppReady&) = default; };
struct RunningApps { std::vector<SessionInfo> sessions; friend bool operator==(const RunningApps&, const RunningApps&) = default; };
/// state: "starting" | "running" | "stopping" | "stopped" | "not_found"
struct AppState { uint64_t session_id = 0; std::string state; friend bool operator==(const AppState&, const AppState&) = default; };
struct InstalledApps { std::vector<AppInfo> apps; friend bool operator==(const InstalledApps&, const InstalledApps&) = default; };
struct IpcMessage { uint64_t session_id = 0; std::string payload; friend bool operator==(const IpcMessage&, const IpcMessage&) = default; };
struct NavigationGesture {
  uint32_t gesture_type = 0; uint32_t fingers = 0; double dx = 0; double dy = 0;
  friend bool operator==(const NavigationGesture&, const NavigationGesture&) = default;
};
struct DevIpcReply { std::string payload; friend bool operator==(const DevIpcReply&, const DevIpcReply&) = default; };
struct DevIpcReplies {
  uint64_t session_id = 0; std::vector<DevIpcReply> replies;
  friend bool operator==(const DevIpcReplies&, const DevIpcReplies&) = default;
};
/// WEFT addition (WebSocket system role broadcast; clients ignore unknown types): appd itself closed a session, e.g.
/// reason "memory pressure" (the least recently used background app under memory pressure). The shell shows a toast.
struct AppClosed {
  uint64_t session_id = 0; std::string app_id; std::string reason;
  friend bool operator==(const AppClosed&, const AppClosed&) = default;
};
struct ErrorReply { uint32_t code = 0; std::string message; friend bool operator==(const ErrorReply&, const ErrorReply&) = default; };

using Message = std::variant<LaunchApp, TerminateApp, ActivateApp, QueryAppState, QueryRunning, QueryInstalledApps,
                             IpcForward, PanelGesture, Hello, AppMessage, LaunchAck, AppReady, RunningApps, AppState,
                             InstalledApps, IpcMessage, NavigationGesture, ErrorReply, DevLaunchApp, DevReloadUi,
                             DevIpcExchange, DevIpcReplies, AppClosed>;

/// The SCREAMING_SNAKE_CASE tag of a message, e.g. "LAUNCH_APP".
[[nodiscard]] std::string_view type_name(const Message& message);
/// True for the request types a client may send on the Unix socket (everything a §3.1 request table lists, and the
/// development requests).
[[nodiscard]] bool is_request(const Message& message);

/// MessagePack body (no frame prefix) as a map `{"type": TAG, field: value…}`.
[[nodiscard]] std::vector<uint8_t> to_msgpack_map(const Message& message);
/// MessagePack body as a positional array `[TAG, field…]` (nested records as arrays too).
[[nodiscard]] std::vector<uint8_t> to_msgpack_array(const Message& message);
/// Decodes either form. Errors name the problem: `undecodable MessagePack`, `unknown message type 'X'`,
/// `LAUNCH_APP: field app_id must be a string`, `LAUNCH_APP: missing field app_id`, trailing bytes, …
[[nodiscard]] Result<Message> from_msgpack(std::span<const uint8_t> body);

/// JSON object with "type" and named fields.
[[nodiscard]] nlohmann::json to_json(const Message& message);
[[nodiscard]] std::string to_json_text(const Message& message);
[[nodiscard]] Result<Message> from_json(const nlohmann::json& value);
/// Parses text first; `malformed JSON: …` when it does not parse.
[[nodiscard]] Result<Message> from_json_text(std::string_view text);

// The one payload limit and check of every app payload (IPC_FORWARD, APP_MESSAGE) live in bridge.hpp.
using ipc::kMaxPayloadBytes;
using ipc::validate_payload;

}  // namespace weft::ipc::appd
