#pragma once
// The system UI as the input method (zwp_input_method_v2, issue 14 §3): the compositor tells it when an editable field
// of the focused window is active (with its surrounding text and purpose); the page's on-screen keyboard answers with
// text to commit and deletions, which this bridge sends as commit_string / delete_surrounding_text + commit with the
// serial the protocol asks for (the number of done events received).
//
// Page interface: the host calls `window.weftKeyboard({active, physicalKeyboard, purpose})` after each change; the page
// sends `osk-text <utf-8>`, `osk-backspace`, `osk-enter` and `osk-height <px>` through the weftShell message handler.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "wayland_connection.hpp"
#include "web_view.hpp"

namespace weft::webview {

/// Longest text one `osk-text` message may commit (bytes); the page sends one key's text at a time.
inline constexpr size_t kMaxOskText = 256;

class InputMethodBridge {
 public:
  /// Becomes the input method when `wanted` and the compositor offers it to this client; inert otherwise (`bound()`
  /// false): WEFT_INPUT_METHOD=external leaves the role to an external IME (an input-method-v2 client of its own).
  InputMethodBridge(const WaylandConnection& connection, WebView& view, bool wanted);
  ~InputMethodBridge();
  InputMethodBridge(const InputMethodBridge&) = delete;
  InputMethodBridge& operator=(const InputMethodBridge&) = delete;

  [[nodiscard]] bool bound() const { return method_ != nullptr && !unavailable_; }
  [[nodiscard]] bool active() const { return active_; }

  /// Handles one `osk-*` page message; false when it is not one (or is malformed: the reason is logged).
  bool handle_page_message(std::string_view message);
  /// `osk-height <px>`: the keyboard's height, 0 when hidden.
  std::function<void(int height)> on_keyboard_height;

 private:
  friend struct InputMethodListeners;
  void commit_text(const std::string& text);
  void delete_before_cursor();
  void tell_page() const;

  WebView& view_;
  wl_display* display_;
  WlSeatPtr seat_;
  InputMethodPtr method_;
  bool unavailable_ = false;
  bool physical_keyboard_ = false;  // the seat has a keyboard (as this client sees its capabilities)
  bool pending_active_ = false, active_ = false;
  std::string pending_surrounding_, surrounding_;
  uint32_t pending_cursor_ = 0, cursor_ = 0;  // bytes into the surrounding text
  uint32_t pending_purpose_ = 0, purpose_ = 0;
  uint32_t dones_ = 0;  // the serial our next commit carries
};

}  // namespace weft::webview
