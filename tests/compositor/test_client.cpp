#include "test_client.hpp"

#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace weft::test {

namespace {

std::vector<TestClient*>& live_clients() {
  static std::vector<TestClient*> clients;
  return clients;
}


/// A wl_buffer over its own memfd mapping, destroyed when the compositor releases it or its client goes.
struct ShmBuffer {
  wl_shm* shm = nullptr;
  wl_buffer* buffer = nullptr;
  void* data = nullptr;
  size_t size = 0;
};

std::vector<ShmBuffer*>& unreleased_buffers() {
  static std::vector<ShmBuffer*> buffers;
  return buffers;
}

void destroy_buffer(ShmBuffer* b) {
  std::erase(unreleased_buffers(), b);
  wl_buffer_destroy(b->buffer);
  ::munmap(b->data, b->size);
  delete b;
}

const wl_buffer_listener kBufferListener = {
    .release = [](void* data, wl_buffer*) { destroy_buffer(static_cast<ShmBuffer*>(data)); },
};

}  // namespace

wl_buffer* solid_buffer(wl_shm* shm, int width, int height, Rgb colour) {
  const int stride = width * 4;
  const size_t size = static_cast<size_t>(stride) * height;
  int fd = ::memfd_create("weft-test-buffer", MFD_CLOEXEC);
  if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(size)) != 0) return nullptr;
  void* data = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  const uint32_t pixel = 0xff000000u | (uint32_t(colour.r) << 16) | (uint32_t(colour.g) << 8) | colour.b;
  std::fill_n(static_cast<uint32_t*>(data), size / 4, pixel);
  wl_shm_pool* pool = wl_shm_create_pool(shm, fd, static_cast<int32_t>(size));
  wl_buffer* buffer = wl_shm_pool_create_buffer(pool, 0, width, height, stride, WL_SHM_FORMAT_XRGB8888);
  wl_shm_pool_destroy(pool);
  ::close(fd);
  auto* owned = new ShmBuffer{shm, buffer, data, size};
  unreleased_buffers().push_back(owned);
  wl_buffer_add_listener(buffer, &kBufferListener, owned);
  return buffer;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (TestClient* c : live_clients())
      if (!wl_display_get_error(c->display)) wl_display_dispatch_pending(c->display);
    // `done` may itself dispatch (e.g. sync_state): call it only while no read is prepared.
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::vector<pollfd> fds;
    std::vector<TestClient*> polled;
    for (TestClient* c : live_clients()) {
      if (wl_display_get_error(c->display)) continue;
      while (wl_display_prepare_read(c->display) != 0) wl_display_dispatch_pending(c->display);
      wl_display_flush(c->display);
      fds.push_back(pollfd{wl_display_get_fd(c->display), POLLIN, 0});
      polled.push_back(c);
    }
    ::poll(fds.data(), fds.size(), 20);
    for (size_t i = 0; i < polled.size(); ++i) {
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) wl_display_read_events(polled[i]->display);
      else wl_display_cancel_read(polled[i]->display);
    }
  }
}

// ---- window ----

