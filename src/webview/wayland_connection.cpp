#include "wayland_connection.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "weft/core/log.hpp"

namespace weft::webview {

namespace {
constexpr uint32_t kCompositorVersion = 4;  // wl_surface.damage_buffer
constexpr uint32_t kSeatVersion = 5;        // wl_pointer.frame, axis sources; release requests
constexpr uint32_t kOutputVersion = 2;      // wl_output.scale
constexpr uint32_t kXdgWmBaseVersion = 2;
constexpr uint32_t kShellManagerVersion = 2;  // spec §2.1
constexpr uint32_t kLayerShellVersion = 1;    // overlay-layer popups need nothing newer

template <class T>
T* bind(wl_registry* registry, uint32_t name, const wl_interface* interface, uint32_t offered, uint32_t wanted) {
  return static_cast<T*>(wl_registry_bind(registry, name, interface, std::min(offered, wanted)));
}
}  // namespace

// GSource that reads the Wayland socket inside the GLib main loop: prepare flushes and announces a read, check/dispatch
// read and dispatch the events (the wl_display_prepare_read protocol, so another reader can never steal events).
struct DisplaySource {
  GSource base;
  WaylandConnection* owner;
  gpointer fd_tag;
  bool reading;

  static gboolean prepare(GSource* source, gint* timeout) {
    auto* self = reinterpret_cast<DisplaySource*>(source);
    *timeout = -1;
    wl_display* display = self->owner->display_;
    if (self->reading) return FALSE;
    while (wl_display_prepare_read(display) != 0) {
      if (wl_display_dispatch_pending(display) < 0) return TRUE;
    }
    self->reading = true;
    if (wl_display_flush(display) < 0 && errno != EAGAIN) {
      wl_display_cancel_read(display);
      self->reading = false;
      return TRUE;  // dispatch reports the error
    }
    return FALSE;
  }
  static gboolean check(GSource* source) {
    auto* self = reinterpret_cast<DisplaySource*>(source);
    GIOCondition revents = g_source_query_unix_fd(source, self->fd_tag);
    if (self->reading && !(revents & (G_IO_IN | G_IO_ERR | G_IO_HUP))) {
      wl_display_cancel_read(self->owner->display_);
      self->reading = false;
    }
    return self->reading || (revents & (G_IO_ERR | G_IO_HUP));
  }
  static gboolean dispatch(GSource* source, GSourceFunc, gpointer) {
    auto* self = reinterpret_cast<DisplaySource*>(source);
    wl_display* display = self->owner->display_;
    GIOCondition revents = g_source_query_unix_fd(source, self->fd_tag);
    if (self->reading) {
      self->reading = false;
      if ((revents & G_IO_IN) && wl_display_read_events(display) < 0) {
        self->owner->disconnected(std::string("reading from the compositor failed: ") + std::strerror(errno));
        return G_SOURCE_REMOVE;
      }
      if (!(revents & G_IO_IN)) wl_display_cancel_read(display);
    }
    if (wl_display_dispatch_pending(display) < 0 || (revents & (G_IO_ERR | G_IO_HUP))) {
      int err = wl_display_get_error(display);
      self->owner->disconnected(err ? std::string("protocol or connection error: ") + std::strerror(err)
                                    : "the compositor closed the connection");
      return G_SOURCE_REMOVE;
    }
    wl_display_flush(display);
    return G_SOURCE_CONTINUE;
  }
  static void finalize(GSource* source) {
    auto* self = reinterpret_cast<DisplaySource*>(source);
    if (self->reading) wl_display_cancel_read(self->owner->display_);
  }
};

static GSourceFuncs kDisplaySourceFuncs = {&DisplaySource::prepare, &DisplaySource::check, &DisplaySource::dispatch,
                                           &DisplaySource::finalize, nullptr, nullptr};

Result<std::unique_ptr<WaylandConnection>> WaylandConnection::connect(bool socket_only) {
  std::unique_ptr<WaylandConnection> self(new WaylandConnection());
  if (socket_only) {
    const char* sock = std::getenv("WAYLAND_SOCKET");
    if (!sock || !*sock) return fail("WAYLAND_SOCKET is not set: weft-app-shell connects only through the socket appd binds");
    // wl_display_connect(NULL) prefers WAYLAND_SOCKET; dropping WAYLAND_DISPLAY makes sure nothing else is tried.
    unsetenv("WAYLAND_DISPLAY");
  }
  self->display_ = wl_display_connect(nullptr);
  if (!self->display_) return fail(std::string("cannot connect to the Wayland compositor: ") + std::strerror(errno));

  self->registry_ = wl_display_get_registry(self->display_);
  static const wl_registry_listener kRegistry = {&WaylandConnection::on_global, &WaylandConnection::on_global_remove};
  wl_registry_add_listener(self->registry_, &kRegistry, self.get());
  if (wl_display_roundtrip(self->display_) < 0) return fail("Wayland: the registry round trip failed");
  if (!self->compositor_) return fail("Wayland: the compositor offers no wl_compositor v4");
  if (!self->shm_) return fail("Wayland: the compositor offers no wl_shm");
  if (!self->wm_base_) return fail("Wayland: the compositor offers no xdg_wm_base");
  static const xdg_wm_base_listener kWmBase = {[](void*, xdg_wm_base* base, uint32_t serial) { xdg_wm_base_pong(base, serial); }};
  xdg_wm_base_add_listener(self->wm_base_.get(), &kWmBase, nullptr);
  if (wl_display_roundtrip(self->display_) < 0) return fail("Wayland: the second round trip failed");

  glib::SourcePtr owned(g_source_new(&kDisplaySourceFuncs, sizeof(DisplaySource)));
  GSource* source = owned.get();
  auto* ds = reinterpret_cast<DisplaySource*>(source);
  ds->owner = self.get();
  ds->reading = false;
  ds->fd_tag = g_source_add_unix_fd(source, wl_display_get_fd(self->display_),
                                    static_cast<GIOCondition>(G_IO_IN | G_IO_ERR | G_IO_HUP));
  g_source_set_priority(source, G_PRIORITY_DEFAULT);
  g_source_set_can_recurse(source, TRUE);
  g_source_attach(source, nullptr);
  self->source_ = std::move(owned);
  return self;
}

void WaylandConnection::on_global(void* data, wl_registry* registry, uint32_t name, const char* interface,
                                  uint32_t version) {
  auto* self = static_cast<WaylandConnection*>(data);
  std::string_view iface(interface);
  if (iface == wl_compositor_interface.name && version >= kCompositorVersion)
    self->compositor_.reset(bind<wl_compositor>(registry, name, &wl_compositor_interface, version, kCompositorVersion));
  else if (iface == wl_shm_interface.name)
    self->shm_.reset(bind<wl_shm>(registry, name, &wl_shm_interface, version, 1));
  else if (iface == wl_seat_interface.name && !self->seat_name_) {
    self->seat_name_ = name;
    self->seat_version_ = version;
  }
  else if (iface == xdg_wm_base_interface.name)
    self->wm_base_.reset(bind<xdg_wm_base>(registry, name, &xdg_wm_base_interface, version, kXdgWmBaseVersion));
  else if (iface == zweft_shell_manager_v1_interface.name)
    self->shell_manager_.reset(bind<zweft_shell_manager_v1>(registry, name, &zweft_shell_manager_v1_interface, version,
                                                            kShellManagerVersion));
  else if (iface == zwlr_layer_shell_v1_interface.name)
    self->layer_shell_.reset(bind<zwlr_layer_shell_v1>(registry, name, &zwlr_layer_shell_v1_interface, version,
                                                       kLayerShellVersion));
  else if (iface == zwp_text_input_manager_v3_interface.name)
    self->text_input_manager_.reset(bind<zwp_text_input_manager_v3>(registry, name, &zwp_text_input_manager_v3_interface,
                                                                    version, 1));
  else if (iface == zwp_input_method_manager_v2_interface.name)
    self->input_method_manager_.reset(bind<zwp_input_method_manager_v2>(
        registry, name, &zwp_input_method_manager_v2_interface, version, 1));
  else if (iface == wl_output_interface.name && version >= kOutputVersion) {
    // Every output: a surface's scale is the largest of the outputs it entered (as GTK and Qt do).
    auto output = std::make_unique<Output>();
    output->owner = self;
    output->name = name;
    output->proxy.reset(bind<wl_output>(registry, name, &wl_output_interface, version, kOutputVersion));
    wl_output_add_listener(output->proxy.get(), &kOutputListener, output.get());
    self->outputs_.push_back(std::move(output));
  }
}

const wl_output_listener WaylandConnection::kOutputListener = {
    [](void*, wl_output*, int32_t, int32_t, int32_t, int32_t, int32_t, const char*, const char*, int32_t) {},
    [](void*, wl_output*, uint32_t, int32_t, int32_t, int32_t) {},
    // done: the output's properties changed atomically (wlroots sends it after every scale change).
    [](void* data, wl_output*) {
      auto* output = static_cast<Output*>(data);
      if (output->scale == output->pending_scale) return;
      log::info("Wayland: an output's scale is now ", output->pending_scale);
      output->scale = output->pending_scale;
      output->owner->output_scales_changed();
    },
    [](void* data, wl_output*, int32_t factor) { static_cast<Output*>(data)->pending_scale = factor > 0 ? factor : 1; },
    nullptr,  // name (v4)
    nullptr,  // description (v4)
};

void WaylandConnection::on_global_remove(void* data, wl_registry*, uint32_t name) {
  auto* self = static_cast<WaylandConnection*>(data);
  if (std::erase_if(self->outputs_, [name](const std::unique_ptr<Output>& o) { return o->name == name; }) > 0)
    self->output_scales_changed();
}

void WaylandConnection::output_scales_changed() {
  if (on_output_scales_changed_) on_output_scales_changed_();
}

int WaylandConnection::output_scale(const wl_output* output) const {
  for (const auto& o : outputs_)
    if (o->proxy.get() == output) return o->scale;
  return 0;
}

int WaylandConnection::max_output_scale() const {
  int scale = 1;
  for (const auto& o : outputs_) scale = std::max(scale, o->scale);
  return scale;
}

WlSeatPtr WaylandConnection::bind_seat() const {
  if (!seat_name_) return WlSeatPtr();
  return WlSeatPtr(bind<wl_seat>(registry_, seat_name_, &wl_seat_interface, seat_version_, kSeatVersion));
}

void WaylandConnection::disconnected(const std::string& why) {
  log::error("Wayland: ", why);
  if (on_disconnected_) {
    auto callback = std::move(on_disconnected_);
    on_disconnected_ = nullptr;
    callback(why);
  }
}

WaylandConnection::~WaylandConnection() {
  source_.reset();  // its finalizer cancels a pending read on display_
  // Proxies first, then the registry, then the display they belong to.
  input_method_manager_.reset();
  text_input_manager_.reset();
  layer_shell_.reset();
  shell_manager_.reset();
  wm_base_.reset();
  outputs_.clear();
  shm_.reset();
  compositor_.reset();
  if (registry_) wl_registry_destroy(registry_);
  if (display_) wl_display_disconnect(display_);
}

}  // namespace weft::webview
