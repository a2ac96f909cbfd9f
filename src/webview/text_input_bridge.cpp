#include "text_input_bridge.hpp"

#include <algorithm>

#include "weft/core/log.hpp"

namespace weft::webview {

// ---- The WebKitInputMethodContext subclass: every virtual function forwards to its bridge. ----

struct WeftImContext {
  WebKitInputMethodContext parent;
  TextInputBridge* bridge;
};
struct WeftImContextClass {
  WebKitInputMethodContextClass parent_class;
};

G_DEFINE_TYPE(WeftImContext, weft_im_context, WEBKIT_TYPE_INPUT_METHOD_CONTEXT)

namespace {

TextInputBridge* bridge_of(WebKitInputMethodContext* context) {
  return reinterpret_cast<WeftImContext*>(context)->bridge;
}

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

uint32_t purpose_for(WebKitInputPurpose purpose) {
  switch (purpose) {
    case WEBKIT_INPUT_PURPOSE_DIGITS: return ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_DIGITS;
    case WEBKIT_INPUT_PURPOSE_NUMBER: return ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_NUMBER;
    case WEBKIT_INPUT_PURPOSE_PHONE: return ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_PHONE;
    case WEBKIT_INPUT_PURPOSE_URL: return ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_URL;
    case WEBKIT_INPUT_PURPOSE_EMAIL: return ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_EMAIL;
    case WEBKIT_INPUT_PURPOSE_PASSWORD: return ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_PASSWORD;
    default: return ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_NORMAL;
  }
}

uint32_t hints_for(WebKitInputHints hints, WebKitInputPurpose purpose) {
  uint32_t out = ZWP_TEXT_INPUT_V3_CONTENT_HINT_NONE;
  if (hints & WEBKIT_INPUT_HINT_SPELLCHECK) out |= ZWP_TEXT_INPUT_V3_CONTENT_HINT_SPELLCHECK;
  if (hints & WEBKIT_INPUT_HINT_LOWERCASE) out |= ZWP_TEXT_INPUT_V3_CONTENT_HINT_LOWERCASE;
  if (hints & WEBKIT_INPUT_HINT_UPPERCASE_CHARS) out |= ZWP_TEXT_INPUT_V3_CONTENT_HINT_UPPERCASE;
  if (hints & WEBKIT_INPUT_HINT_UPPERCASE_WORDS) out |= ZWP_TEXT_INPUT_V3_CONTENT_HINT_TITLECASE;
  if (hints & WEBKIT_INPUT_HINT_UPPERCASE_SENTENCES) out |= ZWP_TEXT_INPUT_V3_CONTENT_HINT_AUTO_CAPITALIZATION;
  if (purpose == WEBKIT_INPUT_PURPOSE_PASSWORD)
    out |= ZWP_TEXT_INPUT_V3_CONTENT_HINT_HIDDEN_TEXT | ZWP_TEXT_INPUT_V3_CONTENT_HINT_SENSITIVE_DATA;
  return out;
}

const zwp_text_input_v3_listener kTextInputListener = {
    .enter = [](void* data, zwp_text_input_v3*, wl_surface*) { static_cast<TextInputBridge*>(data)->entered(true); },
    .leave = [](void* data, zwp_text_input_v3*, wl_surface*) { static_cast<TextInputBridge*>(data)->entered(false); },
    .preedit_string =
        [](void* data, zwp_text_input_v3*, const char* text, int32_t cursor_begin, int32_t) {
          static_cast<TextInputBridge*>(data)->pending_preedit(text, cursor_begin);
        },
    .commit_string =
        [](void* data, zwp_text_input_v3*, const char* text) {
          static_cast<TextInputBridge*>(data)->pending_commit(text);
        },
    .delete_surrounding_text =
        [](void* data, zwp_text_input_v3*, uint32_t before, uint32_t after) {
          static_cast<TextInputBridge*>(data)->pending_delete(before, after);
        },
    .done = [](void* data, zwp_text_input_v3*, uint32_t) { static_cast<TextInputBridge*>(data)->done(); },
};

}  // namespace

static void weft_im_context_init(WeftImContext* self) { self->bridge = nullptr; }

static void weft_im_context_class_init(WeftImContextClass* klass) {
  auto* im = WEBKIT_INPUT_METHOD_CONTEXT_CLASS(klass);
  im->get_preedit = [](WebKitInputMethodContext* c, gchar** text, GList** underlines, guint* cursor) {
    if (auto* b = bridge_of(c)) return b->preedit(text, underlines, cursor);
    if (text) *text = g_strdup("");
    if (underlines) *underlines = nullptr;
    if (cursor) *cursor = 0;
  };
  // Keys keep their ordinary path (wl_keyboard → SeatInput): an input method that wants them uses its own keyboard.
  im->filter_key_event = [](WebKitInputMethodContext*, wpe_input_keyboard_event*) -> gboolean { return FALSE; };
  im->notify_focus_in = [](WebKitInputMethodContext* c) { if (auto* b = bridge_of(c)) b->focus_in(); };
  im->notify_focus_out = [](WebKitInputMethodContext* c) { if (auto* b = bridge_of(c)) b->focus_out(); };
  im->notify_cursor_area = [](WebKitInputMethodContext* c, int x, int y, int w, int h) {
    if (auto* b = bridge_of(c)) b->cursor_area(x, y, w, h);
  };
  im->notify_surrounding = [](WebKitInputMethodContext* c, const gchar* text, guint length, guint cursor,
                              guint selection) {
    if (auto* b = bridge_of(c)) b->surrounding(std::string(text ? text : "", text ? length : 0), cursor, selection);
  };
  im->reset = [](WebKitInputMethodContext* c) { if (auto* b = bridge_of(c)) b->reset(); };
}

// ---- UTF-8 helpers ----

size_t utf8_chars(const std::string& text, size_t bytes) {
  bytes = std::min(bytes, text.size());
  size_t chars = 0;
  for (size_t i = 0; i < bytes; ++i)
    if (!is_continuation(static_cast<unsigned char>(text[i]))) ++chars;
  return chars;
}

SurroundingWindow surrounding_window(const std::string& text, size_t cursor, size_t anchor, size_t max_bytes) {
  cursor = std::min(cursor, text.size());
  anchor = std::min(anchor, text.size());
  size_t begin = 0, end = text.size();
  if (end - begin > max_bytes) {
    // Centre the window on the cursor, then move both ends back onto character starts.
    begin = cursor > max_bytes / 2 ? cursor - max_bytes / 2 : 0;
    end = std::min(text.size(), begin + max_bytes);
    if (end - begin < max_bytes) begin = end - max_bytes;
    while (begin < text.size() && is_continuation(static_cast<unsigned char>(text[begin]))) ++begin;
    while (end > begin && end < text.size() && is_continuation(static_cast<unsigned char>(text[end]))) --end;
  }
  auto inside = [&](size_t offset) { return static_cast<uint32_t>(std::clamp(offset, begin, end) - begin); };
  return SurroundingWindow{text.substr(begin, end - begin), inside(cursor), inside(anchor)};
}

// ---- The bridge ----

TextInputBridge::TextInputBridge(const WaylandConnection& connection, WebView& view)
    : view_(view) {
  if (!connection.text_input_manager()) return;
  seat_ = connection.bind_seat();
  if (!seat_) return;
  input_.reset(zwp_text_input_manager_v3_get_text_input(connection.text_input_manager(), seat_.get()));
  zwp_text_input_v3_add_listener(input_.get(), &kTextInputListener, this);
  context_.reset(WEBKIT_INPUT_METHOD_CONTEXT(g_object_new(weft_im_context_get_type(), nullptr)));
  reinterpret_cast<WeftImContext*>(context_.get())->bridge = this;
  webkit_web_view_set_input_method_context(view_.web_view(), context_.get());
}

TextInputBridge::~TextInputBridge() {
  if (context_) {
    reinterpret_cast<WeftImContext*>(context_.get())->bridge = nullptr;
    webkit_web_view_set_input_method_context(view_.web_view(), nullptr);
  }
}

void TextInputBridge::focus_in() {
  wanted_ = true;
  send_enable();
}

void TextInputBridge::focus_out() {
  wanted_ = false;
  if (!enabled_) return;
  enabled_ = false;
  sent_.reset();
  zwp_text_input_v3_disable(input_.get());
  zwp_text_input_v3_commit(input_.get());
}

void TextInputBridge::surrounding(std::string text, uint32_t cursor, uint32_t anchor) {
  surrounding_ = std::move(text);
  cursor_ = cursor;
  anchor_ = anchor;
  if (enabled_) send_state();
}

void TextInputBridge::cursor_area(int x, int y, int width, int height) {
  // WebKit gives its px (logical × the view's current scale); text-input-v3 wants surface-local logical px.
  const double scale = view_.scale();
  auto logical = [scale](int px) { return static_cast<int>(px / scale); };
  cursor_rect_ = {logical(x), logical(y), logical(width), logical(height)};
  if (enabled_) send_state();
}

void TextInputBridge::reset() {
  // WebKit ended the composition itself (focus moved, a click): drop ours without telling it again.
  preedit_.clear();
  preedit_cursor_ = 0;
}

void TextInputBridge::preedit(char** text, GList** underlines, guint* cursor_offset) const {
  if (text) *text = g_strdup(preedit_.c_str());
  if (underlines) {
    *underlines = nullptr;
    if (!preedit_.empty())
      *underlines = g_list_prepend(nullptr, webkit_input_method_underline_new(0, utf8_chars(preedit_, preedit_.size())));
  }
  if (cursor_offset) *cursor_offset = static_cast<guint>(utf8_chars(preedit_, preedit_cursor_));
}

void TextInputBridge::entered(bool yes) {
  entered_ = yes;
  // The compositor forgets an enable at leave; it is sent again at the next enter.
  enabled_ = false;
  sent_.reset();
  if (yes) send_enable();
}

void TextInputBridge::pending_preedit(const char* text, int32_t cursor_begin) {
  pending_preedit_ = text ? text : "";
  pending_preedit_cursor_ = cursor_begin;
}

void TextInputBridge::send_enable() {
  if (!input_ || !entered_ || !wanted_ || enabled_) return;
  zwp_text_input_v3_enable(input_.get());
  enabled_ = true;
  send_state();
}

void TextInputBridge::send_state() {
  zwp_text_input_v3* input = input_.get();
  SurroundingWindow window = surrounding_window(surrounding_, cursor_, anchor_);
  if (!sent_ || sent_->text != window.text || sent_->cursor != window.cursor || sent_->anchor != window.anchor) {
    zwp_text_input_v3_set_surrounding_text(input, window.text.c_str(), static_cast<int32_t>(window.cursor),
                                           static_cast<int32_t>(window.anchor));
    sent_ = std::move(window);
  }
  const WebKitInputPurpose purpose = webkit_input_method_context_get_input_purpose(context_.get());
  zwp_text_input_v3_set_content_type(input, hints_for(webkit_input_method_context_get_input_hints(context_.get()), purpose),
                                     purpose_for(purpose));
  zwp_text_input_v3_set_cursor_rectangle(input, cursor_rect_.x, cursor_rect_.y, cursor_rect_.width,
                                         cursor_rect_.height);
  zwp_text_input_v3_commit(input);
}

void TextInputBridge::set_preedit(std::string text, size_t cursor_bytes) {
  const bool was_composing = !preedit_.empty();
  if (text == preedit_ && cursor_bytes == preedit_cursor_) return;
  preedit_ = std::move(text);
  preedit_cursor_ = std::min(cursor_bytes, preedit_.size());
  if (!was_composing && !preedit_.empty()) g_signal_emit_by_name(context_.get(), "preedit-started");
  g_signal_emit_by_name(context_.get(), "preedit-changed");
  if (was_composing && preedit_.empty()) g_signal_emit_by_name(context_.get(), "preedit-finished");
}

void TextInputBridge::done() {
  // The protocol's order: the preedit is replaced, surrounding text deleted, the commit string inserted, then the new
  // preedit shown (the serial only says whether our state was current; the strings apply either way).
  std::string new_preedit = std::exchange(pending_preedit_, {});
  const int32_t new_cursor = std::exchange(pending_preedit_cursor_, 0);
  std::optional<std::string> commit = std::exchange(pending_commit_, std::nullopt);
  const uint32_t before = std::exchange(pending_before_, 0), after = std::exchange(pending_after_, 0);
  if (!enabled_) return;

  if (before || after) {
    set_preedit({}, 0);
    // WebKit counts characters from the cursor; the compositor counted bytes of the surrounding text we sent.
    const std::string& text = sent_ ? sent_->text : std::string();
    const size_t cursor = sent_ ? sent_->cursor : 0;
    const size_t start = cursor >= before ? cursor - before : 0;
    const size_t chars_before = utf8_chars(text, cursor) - utf8_chars(text, start);
    const size_t chars_after = utf8_chars(text, std::min(text.size(), cursor + after)) - utf8_chars(text, cursor);
    g_signal_emit_by_name(context_.get(), "delete-surrounding", -static_cast<int>(chars_before),
                          static_cast<guint>(chars_before + chars_after));
  }
  if (commit) {
    set_preedit({}, 0);
    g_signal_emit_by_name(context_.get(), "committed", commit->c_str());
  }
  set_preedit(std::move(new_preedit), new_cursor > 0 ? static_cast<size_t>(new_cursor) : 0);
}

}  // namespace weft::webview
