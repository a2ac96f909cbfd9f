#include "server.hpp"

#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "appd_link.hpp"
#include "gestures.hpp"
#include "keyboard.hpp"
#include "layer_shell.hpp"
#include "output.hpp"
#include "pointer.hpp"
#include "scene.hpp"
#include "screenshot.hpp"
#include "seat.hpp"
#include "selection.hpp"
#include "session_control.hpp"
#include "session_registry.hpp"
#include "shm_checks.hpp"
#include "surface_commits.hpp"
#include "test_control.hpp"
#include "test_injection.hpp"
#include "text_input_relay.hpp"
#include "window_policy.hpp"
#include "xdg_shell.hpp"
#include "zweft_shell.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"

namespace weft::compositor {

namespace {

bool has_drm_card() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/dri", ec))
    if (entry.path().filename().string().rfind("card", 0) == 0) return true;
  return false;
}

}  // namespace

Server::Server(Options options) : options_(std::move(options)) {}

Server::~Server() {
  // Teardown order (stack.md §3): clients first, while every subsystem still follows them; then the subsystems top
  // down (each disconnects its own listeners and signal connections); then outputs before the backend that owns
  // them, the layout (before the scene, which its destroy signal reaches), scene, allocator, renderer and display.
  if (link_) link_->close_listener();
  if (sessions_) sessions_->destroy_all_clients();
  if (display_) wl_display_destroy_clients(display_.get());
  test_control_.reset();
  injection_.reset();
  wiring_.clear();
  link_.reset();
  session_control_.reset();
  gestures_.reset();
  pointer_.reset();
  text_input_.reset();  // holds the keyboards (their grab)
  keyboards_.reset();
  zweft_.reset();
  policy_.reset();
  layers_.reset();
  xdg_.reset();
  selection_.reset();
  seat_.reset();
  outputs_.reset();
  sigusr1_.reset();
  backend_.reset();
  layout_.reset();  // before the scene: its destroy signal reaches the scene's layout attachment
  scene_.reset();
  allocator_.reset();
  renderer_.reset();
  commits_.reset();
  shm_checks_.reset();
  sessions_.reset();
  display_.reset();
}

Result<void> Server::create_backend() {
  wl_display* display = display_.get();
  WEFT_TRY(BackendKind kind, resolve_backend(options_.backend, {.wlr_backends = paths::env_or("WLR_BACKENDS", ""),
                                                                  .wayland_display = paths::env_or("WAYLAND_DISPLAY", ""),
                                                                  .display = paths::env_or("DISPLAY", "")}));
  switch (kind) {
    case BackendKind::headless:
      backend_.reset(wlr_headless_backend_create(display));
      if (!backend_) return fail("headless backend: wlr_headless_backend_create failed");
      break;
    case BackendKind::x11:
      backend_.reset(wlr_x11_backend_create(display, nullptr));
      if (!backend_) return fail("x11 backend: cannot connect to X display \"" + paths::env_or("DISPLAY", "") + "\"");
      break;
    case BackendKind::wayland:
      backend_.reset(wlr_wl_backend_create(display, nullptr));
      if (!backend_)
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
      wlr_session* session = wlr_session_create(display);  // owned by the backend
      if (!session)
        return fail("drm backend: no seat session (libseat could not open a seat: is seatd or logind running and "
                    "is this a local VT session?)");
      backend_.reset(wlr_multi_backend_create(display));
      wlr_backend* input_backend = wlr_libinput_backend_create(display, session);
      if (!input_backend) return fail("drm backend: libinput backend creation failed");
      wlr_multi_backend_add(backend_.get(), input_backend);
      wlr_device* gpus[8];
      const ssize_t count = wlr_session_find_gpus(session, 8, gpus);
      if (count <= 0) return fail("drm backend: no DRM device found (no /dev/dri/card*)");
      wlr_backend* primary = nullptr;
      for (ssize_t i = 0; i < count; ++i) {
        wlr_backend* drm = wlr_drm_backend_create(display, session, gpus[i], primary);
        if (!drm) continue;
        if (!primary) primary = drm;
        wlr_multi_backend_add(backend_.get(), drm);
      }
      if (!primary) return fail("drm backend: no usable DRM device among " + std::to_string(count));
      break;
    }
    case BackendKind::automatic:
      break;
  }
  return ok();
}