struct TestWindowListeners {
  // wl_surface.enter/leave: which outputs the window shows on.
  static constexpr wl_surface_listener wl_surface = {
      .enter = [](void* data, ::wl_surface*, wl_output* o) { static_cast<TestWindow*>(data)->entered.insert(o); },
      .leave = [](void* data, ::wl_surface*, wl_output* o) { static_cast<TestWindow*>(data)->entered.erase(o); },
  };
  static constexpr xdg_surface_listener surface = {
      .configure =
          [](void* data, xdg_surface* xs, uint32_t serial) {
            auto* w = static_cast<TestWindow*>(data);
            xdg_surface_ack_configure(xs, serial);
            int width = w->options.fixed_width > 0 ? w->options.fixed_width
                        : w->pending_width_ > 0   ? w->pending_width_
                                                  : w->options.default_width;
            int height = w->options.fixed_height > 0 ? w->options.fixed_height
                         : w->pending_height_ > 0   ? w->pending_height_
                                                    : w->options.default_height;
            w->draw(width, height);
          },
  };
  static constexpr xdg_toplevel_listener toplevel = {
      .configure =
          [](void* data, xdg_toplevel*, int32_t width, int32_t height, wl_array* states) {
            auto* w = static_cast<TestWindow*>(data);
            w->configured_width = width;
            w->configured_height = height;
            w->pending_width_ = width;
            w->pending_height_ = height;
            w->maximized = w->activated = false;
            if (std::getenv("WEFT_TEST_DEBUG")) fprintf(stderr, "configure %s %dx%d states=%zu first=%u\n", w->options.title.c_str(), width, height, states->size / 4, states->size ? *static_cast<uint32_t*>(states->data) : 0u);
            for (auto* s = static_cast<uint32_t*>(states->data);
                 reinterpret_cast<char*>(s) < static_cast<char*>(states->data) + states->size; ++s) {
              if (*s == XDG_TOPLEVEL_STATE_MAXIMIZED) w->maximized = true;
              if (*s == XDG_TOPLEVEL_STATE_ACTIVATED) w->activated = true;
            }
            if (!w->first_configured_size) {
              w->first_configured_size = std::pair(width, height);
              w->first_configured_maximized = w->maximized;
            }
          },
      .close = [](void* data, xdg_toplevel*) { static_cast<TestWindow*>(data)->close_requested = true; },
      .configure_bounds = [](void*, xdg_toplevel*, int32_t, int32_t) {},
      .wm_capabilities = [](void*, xdg_toplevel*, wl_array*) {},
  };
  static constexpr zweft_shell_window_v1_listener slot = {
      .configure =
          [](void* data, zweft_shell_window_v1*, int32_t x, int32_t y, int32_t w, int32_t h, uint32_t state) {
            static_cast<TestWindow*>(data)->zweft_configures.push_back({x, y, w, h, state});
          },
      .focus_changed =
          [](void* data, zweft_shell_window_v1*, uint32_t focused) {
            auto* w = static_cast<TestWindow*>(data);
            if (w->zweft_configures.empty()) ++w->events_before_first_configure;
            w->focus_events.push_back(focused);
          },
      .window_closed =
          [](void* data, zweft_shell_window_v1*) {
            auto* w = static_cast<TestWindow*>(data);
            if (w->zweft_configures.empty()) ++w->events_before_first_configure;
            w->window_closed = true;
          },
      .presentation_feedback =
          [](void* data, zweft_shell_window_v1*, uint32_t, uint32_t nsec, uint32_t refresh) {
            static_cast<TestWindow*>(data)->presentations.emplace_back(nsec, refresh);
          },
      .navigation_gesture =
          [](void* data, zweft_shell_window_v1*, uint32_t type, uint32_t fingers, wl_fixed_t dx, wl_fixed_t dy) {
            static_cast<TestWindow*>(data)->gestures.push_back(
                {type, fingers, wl_fixed_to_double(dx), wl_fixed_to_double(dy)});
          },
  };
};

TestWindow::TestWindow(TestClient& c, WindowOptions o) : client(c), options(std::move(o)) {
  surface = wl_compositor_create_surface(client.compositor);
  wl_surface_add_listener(surface, &TestWindowListeners::wl_surface, this);
  auto make_slot = [this] {
    slot = zweft_shell_manager_v1_create_window(client.zweft, options.app_id.c_str(), options.title.c_str(),
                                                options.zweft_role->c_str(), surface, 0, 0, 0, 0);
    zweft_shell_window_v1_add_listener(slot, &TestWindowListeners::slot, this);
  };
  if (options.zweft_role && options.zweft_before_toplevel) make_slot();
  xsurface = xdg_wm_base_get_xdg_surface(client.wm_base, surface);
  xdg_surface_add_listener(xsurface, &TestWindowListeners::surface, this);
  toplevel = xdg_surface_get_toplevel(xsurface);
  xdg_toplevel_add_listener(toplevel, &TestWindowListeners::toplevel, this);
  xdg_toplevel_set_title(toplevel, options.title.c_str());
  xdg_toplevel_set_app_id(toplevel, options.app_id.c_str());
  if (options.zweft_role && !options.zweft_before_toplevel) make_slot();
  wl_surface_commit(surface);
}

