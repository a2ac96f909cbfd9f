#pragma once
// Input injection for weft_test_v1 (headless only): virtual keyboard, pointer and touch devices of the headless
// backend, driven by emitting their wlroots events, so injected input takes the same path as real devices.

#include <cstdint>

#include "gesture_recognizer.hpp"
#include "listener.hpp"
#include "wlr.hpp"

namespace weft::compositor {

/// What a touch request does.
enum class TouchPhase { down, motion, up };

class TestInjection {
 public:
  /// Adds the virtual devices to `backend` (headless; before it starts). `layout` maps layout points to the 0..1
  /// range absolute devices report.
  TestInjection(wlr_backend* backend, wlr_output_layout* layout);
  TestInjection(const TestInjection&) = delete;
  TestInjection& operator=(const TestInjection&) = delete;

  /// Whether the backend gave the virtual devices (headless); an unplugged keyboard still counts.
  [[nodiscard]] bool has_devices() const { return has_devices_; }
  /// Unplugs (destroys) or re-plugs (adds anew) the virtual keyboard, as a person pulls or plugs a USB keyboard:
  /// Keyboards hears it through the backend's signals like any device. Keys injected while unplugged are dropped.
  void set_keyboard_plugged(bool plugged);
  void pointer_move(double lx, double ly);
  void pointer_motion(double dx, double dy);
  void pointer_button(uint32_t button, bool pressed);
  void pointer_axis(double vertical);
  void key(uint32_t key, bool pressed);
  void touch(TouchPhase phase, int32_t id, double lx, double ly);
  void gesture_begin(GestureType type, uint32_t time_msec, uint32_t fingers);
  void gesture_update(GestureType type, uint32_t time_msec, double dx, double dy, double scale);
  void gesture_end(GestureType type, uint32_t time_msec, bool cancelled);

 private:
  void normalise(double lx, double ly, double* x, double* y) const;
  void add_keyboard();

  wlr_backend* backend_;  // borrowed; outlives this object
  wlr_output_layout* layout_;
  bool has_devices_ = false;
  wlr_input_device* keyboard_ = nullptr;  // owned by the backend; cleared on its destroy
  wlr_input_device* pointer_ = nullptr;
  wlr_input_device* touch_ = nullptr;
  uint32_t gesture_fingers_ = 0;  // of the injected gesture in progress
  Listener<> keyboard_destroy_, pointer_destroy_, touch_destroy_;
};

}  // namespace weft::compositor
