#pragma once
// Error codes and messages the spec fixes (exact): appd's ERROR replies (§3.1–3.3) and the file portal's error objects
// (§7.1). Defined once for appd, the portal, their clients and the tests.

#include <cstdint>
#include <string>
#include <string_view>

namespace weft::ipc {

/// ERROR codes of appd (§3.3).
namespace error_code {
inline constexpr uint32_t kBadRequest = 400;    // malformed request, invalid app ID, invalid payload
inline constexpr uint32_t kUnauthenticated = 401;
inline constexpr uint32_t kRefused = 403;       // package refused; role not allowed
inline constexpr uint32_t kNotFound = 404;      // package not installed; session not found, not running, no window
inline constexpr uint32_t kConflict = 409;      // app-data conflict; bridge already connected
inline constexpr uint32_t kHostFault = 500;
inline constexpr uint32_t kUnavailable = 503;   // compositor not connected, try again, relay full, full, shutting down
}  // namespace error_code

/// Messages of appd's ERROR replies.
namespace error_message {
inline constexpr std::string_view kBadRequestPrefix = "bad request: ";
inline constexpr std::string_view kAuthenticationRequired = "authentication required";
inline constexpr std::string_view kAppMessagesNotForSystemRole =
    "application messages are not available to the system role";
inline constexpr std::string_view kNotAllowedForAppRole = "not allowed for the app role";
inline constexpr std::string_view kBridgeAlreadyConnected = "bridge already connected";
inline constexpr std::string_view kInvalidAppId = "invalid app ID";

/// `bad request: <why>` (appd's Unix socket and WebSocket, and the file portal).
[[nodiscard]] inline std::string bad_request(std::string_view why) {
  return std::string(kBadRequestPrefix) + std::string(why);
}
/// `session <N> not found`
[[nodiscard]] inline std::string session_not_found(uint64_t session_id) {
  return "session " + std::to_string(session_id) + " not found";
}
/// `session <N> is not running`
[[nodiscard]] inline std::string session_not_running(uint64_t session_id) {
  return "session " + std::to_string(session_id) + " is not running";
}
/// `session <N> has no window`
[[nodiscard]] inline std::string session_has_no_window(uint64_t session_id) {
  return "session " + std::to_string(session_id) + " has no window";
}
/// `package <id> is not installed`
[[nodiscard]] inline std::string package_not_installed(std::string_view app_id) {
  return "package " + std::string(app_id) + " is not installed";
}

/// File portal (§7.1): `access denied: <P>`.
inline constexpr std::string_view kAccessDeniedPrefix = "access denied: ";
[[nodiscard]] inline std::string access_denied(std::string_view path) {
  return std::string(kAccessDeniedPrefix) + std::string(path);
}
}  // namespace error_message

}  // namespace weft::ipc