void Server::compose() {
  wl_display* display = display_.get();
  // Globals that need no state of ours.
  wlr_compositor* compositor = wlr_compositor_create(display, renderer_.get());
  wlr_data_device_manager_create(display);
  wlr_primary_selection_v1_device_manager_create(display);
  wlr_data_control_manager_v1_create(display);
  wlr_screencopy_manager_v1_create(display);
  wlr_xdg_output_manager_v1_create(display, layout_.get());
  wlr_viewporter_create(display);
  shm_checks_ = std::make_unique<ShmChecks>(display);
  wlr_scene_set_presentation(scene_->get(), wlr_presentation_create(display, backend_.get()));

  // Bottom-up: each subsystem gets the ones below it; none sees this object.
  sessions_ = std::make_unique<SessionRegistry>();
  commits_ = std::make_unique<SurfaceCommits>(compositor);
  outputs_ = std::make_unique<Outputs>(OutputContext{backend_.get(), allocator_.get(), renderer_.get(), scene_->get(),
                                                     layout_.get(), options_.output});
  seat_ = std::make_unique<Seat>(display);
  selection_ = std::make_unique<Selection>(*sessions_);
  selection_->create(display, seat_->get());
  xdg_ = std::make_unique<XdgShell>(display, *scene_, *outputs_, *sessions_);
  layers_ = std::make_unique<LayerShell>(display, loop_, *scene_, *outputs_, *seat_);
  policy_ = std::make_unique<WindowPolicy>(loop_, *scene_, *outputs_, *xdg_, *seat_);
  zweft_ = std::make_unique<ZweftShell>(display, *sessions_, *xdg_, *policy_, *seat_);
  keyboards_ = std::make_unique<Keyboards>(display, backend_.get(), *seat_);
  text_input_ = std::make_unique<TextInputRelay>(display, *seat_, *scene_, *keyboards_);
  pointer_ = std::make_unique<Pointer>(display, backend_.get(), layout_.get(), *scene_, *xdg_, *seat_);
  gestures_ = std::make_unique<Gestures>(display, pointer_->cursor(), *seat_);
  session_control_ = std::make_unique<SessionControl>(display, *sessions_, *xdg_, *policy_, *zweft_);
  link_ = std::make_unique<AppdLink>(*session_control_);

  // Between peers: who hears what. (A subsystem that holds a lower one subscribes to it itself; these run between
  // subsystems that do not know each other.)
  WindowPolicy& policy = *policy_;
  // Layer-shell zones come off the output box first; the panels' zones come off what is left (§2.2, §2.3).
  wiring_.push_back(layers_->arranged.connect([&policy](const wlr_box& usable) { policy.set_layer_area(usable); }));
  // A layer surface that had the keyboard unmapped: focus returns to the focused window.
  wiring_.push_back(layers_->keyboard_released.connect([&policy](wlr_surface* s) { policy.restore_focus(s); }));
  // Super tap: the panel gets the keyboard for the launcher (§2.2).
  wiring_.push_back(keyboards_->super_tapped.connect([&policy] { policy.focus_panel(); }));
  // Super+Shift+Left/Right: the focused window goes to the neighbouring output.
  wiring_.push_back(keyboards_->move_window_requested.connect([&policy](Toward toward) {
    policy.move_focused_window(toward);
  }));
  // Click or tap on a window raises and focuses it (§2.2), except on the on-screen keyboard while it types: the field
  // it types into keeps the focus.
  TextInputRelay& text_input = *text_input_;
  wiring_.push_back(pointer_->window_pressed.connect([&policy, &text_input](View& view) {
    if (!text_input.typing_from(view.surface())) policy.focus(view);
  }));
  // A button ends a Super tap in progress: Super+click is not a tap.
  Keyboards& keyboards = *keyboards_;
  wiring_.push_back(pointer_->button_changing.connect([&keyboards] { keyboards.release_held_super(); }));
  // Navigation gestures go to the panel slots (§2.1).
  ZweftShell& zweft = *zweft_;
  wiring_.push_back(gestures_->recognised.connect([&zweft](const NavigationGesture& g) {
    zweft.send_navigation_gesture(g);
  }));
  // A commit that asks for a frame callback gets a frame even when it damaged nothing (wl_surface.frame: the
  // client waits for it to draw again); and content that changed under a still pointer moves its focus.
  const Outputs& outputs = *outputs_;
  Pointer& pointer = *pointer_;
  wiring_.push_back(commits_->committed.connect([&outputs, &pointer](wlr_surface* surface) {
    if (!wl_list_empty(&surface->current.frame_callback_list)) outputs.schedule_frames();
    pointer.schedule_refresh_focus();
  }));
  // A window that unmaps leaves the pointer over whatever is beneath it.
  wiring_.push_back(xdg_->view_signals.unmapped.connect([&pointer](View&) { pointer.schedule_refresh_focus(); }));
  AppdLink& link = *link_;
  wiring_.push_back(session_control_->to_appd.connect([&link](const ipc::compositor::Message& m) { link.send(m); }));
  session_control_->watch_keyboard_focus(seat_->get());
  // New app windows open on the output holding the pointer (§2.2).
  policy.follow_cursor(pointer_->cursor());
}