TestWindow::~TestWindow() {
  if (slot) zweft_shell_window_v1_destroy(slot);
  destroy_toplevel();
  if (surface) wl_surface_destroy(surface);
  wl_display_flush(client.display);
}

void TestWindow::destroy_toplevel() {
  if (toplevel) xdg_toplevel_destroy(toplevel);
  if (xsurface) xdg_surface_destroy(xsurface);
  toplevel = nullptr;
  xsurface = nullptr;
  mapped = false;
}

void TestWindow::draw(int width, int height) {
  wl_buffer* buffer = solid_buffer(client.shm, width, height, options.colour);
  if (!buffer) return;
  wl_surface_attach(surface, buffer, 0, 0);
  wl_surface_damage_buffer(surface, 0, 0, width, height);
  wl_surface_commit(surface);
  drawn_width = width;
  drawn_height = height;
  mapped = true;
}

void TestWindow::repaint(Rgb colour) {
  options.colour = colour;
  draw(drawn_width, drawn_height);
}

// ---- client ----

namespace {

const wl_keyboard_listener kKeyboardListener = {
    .keymap =
        [](void* data, wl_keyboard*, uint32_t, int32_t fd, uint32_t) {
          ++static_cast<TestClient*>(data)->keymaps_received;
          ::close(fd);
        },
    .enter =
        [](void* data, wl_keyboard*, uint32_t serial, wl_surface* s, wl_array*) {
          auto* c = static_cast<TestClient*>(data);
          c->keyboard_focus = s;
          c->last_input_serial = serial;
        },
    .leave =
        [](void* data, wl_keyboard*, uint32_t serial, wl_surface* s) {
          auto* c = static_cast<TestClient*>(data);
          if (c->keyboard_focus == s) c->keyboard_focus = nullptr;
          c->last_input_serial = serial;
        },
    .key =
        [](void* data, wl_keyboard*, uint32_t serial, uint32_t, uint32_t key, uint32_t state) {
          auto* c = static_cast<TestClient*>(data);
          c->last_input_serial = serial;
          if (state != WL_KEYBOARD_KEY_STATE_PRESSED) return;
          c->keys_received.push_back(key);
          c->modifiers_at_keys.push_back(c->modifiers_depressed);
        },
    .modifiers =
        [](void* data, wl_keyboard*, uint32_t, uint32_t depressed, uint32_t, uint32_t, uint32_t) {
          static_cast<TestClient*>(data)->modifiers_depressed = depressed;
        },
    .repeat_info = [](void*, wl_keyboard*, int32_t, int32_t) {},
};

const wl_pointer_listener kPointerListener = {
    .enter =
        [](void* data, wl_pointer*, uint32_t serial, wl_surface* s, wl_fixed_t, wl_fixed_t) {
          auto* c = static_cast<TestClient*>(data);
          c->pointer_focus = s;
          c->last_input_serial = serial;
        },
    .leave =
        [](void* data, wl_pointer*, uint32_t serial, wl_surface*) {
          auto* c = static_cast<TestClient*>(data);
          c->pointer_focus = nullptr;
          c->last_input_serial = serial;
        },
    .motion = [](void* data, wl_pointer*, uint32_t, wl_fixed_t, wl_fixed_t) { ++static_cast<TestClient*>(data)->pointer_motions; },
    .button = [](void* data, wl_pointer*, uint32_t serial, uint32_t, uint32_t,
                 uint32_t) { static_cast<TestClient*>(data)->last_input_serial = serial; },
    .axis = [](void*, wl_pointer*, uint32_t, uint32_t, wl_fixed_t) {},
    .frame = [](void*, wl_pointer*) {},
    .axis_source = [](void*, wl_pointer*, uint32_t) {},
    .axis_stop = [](void*, wl_pointer*, uint32_t, uint32_t) {},
    .axis_discrete = [](void*, wl_pointer*, uint32_t, int32_t) {},
    .axis_value120 = [](void*, wl_pointer*, uint32_t, int32_t) {},
};

const wl_seat_listener kSeatListener = {
    .capabilities =
        [](void* data, wl_seat* seat, uint32_t caps) {
          auto* c = static_cast<TestClient*>(data);
          c->seat_capabilities = caps;
          ++c->capability_events;
          if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && !c->keyboard) {
            c->keyboard = wl_seat_get_keyboard(seat);
            wl_keyboard_add_listener(c->keyboard, &kKeyboardListener, c);
          } else if (!(caps & WL_SEAT_CAPABILITY_KEYBOARD) && c->keyboard) {
            // The last keyboard went: this wl_keyboard is inert; a new one comes with the capability.
            wl_keyboard_destroy(c->keyboard);
            c->keyboard = nullptr;
            c->keyboard_focus = nullptr;
          }
          if ((caps & WL_SEAT_CAPABILITY_POINTER) && !c->pointer) {
            c->pointer = wl_seat_get_pointer(seat);
            wl_pointer_add_listener(c->pointer, &kPointerListener, c);
          }
        },
    .name = [](void*, wl_seat*, const char*) {},
};

