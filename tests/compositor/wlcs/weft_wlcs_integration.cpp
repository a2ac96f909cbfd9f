// WLCS integration module for weft-compositor (wlcs/display_server.h, pointer.h, touch.h).
//
// The WLCS runner loads this module and drives one compositor per test: create_server, start, create_client_socket
// for each test client, input injection and window positioning, stop, destroy_server. The compositor is the real core
// (weft-compositor-core, headless backend, pixman renderer) running its event loop on a thread of its own. Every call
// WLCS makes from its thread is handed to the loop thread and waited for (LoopThread::call), so nothing in the core is
// ever touched from two threads and injected input has reached the clients' queues when the call returns.

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wayland-client-core.h>

#include <cstdio>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

#include "server.hpp"
#include "test_injection.hpp"
#include "wlr.hpp"

extern "C" {
#include <wlcs/display_server.h>
#include <wlcs/pointer.h>
#include <wlcs/touch.h>
}

namespace {

using weft::compositor::Server;
using weft::compositor::TouchPhase;

// The protocols weft-compositor offers, at the versions wlroots 0.15 implements. WLCS skips the tests of anything not
// listed: wl_shell and zxdg_shell_v6 (wlroots 0.15 has neither), zwlr_foreign_toplevel_manager_v1,
// zwlr_virtual_pointer_manager_v1, gtk_primary_selection and text-input/input-method (WEFT does not offer them).
constexpr WlcsExtensionDescriptor kExtensions[] = {
    {"wl_compositor", 4},
    {"wl_subcompositor", 1},
    {"wl_data_device_manager", 3},
    {"wl_seat", 7},
    {"wl_output", 3},
    {"wl_shm", 1},
    {"xdg_wm_base", 2},
    {"zwlr_layer_shell_v1", 4},
    {"zxdg_output_manager_v1", 3},
    {"zwp_primary_selection_device_manager_v1", 1},
    {"zwp_relative_pointer_manager_v1", 1},
    {"zwp_pointer_constraints_v1", 1},
    {"zwp_pointer_gestures_v1", 3},
    {"zwlr_data_control_manager_v1", 2},
    {"zwlr_screencopy_manager_v1", 3},
    {"wp_viewporter", 1},
    {"wp_presentation", 1},
    {"zxdg_decoration_manager_v1", 1},
    {"xdg_activation_v1", 1},
};
constexpr int kOutputSize = 1600;  // px, width and height of the headless output (what Mir's module gives WLCS)
// WLCS waits for frame callbacks between steps: at 240 Hz each wait is ≈ 4 ms instead of 17 ms at 60 Hz.
constexpr int kOutputRefreshMhz = 240000;

constexpr WlcsIntegrationDescriptor kDescriptor{WLCS_INTEGRATION_DESCRIPTOR_VERSION,
                                                sizeof(kExtensions) / sizeof(kExtensions[0]), kExtensions};

/// WLCS 1.5's client helpers attach and commit a buffer to xdg and layer surfaces before the first configure has
/// arrived (create_visible_surface commits once and attaches at once; the input-region, layer-shell and remap helpers
/// attach on the very first commit). xdg-shell and layer-shell make that a protocol error and wlroots 0.15 enforces
/// it ("xdg_surface has never been configured"); Mir tolerates it. So that the suite tests the compositor and not
/// this one client habit, the module marks a not-yet-configured xdg or layer surface as configured just before each
/// wl_surface.commit is dispatched (a protocol logger sees every request before its handler runs). A layer surface's
/// very first commit cannot be let through that way (wlroots only adds a layer surface on its first commit and
/// asserts it is unconfigured then), so when that commit carries a buffer the module first commits the surface's
/// state without the buffer — the initial commit a conforming client makes, which gets the initial configure — and
/// then lets the client's commit, buffer and all, through as the one after the acknowledged configure. Only the WLCS
/// module does this: weft-compositor itself keeps the error (and the WLCS test that expects it is an expected failure
/// here, as it is for Mir).
class UnconfiguredCommitLeniency {
 public:
  explicit UnconfiguredCommitLeniency(wl_display* display)
      : logger_(wl_display_add_protocol_logger(display, &UnconfiguredCommitLeniency::on_message, nullptr)) {}
  UnconfiguredCommitLeniency(const UnconfiguredCommitLeniency&) = delete;
  UnconfiguredCommitLeniency& operator=(const UnconfiguredCommitLeniency&) = delete;
  ~UnconfiguredCommitLeniency() { wl_protocol_logger_destroy(logger_); }