bool Server::filter_global(const wl_client* client, const wl_global* global, void* data) {
  auto* self = static_cast<Server*>(data);
  if (!self->sessions_->tag_of(client)) return true;
  // Session-bound clients never see screencopy, data-control, the primary selection (they reach the clipboard only
  // through the data device, while focused), the input method and virtual keyboard (only the system UI types for
  // others) or the test protocol (§2.3).
  const wl_interface* iface = wl_global_get_interface(global);
  const std::string_view name = iface->name;
  return name != "zwlr_screencopy_manager_v1" && name != "zwlr_data_control_manager_v1" && name != "weft_test_v1" &&
         name != "zwlr_layer_shell_v1" && name != "zwp_input_method_manager_v2" &&
         name != "zwp_virtual_keyboard_manager_v1" &&
         name != "zwp_primary_selection_device_manager_v1";
}

Result<void> Server::start() {
  wlr_log_init(log::enabled(log::Level::debug) ? WLR_DEBUG : WLR_ERROR, nullptr);
  display_.reset(wl_display_create());
  if (!display_) return fail("wl_display_create failed");
  loop_ = wl_display_get_event_loop(display_.get());
  WEFT_TRY_VOID(create_backend());

  renderer_.reset(wlr_renderer_autocreate(backend_.get()));
  if (!renderer_) return fail("renderer: wlr_renderer_autocreate failed (try WLR_RENDERER=pixman)");
  if (!wlr_renderer_init_wl_display(renderer_.get(), display_.get()))
    return fail("renderer: wlr_renderer_init_wl_display failed");
  allocator_.reset(wlr_allocator_autocreate(backend_.get(), renderer_.get()));
  if (!allocator_) return fail("allocator: wlr_allocator_autocreate failed");

  layout_.reset(wlr_output_layout_create());
  scene_ = std::make_unique<Scene>(layout_.get());
  compose();

  wlr_backend* backend = backend_.get();
  if (wlr_backend_is_headless(backend)) injection_ = std::make_unique<TestInjection>(backend, layout_.get());
  if (options_.test_control)
    test_control_ = std::make_unique<TestControl>(
        display_.get(), *xdg_, *policy_, *seat_, injection_.get(), *outputs_,
        [this](const std::string& path, const CaptureTarget& target) { return capture_png(path, target); });
  wl_display_set_global_filter(display_.get(), &Server::filter_global, this);

  if (!wlr_backend_start(backend)) return fail("backend: wlr_backend_start failed");
  if (wlr_backend_is_headless(backend) || wlr_backend_is_x11(backend) || wlr_backend_is_wl(backend)) {
    // After the start, so each output is announced as it is added: left to right in the order given (a nested
    // backend opens one window per --output, of that size).
    std::vector<OutputMode> modes{options_.output};
    modes.insert(modes.end(), options_.extra_outputs.begin(), options_.extra_outputs.end());
    for (const OutputMode& mode : modes)
      if (auto added = outputs_->add(mode); !added) return fail(added.error().message);
  }

  const char* socket = wl_display_add_socket_auto(display_.get());
  if (!socket) return fail("display: wl_display_add_socket_auto failed (is XDG_RUNTIME_DIR a 0700 directory?)");
  socket_name_ = socket;
  setenv("WAYLAND_DISPLAY", socket, 1);

  if (!options_.screenshot_path.empty()) {
    sigusr1_.reset(wl_event_loop_add_signal(
        loop_, SIGUSR1,
        [](int, void* data) {
          auto* self = static_cast<Server*>(data);
          auto result = self->capture_png(self->options_.screenshot_path);
          if (result) log::info("screenshot written to ", self->options_.screenshot_path);
          else log::error(result.error().message);
          return 0;
        },
        this));
  }
  return ok();
}

