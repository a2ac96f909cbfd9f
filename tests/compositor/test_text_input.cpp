#include "test_text_input.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <xkbcommon/xkbcommon.h>

#include <cstring>
#include <memory>

#include "weft/core/fd.hpp"

namespace weft::test {

namespace {

template <class T>
T* bind(TestClient& client, const char* name, const wl_interface* interface) {
  auto it = client.global_names.find(name);
  if (it == client.global_names.end()) return nullptr;
  return static_cast<T*>(wl_registry_bind(client.registry, it->second, interface, 1));
}

}  // namespace

struct TestTextInputListeners {
  static constexpr zwp_text_input_v3_listener input = {
      .enter =
          [](void* data, zwp_text_input_v3*, wl_surface* surface) {
            auto* t = static_cast<TestTextInput*>(data);
            t->entered = surface;
            ++t->enters;
          },
      .leave =
          [](void* data, zwp_text_input_v3*, wl_surface*) {
            auto* t = static_cast<TestTextInput*>(data);
            t->entered = nullptr;
            ++t->leaves;
          },
      .preedit_string =
          [](void* data, zwp_text_input_v3*, const char* text, int32_t, int32_t) {
            static_cast<TestTextInput*>(data)->pending_preedit_ = text ? text : "";
          },
      .commit_string =
          [](void* data, zwp_text_input_v3*, const char* text) {
            static_cast<TestTextInput*>(data)->pending_commit_ = text ? text : "";
          },
      .delete_surrounding_text =
          [](void* data, zwp_text_input_v3*, uint32_t before, uint32_t after) {
            auto* t = static_cast<TestTextInput*>(data);
            t->pending_before_ = before;
            t->pending_after_ = after;
          },
      .done =
          [](void* data, zwp_text_input_v3*, uint32_t) {
            // The protocol's order at done: the preedit is replaced, surrounding text deleted, the commit inserted.
            auto* t = static_cast<TestTextInput*>(data);
            t->preedit = std::exchange(t->pending_preedit_, {});
            t->committed += std::exchange(t->pending_commit_, {});
            t->deleted_before += std::exchange(t->pending_before_, 0);
            t->deleted_after += std::exchange(t->pending_after_, 0);
            ++t->dones;
          },
  };
};

TestTextInput::TestTextInput(TestClient& client) : client_(client) {
  auto* manager = bind<zwp_text_input_manager_v3>(client, "zwp_text_input_manager_v3",
                                                  &zwp_text_input_manager_v3_interface);
  if (!manager) return;
  input_ = zwp_text_input_manager_v3_get_text_input(manager, client.seat);
  zwp_text_input_v3_add_listener(input_, &TestTextInputListeners::input, this);
  zwp_text_input_manager_v3_destroy(manager);
  wl_display_flush(client.display);
}

TestTextInput::~TestTextInput() {
  if (input_) zwp_text_input_v3_destroy(input_);
  wl_display_flush(client_.display);
}

void TestTextInput::enable(const std::string& surrounding, uint32_t cursor, uint32_t purpose) {
  zwp_text_input_v3_enable(input_);
  zwp_text_input_v3_set_surrounding_text(input_, surrounding.c_str(), static_cast<int32_t>(cursor),
                                         static_cast<int32_t>(cursor));
  zwp_text_input_v3_set_content_type(input_, ZWP_TEXT_INPUT_V3_CONTENT_HINT_NONE, purpose);
  zwp_text_input_v3_set_cursor_rectangle(input_, 10, 20, 1, 16);
  zwp_text_input_v3_commit(input_);
  wl_display_flush(client_.display);
}

void TestTextInput::disable() {
  zwp_text_input_v3_disable(input_);
  zwp_text_input_v3_commit(input_);
  wl_display_flush(client_.display);
}

struct TestInputMethodListeners {
  static constexpr zwp_input_method_v2_listener method = {
      .activate =
          [](void* data, zwp_input_method_v2*) {
            auto* m = static_cast<TestInputMethod*>(data);
            m->pending_active_ = true;
            // activate resets the state the input method knew.
            m->surrounding.clear();
            m->purpose = m->hint = 0;
          },
      .deactivate = [](void* data, zwp_input_method_v2*) { static_cast<TestInputMethod*>(data)->pending_active_ = false; },
      .surrounding_text =
          [](void* data, zwp_input_method_v2*, const char* text, uint32_t cursor, uint32_t) {
            auto* m = static_cast<TestInputMethod*>(data);
            m->surrounding = text;
            m->cursor = cursor;
          },
      .text_change_cause = [](void*, zwp_input_method_v2*, uint32_t) {},
      .content_type =
          [](void* data, zwp_input_method_v2*, uint32_t hint, uint32_t purpose) {
            auto* m = static_cast<TestInputMethod*>(data);
            m->hint = hint;
            m->purpose = purpose;
          },
      .done =
          [](void* data, zwp_input_method_v2*) {
            auto* m = static_cast<TestInputMethod*>(data);
            m->active = m->pending_active_;
            ++m->dones;
          },
      .unavailable = [](void* data, zwp_input_method_v2*) { static_cast<TestInputMethod*>(data)->unavailable = true; },
  };
};

TestInputMethod::TestInputMethod(TestClient& client) : client_(client) {
  manager_ = bind<zwp_input_method_manager_v2>(client, "zwp_input_method_manager_v2",
                                               &zwp_input_method_manager_v2_interface);
  keyboards_ = bind<zwp_virtual_keyboard_manager_v1>(client, "zwp_virtual_keyboard_manager_v1",
                                                     &zwp_virtual_keyboard_manager_v1_interface);
  if (!manager_) return;
  method_ = zwp_input_method_manager_v2_get_input_method(manager_, client.seat);
  zwp_input_method_v2_add_listener(method_, &TestInputMethodListeners::method, this);
  wl_display_flush(client.display);
}

TestInputMethod::~TestInputMethod() {
  if (grab_) zwp_input_method_keyboard_grab_v2_release(grab_);
  if (popup_) zwp_input_popup_surface_v2_destroy(popup_);
  if (popup_surface_) wl_surface_destroy(popup_surface_);
  if (keyboard_) zwp_virtual_keyboard_v1_destroy(keyboard_);
  if (keyboards_) wl_proxy_destroy(reinterpret_cast<wl_proxy*>(keyboards_));  // the manager has no destructor
  if (method_) zwp_input_method_v2_destroy(method_);
  if (manager_) zwp_input_method_manager_v2_destroy(manager_);
  wl_display_flush(client_.display);
}

void TestInputMethod::set_preedit(const std::string& text) {
  zwp_input_method_v2_set_preedit_string(method_, text.c_str(), static_cast<int32_t>(text.size()),
                                         static_cast<int32_t>(text.size()));
}

void TestInputMethod::commit_string(const std::string& text) { zwp_input_method_v2_commit_string(method_, text.c_str()); }

void TestInputMethod::delete_surrounding(uint32_t before, uint32_t after) {
  zwp_input_method_v2_delete_surrounding_text(method_, before, after);
}

void TestInputMethod::commit(std::optional<uint32_t> serial) {
  zwp_input_method_v2_commit(method_, serial.value_or(dones));
  wl_display_flush(client_.display);
}

bool TestInputMethod::create_virtual_keyboard() {
  if (!keyboards_) return false;
  keyboard_ = zwp_virtual_keyboard_manager_v1_create_virtual_keyboard(keyboards_, client_.seat);
  // The keymap travels as a file: the default xkb keymap, as the compositor's own keyboards use.
  std::unique_ptr<xkb_context, decltype(&xkb_context_unref)> context(xkb_context_new(XKB_CONTEXT_NO_FLAGS),
                                                                     xkb_context_unref);
  std::unique_ptr<xkb_keymap, decltype(&xkb_keymap_unref)> keymap(
      xkb_keymap_new_from_names(context.get(), nullptr, XKB_KEYMAP_COMPILE_NO_FLAGS), xkb_keymap_unref);
  if (!keymap) return false;
  std::unique_ptr<char, decltype(&free)> text(xkb_keymap_get_as_string(keymap.get(), XKB_KEYMAP_FORMAT_TEXT_V1), free);
  const size_t size = std::strlen(text.get()) + 1;
  UniqueFd fd(memfd_create("weft-test-keymap", MFD_CLOEXEC));
  if (!fd || ::write(fd.get(), text.get(), size) != static_cast<ssize_t>(size)) return false;
  zwp_virtual_keyboard_v1_keymap(keyboard_, XKB_KEYMAP_FORMAT_TEXT_V1, fd.get(), static_cast<uint32_t>(size));
  wl_display_flush(client_.display);
  return true;
}

void TestInputMethod::create_popup(int width, int height, Rgb colour) {
  static constexpr zwp_input_popup_surface_v2_listener kPopupListener = {
      .text_input_rectangle =
          [](void* data, zwp_input_popup_surface_v2*, int32_t x, int32_t y, int32_t w, int32_t h) {
            static_cast<TestInputMethod*>(data)->popup_rectangle = wlr_box_like{x, y, w, h};
          },
  };
  popup_surface_ = wl_compositor_create_surface(client_.compositor);
  popup_ = zwp_input_method_v2_get_input_popup_surface(method_, popup_surface_);
  zwp_input_popup_surface_v2_add_listener(popup_, &kPopupListener, this);
  wl_surface_attach(popup_surface_, solid_buffer(client_.shm, width, height, colour), 0, 0);
  wl_surface_damage(popup_surface_, 0, 0, width, height);
  wl_surface_commit(popup_surface_);
  wl_display_flush(client_.display);
}

void TestInputMethod::grab_keyboard() {
  static constexpr zwp_input_method_keyboard_grab_v2_listener kGrabListener = {
      .keymap =
          [](void* data, zwp_input_method_keyboard_grab_v2*, uint32_t, int32_t fd, uint32_t) {
            ::close(fd);
            static_cast<TestInputMethod*>(data)->grab_keymap = true;
          },
      .key =
          [](void* data, zwp_input_method_keyboard_grab_v2*, uint32_t, uint32_t, uint32_t key, uint32_t state) {
            if (state == WL_KEYBOARD_KEY_STATE_PRESSED) static_cast<TestInputMethod*>(data)->grabbed_keys.push_back(key);
          },
      .modifiers = [](void*, zwp_input_method_keyboard_grab_v2*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t) {},
      .repeat_info = [](void*, zwp_input_method_keyboard_grab_v2*, int32_t, int32_t) {},
  };
  grab_ = zwp_input_method_v2_grab_keyboard(method_);
  zwp_input_method_keyboard_grab_v2_add_listener(grab_, &kGrabListener, this);
  wl_display_flush(client_.display);
}

void TestInputMethod::release_keyboard() {
  zwp_input_method_keyboard_grab_v2_release(grab_);
  grab_ = nullptr;
  wl_display_flush(client_.display);
}

void TestInputMethod::tap_key(uint32_t key) {
  zwp_virtual_keyboard_v1_key(keyboard_, key_time_ += 10, key, WL_KEYBOARD_KEY_STATE_PRESSED);
  zwp_virtual_keyboard_v1_key(keyboard_, key_time_ += 10, key, WL_KEYBOARD_KEY_STATE_RELEASED);
  wl_display_flush(client_.display);
}

}  // namespace weft::test
