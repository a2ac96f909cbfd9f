#pragma once
// Text input (§2.3): relays the keyboard-focused client's zwp_text_input_v3 to the one input method
// (zwp_input_method_v2, the system UI's on-screen keyboard or an IME) and the input method's preedit, commit and
// delete-surrounding strings back to that text input. Follows the seat's keyboard focus itself: text inputs of the
// newly focused client get `enter`, those of the old one `leave` (which deactivates the input method).
//
// Who may be the input method is decided by the global filter (session clients never see the manager); this unit
// treats the input method's strings as hostile anyway: they only ever reach the focused, enabled text input, and a
// commit that answers an outdated done serial is dropped.
//
// The field's cursor rectangle reaches the input method through its popup surfaces (zwp_input_popup_surface_v2, the
// only carrier the protocol has): each gets text_input_rectangle and is shown just below the cursor, above everything
// (candidate lists). An input method that grabs the keyboard (an IME) gets the physical keys through Keyboards until
// it releases the grab.

#include <list>
#include <memory>

#include "keyboard.hpp"
#include "listener.hpp"
#include "scene.hpp"
#include "seat.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class TextInputRelay {
 public:
  TextInputRelay(wl_display* display, Seat& seat, Scene& scene, Keyboards& keyboards);
  TextInputRelay(const TextInputRelay&) = delete;
  TextInputRelay& operator=(const TextInputRelay&) = delete;
  ~TextInputRelay();

  /// Whether `surface` belongs to the input method's client while it types into a field (activated): a press there
  /// (the on-screen keyboard) must not take keyboard focus away from that field.
  [[nodiscard]] bool typing_from(const wlr_surface* surface) const;

 private:
  struct TextInput {
    wlr_text_input_v3* input;
    Listener<> enable, commit, disable, destroy;
  };

  struct Popup {
    wlr_input_popup_surface_v2* popup;
    wlr_scene_node* node = nullptr;  // the popup's surface tree in the top layer; wlroots destroys it with the surface
    Listener<> map, unmap, destroy, node_destroy;
  };

  void add_text_input(wlr_text_input_v3* input);
  void add_popup(wlr_input_popup_surface_v2* popup);
  /// Sends the active field's cursor rectangle to every popup and places them below it (hidden without a field).
  void place_popups();
  void add_input_method(wlr_input_method_v2* method);
  void keyboard_focus_changed(wlr_surface* old_surface, wlr_surface* new_surface);
  /// The text input that receives the input method's strings: enabled and on the focused surface.
  [[nodiscard]] TextInput* active_text_input() const;
  /// Sends the text input's current state (surrounding text, cause, content type) and done to the input method.
  void send_state(const TextInput& text_input);
  void activate(const TextInput& text_input);
  void deactivate();
  void send_done();
  void relay_commit();

  Seat& seat_;
  Scene& scene_;
  Keyboards& keyboards_;
  wlr_text_input_manager_v3* text_input_manager_;       // destroyed with the display
  wlr_input_method_manager_v2* input_method_manager_;   // destroyed with the display
  std::list<std::unique_ptr<TextInput>> text_inputs_;
  wlr_input_method_v2* input_method_ = nullptr;         // the one input method; a second is told `unavailable`
  uint32_t dones_sent_ = 0;  // done events sent to input_method_: the serial its next commit must carry
  Listener<wlr_text_input_v3> new_text_input_;
  Listener<wlr_input_method_v2> new_input_method_;
  Listener<> method_commit_, method_destroy_;
  Listener<wlr_input_popup_surface_v2> new_popup_;
  Listener<wlr_input_method_keyboard_grab_v2> grab_keyboard_;
  Listener<> grab_destroy_;
  std::list<std::unique_ptr<Popup>> popups_;
  Listener<wlr_seat_keyboard_focus_change_event> focus_change_;
};

}  // namespace weft::compositor
