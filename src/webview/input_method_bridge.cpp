#include "input_method_bridge.hpp"

#include <nlohmann/json.hpp>

#include <charconv>

#include "weft/core/log.hpp"

namespace weft::webview {

struct InputMethodListeners {
  static InputMethodBridge* self(void* data) { return static_cast<InputMethodBridge*>(data); }
  static constexpr zwp_input_method_v2_listener method = {
      .activate =
          [](void* data, zwp_input_method_v2*) {
            // activate starts from a clean state: what the field sends next describes it.
            auto* s = self(data);
            s->pending_active_ = true;
            s->pending_surrounding_.clear();
            s->pending_cursor_ = 0;
            s->pending_purpose_ = ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_NORMAL;
          },
      .deactivate = [](void* data, zwp_input_method_v2*) { self(data)->pending_active_ = false; },
      .surrounding_text =
          [](void* data, zwp_input_method_v2*, const char* text, uint32_t cursor, uint32_t) {
            self(data)->pending_surrounding_ = text ? text : "";
            self(data)->pending_cursor_ = cursor;
          },
      .text_change_cause = [](void*, zwp_input_method_v2*, uint32_t) {},
      .content_type =
          [](void* data, zwp_input_method_v2*, uint32_t, uint32_t purpose) { self(data)->pending_purpose_ = purpose; },
      .done =
          [](void* data, zwp_input_method_v2*) {
            auto* s = self(data);
            ++s->dones_;
            const bool changed = s->active_ != s->pending_active_ || s->purpose_ != s->pending_purpose_;
            s->active_ = s->pending_active_;
            s->surrounding_ = s->pending_surrounding_;
            s->cursor_ = std::min<uint32_t>(s->pending_cursor_, static_cast<uint32_t>(s->surrounding_.size()));
            s->purpose_ = s->pending_purpose_;
            if (changed) s->tell_page();
          },
      .unavailable =
          [](void* data, zwp_input_method_v2*) {
            log::warn("input method: another client is the input method; the on-screen keyboard stays off");
            self(data)->unavailable_ = true;
          },
  };
  static constexpr wl_seat_listener seat = {
      .capabilities =
          [](void* data, wl_seat*, uint32_t caps) {
            auto* s = self(data);
            const bool keyboard = (caps & WL_SEAT_CAPABILITY_KEYBOARD) != 0;
            if (keyboard == s->physical_keyboard_) return;
            s->physical_keyboard_ = keyboard;
            s->tell_page();
          },
      .name = [](void*, wl_seat*, const char*) {},
  };
};

InputMethodBridge::InputMethodBridge(const WaylandConnection& connection, WebView& view, bool wanted)
    : view_(view), display_(connection.display()) {
  if (!wanted || !connection.input_method_manager()) return;
  seat_ = connection.bind_seat();
  if (!seat_) return;
  wl_seat_add_listener(seat_.get(), &InputMethodListeners::seat, this);
  method_.reset(zwp_input_method_manager_v2_get_input_method(connection.input_method_manager(), seat_.get()));
  zwp_input_method_v2_add_listener(method_.get(), &InputMethodListeners::method, this);
}

InputMethodBridge::~InputMethodBridge() = default;

void InputMethodBridge::tell_page() const {
  const nlohmann::json state = {{"active", active_ && !unavailable_},
                                {"physicalKeyboard", physical_keyboard_},
                                {"purpose", purpose_}};
  const std::string call = "window.weftKeyboard && window.weftKeyboard(" + state.dump() + ");";
  webkit_web_view_run_javascript(view_.web_view(), call.c_str(), nullptr, nullptr, nullptr);
}

void InputMethodBridge::commit_text(const std::string& text) {
  zwp_input_method_v2_commit_string(method_.get(), text.c_str());
  zwp_input_method_v2_commit(method_.get(), dones_);
}

void InputMethodBridge::delete_before_cursor() {
  // One character back from the cursor, in bytes of the surrounding text the field last sent.
  size_t start = cursor_;
  while (start > 0) {
    --start;
    if ((static_cast<unsigned char>(surrounding_[start]) & 0xC0) != 0x80) break;
  }
  if (start == cursor_) return;  // at the start of the field (or it sent no surrounding text)
  zwp_input_method_v2_delete_surrounding_text(method_.get(), static_cast<uint32_t>(cursor_ - start), 0);
  zwp_input_method_v2_commit(method_.get(), dones_);
}

bool InputMethodBridge::handle_page_message(std::string_view message) {
  if (!message.starts_with("osk-")) return false;
  if (message.starts_with("osk-height ")) {
    int height = 0;
    std::string_view value = message.substr(11);
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), height);
    constexpr int kMaxHeight = 4096;  // px
    if (error != std::errc() || end != value.data() + value.size() || height < 0 || height > kMaxHeight) {
      log::warn("input method: ignoring a malformed keyboard height: ", std::string(value.substr(0, 16)));
      return true;
    }
    if (on_keyboard_height) on_keyboard_height(height);
    return true;
  }
  if (!bound() || !active_) return true;  // a key pressed as the field went away: nothing to type into
  if (message.starts_with("osk-text ")) {
    std::string_view text = message.substr(9);
    if (text.empty() || text.size() > kMaxOskText) {
      log::warn("input method: ignoring a key text of ", text.size(), " bytes");
      return true;
    }
    commit_text(std::string(text));
  } else if (message == "osk-backspace") {
    delete_before_cursor();
  } else if (message == "osk-enter") {
    commit_text("\n");
  } else {
    log::warn("input method: unknown page message ", std::string(message.substr(0, 40)));
  }
  wl_display_flush(display_);  // page messages arrive outside the Wayland source's dispatch
  return true;
}

}  // namespace weft::webview
