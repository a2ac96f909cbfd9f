#pragma once
// The text-input side of a TestClient (zwp_text_input_v3: an editable field that records what the compositor sends
// it) and a scripted input method (zwp_input_method_v2 plus a zwp_virtual_keyboard_v1), standing in for the system
// UI's on-screen keyboard in the relay tests.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "input-method-unstable-v2-client-protocol.h"
#include "test_client.hpp"
#include "text-input-unstable-v3-client-protocol.h"
#include "virtual-keyboard-unstable-v1-client-protocol.h"

namespace weft::test {

struct wlr_box_like {
  int x, y, width, height;
};

/// One zwp_text_input_v3 of a client, with the strings the compositor relayed to it, applied at each done.
class TestTextInput {
 public:
  explicit TestTextInput(TestClient& client);
  ~TestTextInput();
  TestTextInput(const TestTextInput&) = delete;
  TestTextInput& operator=(const TestTextInput&) = delete;

  /// enable + surrounding text + content type + cursor rectangle, then commit.
  void enable(const std::string& surrounding, uint32_t cursor, uint32_t purpose);
  void disable();

  wl_surface* entered = nullptr;
  int enters = 0, leaves = 0;
  uint32_t dones = 0;
  std::string preedit;     // the preedit after the latest done
  std::string committed;   // every commit string, concatenated
  uint32_t deleted_before = 0, deleted_after = 0;  // totals

 private:
  friend struct TestTextInputListeners;
  TestClient& client_;
  zwp_text_input_v3* input_ = nullptr;
  std::string pending_preedit_, pending_commit_;
  uint32_t pending_before_ = 0, pending_after_ = 0;
};

/// A scripted input method: records the state the compositor relays and answers with strings.
class TestInputMethod {
 public:
  /// Binds the manager; `bound()` is false when the client was not offered it.
  explicit TestInputMethod(TestClient& client);
  ~TestInputMethod();
  TestInputMethod(const TestInputMethod&) = delete;
  TestInputMethod& operator=(const TestInputMethod&) = delete;

  [[nodiscard]] bool bound() const { return method_ != nullptr; }
  void set_preedit(const std::string& text);
  void commit_string(const std::string& text);
  void delete_surrounding(uint32_t before, uint32_t after);
  /// Sends commit with the right serial (the number of done events seen), or `serial` when given.
  void commit(std::optional<uint32_t> serial = std::nullopt);

  /// A virtual keyboard with the default xkb keymap; taps `key` (evdev code) on it.
  [[nodiscard]] bool create_virtual_keyboard();
  void tap_key(uint32_t key);
  /// zwp_input_method_v2.grab_keyboard / its release: physical keys come to this input method meanwhile.
  void grab_keyboard();
  void release_keyboard();
  std::vector<uint32_t> grabbed_keys;  // evdev codes of presses the grab received
  bool grab_keymap = false;            // the grab was sent a keymap

  /// An input popup surface (a candidate list) filled with `colour`.
  void create_popup(int width, int height, Rgb colour);

  std::optional<wlr_box_like> popup_rectangle;  // the latest text_input_rectangle

  bool active = false;  // state at the latest done
  bool unavailable = false;
  uint32_t dones = 0;
  std::string surrounding;
  uint32_t cursor = 0, purpose = 0, hint = 0;

 private:
  friend struct TestInputMethodListeners;
  TestClient& client_;
  zwp_input_method_manager_v2* manager_ = nullptr;
  zwp_input_method_v2* method_ = nullptr;
  zwp_virtual_keyboard_manager_v1* keyboards_ = nullptr;
  zwp_virtual_keyboard_v1* keyboard_ = nullptr;
  wl_surface* popup_surface_ = nullptr;
  zwp_input_popup_surface_v2* popup_ = nullptr;
  zwp_input_method_keyboard_grab_v2* grab_ = nullptr;
  bool pending_active_ = false;
  uint32_t key_time_ = 0;  // ms
};

}  // namespace weft::test