Result<void> Server::listen_appd_link() {
  WEFT_TRY(std::string path, paths::compositor_socket());
  return link_->listen(loop_, path);
}

Output* Server::primary_output() const { return outputs_ ? outputs_->primary() : nullptr; }

size_t Server::mapped_toplevels() const { return xdg_ ? xdg_->mapped_count() : 0; }

Result<void> Server::position_window(wlr_surface* surface, int x, int y) {
  if (View* view = xdg_ ? xdg_->view_for_surface(surface) : nullptr) {
    policy_->move_to(*view, x, y);
  } else if (!layers_ || !layers_->move_to(surface, x, y)) {
    return fail("position_window: the surface is neither an xdg toplevel nor a layer surface");
  }
  pointer_->refresh_focus();
  return ok();
}

Result<std::pair<int, int>> Server::capture_png(const std::string& path, const CaptureTarget& target) {
  Image image;
  if (target.kind == CaptureTarget::Kind::layout) {
    // Each output rendered at its layout place, then laid side by side; a scaled output's pixels would not match
    // its logical box, so the whole-layout picture is for scale 1.
    const wlr_box layout = outputs_->layout_box();
    if (layout.width <= 0 || layout.height <= 0) return fail("capture: no enabled output");
    std::vector<Image> images;
    std::vector<wlr_box> boxes;
    wlr_output_layout_output* placed;
    wl_list_for_each(placed, &layout_->outputs, link) {
      if (placed->output->scale != 1.0f)
        return fail(std::string("capture: output ") + placed->output->name + " is scaled; capture it by name");
      const wlr_box box = *wlr_output_layout_get_box(layout_.get(), placed->output);
      WEFT_TRY(Image one, render_output(renderer_.get(), scene_->get(), placed->output, box.x, box.y));
      images.push_back(std::move(one));
      boxes.push_back(box);
    }
    std::vector<PlacedImage> parts;
    for (size_t i = 0; i < images.size(); ++i)
      parts.push_back(PlacedImage{&images[i], boxes[i].x - layout.x, boxes[i].y - layout.y});
    image = combine_images(layout.width, layout.height, parts);
  } else {
    const bool named = target.kind == CaptureTarget::Kind::output;
    Output* output = named ? outputs_->find(target.output_name) : primary_output();
    if (!output)
      return fail(named ? "capture: no output named \"" + target.output_name + "\"" : "capture: no enabled output");
    const wlr_box box = output->layout_box();
    WEFT_TRY(image, render_output(renderer_.get(), scene_->get(), output->output, box.x, box.y));
  }
  WEFT_TRY_VOID(write_png(path, image));
  return std::pair{image.width, image.height};
}

}  // namespace weft::compositor