const xdg_wm_base_listener kWmBaseListener = {
    .ping = [](void*, xdg_wm_base* base, uint32_t serial) { xdg_wm_base_pong(base, serial); },
};

const weft_test_v1_listener kControlListener = {
    .state =
        [](void* data, weft_test_v1*, uint32_t serial, uint32_t mapped, const char* app_id, const char* title) {
          auto* c = static_cast<TestClient*>(data);
          c->state_serial = serial;
          c->last_state = TestClient::State{mapped, app_id, title};
        },
    .captured =
        [](void* data, weft_test_v1*, const char*, uint32_t ok, int32_t, int32_t, const char* message) {
          auto* c = static_cast<TestClient*>(data);
          c->captured = true;
          c->capture_ok = ok != 0;
          c->capture_message = message;
        },
    .output_result =
        [](void* data, weft_test_v1*, const char* name, uint32_t ok, const char* message) {
          auto* c = static_cast<TestClient*>(data);
          c->output_answered = true;
          c->output_ok = ok != 0;
          c->output_name = name;
          c->output_message = message;
        },
};

const wl_output_listener kOutputListener = {
    .geometry = [](void*, wl_output*, int32_t, int32_t, int32_t, int32_t, int32_t, const char*, const char*,
                   int32_t) {},
    .mode =
        [](void* data, wl_output*, uint32_t flags, int32_t width, int32_t height, int32_t) {
          if (!(flags & WL_OUTPUT_MODE_CURRENT)) return;
          auto* o = static_cast<SeenOutput*>(data);
          o->mode_width = width;
          o->mode_height = height;
        },
    .done = [](void* data, wl_output*) { ++static_cast<SeenOutput*>(data)->done_events; },
    .scale = [](void* data, wl_output*, int32_t factor) { static_cast<SeenOutput*>(data)->scale = factor; },
    .name = [](void*, wl_output*, const char*) {},
    .description = [](void*, wl_output*, const char*) {},
};

const zxdg_output_v1_listener kXdgOutputListener = {
    .logical_position =
        [](void* data, zxdg_output_v1*, int32_t x, int32_t y) {
          auto* o = static_cast<SeenOutput*>(data);
          o->x = x;
          o->y = y;
        },
    .logical_size =
        [](void* data, zxdg_output_v1*, int32_t width, int32_t height) {
          auto* o = static_cast<SeenOutput*>(data);
          o->width = width;
          o->height = height;
        },
    .done = [](void*, zxdg_output_v1*) {},
    .name = [](void* data, zxdg_output_v1*, const char* name) { static_cast<SeenOutput*>(data)->name = name; },
    .description = [](void*, zxdg_output_v1*, const char*) {},
};

