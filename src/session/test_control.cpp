#include "test_control.hpp"

#include <linux/input-event-codes.h>

#include <algorithm>
#include <cstdlib>

#include "weft-test-v1-client-protocol.h"
#include "weft/core/png_writer.hpp"

namespace weft::session {
namespace {

bool near(uint8_t a, uint8_t b, int tolerance) { return std::abs(int(a) - int(b)) <= tolerance; }

/// evdev key and shift state for an ASCII character on a US layout; key 0 when it has none.
std::pair<uint32_t, bool> key_for(char c) {
  static const char* kRows[] = {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"};
  static const uint32_t kFirst[] = {KEY_1, KEY_Q, KEY_A, KEY_Z};
  char lower = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  bool shift = c != lower;
  for (int row = 0; row < 4; ++row)
    for (int i = 0; kRows[row][i]; ++i)
      if (kRows[row][i] == lower) return {kFirst[row] + i, shift};
  switch (c) {
    case ' ': return {KEY_SPACE, false};
    case '.': return {KEY_DOT, false};
    case ',': return {KEY_COMMA, false};
    case '-': return {KEY_MINUS, false};
    case '+': return {KEY_EQUAL, true};
    case '=': return {KEY_EQUAL, false};
    case '!': return {KEY_1, true};
    case '?': return {KEY_SLASH, true};
    case '\'': return {KEY_APOSTROPHE, false};
    case ':': return {KEY_SEMICOLON, true};
    case '\n': return {KEY_ENTER, false};
    default: return {0, false};
  }
}

}  // namespace

double Frame::fraction_near(int x, int y, int w, int h, Rgb colour, int tolerance) const {
  long hits = 0, total = 0;
  for (int j = std::max(0, y); j < std::min(height, y + h); ++j)
    for (int i = std::max(0, x); i < std::min(width, x + w); ++i) {
      auto p = at(i, j);
      ++total;
      if (near(p.r, colour.r, tolerance) && near(p.g, colour.g, tolerance) && near(p.b, colour.b, tolerance)) ++hits;
    }
  return total ? double(hits) / double(total) : 0.0;
}

double Frame::fraction_different(const Frame& other, int x, int y, int w, int h, int tolerance) const {
  if (other.width != width || other.height != height) return 1.0;
  long differ = 0, total = 0;
  for (int j = std::max(0, y); j < std::min(height, y + h); ++j)
    for (int i = std::max(0, x); i < std::min(width, x + w); ++i) {
      auto a = at(i, j), b = other.at(i, j);
      ++total;
      if (!near(a.r, b.r, tolerance) || !near(a.g, b.g, tolerance) || !near(a.b, b.b, tolerance)) ++differ;
    }
  return total ? double(differ) / double(total) : 0.0;
}

Result<Frame> read_frame(const std::string& png_path) {
  WEFT_TRY(png::Pixels pixels, png::read(png_path, png::Layout::rgb));
  return Frame{pixels.width, pixels.height, std::move(pixels.bytes)};
}

Result<std::unique_ptr<TestControl>> TestControl::connect(const std::string& display_name) {
  std::unique_ptr<TestControl> control(new TestControl());
  control->display_ = wl_display_connect(display_name.c_str());
  if (!control->display_) return fail("cannot connect to the compositor's display " + display_name);
  control->registry_ = wl_display_get_registry(control->display_);
  static const wl_registry_listener kRegistry = {
      [](void* data, wl_registry* registry, uint32_t name, const char* interface, uint32_t version) {
        auto* self = static_cast<TestControl*>(data);
        if (std::string_view(interface) != weft_test_v1_interface.name) return;
        // Version 2 adds the output controls (set_output_scale), 3 the keyboard plug; captures and injection need 1.
        self->version_ = std::min<uint32_t>(version, 3);
        self->test_ = static_cast<weft_test_v1*>(wl_registry_bind(registry, name, &weft_test_v1_interface, self->version_));
        static const weft_test_v1_listener kListener = {
            [](void* d, weft_test_v1*, uint32_t, uint32_t mapped, const char* app_id, const char* title) {
              static_cast<TestControl*>(d)->state_ = {app_id, title, mapped};
            },
            [](void* d, weft_test_v1*, const char*, uint32_t ok, int32_t, int32_t, const char* message) {
              static_cast<TestControl*>(d)->captured_ = {true, ok != 0, message};
            },
            [](void* d, weft_test_v1*, const char*, uint32_t ok, const char* message) {
              static_cast<TestControl*>(d)->output_answer_ = {true, ok != 0, message};
            },
        };
        weft_test_v1_add_listener(self->test_, &kListener, self);
      },
      [](void*, wl_registry*, uint32_t) {}};
  wl_registry_add_listener(control->registry_, &kRegistry, control.get());
  wl_display_roundtrip(control->display_);
  if (!control->test_) return fail("the compositor offers no weft_test_v1 (was it started with --test-control?)");
  return control;
}

TestControl::~TestControl() {
  if (test_) weft_test_v1_destroy(test_);
  if (registry_) wl_registry_destroy(registry_);
  if (display_) wl_display_disconnect(display_);
}

void TestControl::roundtrip() { wl_display_roundtrip(display_); }

Result<void> TestControl::capture(const std::string& png_path) {
  captured_ = {};
  weft_test_v1_capture(test_, png_path.c_str());
  if (wl_display_roundtrip(display_) < 0) return fail("the compositor connection failed during a capture");
  if (!captured_.done) return fail("the compositor did not answer the capture of " + png_path);
  if (!captured_.ok) return fail("capture of " + png_path + " failed: " + captured_.message);
  return ok();
}

Result<void> TestControl::set_output_scale(const std::string& name, double scale) {
  if (version_ < 2) return fail("the compositor's weft_test_v1 is version 1: it cannot change an output's scale");
  output_answer_ = {};
  weft_test_v1_set_output_scale(test_, name.c_str(), wl_fixed_from_double(scale));
  if (wl_display_roundtrip(display_) < 0) return fail("the compositor connection failed while setting a scale");
  if (!output_answer_.done) return fail("the compositor did not answer set_output_scale for " + name);
  if (!output_answer_.ok) return fail("set_output_scale " + name + ": " + output_answer_.message);
  return ok();
}

Result<void> TestControl::set_keyboard_plugged(bool plugged) {
  if (version_ < 3) return fail("the compositor's weft_test_v1 is older than version 3: it cannot unplug its keyboard");
  weft_test_v1_set_keyboard_plugged(test_, plugged ? 1 : 0);
  if (wl_display_roundtrip(display_) < 0) return fail("the compositor connection failed while (un)plugging the keyboard");
  return ok();
}

void TestControl::key(uint32_t evdev_key) {
  weft_test_v1_key(test_, evdev_key, 1);
  weft_test_v1_key(test_, evdev_key, 0);
  roundtrip();
}

void TestControl::key_state(uint32_t evdev_key, bool pressed) {
  weft_test_v1_key(test_, evdev_key, pressed ? 1 : 0);
  roundtrip();
}

Result<void> TestControl::type(const std::string& text) {
  for (char c : text) {
    auto [code, shift] = key_for(c);
    if (!code) return fail(std::string("cannot type '") + c + "' with the US layout");
    if (shift) weft_test_v1_key(test_, KEY_LEFTSHIFT, 1);
    weft_test_v1_key(test_, code, 1);
    weft_test_v1_key(test_, code, 0);
    if (shift) weft_test_v1_key(test_, KEY_LEFTSHIFT, 0);
    roundtrip();
  }
  return ok();
}

void TestControl::pointer_click(double x, double y) {
  weft_test_v1_pointer_move(test_, wl_fixed_from_double(x), wl_fixed_from_double(y));
  weft_test_v1_pointer_button(test_, BTN_LEFT, 1);
  weft_test_v1_pointer_button(test_, BTN_LEFT, 0);
  roundtrip();
}

void TestControl::scroll(double vertical) {
  weft_test_v1_pointer_axis(test_, wl_fixed_from_double(vertical));
  roundtrip();
}

void TestControl::touch_tap(double x, double y) {
  weft_test_v1_touch_down(test_, 0, wl_fixed_from_double(x), wl_fixed_from_double(y));
  weft_test_v1_touch_up(test_, 0);
  roundtrip();
}

std::pair<std::string, uint32_t> TestControl::focus_state() {
  state_ = {};
  weft_test_v1_sync_state(test_, 1);
  roundtrip();
  return {state_.focused_app_id, state_.mapped};
}

std::string TestControl::focused_title() {
  (void)focus_state();
  return state_.focused_title;
}

}  // namespace weft::session
