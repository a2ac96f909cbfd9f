#pragma once
// The compositor⇄appd link messages (spec §2.4): u32-LE frames, each one MessagePack map with string keys and a
// snake_case "type". `bind_session` also carries exactly one fd (SCM_RIGHTS) on the sendmsg with the frame's first byte.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::ipc::compositor {

// appd → compositor
struct BindSession { uint64_t session_id = 0; std::string app_id; friend bool operator==(const BindSession&, const BindSession&) = default; };
struct CloseSession { uint64_t session_id = 0; friend bool operator==(const CloseSession&, const CloseSession&) = default; };
struct AppFocusRequest { uint64_t session_id = 0; friend bool operator==(const AppFocusRequest&, const AppFocusRequest&) = default; };
struct AppSurfaceDestroyed { uint64_t session_id = 0; friend bool operator==(const AppSurfaceDestroyed&, const AppSurfaceDestroyed&) = default; };
struct AppSurfaceCreated {
  std::string app_id; uint64_t session_id = 0; uint32_t pid = 0;
  friend bool operator==(const AppSurfaceCreated&, const AppSurfaceCreated&) = default;
};
// compositor → appd
struct SurfaceReady { uint64_t session_id = 0; friend bool operator==(const SurfaceReady&, const SurfaceReady&) = default; };
struct FocusResult { uint64_t session_id = 0; bool ok = false; friend bool operator==(const FocusResult&, const FocusResult&) = default; };
struct ClientDisconnected { uint64_t session_id = 0; friend bool operator==(const ClientDisconnected&, const ClientDisconnected&) = default; };
/// WEFT addition to the §2.4 table (peers ignore unknown types, so the reference stays compatible): keyboard focus moved
/// to a toplevel of `session_id`, or left every session (0: the panel, a layer surface or nothing has it). Sent on
/// every change, so appd knows the foreground app and each session's last focus time (memory-pressure LRU).
struct SessionFocused { uint64_t session_id = 0; friend bool operator==(const SessionFocused&, const SessionFocused&) = default; };

using Message = std::variant<BindSession, CloseSession, AppFocusRequest, AppSurfaceDestroyed, AppSurfaceCreated,
                             SurfaceReady, FocusResult, ClientDisconnected, SessionFocused>;

/// The snake_case tag, e.g. "bind_session".
[[nodiscard]] std::string_view type_name(const Message& message);
/// True for bind_session, the only message that carries an fd.
[[nodiscard]] bool carries_fd(const Message& message);

/// MessagePack map body (no frame prefix).
[[nodiscard]] std::vector<uint8_t> to_msgpack(const Message& message);

/// Decode result: a known message, or an unknown type (to be logged and ignored, spec §2.4).
struct UnknownType { std::string type; };
using Decoded = std::variant<Message, UnknownType>;
/// Errors: not a map, missing/ill-typed field, undecodable bytes.
[[nodiscard]] Result<Decoded> from_msgpack(std::span<const uint8_t> body);

/// A complete frame (length prefix + map body) ready to send.
[[nodiscard]] std::vector<uint8_t> encode(const Message& message);

}  // namespace weft::ipc::compositor
