#pragma once
// Keyboards: xkb keymap and repeat for every keyboard device, keys delivered to the seat's focus, and the Super tap
// (§2.2): a Super press held back until we know whether another key or a button follows. Also the
// zwp_virtual_keyboard_manager_v1 global: the system UI's on-screen keyboard sends keys through a virtual keyboard
// (its own keymap), which is delivered like any other keyboard; the global filter keeps it from session clients.
// Ctrl+Alt+F1…F12 switch the VT through the seat session when there is one (DRM backend). Super+Shift+Left/Right
// asks for the focused window to move to the neighbouring output.

#include <list>
#include <memory>
#include <optional>

#include "listener.hpp"
#include "output.hpp"
#include "seat.hpp"
#include "signal.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class Keyboards {
 public:
  Keyboards(wl_display* display, wlr_backend* backend, Seat& seat);
  Keyboards(const Keyboards&) = delete;
  Keyboards& operator=(const Keyboards&) = delete;

  /// Something other than a key happened (a pointer button): a held Super press is not a tap, deliver it now.
  void release_held_super();
  /// The input method's keyboard grab (nullptr: none): while set, keys and modifiers go to it instead of the focused
  /// client, except those of the input method's own virtual keyboards (how it passes on what it does not consume).
  /// The caller clears it before the grab is destroyed.
  void set_grab(wlr_input_method_keyboard_grab_v2* grab) { grab_ = grab; }
  /// Whether a keyboard other than a client's virtual one is plugged in (a device a person types on).
  [[nodiscard]] bool has_physical_keyboard() const;

  /// Super was pressed and released alone. Handlers move keyboard focus; both key events then go to the new focus.
  Signal<> super_tapped;
  /// Super+Shift+Left or Right on a device keyboard: the focused window should move to the output on that side. The
  /// key (and its release) reaches no client; the modifiers did.
  Signal<Toward> move_window_requested;

 private:
  struct Keyboard {
    wlr_input_device* device;
    bool is_virtual;  // zwp_virtual_keyboard_v1: the client sets the keymap
    Listener<> key, modifiers, keymap, destroy;
  };

  void add(wlr_input_device* device, bool is_virtual);
  /// The seat's keyboard capability follows the keyboards that can type (Seat says who hears which).
  void tell_seat();
  /// Whether the keyboard has a keymap: a virtual keyboard has none until its client sends one.
  [[nodiscard]] static bool can_type(const Keyboard& keyboard);
  /// Keeps the invariant that the seat has a keyboard (wlr_seat_set_keyboard) whenever one that can type is plugged
  /// in, so that wlroots sends keymap and enter to every wl_keyboard a client creates when it hears the capability.
  /// `seat_keyboard_going`: the seat's keyboard is being destroyed (it is no longer in the list); another takes over.
  void keep_seat_keyboard(bool seat_keyboard_going = false);
  void on_key(Keyboard& keyboard, wlr_event_keyboard_key* event);
  /// Ctrl+Alt+F1…F12 on a physical keyboard with a seat session: asks libseat for that VT and swallows the key (and
  /// its release); true when the key was taken.
  [[nodiscard]] bool switches_vt(const Keyboard& keyboard, uint32_t keycode, bool pressed);
  /// Super+Shift+Left/Right on a device keyboard (not a client's virtual one): emits move_window_requested and swallows
  /// the key and its release; true when the key was taken.
  [[nodiscard]] bool moves_window(const Keyboard& keyboard, uint32_t keycode, bool pressed);
  /// One key to the grab or the focused client.
  void deliver(const Keyboard& keyboard, uint32_t time_msec, uint32_t keycode, uint32_t state);
  [[nodiscard]] bool grabbed(const Keyboard& keyboard) const;

  Seat& seat_;
  wlr_session* session_;  // the DRM backend's seat session (libseat); null on headless and nested backends
  std::optional<uint32_t> vt_key_;  // evdev code of the key that switched VT, until its release
  std::optional<uint32_t> move_key_;  // evdev code of the arrow that moved a window, until its release
  std::list<std::unique_ptr<Keyboard>> keyboards_;
  std::optional<wlr_event_keyboard_key> held_super_;
  wlr_input_method_keyboard_grab_v2* grab_ = nullptr;  // borrowed; cleared by its owner before it goes
  Listener<wlr_input_device> new_input_;
  Listener<wlr_virtual_keyboard_v1> new_virtual_keyboard_;
};

}  // namespace weft::compositor
