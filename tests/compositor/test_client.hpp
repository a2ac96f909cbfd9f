#pragma once
// A small real Wayland client for compositor tests (C++ over wayland-client): xdg toplevels filled with one colour,
// zweft_shell_unstable_v1 slots, seat tracking, and weft_test_v1 for screenshots and input injection.

#include <wayland-client.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compositor_harness.hpp"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "weft-test-v1-client-protocol.h"
// get_layer_surface has a parameter named `namespace`.
#define namespace namespace_
#include "wlr-layer-shell-unstable-v1-client-protocol.h"
#undef namespace
#include "xdg-output-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"
#include "zweft-shell-unstable-v1-client-protocol.h"

namespace weft::test {

class TestClient;

/// A wl_buffer filled with one opaque colour (XRGB8888), destroyed when the compositor releases it.
[[nodiscard]] wl_buffer* solid_buffer(wl_shm* shm, int width, int height, Rgb colour);

/// Dispatches every live TestClient until `done()` or the timeout; false on timeout.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct ZweftConfigure {
  int x, y, width, height;
  uint32_t state;
};
struct ZweftGesture {
  uint32_t type, fingers;
  double dx, dy;
};

struct WindowOptions {
  Rgb colour{255, 0, 0};
  std::string title = "test";
  std::string app_id = "org.weft.test";
  int fixed_width = 0;   // px; > 0: ignore configure sizes and always draw this size
  int fixed_height = 0;
  int default_width = 320;   // px when the compositor leaves the size to us
  int default_height = 240;
  std::optional<std::string> zweft_role;  // create a zweft slot governing this toplevel
  bool zweft_before_toplevel = false;     // create the slot before get_toplevel (surface still role-less)
};

/// One xdg toplevel (optionally governed by a zweft slot).
class TestWindow {
 public:
  TestWindow(TestClient& client, WindowOptions options);
  ~TestWindow();
  TestWindow(const TestWindow&) = delete;
  TestWindow& operator=(const TestWindow&) = delete;

  void destroy_toplevel();
  /// Redraws with a new colour (same size).
  void repaint(Rgb colour);

  TestClient& client;
  WindowOptions options;
  wl_surface* surface = nullptr;
  xdg_surface* xsurface = nullptr;
  xdg_toplevel* toplevel = nullptr;
  zweft_shell_window_v1* slot = nullptr;

  // xdg state
  int configured_width = 0, configured_height = 0;
  bool maximized = false, activated = false;
  std::optional<std::pair<int, int>> first_configured_size;  // of the initial configure
  bool first_configured_maximized = false;
  bool close_requested = false;
  bool mapped = false;  // a buffer was committed after the first configure
  int drawn_width = 0, drawn_height = 0;
  std::set<wl_output*> entered;  // outputs of wl_surface.enter not yet left
  // zweft state
  std::vector<ZweftConfigure> zweft_configures;
  std::vector<uint32_t> focus_events;
  bool window_closed = false;
  int events_before_first_configure = 0;
  std::vector<std::pair<uint32_t, uint32_t>> presentations;  // tv_nsec, refresh
  std::vector<ZweftGesture> gestures;

 private:
  friend struct TestWindowListeners;
  void draw(int width, int height);
  int pending_width_ = 0, pending_height_ = 0;
};

/// One wl_output global as a client sees it: wl_output geometry/mode/scale and its xdg-output name and logical box.
struct SeenOutput {
  uint32_t global = 0;
  wl_output* output = nullptr;
  zxdg_output_v1* xdg = nullptr;
  std::string name;       // zxdg_output_v1.name
  int x = 0, y = 0;       // logical position (px, layout coordinates)
  int width = 0, height = 0;  // logical size (px)
  int mode_width = 0, mode_height = 0;  // current wl_output mode (px)
  int scale = 1;          // wl_output.scale
  int done_events = 0;    // wl_output.done received
};

/// A surface-less zweft slot.
struct TestSlot {
  zweft_shell_window_v1* slot = nullptr;
  std::vector<ZweftConfigure> configures;
  bool window_closed = false;
  ~TestSlot() {
    if (slot) zweft_shell_window_v1_destroy(slot);
  }
};