void follow_xdg_output(TestClient& c, SeenOutput& o) {
  if (!c.xdg_output_manager || o.xdg) return;
  o.xdg = zxdg_output_manager_v1_get_xdg_output(c.xdg_output_manager, o.output);
  zxdg_output_v1_add_listener(o.xdg, &kXdgOutputListener, &o);
}

void release_output(SeenOutput& o) {
  if (o.xdg) zxdg_output_v1_destroy(o.xdg);
  if (wl_output_get_version(o.output) >= WL_OUTPUT_RELEASE_SINCE_VERSION) wl_output_release(o.output);
  else wl_output_destroy(o.output);
}

const wl_registry_listener kRegistryListener = {
    .global =
        [](void* data, wl_registry* registry, uint32_t name, const char* interface, uint32_t version) {
          auto* c = static_cast<TestClient*>(data);
          const std::string iface = interface;
          c->globals.insert(iface);
          c->global_names[iface] = name;
          if (iface == "wl_compositor") {
            c->compositor = static_cast<wl_compositor*>(
                wl_registry_bind(registry, name, &wl_compositor_interface, std::min(version, 4u)));
          } else if (iface == "wl_shm") {
            c->shm = static_cast<wl_shm*>(wl_registry_bind(registry, name, &wl_shm_interface, 1));
          } else if (iface == "xdg_wm_base") {
            c->wm_base = static_cast<xdg_wm_base*>(wl_registry_bind(registry, name, &xdg_wm_base_interface, 1));
            xdg_wm_base_add_listener(c->wm_base, &kWmBaseListener, c);
          } else if (iface == "wl_seat" && !c->seat) {
            c->seat = static_cast<wl_seat*>(wl_registry_bind(registry, name, &wl_seat_interface, std::min(version, 5u)));
            wl_seat_add_listener(c->seat, &kSeatListener, c);
          } else if (iface == "zweft_shell_manager_v1") {
            c->zweft = static_cast<zweft_shell_manager_v1*>(
                wl_registry_bind(registry, name, &zweft_shell_manager_v1_interface, std::min(version, 2u)));
          } else if (iface == "zwp_pointer_constraints_v1") {
            c->constraints = static_cast<zwp_pointer_constraints_v1*>(
                wl_registry_bind(registry, name, &zwp_pointer_constraints_v1_interface, 1));
          } else if (iface == "zwp_relative_pointer_manager_v1") {
            c->relative_pointer = static_cast<zwp_relative_pointer_manager_v1*>(
                wl_registry_bind(registry, name, &zwp_relative_pointer_manager_v1_interface, 1));
          } else if (iface == "zwlr_layer_shell_v1") {
            c->layer_shell = static_cast<zwlr_layer_shell_v1*>(
                wl_registry_bind(registry, name, &zwlr_layer_shell_v1_interface, std::min(version, 3u)));
          } else if (iface == "wl_data_device_manager") {
            c->data_device_manager = static_cast<wl_data_device_manager*>(
                wl_registry_bind(registry, name, &wl_data_device_manager_interface, std::min(version, 3u)));
          } else if (iface == "wl_output") {
            auto seen = std::make_unique<SeenOutput>();
            seen->global = name;
            seen->output =
                static_cast<wl_output*>(wl_registry_bind(registry, name, &wl_output_interface, std::min(version, 4u)));
            wl_output_add_listener(seen->output, &kOutputListener, seen.get());
            follow_xdg_output(*c, *seen);
            c->outputs.push_back(std::move(seen));
          } else if (iface == "zxdg_output_manager_v1") {
            c->xdg_output_manager = static_cast<zxdg_output_manager_v1*>(
                wl_registry_bind(registry, name, &zxdg_output_manager_v1_interface, std::min(version, 3u)));
            for (auto& seen : c->outputs) follow_xdg_output(*c, *seen);
          } else if (iface == "weft_test_v1") {
            c->control = static_cast<weft_test_v1*>(
                wl_registry_bind(registry, name, &weft_test_v1_interface, std::min(version, 3u)));
            weft_test_v1_add_listener(c->control, &kControlListener, c);
          }
        },
    .global_remove =
        [](void* data, wl_registry*, uint32_t name) {
          auto* c = static_cast<TestClient*>(data);
          std::erase_if(c->outputs, [name](const std::unique_ptr<SeenOutput>& o) {
            if (o->global != name) return false;
            release_output(*o);
            return true;
          });
        },
};