 private:
  static void on_message(void*, wl_protocol_logger_type type, const wl_protocol_logger_message* message) {
    if (type != WL_PROTOCOL_LOGGER_REQUEST || std::string_view(message->message->name) != "commit") return;
    if (std::string_view(wl_resource_get_class(message->resource)) != "wl_surface") return;
    wlr_surface* surface = wlr_surface_from_resource(message->resource);
    if (!surface) return;
    if (wlr_surface_is_xdg_surface(surface)) {
      if (wlr_xdg_surface* xdg = wlr_xdg_surface_from_wlr_surface(surface)) xdg->configured = true;
    } else if (wlr_surface_is_layer_surface(surface)) {
      wlr_layer_surface_v1* layer = wlr_layer_surface_v1_from_wlr_surface(surface);
      if (!layer) return;
      if (!layer->added && (surface->pending.committed & WLR_SURFACE_STATE_BUFFER) && surface->pending.buffer)
        commit_without_buffer(message->resource, surface);
      // Not before the initial commit: wlroots asserts that a layer surface is unconfigured until it has been added.
      if (layer->added) layer->configured = true;
    }
  }

  /// Commits `surface`'s pending state minus everything wl_surface itself double-buffers (the buffer, frame callbacks,
  /// regions stay pending for the client's own commit that follows): for a layer surface, its role state alone. The
  /// pending damage is clipped to the still empty surface on the way; a first buffer is damaged whole regardless.
  static void commit_without_buffer(wl_resource* resource, wlr_surface* surface) {
    // A locked or cached state would be queued, not applied; layer surfaces are never synchronized subsurfaces.
    if (surface->pending.cached_state_locks > 0 || !wl_list_empty(&surface->cached)) return;
    // libwayland keeps a resource's request handlers in its wl_object (interface, handlers, id), the first member of
    // wl_resource, and has no getter for them; the id and interface read alongside are checked against the public
    // getters before the handlers are used.
    struct ObjectHead {
      const wl_interface* interface;
      const void* implementation;
      uint32_t id;
    };
    const auto* head = reinterpret_cast<const ObjectHead*>(resource);
    if (head->id != wl_resource_get_id(resource) || head->interface->name != wl_resource_get_class(resource)) return;
    const auto* requests = static_cast<const struct wl_surface_interface*>(head->implementation);
    const uint32_t committed = surface->pending.committed;
    surface->pending.committed = 0;
    requests->commit(wl_resource_get_client(resource), resource);
    surface->pending.committed = committed;
  }

  wl_protocol_logger* logger_;
};

/// The compositor's event loop on its own thread, and the one way in from other threads.
class LoopThread {
 public:
  /// Starts the server on a new thread; returns once it is listening (or failed, which aborts: WLCS has no error
  /// path for start).
  void start() {
    std::promise<void> started;
    auto ready = started.get_future();
    thread_ = std::thread([this, &started] { run(started); });
    ready.get();
  }

  /// Ends the loop and joins the thread; the server is destroyed on its own thread first.
  void stop() {
    if (!thread_.joinable()) return;
    post([this] { server_->terminate(); });
    thread_.join();
  }

  /// Runs `task` on the loop thread and waits for its result.
  template <class Task>
  auto call(Task task) -> decltype(task(std::declval<Server&>())) {
    using R = decltype(task(std::declval<Server&>()));
    std::packaged_task<R()> packaged([this, &task] { return task(*server_); });
    auto result = packaged.get_future();
    post([&packaged] { packaged(); });
    return result.get();
  }

