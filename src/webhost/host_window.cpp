#include "host_window.hpp"

#include <wayland-util.h>

#include <cstring>

#include "weft/core/log.hpp"

namespace weft::webhost {

const xdg_surface_listener HostWindow::kXdgSurfaceListener = {[](void* data, xdg_surface* surface, uint32_t serial) {
  auto* self = static_cast<HostWindow*>(data);
  xdg_surface_ack_configure(surface, serial);
  self->configured_ = true;
  self->apply_size(self->pending_width_, self->pending_height_);
  if (!self->pending_.empty() && !self->frame_callback_) self->present_pending();
  else if (self->pending_.empty() && !self->frame_callback_) wl_surface_commit(self->surface_.get());
}};

const xdg_toplevel_listener HostWindow::kToplevelListener = {
    [](void* data, xdg_toplevel*, int32_t width, int32_t height, wl_array*) {
      auto* self = static_cast<HostWindow*>(data);
      self->pending_width_ = width;
      self->pending_height_ = height;
    },
    [](void* data, xdg_toplevel*) {
      auto* self = static_cast<HostWindow*>(data);
      if (self->on_close && !self->closed_) {
        self->closed_ = true;
        self->on_close("xdg_toplevel.close");
      }
    },
    nullptr,  // configure_bounds (v4)
    nullptr,  // wm_capabilities (v5)
};

const zweft_shell_window_v1_listener HostWindow::kSlotListener = {
    // configure: authoritative geometry in output-logical px; the xdg configure carries the same size for toplevels.
    [](void* data, zweft_shell_window_v1*, int32_t, int32_t, int32_t width, int32_t height, uint32_t) {
      auto* self = static_cast<HostWindow*>(data);
      log::debug("zweft configure ", width, "x", height);
      if (self->pending_width_ <= 0 && self->pending_height_ <= 0 && self->configured_) self->apply_size(width, height);
    },
    [](void* data, zweft_shell_window_v1*, uint32_t focused) {
      static_cast<HostWindow*>(data)->view_.set_focused(focused != 0);
    },
    [](void* data, zweft_shell_window_v1*) {
      auto* self = static_cast<HostWindow*>(data);
      if (self->on_close && !self->closed_) {
        self->closed_ = true;
        self->on_close("window_closed");
      }
    },
    [](void*, zweft_shell_window_v1*, uint32_t, uint32_t, uint32_t) {},
    [](void* data, zweft_shell_window_v1*, uint32_t type, uint32_t fingers, wl_fixed_t dx, wl_fixed_t dy) {
      auto* self = static_cast<HostWindow*>(data);
      if (self->on_navigation_gesture)
        self->on_navigation_gesture(type, fingers, wl_fixed_to_double(dx), wl_fixed_to_double(dy));
    },
};

const wl_callback_listener HostWindow::kFrameListener = {[](void* data, wl_callback*, uint32_t) {
  auto* self = static_cast<HostWindow*>(data);
  self->frame_callback_.reset();
  ++self->presented_;
  uint64_t shown = self->in_flight_number_;
  if (!self->pending_.empty()) {
    self->present_pending();  // a frame arrived while both buffers were held
  } else {
    self->view_.frame_complete();  // vsync: WebKit may render the next frame now
  }
  if (self->on_presented) self->on_presented(shown);
}};

Result<std::unique_ptr<HostWindow>> HostWindow::create(WaylandConnection& connection, WebView& view,
                                                       WindowOptions options) {
  std::unique_ptr<HostWindow> self(new HostWindow(connection, view));
  self->options_ = std::move(options);
  self->surface_.reset(wl_compositor_create_surface(connection.compositor()));
  self->xdg_surface_.reset(xdg_wm_base_get_xdg_surface(connection.wm_base(), self->surface_.get()));
  xdg_surface_add_listener(self->xdg_surface_.get(), &kXdgSurfaceListener, self.get());
  self->toplevel_.reset(xdg_surface_get_toplevel(self->xdg_surface_.get()));
  xdg_toplevel_add_listener(self->toplevel_.get(), &kToplevelListener, self.get());
  xdg_toplevel_set_app_id(self->toplevel_.get(), self->options_.app_id.c_str());
  xdg_toplevel_set_title(self->toplevel_.get(), self->options_.toplevel_title.c_str());
  if (connection.shell_manager()) {
    self->slot_.reset(zweft_shell_manager_v1_create_window(connection.shell_manager(), self->options_.app_id.c_str(),
                                                           self->options_.title.c_str(), self->options_.role.c_str(),
                                                           self->surface_.get(), 0, 0, 0, 0));
    zweft_shell_window_v1_add_listener(self->slot_.get(), &kSlotListener, self.get());
    if (self->options_.exclusive_zone_bottom)
      zweft_shell_window_v1_set_exclusive_zone(self->slot_.get(), ZWEFT_SHELL_WINDOW_V1_EDGE_BOTTOM,
                                               *self->options_.exclusive_zone_bottom);
  } else {
    log::warn("the compositor offers no zweft_shell_manager_v1: running as a plain xdg toplevel");
  }
  int scale = connection.output_scale();
  if (scale > 1) {
    wl_surface_set_buffer_scale(self->surface_.get(), scale);
    view.set_scale(static_cast<float>(scale));
  }
  self->buffers_.on_release = [window = self.get()] {
    if (!window->pending_.empty() && !window->frame_callback_ && window->configured_) window->present_pending();
  };
  view.set_frame_handler([window = self.get()](const FrameView& frame) { window->on_frame(frame); });
  wl_surface_commit(self->surface_.get());  // initial commit without a buffer asks for the first configure
  wl_display_flush(connection.display());
  return self;
}

HostWindow::~HostWindow() { view_.set_frame_handler(nullptr); }

void HostWindow::set_title(const std::string& title) {
  const std::string& shown = title.empty() ? options_.app_id : title;
  if (toplevel_) xdg_toplevel_set_title(toplevel_.get(), shown.c_str());
  if (slot_) zweft_shell_window_v1_update_metadata(slot_.get(), options_.title.c_str(), options_.role.c_str());
}

void HostWindow::apply_size(int width, int height) {
  if (width > 0 && height > 0) view_.set_size(width, height);
}

void HostWindow::on_frame(const FrameView& frame) {
  // Keep a CPU copy: the fdo buffer is handed back to WebKit as soon as this returns.
  pending_ = Image::copy_from(frame.data, frame.width, frame.height, frame.stride);
  pending_number_ = view_.frames_exported();
  if (!configured_) {
    view_.frame_complete();  // nothing can be shown before the first configure; keep only the newest frame
    return;
  }
  if (!frame_callback_) present_pending();
}

void HostWindow::present_pending() {
  auto slot = buffers_.acquire(pending_.width, pending_.height);
  if (!slot.ok()) {
    log::error("cannot present a frame: ", slot.error().message);
    view_.frame_complete();
    return;
  }
  if (!*slot) return;  // both buffers still held: retried when the frame callback fires
  ShmBuffers::Slot* target = *slot;
  std::memcpy(target->pixels, pending_.pixels.data(), pending_.pixels.size() * 4);
  in_flight_number_ = pending_number_;
  pending_ = Image();
  target->busy = true;
  wl_surface* surface = surface_.get();
  wl_surface_attach(surface, target->buffer.get(), 0, 0);
  wl_surface_damage_buffer(surface, 0, 0, target->width, target->height);
  frame_callback_.reset(wl_surface_frame(surface));
  wl_callback_add_listener(frame_callback_.get(), &kFrameListener, this);
  wl_surface_commit(surface);
  wl_display_flush(connection_.display());
}

}  // namespace weft::webhost