const zweft_shell_window_v1_listener kSlotListener = {
    .configure =
        [](void* data, zweft_shell_window_v1*, int32_t x, int32_t y, int32_t w, int32_t h, uint32_t state) {
          static_cast<TestSlot*>(data)->configures.push_back({x, y, w, h, state});
        },
    .focus_changed = [](void*, zweft_shell_window_v1*, uint32_t) {},
    .window_closed = [](void* data, zweft_shell_window_v1*) { static_cast<TestSlot*>(data)->window_closed = true; },
    .presentation_feedback = [](void*, zweft_shell_window_v1*, uint32_t, uint32_t, uint32_t) {},
    .navigation_gesture = [](void*, zweft_shell_window_v1*, uint32_t, uint32_t, wl_fixed_t, wl_fixed_t) {},
};

}  // namespace

TestClient::TestClient(wl_display* d) : display(d) {
  live_clients().push_back(this);
  registry = wl_display_get_registry(display);
  wl_registry_add_listener(registry, &kRegistryListener, this);
  wl_display_roundtrip(display);
  wl_display_roundtrip(display);  // seat capabilities
}

std::unique_ptr<TestClient> TestClient::connect(const std::string& socket_path) {
  wl_display* d = wl_display_connect(socket_path.c_str());
  if (!d) return nullptr;
  return std::unique_ptr<TestClient>(new TestClient(d));
}

std::unique_ptr<TestClient> TestClient::connect_fd(int fd) {
  wl_display* d = wl_display_connect_to_fd(fd);
  if (!d) return nullptr;
  return std::unique_ptr<TestClient>(new TestClient(d));
}

TestClient::~TestClient() {
  std::erase(live_clients(), this);
  // wl_display_disconnect frees no proxies: destroy what this client still holds.
  for (ShmBuffer* b : std::vector<ShmBuffer*>(unreleased_buffers()))
    if (b->shm == shm) destroy_buffer(b);
  if (keyboard) wl_keyboard_destroy(keyboard);
  if (pointer) wl_pointer_destroy(pointer);
  if (seat) wl_seat_destroy(seat);
  if (control) weft_test_v1_destroy(control);
  for (auto& o : outputs) release_output(*o);
  if (xdg_output_manager) zxdg_output_manager_v1_destroy(xdg_output_manager);
  if (zweft) zweft_shell_manager_v1_destroy(zweft);
  if (layer_shell) zwlr_layer_shell_v1_destroy(layer_shell);
  if (constraints) zwp_pointer_constraints_v1_destroy(constraints);
  if (relative_pointer) zwp_relative_pointer_manager_v1_destroy(relative_pointer);
  if (data_device_manager) wl_data_device_manager_destroy(data_device_manager);
  if (wm_base) xdg_wm_base_destroy(wm_base);
  if (shm) wl_shm_destroy(shm);
  if (compositor) wl_compositor_destroy(compositor);
  if (registry) wl_registry_destroy(registry);
  wl_display_disconnect(display);
}

bool TestClient::roundtrip() { return wl_display_roundtrip(display) >= 0; }

uint32_t TestClient::protocol_error(std::string* interface_name) const {
  const wl_interface* iface = nullptr;
  uint32_t id = 0;
  const uint32_t code = wl_display_get_protocol_error(display, &iface, &id);
  if (interface_name) *interface_name = iface ? iface->name : "";
  return code;
}

std::unique_ptr<TestWindow> TestClient::create_window(WindowOptions options) {
  auto window = std::make_unique<TestWindow>(*this, std::move(options));
  wl_display_flush(display);
  return window;
}

