#pragma once
// Error strings the weft:app host returns to a guest (spec §4.4 and §4.5, exact): defined once for the runtime, the
// SDK and the tests.

#include <string>
#include <string_view>

namespace weft::app_error {

/// `capability <cap> is not granted`, e.g. not_granted("sys:clipboard:read").
[[nodiscard]] inline std::string not_granted(std::string_view capability) {
  return "capability " + std::string(capability) + " is not granted";
}

// ipc
inline constexpr std::string_view kIpcMessageTooLong = "message exceeds 65536 bytes";
inline constexpr std::string_view kIpcLineBreak = "message contains a line break";
inline constexpr std::string_view kIpcNotConnected = "IPC not connected";
inline constexpr std::string_view kIpcClosed = "IPC connection closed";

// notifications
inline constexpr std::string_view kNotificationTitleTooLong = "notification title exceeds 256 bytes";
inline constexpr std::string_view kNotificationBodyTooLong = "notification body exceeds 4096 bytes";
inline constexpr std::string_view kNotificationIconInvalid = "a notification icon must be an icon theme name";

// clipboard
inline constexpr std::string_view kClipboardTooLong = "clipboard text exceeds 1048576 bytes";
inline constexpr std::string_view kClipboardNotText = "the clipboard does not hold UTF-8 text";

// fetch
inline constexpr std::string_view kResponseTooLarge = "response body exceeds 16777216 bytes";
/// `unsupported URL scheme '<s>'`
[[nodiscard]] inline std::string unsupported_scheme(std::string_view scheme) {
  return "unsupported URL scheme '" + std::string(scheme) + "'";
}
/// `unsupported HTTP method '<m>'`
[[nodiscard]] inline std::string unsupported_method(std::string_view method) {
  return "unsupported HTTP method '" + std::string(method) + "'";
}
/// `header '<name>' is set by the runtime`
[[nodiscard]] inline std::string header_set_by_runtime(std::string_view name) {
  return "header '" + std::string(name) + "' is set by the runtime";
}
/// `invalid header '<name>'`
[[nodiscard]] inline std::string invalid_header(std::string_view name) {
  return "invalid header '" + std::string(name) + "'";
}

}  // namespace weft::app_error