class TestClient {
 public:
  /// Connects to a socket path (absolute) or takes over a connected fd.
  [[nodiscard]] static std::unique_ptr<TestClient> connect(const std::string& socket_path);
  [[nodiscard]] static std::unique_ptr<TestClient> connect_fd(int fd);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool roundtrip();
  [[nodiscard]] bool has_global(const std::string& interface) const { return globals.count(interface) != 0; }
  [[nodiscard]] std::unique_ptr<TestWindow> create_window(WindowOptions options);
  [[nodiscard]] std::unique_ptr<TestSlot> create_slot(const std::string& role, int x, int y, int w, int h);
  /// wl_display error code (0 = none) and the interface it was raised on.
  [[nodiscard]] int error() const { return wl_display_get_error(display); }
  [[nodiscard]] uint32_t protocol_error(std::string* interface_name) const;

  // weft_test_v1
  struct State {
    uint32_t mapped_toplevels = 0;
    std::string focused_app_id, focused_title;
  };
  [[nodiscard]] std::optional<State> sync_state();
  [[nodiscard]] Result<Png> capture(const std::string& name);
  void click(double x, double y, uint32_t button = 0x110 /* BTN_LEFT */);
  /// weft_test_v1 v2: hot-plugs a headless output; the new output's name.
  [[nodiscard]] Result<std::string> add_output(int width, int height);
  [[nodiscard]] Result<void> remove_output(const std::string& name);
  [[nodiscard]] Result<void> set_output_scale(const std::string& name, double scale);
  /// weft_test_v1 v3: unplugs or re-plugs the headless test keyboard; true once the compositor has handled it.
  [[nodiscard]] bool set_keyboard_plugged(bool plugged);
  /// Captures the named output (not the primary; an empty name: the whole layout) as `file`.png in capture_dir.
  [[nodiscard]] Result<Png> capture_output(const std::string& output, const std::string& file);
  /// The output with this xdg-output name, nullptr if it is not (or no longer) announced.
  [[nodiscard]] const SeenOutput* output_named(const std::string& name) const;

  wl_display* display = nullptr;
  wl_registry* registry = nullptr;
  wl_compositor* compositor = nullptr;
  wl_shm* shm = nullptr;
  xdg_wm_base* wm_base = nullptr;
  wl_seat* seat = nullptr;
  wl_keyboard* keyboard = nullptr;
  wl_pointer* pointer = nullptr;
  zweft_shell_manager_v1* zweft = nullptr;
  weft_test_v1* control = nullptr;
  zwlr_layer_shell_v1* layer_shell = nullptr;
  zwp_pointer_constraints_v1* constraints = nullptr;
  zwp_relative_pointer_manager_v1* relative_pointer = nullptr;
  wl_data_device_manager* data_device_manager = nullptr;
  zxdg_output_manager_v1* xdg_output_manager = nullptr;
  std::vector<std::unique_ptr<SeenOutput>> outputs;  // wl_output globals still announced
  std::set<std::string> globals;
  std::map<std::string, uint32_t> global_names;  // interface → registry name, to bind what a helper needs
  std::string capture_dir;  // where capture() asks the compositor to write PNGs

  uint32_t seat_capabilities = 0;  // the latest wl_seat.capabilities
  int capability_events = 0;       // wl_seat.capabilities received
  wl_surface* keyboard_focus = nullptr;
  int keymaps_received = 0;  // wl_keyboard.keymap events
  std::vector<uint32_t> keys_received;  // evdev codes of key presses
  uint32_t modifiers_depressed = 0;     // wl_keyboard.modifiers: xkb mask of the held modifiers
  std::vector<uint32_t> modifiers_at_keys;  // modifiers_depressed at each key press, parallel to keys_received
  wl_surface* pointer_focus = nullptr;
  int pointer_motions = 0;  // wl_pointer.motion events received
  uint32_t last_input_serial = 0;  // of the latest wl_keyboard / wl_pointer event that carried one

  // weft_test_v1 answers
  uint32_t state_serial = 0;
  std::optional<State> last_state;
  bool captured = false;
  bool capture_ok = false;
  std::string capture_message;
  bool output_answered = false;
  bool output_ok = false;
  std::string output_name, output_message;

 private:
  Result<Png> capture_into(const std::string& name, const std::function<void(const std::string& path)>& request);
  Result<std::string> output_request(const std::function<void()>& request);
  explicit TestClient(wl_display* display);
};

}  // namespace weft::test
