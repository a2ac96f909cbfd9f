#pragma once
// IME composition for a web view (spec §6.1, §2.3): a WebKitInputMethodContext subclass that bridges WebKit's
// editable-element focus to zwp_text_input_v3. When an editable element is focused the host enables text input and
// sends its surrounding text, content purpose and cursor rectangle; the input method's preedit, commit and
// delete-surrounding strings, applied at each `done`, become WebKit composition (preedit-started/changed/finished,
// committed, delete-surrounding). Keys are never filtered: physical keys keep their ordinary path (SeatInput).

#include <wpe/webkit.h>

#include <cstdint>
#include <optional>
#include <string>

#include "wayland_connection.hpp"
#include "web_view.hpp"

namespace weft::webview {

/// At most this many bytes of surrounding text go to the compositor (the protocol's limit is 4000; larger text is cut
/// around the cursor at UTF-8 boundaries).
inline constexpr size_t kMaxSurroundingBytes = 3996;

/// The part of `text` (UTF-8) around `cursor`/`anchor` (byte offsets) that fits `max_bytes`, cut at character
/// boundaries, with the offsets moved into it. Offsets past the text are clamped.
struct SurroundingWindow {
  std::string text;
  uint32_t cursor = 0, anchor = 0;
};
[[nodiscard]] SurroundingWindow surrounding_window(const std::string& text, size_t cursor, size_t anchor,
                                                   size_t max_bytes = kMaxSurroundingBytes);
/// Characters (code points) in the first `bytes` bytes of UTF-8 `text` (a cut inside a character counts it).
[[nodiscard]] size_t utf8_chars(const std::string& text, size_t bytes);

class TextInputBridge {
 public:
  /// Installs the context on `view` (which must outlive this object). Without a text-input manager or a seat the
  /// bridge stays inert and WebKit keeps its default (no IME).
  TextInputBridge(const WaylandConnection& connection, WebView& view);
  ~TextInputBridge();
  TextInputBridge(const TextInputBridge&) = delete;
  TextInputBridge& operator=(const TextInputBridge&) = delete;

  [[nodiscard]] bool active() const { return input_ != nullptr; }

  // Called by the context (WebKit's side).
  void focus_in();
  void focus_out();
  void surrounding(std::string text, uint32_t cursor, uint32_t anchor);
  void cursor_area(int x, int y, int width, int height);
  void reset();
  void preedit(char** text, GList** underlines, guint* cursor_offset) const;

  // Called by the text input's listener (the compositor's side).
  void entered(bool yes);
  void pending_preedit(const char* text, int32_t cursor_begin);
  void pending_commit(const char* text) { pending_commit_ = text ? std::optional<std::string>(text) : std::nullopt; }
  void pending_delete(uint32_t before, uint32_t after) { pending_before_ = before, pending_after_ = after; }
  void done();

 private:
  /// enable (once entered and WebKit wants it) with the whole state, then commit.
  void send_enable();
  /// Sends the state that changed while enabled, then commit.
  void send_state();
  void set_preedit(std::string text, size_t cursor_bytes);

  WebView& view_;
  WlSeatPtr seat_;
  TextInputPtr input_;
  glib::Ptr<WebKitInputMethodContext> context_;
  bool entered_ = false;
  bool wanted_ = false;   // WebKit focused an editable element
  bool enabled_ = false;  // enable sent since the last enter
  std::string surrounding_;  // the text last given by WebKit (whole), and its byte offsets
  uint32_t cursor_ = 0, anchor_ = 0;
  std::optional<SurroundingWindow> sent_;  // the window of it the compositor knows
  struct { int x = 0, y = 0, width = 0, height = 0; } cursor_rect_;  // logical px
  std::string preedit_;
  size_t preedit_cursor_ = 0;  // bytes into preedit_
  std::string pending_preedit_;
  int32_t pending_preedit_cursor_ = 0;
  std::optional<std::string> pending_commit_;
  uint32_t pending_before_ = 0, pending_after_ = 0;
};

}  // namespace weft::webview
