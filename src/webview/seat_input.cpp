#include "seat_input.hpp"

#include <linux/input-event-codes.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wpe/wpe.h>

#include <algorithm>

#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"

namespace weft::webview {

namespace {
constexpr uint32_t kEvdevToXkb = 8;  // xkb keycodes are evdev codes + 8

uint32_t button_number(uint32_t evdev_button) {
  switch (evdev_button) {
    case BTN_LEFT: return 1;
    case BTN_RIGHT: return 2;
    case BTN_MIDDLE: return 3;
    default: return 0;
  }
}
uint32_t button_modifier(uint32_t number) {
  switch (number) {
    case 1: return wpe_input_pointer_modifier_button1;
    case 2: return wpe_input_pointer_modifier_button2;
    case 3: return wpe_input_pointer_modifier_button3;
    default: return 0;
  }
}
}  // namespace

const wl_seat_listener SeatInput::kSeatListener = {
    [](void* data, wl_seat*, uint32_t caps) { static_cast<SeatInput*>(data)->on_capabilities(caps); },
    [](void*, wl_seat*, const char*) {},
};

const wl_pointer_listener SeatInput::kPointerListener = {
    // enter
    [](void* data, wl_pointer*, uint32_t, wl_surface*, wl_fixed_t x, wl_fixed_t y) {
      auto* self = static_cast<SeatInput*>(data);
      self->pointer_x_ = wl_fixed_to_double(x);
      self->pointer_y_ = wl_fixed_to_double(y);
    },
    // leave
    [](void* data, wl_pointer*, uint32_t, wl_surface*) { static_cast<SeatInput*>(data)->button_modifiers_ = 0; },
    // motion
    [](void* data, wl_pointer*, uint32_t time, wl_fixed_t x, wl_fixed_t y) {
      auto* self = static_cast<SeatInput*>(data);
      self->pointer_x_ = wl_fixed_to_double(x);
      self->pointer_y_ = wl_fixed_to_double(y);
      wpe_input_pointer_event event = {wpe_input_pointer_event_type_motion, time, self->to_view(self->pointer_x_),
                                       self->to_view(self->pointer_y_), 0, 0, self->modifiers()};
      self->view_.dispatch_pointer(&event);
    },
    // button
    [](void* data, wl_pointer*, uint32_t, uint32_t time, uint32_t button, uint32_t state) {
      auto* self = static_cast<SeatInput*>(data);
      uint32_t number = button_number(button);
      if (!number) return;
      bool pressed = state == WL_POINTER_BUTTON_STATE_PRESSED;
      if (pressed) self->button_modifiers_ |= button_modifier(number);
      else self->button_modifiers_ &= ~button_modifier(number);
      wpe_input_pointer_event event = {wpe_input_pointer_event_type_button, time, self->to_view(self->pointer_x_),
                                       self->to_view(self->pointer_y_), number, pressed ? 1u : 0u,
                                       self->modifiers()};
      self->view_.dispatch_pointer(&event);
    },
    // axis: accumulated until the frame event
    [](void* data, wl_pointer*, uint32_t time, uint32_t axis, wl_fixed_t value) {
      auto* self = static_cast<SeatInput*>(data);
      self->axis_time_ = time;
      if (axis == WL_POINTER_AXIS_VERTICAL_SCROLL) self->axis_y_ += wl_fixed_to_double(value);
      else self->axis_x_ += wl_fixed_to_double(value);
    },
    // frame
    [](void* data, wl_pointer*) {
      auto* self = static_cast<SeatInput*>(data);
      if (self->axis_x_ == 0 && self->axis_y_ == 0) return;
      wpe_input_axis_2d_event event = {};
      event.base.type = static_cast<wpe_input_axis_event_type>(wpe_input_axis_event_type_mask_2d |
                                                               wpe_input_axis_event_type_motion_smooth);
      event.base.time = self->axis_time_;
      event.base.x = self->to_view(self->pointer_x_);
      event.base.y = self->to_view(self->pointer_y_);
      event.base.modifiers = self->modifiers();
      // Wayland: positive = content moves up (scroll down); WebKit's wheel deltas have the opposite sign.
      event.x_axis = -self->axis_x_;
      event.y_axis = -self->axis_y_;
      self->axis_x_ = self->axis_y_ = 0;
      self->view_.dispatch_axis(&event.base);
    },
    [](void*, wl_pointer*, uint32_t) {},                     // axis_source
    [](void*, wl_pointer*, uint32_t, uint32_t) {},           // axis_stop
    [](void*, wl_pointer*, uint32_t, int32_t) {},            // axis_discrete
    nullptr,                                                 // axis_value120 (v8)
};

const wl_keyboard_listener SeatInput::kKeyboardListener = {
    // keymap
    [](void* data, wl_keyboard*, uint32_t format, int32_t fd, uint32_t size) {
      auto* self = static_cast<SeatInput*>(data);
      UniqueFd owned(fd);
      if (format != WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1) return;
      void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
      if (map == MAP_FAILED) {
        log::warn("keyboard: cannot map the keymap");
        return;
      }
      xkb_keymap* keymap = xkb_keymap_new_from_string(self->xkb_.get(), static_cast<const char*>(map),
                                                      XKB_KEYMAP_FORMAT_TEXT_V1, XKB_KEYMAP_COMPILE_NO_FLAGS);
      munmap(map, size);
      if (!keymap) {
        log::warn("keyboard: the compositor's keymap does not compile");
        return;
      }
      self->keymap_.reset(keymap);
      self->xkb_state_.reset(xkb_state_new(keymap));
    },
    // enter: keys already held do not generate presses. The view's focus is the window's (HostWindow: zweft
    // focus_changed or xdg activated), not the wl_keyboard's: a wl_keyboard also comes and goes with the last keyboard
    // device (wlroots sends it a leave when the seat loses the keyboard capability), and an editor that lost its focus
    // there would close the on-screen keyboard that a seat without keyboards needs.
    [](void*, wl_keyboard*, uint32_t, wl_surface*, wl_array*) {},
    // leave
    [](void* data, wl_keyboard*, uint32_t, wl_surface*) { static_cast<SeatInput*>(data)->stop_repeat(); },
    // key
    [](void* data, wl_keyboard*, uint32_t, uint32_t time, uint32_t key, uint32_t state) {
      static_cast<SeatInput*>(data)->on_key(time, key, state == WL_KEYBOARD_KEY_STATE_PRESSED);
    },
    // modifiers
    [](void* data, wl_keyboard*, uint32_t, uint32_t depressed, uint32_t latched, uint32_t locked, uint32_t group) {
      auto* self = static_cast<SeatInput*>(data);
      if (!self->xkb_state_) return;
      xkb_state_update_mask(self->xkb_state_.get(), depressed, latched, locked, 0, 0, group);
      auto active = [&](const char* name) {
        return xkb_state_mod_name_is_active(self->xkb_state_.get(), name, XKB_STATE_MODS_EFFECTIVE) > 0;
      };
      self->key_modifiers_ = (active(XKB_MOD_NAME_CTRL) ? wpe_input_keyboard_modifier_control : 0) |
                             (active(XKB_MOD_NAME_SHIFT) ? wpe_input_keyboard_modifier_shift : 0) |
                             (active(XKB_MOD_NAME_ALT) ? wpe_input_keyboard_modifier_alt : 0) |
                             (active(XKB_MOD_NAME_LOGO) ? wpe_input_keyboard_modifier_meta : 0);
    },
    // repeat_info
    [](void* data, wl_keyboard*, int32_t rate, int32_t delay) {
      auto* self = static_cast<SeatInput*>(data);
      self->repeat_rate_ = std::max(0, rate);
      self->repeat_delay_ = std::max(0, delay);
    },
};

const wl_touch_listener SeatInput::kTouchListener = {
    // down
    [](void* data, wl_touch*, uint32_t, uint32_t time, wl_surface*, int32_t id, wl_fixed_t x, wl_fixed_t y) {
      auto* self = static_cast<SeatInput*>(data);
      std::erase_if(self->touch_points_, [id](const TouchPoint& p) { return p.id == id; });
      self->touch_points_.push_back({id, wl_fixed_to_double(x), wl_fixed_to_double(y), wpe_input_touch_event_type_down});
      std::vector<wpe_input_touch_event_raw> raw = self->touch_state(time);
      wpe_input_touch_event event = {raw.data(), raw.size(), wpe_input_touch_event_type_down, id, time, self->modifiers()};
      self->view_.dispatch_touch(&event);
    },
    // up
    [](void* data, wl_touch*, uint32_t, uint32_t time, int32_t id) {
      auto* self = static_cast<SeatInput*>(data);
      for (auto& p : self->touch_points_)
        if (p.id == id) p.type = wpe_input_touch_event_type_up;
      std::vector<wpe_input_touch_event_raw> raw = self->touch_state(time);
      wpe_input_touch_event event = {raw.data(), raw.size(), wpe_input_touch_event_type_up, id, time, self->modifiers()};
      self->view_.dispatch_touch(&event);
      std::erase_if(self->touch_points_, [id](const TouchPoint& p) { return p.id == id; });
    },
    // motion
    [](void* data, wl_touch*, uint32_t time, int32_t id, wl_fixed_t x, wl_fixed_t y) {
      auto* self = static_cast<SeatInput*>(data);
      for (auto& p : self->touch_points_)
        if (p.id == id) p = {id, wl_fixed_to_double(x), wl_fixed_to_double(y), wpe_input_touch_event_type_motion};
      std::vector<wpe_input_touch_event_raw> raw = self->touch_state(time);
      wpe_input_touch_event event = {raw.data(), raw.size(), wpe_input_touch_event_type_motion, id, time,
                                     self->modifiers()};
      self->view_.dispatch_touch(&event);
    },
    [](void*, wl_touch*) {},                                              // frame
    [](void* data, wl_touch*) { static_cast<SeatInput*>(data)->touch_points_.clear(); },  // cancel
    nullptr,                                                              // shape (v6)
    nullptr,                                                              // orientation (v6)
};

SeatInput::SeatInput(const WaylandConnection& connection, WebView& view)
    : view_(view),
      seat_(connection.bind_seat()),
      xkb_(xkb_context_new(XKB_CONTEXT_NO_FLAGS)) {
  if (seat_) wl_seat_add_listener(seat_.get(), &kSeatListener, this);
  else log::warn("the compositor offers no wl_seat: no input");
}

SeatInput::~SeatInput() = default;

int SeatInput::to_view(double logical) const { return static_cast<int>(logical * view_.scale()); }

std::vector<wpe_input_touch_event_raw> SeatInput::touch_state(uint32_t time) const {
  std::vector<wpe_input_touch_event_raw> raw;
  for (const auto& p : touch_points_)
    raw.push_back({static_cast<wpe_input_touch_event_type>(p.type), time, p.id, to_view(p.x), to_view(p.y)});
  return raw;
}

void SeatInput::on_capabilities(uint32_t caps) {
  bool has_pointer = caps & WL_SEAT_CAPABILITY_POINTER;
  bool has_keyboard = caps & WL_SEAT_CAPABILITY_KEYBOARD;
  bool has_touch = caps & WL_SEAT_CAPABILITY_TOUCH;
  if (has_pointer && !pointer_) {
    pointer_.reset(wl_seat_get_pointer(seat_.get()));
    wl_pointer_add_listener(pointer_.get(), &kPointerListener, this);
  } else if (!has_pointer) {
    pointer_.reset();
  }
  if (has_keyboard && !keyboard_) {
    keyboard_.reset(wl_seat_get_keyboard(seat_.get()));
    wl_keyboard_add_listener(keyboard_.get(), &kKeyboardListener, this);
  } else if (!has_keyboard) {
    stop_repeat();
    keyboard_.reset();
  }
  if (has_touch && !touch_) {
    touch_.reset(wl_seat_get_touch(seat_.get()));
    wl_touch_add_listener(touch_.get(), &kTouchListener, this);
  } else if (!has_touch) {
    touch_.reset();
  }
}

void SeatInput::on_key(uint32_t time, uint32_t evdev_key, bool pressed) {
  if (!xkb_state_) return;
  uint32_t code = evdev_key + kEvdevToXkb;
  wpe_input_keyboard_event event = {time, xkb_state_key_get_one_sym(xkb_state_.get(), code), code, pressed,
                                    key_modifiers_};
  view_.dispatch_key(&event);
  if (pressed && repeat_rate_ > 0 && xkb_keymap_key_repeats(keymap_.get(), code)) {
    repeat_time_ = time;
    start_repeat(evdev_key);
  } else if (!pressed && evdev_key == repeat_key_) {
    stop_repeat();
  }
}

void SeatInput::start_repeat(uint32_t evdev_key) {
  repeat_key_ = evdev_key;
  repeat_source_.reset(g_timeout_add(
      static_cast<guint>(repeat_delay_),
      [](gpointer data) -> gboolean {
        auto* self = static_cast<SeatInput*>(data);
        self->repeat_source_.release();
        // After the delay, repeat at the compositor's rate (keys per second).
        self->repeat_source_.reset(g_timeout_add(
            static_cast<guint>(std::max(1, 1000 / self->repeat_rate_)),
            [](gpointer d) -> gboolean {
              auto* s = static_cast<SeatInput*>(d);
              uint32_t code = s->repeat_key_ + kEvdevToXkb;
              s->repeat_time_ += static_cast<uint32_t>(1000 / std::max(1, s->repeat_rate_));
              wpe_input_keyboard_event event = {s->repeat_time_, xkb_state_key_get_one_sym(s->xkb_state_.get(), code),
                                                code, true, s->key_modifiers_};
              s->view_.dispatch_key(&event);
              return G_SOURCE_CONTINUE;
            },
            self));
        return G_SOURCE_REMOVE;
      },
      this));
}

void SeatInput::stop_repeat() {
  repeat_source_.reset();
  repeat_key_ = 0;
}

}  // namespace weft::webview
