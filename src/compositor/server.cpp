#include "server.hpp"

#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "screenshot.hpp"
#include "test_control.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"

namespace weft::compositor {

namespace {

constexpr float kBackgroundColour[4] = {0.11f, 0.12f, 0.14f, 1.0f};  // premultiplied RGBA

bool has_drm_card() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/dri", ec))
    if (entry.path().filename().string().rfind("card", 0) == 0) return true;
  return false;
}

}  // namespace

Server::Server(Options options)
    : sessions(), policy(*this), input(*this), selection(sessions), zweft(*this), layers(*this), link(*this), options_(std::move(options)) {}

Server::~Server() {
  // Teardown order (stack.md §3): clients first, then every server-level listener, then backend, allocator, renderer
  // and display.
  link.close_listener();
  sessions.destroy_all_clients();
  if (display_) wl_display_destroy_clients(display_.get());
  test_control.reset();
  new_output_.disconnect();
  new_xdg_surface_.disconnect();
  request_activate_.disconnect();
  new_decoration_.disconnect();
  layers.disconnect();
  selection.disconnect();
  input.disconnect();
  policy.cancel_scheduled();
  sigusr1_.reset();
  views.clear();
  backend.reset();  // destroys outputs (Output objects drop themselves on the outputs' destroy signal)
  outputs.clear();
  if (scene) wlr_scene_node_destroy(&scene->node);
  allocator.reset();
  renderer.reset();
  layout.reset();
  input.cursor.reset();
  display_.reset();
}

Result<void> Server::create_backend() {
  wl_display* display = display_.get();
  BackendKind kind = options_.backend;
  if (kind == BackendKind::automatic) {
    if (std::getenv("WAYLAND_DISPLAY")) kind = BackendKind::wayland;
    else if (std::getenv("DISPLAY")) kind = BackendKind::x11;
    else kind = BackendKind::drm;
  }
  switch (kind) {
    case BackendKind::headless:
      backend.reset(wlr_headless_backend_create(display));
      if (!backend) return fail("headless backend: wlr_headless_backend_create failed");
      break;
    case BackendKind::x11:
      backend.reset(wlr_x11_backend_create(display, nullptr));
      if (!backend) return fail("x11 backend: cannot connect to X display \"" + paths::env_or("DISPLAY", "") + "\"");
      break;
    case BackendKind::wayland:
      backend.reset(wlr_wl_backend_create(display, nullptr));
      if (!backend)
        return fail("wayland backend: cannot connect to \"" + paths::env_or("WAYLAND_DISPLAY", "wayland-0") + "\"");
      break;
    case BackendKind::drm: {
      // Fail at once where there is no DRM device (containers, CI) instead of waiting for udev.
      const std::string wanted = paths::env_or("WEFT_DRM_DEVICE", "");
      if (!wanted.empty()) {
        if (::access(wanted.c_str(), R_OK | W_OK) != 0)
          return fail("drm backend: WEFT_DRM_DEVICE " + wanted + " cannot be opened");
        setenv("WLR_DRM_DEVICES", wanted.c_str(), 1);  // wlroots' own selection variable
      } else if (!has_drm_card()) {
        return fail("drm backend: no DRM device found (no /dev/dri/card*); use --backend=headless, x11 or wayland");
      }
      session = wlr_session_create(display);
      if (!session)
        return fail("drm backend: no seat session (libseat could not open a seat: is seatd or logind running and "
                    "is this a local VT session?)");
      backend.reset(wlr_multi_backend_create(display));
      wlr_backend* input_backend = wlr_libinput_backend_create(display, session);
      if (!input_backend) return fail("drm backend: libinput backend creation failed");
      wlr_multi_backend_add(backend.get(), input_backend);
      wlr_device* gpus[8];
      const ssize_t count = wlr_session_find_gpus(session, 8, gpus);
      if (count <= 0) return fail("drm backend: no DRM device found (no /dev/dri/card*)");
      wlr_backend* primary = nullptr;
      for (ssize_t i = 0; i < count; ++i) {
        wlr_backend* drm = wlr_drm_backend_create(display, session, gpus[i], primary);
        if (!drm) continue;
        if (!primary) primary = drm;
        wlr_multi_backend_add(backend.get(), drm);
      }
      if (!primary) return fail("drm backend: no usable DRM device among " + std::to_string(count));
      break;
    }
    case BackendKind::automatic:
      break;
  }
  return ok();
}