std::unique_ptr<TestSlot> TestClient::create_slot(const std::string& role, int x, int y, int w, int h) {
  auto slot = std::make_unique<TestSlot>();
  slot->slot = zweft_shell_manager_v1_create_window(zweft, "org.weft.test", "slot", role.c_str(), nullptr, x, y, w, h);
  zweft_shell_window_v1_add_listener(slot->slot, &kSlotListener, slot.get());
  wl_display_flush(display);
  return slot;
}

std::optional<TestClient::State> TestClient::sync_state() {
  if (!control) return std::nullopt;
  const uint32_t serial = state_serial + 1;
  weft_test_v1_sync_state(control, serial);
  wl_display_flush(display);
  if (!wait_until([&] { return state_serial == serial; })) return std::nullopt;
  return last_state;
}

bool TestClient::set_keyboard_plugged(bool plugged) {
  if (!control || weft_test_v1_get_version(control) < WEFT_TEST_V1_SET_KEYBOARD_PLUGGED_SINCE_VERSION) return false;
  weft_test_v1_set_keyboard_plugged(control, plugged ? 1 : 0);
  return sync_state().has_value();
}

Result<Png> TestClient::capture(const std::string& name) {
  return capture_into(name, [this](const std::string& path) { weft_test_v1_capture(control, path.c_str()); });
}

Result<Png> TestClient::capture_output(const std::string& output, const std::string& file) {
  return capture_into(file, [&](const std::string& path) {
    weft_test_v1_capture_output(control, path.c_str(), output.c_str());
  });
}

Result<std::string> TestClient::output_request(const std::function<void()>& request) {
  if (!control) return fail("weft_test_v1 is not offered");
  if (weft_test_v1_get_version(control) < WEFT_TEST_V1_ADD_OUTPUT_SINCE_VERSION)
    return fail("weft_test_v1 is older than version 2 (no output requests)");
  output_answered = false;
  request();
  wl_display_flush(display);
  if (!wait_until([&] { return output_answered; })) return fail("no output_result");
  if (!output_ok) return fail(output_message);
  return output_name;
}

Result<std::string> TestClient::add_output(int width, int height) {
  return output_request([&] { weft_test_v1_add_output(control, width, height); });
}

Result<void> TestClient::remove_output(const std::string& name) {
  WEFT_TRY_VOID(output_request([&] { weft_test_v1_remove_output(control, name.c_str()); }));
  return ok();
}

Result<void> TestClient::set_output_scale(const std::string& name, double scale) {
  WEFT_TRY_VOID(output_request([&] {
    weft_test_v1_set_output_scale(control, name.c_str(), wl_fixed_from_double(scale));
  }));
  return ok();
}

const SeenOutput* TestClient::output_named(const std::string& name) const {
  for (const auto& o : outputs)
    if (o->name == name) return o.get();
  return nullptr;
}

Result<Png> TestClient::capture_into(const std::string& name,
                                     const std::function<void(const std::string& path)>& request) {
  if (!control) return fail("weft_test_v1 is not offered");
  const std::string path = capture_dir + "/" + name + ".png";
  captured = false;
  request(path);
  wl_display_flush(display);
  if (!wait_until([&] { return captured; })) return fail("no captured event for " + path);
  if (!capture_ok) return fail("capture failed: " + capture_message);
  if (const char* keep = std::getenv("WEFT_COMPOSITOR_TEST_PNG_DIR")) {
    std::error_code ec;
    std::filesystem::copy_file(path, std::string(keep) + "/" + name + ".png",
                               std::filesystem::copy_options::overwrite_existing, ec);
  }
  return read_png(path);
}

void TestClient::click(double x, double y, uint32_t button) {
  weft_test_v1_pointer_move(control, wl_fixed_from_double(x), wl_fixed_from_double(y));
  weft_test_v1_pointer_button(control, button, 1);
  weft_test_v1_pointer_button(control, button, 0);
  wl_display_flush(display);
}

}  // namespace weft::test
