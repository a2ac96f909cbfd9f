#include "test_control.hpp"

#include "weft-test-v1-protocol.h"
#include "weft/core/log.hpp"

namespace weft::compositor {

namespace {

TestControl& control_of(wl_resource* resource) {
  return *static_cast<TestControl*>(wl_resource_get_user_data(resource));
}

/// Injection needs the virtual devices of the headless backend.
TestInjection* injector(wl_resource* resource) {
  TestInjection* injection = control_of(resource).injection;
  if (injection && injection->has_devices()) return injection;
  wl_resource_post_error(resource, WEFT_TEST_V1_ERROR_NO_TEST_DEVICES, "input injection needs --backend=headless");
  return nullptr;
}

void send_captured(wl_resource* resource, const char* path, const Result<std::pair<int, int>>& result) {
  if (result) weft_test_v1_send_captured(resource, path, 1, result->first, result->second, "");
  else weft_test_v1_send_captured(resource, path, 0, 0, 0, result.error().message.c_str());
}

void send_output_result(wl_resource* resource, const std::string& name, const Result<void>& result) {
  weft_test_v1_send_output_result(resource, name.c_str(), result ? 1 : 0,
                                  result ? "" : result.error().message.c_str());
}

GestureType gesture_type(uint32_t kind) {
  return kind == 1 ? GestureType::pinch : kind == 2 ? GestureType::hold : GestureType::swipe;
}

const struct weft_test_v1_interface kImpl = {
    .destroy = [](wl_client*, wl_resource* resource) { wl_resource_destroy(resource); },
    .sync_state =
        [](wl_client*, wl_resource* resource, uint32_t serial) {
          const TestControl& control = control_of(resource);
          View* focused = control.policy.focused();
          const bool has_keyboard_focus = focused && control.seat.keyboard_focus() == focused->surface();
          weft_test_v1_send_state(resource, serial, static_cast<uint32_t>(control.xdg.mapped_count()),
                                  has_keyboard_focus ? focused->app_id().c_str() : "",
                                  has_keyboard_focus ? focused->title().c_str() : "");
        },
    .capture =
        [](wl_client*, wl_resource* resource, const char* path) {
          send_captured(resource, path, control_of(resource).capture(path, CaptureTarget{}));
        },
    .pointer_move =
        [](wl_client*, wl_resource* resource, wl_fixed_t x, wl_fixed_t y) {
          if (TestInjection* input = injector(resource)) input->pointer_move(wl_fixed_to_double(x), wl_fixed_to_double(y));
        },
    .pointer_motion =
        [](wl_client*, wl_resource* resource, wl_fixed_t dx, wl_fixed_t dy) {
          if (TestInjection* input = injector(resource))
            input->pointer_motion(wl_fixed_to_double(dx), wl_fixed_to_double(dy));
        },
    .pointer_button =
        [](wl_client*, wl_resource* resource, uint32_t button, uint32_t pressed) {
          if (TestInjection* input = injector(resource)) input->pointer_button(button, pressed != 0);
        },
    .pointer_axis =
        [](wl_client*, wl_resource* resource, wl_fixed_t vertical) {
          if (TestInjection* input = injector(resource)) input->pointer_axis(wl_fixed_to_double(vertical));
        },
    .key =
        [](wl_client*, wl_resource* resource, uint32_t key, uint32_t pressed) {
          if (TestInjection* input = injector(resource)) input->key(key, pressed != 0);
        },
    .touch_down =
        [](wl_client*, wl_resource* resource, int32_t id, wl_fixed_t x, wl_fixed_t y) {
          if (TestInjection* input = injector(resource))
            input->touch(TouchPhase::down, id, wl_fixed_to_double(x), wl_fixed_to_double(y));
        },
    .touch_motion =
        [](wl_client*, wl_resource* resource, int32_t id, wl_fixed_t x, wl_fixed_t y) {
          if (TestInjection* input = injector(resource))
            input->touch(TouchPhase::motion, id, wl_fixed_to_double(x), wl_fixed_to_double(y));
        },
    .touch_up =
        [](wl_client*, wl_resource* resource, int32_t id) {
          if (TestInjection* input = injector(resource)) input->touch(TouchPhase::up, id, 0, 0);
        },
    .gesture_begin =
        [](wl_client*, wl_resource* resource, uint32_t kind, uint32_t time_msec, uint32_t fingers) {
          if (TestInjection* input = injector(resource)) input->gesture_begin(gesture_type(kind), time_msec, fingers);
        },
    .gesture_update =
        [](wl_client*, wl_resource* resource, uint32_t kind, uint32_t time_msec, wl_fixed_t dx, wl_fixed_t dy,
           wl_fixed_t scale) {
          if (TestInjection* input = injector(resource))
            input->gesture_update(gesture_type(kind), time_msec, wl_fixed_to_double(dx),
                                         wl_fixed_to_double(dy), wl_fixed_to_double(scale));
        },
    .gesture_end =
        [](wl_client*, wl_resource* resource, uint32_t kind, uint32_t time_msec, uint32_t cancelled) {
          if (TestInjection* input = injector(resource)) input->gesture_end(gesture_type(kind), time_msec, cancelled != 0);
        },
    .add_output =
        [](wl_client*, wl_resource* resource, int32_t width, int32_t height) {
          auto added = control_of(resource).outputs.add(OutputMode{width, height});
          if (added) send_output_result(resource, *added, ok());
          else send_output_result(resource, "", fail(added.error().message));
        },
    .remove_output =
        [](wl_client*, wl_resource* resource, const char* name) {
          send_output_result(resource, name, control_of(resource).outputs.remove(name));
        },
    .set_output_scale =
        [](wl_client*, wl_resource* resource, const char* name, wl_fixed_t scale) {
          send_output_result(resource, name, control_of(resource).outputs.set_scale(name, wl_fixed_to_double(scale)));
        },
    .capture_output =
        [](wl_client*, wl_resource* resource, const char* path, const char* name) {
          // An empty name: every output as laid out.
          const CaptureTarget target = *name ? CaptureTarget{CaptureTarget::Kind::output, name}
                                             : CaptureTarget{CaptureTarget::Kind::layout, {}};
          send_captured(resource, path, control_of(resource).capture(path, target));
        },
    .set_keyboard_plugged =
        [](wl_client*, wl_resource* resource, uint32_t plugged) {
          if (TestInjection* input = injector(resource)) input->set_keyboard_plugged(plugged != 0);
        },
};

}  // namespace

TestControl::TestControl(wl_display* display, const XdgShell& xdg, const WindowPolicy& policy, const Seat& seat,
                         TestInjection* injection, Outputs& outputs, CapturePng capture)
    : xdg(xdg), policy(policy), seat(seat), injection(injection), outputs(outputs), capture(std::move(capture)) {
  global_ = wl_global_create(display, &weft_test_v1_interface, 3, this,
                             [](wl_client* client, void* data, uint32_t version, uint32_t id) {
                               wl_resource* resource = wl_resource_create(client, &weft_test_v1_interface, version, id);
                               if (!resource) {
                                 wl_client_post_no_memory(client);
                                 return;
                               }
                               wl_resource_set_implementation(resource, &kImpl, data, nullptr);
                             });
  log::info("weft_test_v1 offered (test control)");
}

TestControl::~TestControl() {
  if (global_) wl_global_destroy(global_);
}

}  // namespace weft::compositor