void Server::create_globals() {
  wl_display* display = display_.get();
  compositor = wlr_compositor_create(display, renderer.get());
  wlr_data_device_manager_create(display);
  wlr_primary_selection_v1_device_manager_create(display);
  data_control = wlr_data_control_manager_v1_create(display);
  screencopy = wlr_screencopy_manager_v1_create(display);
  wlr_xdg_output_manager_v1_create(display, layout.get());
  wlr_viewporter_create(display);
  relative_pointer = wlr_relative_pointer_manager_v1_create(display);
  pointer_gestures = wlr_pointer_gestures_v1_create(display);
  presentation = wlr_presentation_create(display, backend.get());
  wlr_scene_set_presentation(scene, presentation);

  decoration = wlr_xdg_decoration_manager_v1_create(display);
  new_decoration_.connect(&decoration->events.new_toplevel_decoration, [](wlr_xdg_toplevel_decoration_v1* deco) {
    // Server-side mode, and nothing is drawn (§2.2).
    wlr_xdg_toplevel_decoration_v1_set_mode(deco, WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
  });

  activation = wlr_xdg_activation_v1_create(display);
  request_activate_.connect(&activation->events.request_activate,
                            [this](wlr_xdg_activation_v1_request_activate_event* event) {
                              if (!wlr_surface_is_xdg_surface(event->surface)) return;
                              View* view = view_for_surface(event->surface);
                              // Never moves focus for session clients (§2.3).
                              if (!view || !view->mapped || view->session_id) return;
                              policy.focus(*view);
                            });

  xdg_shell = wlr_xdg_shell_create(display);
  new_xdg_surface_.connect(&xdg_shell->events.new_surface, [this](wlr_xdg_surface* xdg) { on_new_xdg_surface(xdg); });

  zweft.create_global(display);
  layers.create(display);
  if (options_.test_control) test_control = std::make_unique<TestControl>(*this);
  wl_display_set_global_filter(display, &Server::filter_global, this);
}

bool Server::filter_global(const wl_client* client, const wl_global* global, void* data) {
  auto* self = static_cast<Server*>(data);
  if (!self->sessions.tag_of(client)) return true;
  // Session-bound clients never see screencopy, data-control, the primary selection (they reach the clipboard only
  // through the data device, while focused) or the test protocol (§2.3).
  const wl_interface* iface = wl_global_get_interface(global);
  const std::string_view name = iface->name;
  return name != "zwlr_screencopy_manager_v1" && name != "zwlr_data_control_manager_v1" && name != "weft_test_v1" &&
         name != "zwlr_layer_shell_v1" && name != "zwp_input_method_manager_v2" &&
         name != "zwp_primary_selection_device_manager_v1";
}

void Server::on_new_xdg_surface(wlr_xdg_surface* xdg) {
  if (xdg->role == WLR_XDG_SURFACE_ROLE_POPUP) {
    zweft.on_foreign_role(xdg->surface);
    // Layer-surface popups are placed by the layer shell; a popup without an xdg parent (allowed until its parent
    // is set through another protocol) is not shown.
    wlr_surface* parent_surface = xdg->popup->parent;
    if (!parent_surface || !wlr_surface_is_xdg_surface(parent_surface)) return;
    wlr_xdg_surface* parent = wlr_xdg_surface_from_wlr_surface(parent_surface);
    auto* parent_node = parent ? static_cast<wlr_scene_node*>(parent->data) : nullptr;
    if (!parent_node) return;
    xdg->data = wlr_scene_xdg_surface_create(parent_node, xdg);
    // Constrain to the output, in the coordinates of the popup's toplevel (§2.2).
    wlr_xdg_surface* root = parent;
    while (root && root->role == WLR_XDG_SURFACE_ROLE_POPUP && root->popup->parent &&
           wlr_surface_is_xdg_surface(root->popup->parent))
      root = wlr_xdg_surface_from_wlr_surface(root->popup->parent);
    if (View* view = root ? view_for_surface(root->surface) : nullptr) {
      wlr_box box = policy.output_box();
      box.x -= view->box.x;
      box.y -= view->box.y;
      wlr_xdg_popup_unconstrain_from_box(xdg->popup, &box);
    }
    return;
  }
  if (xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) return;
  auto view = std::make_unique<View>(*this, xdg);
  View& ref = *view;
  views.push_back(std::move(view));
  zweft.on_new_toplevel(ref);
}

Result<void> Server::start() {
  wlr_log_init(log::enabled(log::Level::debug) ? WLR_DEBUG : WLR_ERROR, nullptr);
  display_.reset(wl_display_create());
  if (!display_) return fail("wl_display_create failed");
  loop = wl_display_get_event_loop(display_.get());
  WEFT_TRY_VOID(create_backend());

  renderer.reset(wlr_renderer_autocreate(backend.get()));
  if (!renderer) return fail("renderer: wlr_renderer_autocreate failed (try WLR_RENDERER=pixman)");
  if (!wlr_renderer_init_wl_display(renderer.get(), display_.get()))
    return fail("renderer: wlr_renderer_init_wl_display failed");
  allocator.reset(wlr_allocator_autocreate(backend.get(), renderer.get()));
  if (!allocator) return fail("allocator: wlr_allocator_autocreate failed");

  layout.reset(wlr_output_layout_create());
  scene = wlr_scene_create();
  for (wlr_scene_tree** tree : {&background_layer, &layer_background, &layer_bottom, &panel_layer, &app_layer,
                                 &layer_top, &overlay_layer, &layer_overlay})
    *tree = wlr_scene_tree_create(&scene->node);
  // Sized to the output on every arrange: 0.15's pixman renderer allocates a temporary image per rect per frame.
  background = wlr_scene_rect_create(&background_layer->node, 0, 0, kBackgroundColour);
  wlr_scene_attach_output_layout(scene, layout.get());

  create_globals();
  input.create(display_.get());
  selection.create(display_.get(), input.seat);

  new_output_.connect(&backend->events.new_output, [this](wlr_output* output) {
    outputs.push_back(std::make_unique<Output>(*this, output));
    policy.arrange();
  });

  if (wlr_backend_is_headless(backend.get())) {
    wlr_headless_add_output(backend.get(), options_.output.width, options_.output.height);
    input.add_virtual_devices();
  } else if (wlr_backend_is_x11(backend.get())) {
    wlr_x11_output_create(backend.get());
  } else if (wlr_backend_is_wl(backend.get())) {
    wlr_wl_output_create(backend.get());
  }

  if (!wlr_backend_start(backend.get())) return fail("backend: wlr_backend_start failed");

  const char* socket = wl_display_add_socket_auto(display_.get());
  if (!socket) return fail("display: wl_display_add_socket_auto failed (is XDG_RUNTIME_DIR a 0700 directory?)");
  socket_name_ = socket;
  setenv("WAYLAND_DISPLAY", socket, 1);

  if (!options_.screenshot_path.empty()) {
    sigusr1_.reset(wl_event_loop_add_signal(
        loop, SIGUSR1,
        [](int, void* data) {
          auto* self = static_cast<Server*>(data);
          auto result = self->capture_png(self->options_.screenshot_path);
          if (result) log::info("screenshot written to ", self->options_.screenshot_path);
          else log::error(result.error().message);
          return 0;
        },
        this));
  }
  sessions.on_client_disconnected = [this](uint64_t session_id) {
    link.send(ipc::compositor::ClientDisconnected{session_id});
  };
  return ok();
}

Result<void> Server::listen_appd_link() {
  WEFT_TRY(std::string path, paths::compositor_socket());
  return link.listen(loop, path);
}

Output* Server::primary_output() const {
  for (const auto& output : outputs)
    if (output->output->enabled) return output.get();
  return nullptr;
}

View* Server::view_for_surface(wlr_surface* surface) const {
  for (const auto& view : views)
    if (view->surface() == surface) return view.get();
  return nullptr;
}

size_t Server::mapped_toplevels() const {
  size_t count = 0;
  for (const auto& view : views) count += view->mapped ? 1 : 0;
  return count;
}

Result<std::pair<int, int>> Server::capture_png(const std::string& path) {
  Output* output = primary_output();
  if (!output) return fail("capture: no enabled output");
  WEFT_TRY(Image image, render_output(renderer.get(), scene, output->output));
  WEFT_TRY_VOID(write_png(path, image));
  return std::pair{image.width, image.height};
}

}  // namespace weft::compositor