 private:
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    const uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof one) != sizeof one) std::perror("weft wlcs: eventfd write");
  }

  void run(std::promise<void>& started) {
    weft::compositor::Options options;
    options.backend = weft::compositor::BackendKind::headless;
    // The suite places windows at (500, 500) and popups up to 1000 px down and right of that (xdg_popup.cpp), so it
    // needs an output as large as the one Mir's module offers it: a popup past the output's edge is on no output, and
    // a surface on no output gets no frame callbacks, which the tests wait for.
    options.output = weft::compositor::OutputMode{kOutputSize, kOutputSize, kOutputRefreshMhz};
    setenv("WLR_RENDERER", "pixman", 1);
    server_ = std::make_unique<Server>(options);
    if (auto result = server_->start(); !result) {
      std::fprintf(stderr, "weft wlcs: compositor start failed: %s\n", result.error().message.c_str());
      std::abort();
    }
    leniency_ = std::make_unique<UnconfiguredCommitLeniency>(server_->display());
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    wl_event_source* wake = wl_event_loop_add_fd(server_->loop(), wake_fd_, WL_EVENT_READABLE, &LoopThread::drain,
                                                 this);
    started.set_value();
    server_->run();
    drain(wake_fd_, 0, this);  // a task posted while the loop was ending still gets its answer
    wl_event_source_remove(wake);
    leniency_.reset();
    server_.reset();
    ::close(wake_fd_);
  }

  static int drain(int fd, uint32_t, void* data) {
    auto* self = static_cast<LoopThread*>(data);
    uint64_t count = 0;
    if (::read(fd, &count, sizeof count) < 0 && errno != EAGAIN) std::perror("weft wlcs: eventfd read");
    std::deque<std::function<void()>> tasks;
    {
      std::lock_guard lock(self->mutex_);
      tasks.swap(self->tasks_);
    }
    for (auto& task : tasks) task();
    return 0;
  }

  std::thread thread_;
  std::unique_ptr<Server> server_;  // touched only on the loop thread
  std::unique_ptr<UnconfiguredCommitLeniency> leniency_;
  int wake_fd_ = -1;
  std::mutex mutex_;
  std::deque<std::function<void()>> tasks_;
};

struct WeftDisplayServer {
  WlcsDisplayServer base;  // first member: WLCS hands back its address
  LoopThread loop;
  std::mutex clients_mutex;
  std::map<int, int> server_fd_of_client_fd;  // client socket end → server end, to find the wl_client
  int next_touch_id = 0;                      // WLCS thread only
};

WeftDisplayServer* self_of(WlcsDisplayServer* server) { return reinterpret_cast<WeftDisplayServer*>(server); }

struct WeftPointer {
  WlcsPointer base;
  WeftDisplayServer* server;
  double x = 0, y = 0;  // where this pointer last moved it, layout px
};

struct WeftTouch {
  WlcsTouch base;
  WeftDisplayServer* server;
  int32_t id;
  double x = 0, y = 0;
};

weft::compositor::TestInjection& injection_of(Server& server) {
  // The headless backend always has the virtual devices (Server::start adds them).
  return *server.injection();
}

WlcsPointer* create_pointer(WlcsDisplayServer* server) {
  auto* pointer = new WeftPointer{};
  pointer->base.version = WLCS_POINTER_VERSION;
  pointer->server = self_of(server);
  pointer->base.move_absolute = [](WlcsPointer* p, wl_fixed_t x, wl_fixed_t y) {
    auto* self = reinterpret_cast<WeftPointer*>(p);
    self->x = wl_fixed_to_double(x);
    self->y = wl_fixed_to_double(y);
    self->server->loop.call([&](Server& s) { injection_of(s).pointer_move(self->x, self->y); });
  };
  pointer->base.move_relative = [](WlcsPointer* p, wl_fixed_t dx, wl_fixed_t dy) {
    auto* self = reinterpret_cast<WeftPointer*>(p);
    const double ddx = wl_fixed_to_double(dx), ddy = wl_fixed_to_double(dy);
    self->server->loop.call([&](Server& s) { injection_of(s).pointer_motion(ddx, ddy); });
  };
  pointer->base.button_down = [](WlcsPointer* p, int button) {
    auto* self = reinterpret_cast<WeftPointer*>(p);
    self->server->loop.call([&](Server& s) { injection_of(s).pointer_button(static_cast<uint32_t>(button), true); });
  };
  pointer->base.button_up = [](WlcsPointer* p, int button) {
    auto* self = reinterpret_cast<WeftPointer*>(p);
    self->server->loop.call([&](Server& s) { injection_of(s).pointer_button(static_cast<uint32_t>(button), false); });
  };
  pointer->base.destroy = [](WlcsPointer* p) { delete reinterpret_cast<WeftPointer*>(p); };
  return &pointer->base;
}

/// WLCS's touch.h types the touch position as wl_fixed_t, but WLCS 1.5 (wlcs::Touch::down_at/move_to) passes whole
/// layout pixels through it unconverted, and Mir's module reads them as such; the pointer calls do pass wl_fixed_t.
double touch_coordinate(wl_fixed_t whole_pixels) { return static_cast<double>(whole_pixels); }

