#include "keyboard.hpp"

#include "weft/core/log.hpp"

namespace weft::compositor {

namespace {

constexpr int32_t kRepeatRate = 25;    // keys per second
constexpr int32_t kRepeatDelay = 600;  // ms

bool is_super(uint32_t keycode) { return keycode == KEY_LEFTMETA || keycode == KEY_RIGHTMETA; }

/// The VT a key asks for (1..12; 0: none): the xkb keymaps give Ctrl+Alt+F1…F12 the keysyms XF86Switch_VT_1…12.
/// The state is read before this key updates it, so the held Ctrl and Alt select the level.
unsigned requested_vt(xkb_state* state, uint32_t evdev_keycode) {
  const xkb_keysym_t* syms = nullptr;
  const int count = xkb_state_key_get_syms(state, evdev_keycode + 8, &syms);  // xkb keycodes are evdev + 8
  for (int i = 0; i < count; ++i)
    if (syms[i] >= XKB_KEY_XF86Switch_VT_1 && syms[i] <= XKB_KEY_XF86Switch_VT_12)
      return syms[i] - XKB_KEY_XF86Switch_VT_1 + 1;
  return 0;
}

/// The keysym a key gives at its first level (what is printed on it), whatever modifiers are held.
xkb_keysym_t base_keysym(xkb_state* state, uint32_t evdev_keycode) {
  const xkb_keysym_t* syms = nullptr;
  xkb_keymap* keymap = xkb_state_get_keymap(state);
  const xkb_layout_index_t layout = xkb_state_key_get_layout(state, evdev_keycode + 8);
  if (layout == XKB_LAYOUT_INVALID) return XKB_KEY_NoSymbol;
  const int count = xkb_keymap_key_get_syms_by_level(keymap, evdev_keycode + 8, layout, 0, &syms);
  return count == 1 ? syms[0] : XKB_KEY_NoSymbol;
}

}  // namespace

Keyboards::Keyboards(wl_display* display, wlr_backend* backend, Seat& seat)
    : seat_(seat), session_(wlr_backend_get_session(backend)) {
  // Every input device a backend finds (udev hot-plug, the nested host's seat, headless virtual devices).
  new_input_.connect(&backend->events.new_input, [this](wlr_input_device* device) {
    if (device->type == WLR_INPUT_DEVICE_KEYBOARD) add(device, false);
  });
  // zwp_virtual_keyboard_manager_v1.create_virtual_keyboard: the on-screen keyboard's key events.
  wlr_virtual_keyboard_manager_v1* virtual_keyboards = wlr_virtual_keyboard_manager_v1_create(display);
  new_virtual_keyboard_.connect(&virtual_keyboards->events.new_virtual_keyboard,
                                [this](wlr_virtual_keyboard_v1* keyboard) { add(&keyboard->input_device, true); });
}

bool Keyboards::has_physical_keyboard() const {
  for (const auto& keyboard : keyboards_)
    if (!keyboard->is_virtual) return true;
  return false;
}

void Keyboards::add(wlr_input_device* device, bool is_virtual) {
  if (!is_virtual) {
    wlr::XkbContextPtr context(xkb_context_new(XKB_CONTEXT_NO_FLAGS));
    // Rules, model, layout and options come from XKB_DEFAULT_* or the system defaults.
    wlr::XkbKeymapPtr keymap(xkb_keymap_new_from_names(context.get(), nullptr, XKB_KEYMAP_COMPILE_NO_FLAGS));
    if (!keymap) {
      log::error("keyboard ", device->name ? device->name : "?", ": no xkb keymap could be compiled");
      return;
    }
    wlr_keyboard_set_keymap(device->keyboard, keymap.get());
    wlr_keyboard_set_repeat_info(device->keyboard, kRepeatRate, kRepeatDelay);
  }

  auto keyboard = std::make_unique<Keyboard>();
  Keyboard* kb = keyboard.get();
  kb->device = device;
  kb->is_virtual = is_virtual;
  wlr_seat* seat = seat_.get();
  // wl_keyboard.modifiers: the focused client tracks modifier state from this keyboard.
  kb->modifiers.connect(&device->keyboard->events.modifiers, [this, seat, kb](void*) {
    if (grabbed(*kb)) {
      wlr_input_method_keyboard_grab_v2_set_keyboard(grab_, kb->device->keyboard);
      wlr_input_method_keyboard_grab_v2_send_modifiers(grab_, &kb->device->keyboard->modifiers);
      return;
    }
    wlr_seat_set_keyboard(seat, kb->device);
    wlr_seat_keyboard_notify_modifiers(seat, &kb->device->keyboard->modifiers);
  });
  // wl_keyboard.key, after the Super-tap check.
  kb->key.connect(&device->keyboard->events.key, [this, kb](void* data) {
    on_key(*kb, static_cast<wlr_event_keyboard_key*>(data));
  });
  // zwp_virtual_keyboard_v1.keymap: a virtual keyboard can type from now on (a device keyboard has its keymap already).
  if (is_virtual) kb->keymap.connect(&device->keyboard->events.keymap, [this](void*) {
    keep_seat_keyboard();
    tell_seat();
  });
  // Unplugged (or the virtual keyboard's client let it go): the seat loses the keyboard capability with the last one.
  // This runs before wlroots' own destroy listener on the seat (connected later, at wlr_seat_set_keyboard).
  kb->destroy.connect(&device->events.destroy, [this, kb, seat](void*) {
    Keyboards* self = this;  // the removal below destroys this listener and its captures
    const bool was_seat_keyboard = wlr_seat_get_keyboard(seat) == kb->device->keyboard;
    self->keyboards_.remove_if([kb](const std::unique_ptr<Keyboard>& k) { return k.get() == kb; });
    if (was_seat_keyboard) self->keep_seat_keyboard(true);
    self->tell_seat();
  });
  keyboards_.push_back(std::move(keyboard));
  if (!is_virtual) wlr_seat_set_keyboard(seat, device);
  tell_seat();
}

bool Keyboards::can_type(const Keyboard& keyboard) { return keyboard.device->keyboard->keymap != nullptr; }

void Keyboards::keep_seat_keyboard(bool seat_keyboard_going) {
  wlr_seat* seat = seat_.get();
  if (!seat_keyboard_going && wlr_seat_get_keyboard(seat)) return;
  // Device keyboards first: their keymap is the one a person expects after a virtual keyboard's client goes.
  const Keyboard* next = nullptr;
  for (const auto& keyboard : keyboards_)
    if (can_type(*keyboard) && (!next || (next->is_virtual && !keyboard->is_virtual))) next = keyboard.get();
  // None left: wlroots clears the seat's keyboard itself when the going one is destroyed.
  if (next) wlr_seat_set_keyboard(seat, next->device);
}

void Keyboards::tell_seat() {
  // The capability is published only while the seat has a keyboard with a keymap: a client's wl_keyboard created
  // while it has none gets neither keymap nor enter from wlroots 0.15, and nothing sends that enter later.
  bool any = false;
  for (const auto& keyboard : keyboards_) any = any || can_type(*keyboard);
  seat_.set_keyboards(any, has_physical_keyboard());
}

void Keyboards::on_key(Keyboard& keyboard, wlr_event_keyboard_key* event) {
  wlr_seat* seat = seat_.get();
  wlr_seat_set_keyboard(seat, keyboard.device);
  const bool pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED;
  if (switches_vt(keyboard, event->keycode, pressed)) return;
  if (moves_window(keyboard, event->keycode, pressed)) return;
  if (held_super_) {
    if (!pressed && event->keycode == held_super_->keycode) {
      // Super tap: the new focus (the panel, for the launcher) gets both events (§2.2).
      const wlr_event_keyboard_key press = *held_super_;
      held_super_.reset();
      super_tapped.emit();
      deliver(keyboard, press.time_msec, press.keycode, WL_KEYBOARD_KEY_STATE_PRESSED);
      deliver(keyboard, event->time_msec, event->keycode, event->state);
      return;
    }
    // Not a tap: the held press goes to whoever has focus, then this key.
    release_held_super();
  } else if (pressed && is_super(event->keycode) && keyboard.device->keyboard->num_keycodes <= 1) {
    held_super_ = *event;
    return;
  }
  deliver(keyboard, event->time_msec, event->keycode, event->state);
}

bool Keyboards::switches_vt(const Keyboard& keyboard, uint32_t keycode, bool pressed) {
  // Only with a seat session (DRM): headless and nested compositors own no VT, so the keys reach the client.
  // Virtual keyboards are clients' keyboards: they never switch the console.
  if (!session_ || keyboard.is_virtual) return false;
  if (!pressed) {
    if (vt_key_ != keycode) return false;
    vt_key_.reset();  // the release of the key that switched: its press never reached a client either
    return true;
  }
  const unsigned vt = requested_vt(keyboard.device->keyboard->xkb_state, keycode);
  if (vt == 0) return false;
  vt_key_ = keycode;
  log::info("keyboard: switching to VT ", vt);
  if (!wlr_session_change_vt(session_, vt)) log::error("keyboard: libseat refused the switch to VT ", vt);
  return true;
}

bool Keyboards::moves_window(const Keyboard& keyboard, uint32_t keycode, bool pressed) {
  // A client's virtual keyboard (the on-screen keyboard, a test's input method) types; it does not arrange windows.
  if (keyboard.is_virtual) return false;
  if (!pressed) {
    if (move_key_ != keycode) return false;
    move_key_.reset();  // the release of the arrow that moved: its press never reached a client either
    return true;
  }
  // The modifiers before this key (wlroots updates them after the key event); lock modifiers do not count.
  constexpr uint32_t kChord = WLR_MODIFIER_LOGO | WLR_MODIFIER_SHIFT;
  constexpr uint32_t kConsidered = kChord | WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT;
  if ((wlr_keyboard_get_modifiers(keyboard.device->keyboard) & kConsidered) != kChord) return false;
  const xkb_keysym_t sym = base_keysym(keyboard.device->keyboard->xkb_state, keycode);
  if (sym != XKB_KEY_Left && sym != XKB_KEY_Right) return false;
  move_key_ = keycode;
  release_held_super();  // Super followed by another key is no tap
  move_window_requested.emit(sym == XKB_KEY_Left ? Toward::left : Toward::right);
  return true;
}

bool Keyboards::grabbed(const Keyboard& keyboard) const {
  if (!grab_) return false;
  if (!keyboard.is_virtual) return true;
  // The input method's own virtual keyboard: what it types goes to the field, not back to itself.
  wlr_virtual_keyboard_v1* virtual_keyboard = wlr_input_device_get_virtual_keyboard(keyboard.device);
  return !virtual_keyboard ||
         wl_resource_get_client(virtual_keyboard->resource) != wl_resource_get_client(grab_->resource);
}

void Keyboards::deliver(const Keyboard& keyboard, uint32_t time_msec, uint32_t keycode, uint32_t state) {
  if (grabbed(keyboard)) {
    // The grab's client gets this keyboard's keymap first (set_keyboard sends it only when the keyboard changes).
    wlr_input_method_keyboard_grab_v2_set_keyboard(grab_, keyboard.device->keyboard);
    wlr_input_method_keyboard_grab_v2_send_key(grab_, time_msec, keycode, state);
    return;
  }
  wlr_seat_keyboard_notify_key(seat_.get(), time_msec, keycode, state);
}

void Keyboards::release_held_super() {
  if (!held_super_) return;
  const wlr_event_keyboard_key press = *held_super_;
  held_super_.reset();
  wlr_seat_keyboard_notify_key(seat_.get(), press.time_msec, press.keycode, WL_KEYBOARD_KEY_STATE_PRESSED);
}

}  // namespace weft::compositor