WlcsTouch* create_touch(WlcsDisplayServer* server) {
  auto* touch = new WeftTouch{};
  touch->base.version = WLCS_TOUCH_VERSION;
  touch->server = self_of(server);
  touch->id = touch->server->next_touch_id++;
  touch->base.touch_down = [](WlcsTouch* t, wl_fixed_t x, wl_fixed_t y) {
    auto* self = reinterpret_cast<WeftTouch*>(t);
    self->x = touch_coordinate(x);
    self->y = touch_coordinate(y);
    self->server->loop.call([&](Server& s) { injection_of(s).touch(TouchPhase::down, self->id, self->x, self->y); });
  };
  touch->base.touch_move = [](WlcsTouch* t, wl_fixed_t x, wl_fixed_t y) {
    auto* self = reinterpret_cast<WeftTouch*>(t);
    self->x = touch_coordinate(x);
    self->y = touch_coordinate(y);
    self->server->loop.call(
        [&](Server& s) { injection_of(s).touch(TouchPhase::motion, self->id, self->x, self->y); });
  };
  touch->base.touch_up = [](WlcsTouch* t) {
    auto* self = reinterpret_cast<WeftTouch*>(t);
    self->server->loop.call([&](Server& s) { injection_of(s).touch(TouchPhase::up, self->id, self->x, self->y); });
  };
  touch->base.destroy = [](WlcsTouch* t) { delete reinterpret_cast<WeftTouch*>(t); };
  return &touch->base;
}

int create_client_socket(WlcsDisplayServer* server) {
  auto* self = self_of(server);
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    std::perror("weft wlcs: socketpair");
    return -1;
  }
  // The server end becomes a wl_client on the loop thread; WLCS owns the client end.
  const bool created =
      self->loop.call([fd = fds[0]](Server& s) { return wl_client_create(s.display(), fd) != nullptr; });
  if (!created) {
    ::close(fds[0]);
    ::close(fds[1]);
    return -1;
  }
  std::lock_guard lock(self->clients_mutex);
  self->server_fd_of_client_fd[fds[1]] = fds[0];
  return fds[1];
}

void position_window_absolute(WlcsDisplayServer* server, wl_display* client, wl_surface* surface, int x, int y) {
  auto* self = self_of(server);
  int server_fd = -1;
  {
    std::lock_guard lock(self->clients_mutex);
    auto it = self->server_fd_of_client_fd.find(wl_display_get_fd(client));
    if (it != self->server_fd_of_client_fd.end()) server_fd = it->second;
  }
  const uint32_t id = wl_proxy_get_id(reinterpret_cast<wl_proxy*>(surface));
  self->loop.call([&](Server& s) {
    wl_client* owner = nullptr;
    wl_client* c = nullptr;
    wl_client_for_each(c, wl_display_get_client_list(s.display())) {
      if (wl_client_get_fd(c) == server_fd) owner = c;
    }
    wl_resource* resource = owner ? wl_client_get_object(owner, id) : nullptr;
    // By interface name: this module sees both libwayland-client's and libwayland-server's wl_surface_interface, and
    // the resource carries the one wlroots was bound to.
    if (!resource || std::string_view(wl_resource_get_class(resource)) != "wl_surface") {
      std::fprintf(stderr, "weft wlcs: position_window_absolute: client has no wl_surface %u\n", id);
      return;
    }
    if (auto result = s.position_window(wlr_surface_from_resource(resource), x, y); !result)
      std::fprintf(stderr, "weft wlcs: %s\n", result.error().message.c_str());
  });
}

WlcsDisplayServer* create_server(int, const char**) {
  auto* server = new WeftDisplayServer{};
  server->base.version = 3;
  server->base.start = [](WlcsDisplayServer* s) { self_of(s)->loop.start(); };
  server->base.stop = [](WlcsDisplayServer* s) {
    auto* self = self_of(s);
    self->loop.stop();
    std::lock_guard lock(self->clients_mutex);
    self->server_fd_of_client_fd.clear();
  };
  server->base.create_client_socket = &create_client_socket;
  server->base.position_window_absolute = &position_window_absolute;
  server->base.create_pointer = &create_pointer;
  server->base.create_touch = &create_touch;
  server->base.get_descriptor = [](const WlcsDisplayServer*) { return &kDescriptor; };
  server->base.start_on_this_thread = nullptr;
  return &server->base;
}

void destroy_server(WlcsDisplayServer* server) {
  auto* self = self_of(server);
  self->loop.stop();
  delete self;
}

}  // namespace

extern "C" {
extern const WlcsServerIntegration wlcs_server_integration;
const WlcsServerIntegration wlcs_server_integration{WLCS_SERVER_INTEGRATION_VERSION, &create_server, &destroy_server};
}
