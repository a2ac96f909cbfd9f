#include "host_window.hpp"

#include <wayland-util.h>

#include <algorithm>
#include <cstring>

#include "weft/core/log.hpp"

namespace weft::webview {

using Toplevel = HostWindow::Toplevel;

// wl_surface.enter/leave of the main surface: which outputs it is on decides its scale (wl_compositor v4 has no
// preferred_buffer_scale; that is v6, wayland 1.22).
const wl_surface_listener HostWindow::kSurfaceListener = {
    [](void* data, wl_surface*, wl_output* output) {
      auto* self = static_cast<HostWindow*>(data);
      if (std::find(self->entered_.begin(), self->entered_.end(), output) == self->entered_.end())
        self->entered_.push_back(output);
      self->follow_output_scale();
    },
    [](void* data, wl_surface*, wl_output* output) {
      auto* self = static_cast<HostWindow*>(data);
      std::erase(self->entered_, output);
      self->follow_output_scale();
    },
};

const xdg_surface_listener HostWindow::kXdgSurfaceListener = {[](void* data, xdg_surface* surface, uint32_t serial) {
  auto* toplevel = static_cast<Toplevel*>(data);
  xdg_surface_ack_configure(surface, serial);
  toplevel->owner->configured(*toplevel);
}};

const xdg_toplevel_listener HostWindow::kToplevelListener = {
    [](void* data, xdg_toplevel*, int32_t width, int32_t height, wl_array* states) {
      auto* toplevel = static_cast<Toplevel*>(data);
      toplevel->pending_width = width;
      toplevel->pending_height = height;
      toplevel->pending_activated = false;
      const auto* state = static_cast<const uint32_t*>(states->data);
      for (size_t i = 0; i < states->size / sizeof(uint32_t); ++i)
        if (state[i] == XDG_TOPLEVEL_STATE_ACTIVATED) toplevel->pending_activated = true;
    },
    [](void* data, xdg_toplevel*) {
      auto* toplevel = static_cast<Toplevel*>(data);
      if (toplevel == toplevel->owner->main_.get()) toplevel->owner->close("xdg_toplevel.close");
    },
    nullptr,  // configure_bounds (v4)
    nullptr,  // wm_capabilities (v5)
};

const zweft_shell_window_v1_listener HostWindow::kSlotListener = {
    // configure: authoritative geometry in output-logical px; the xdg configure carries the same size for toplevels.
    [](void*, zweft_shell_window_v1*, int32_t, int32_t, int32_t width, int32_t height, uint32_t) {
      log::debug("zweft configure ", width, "x", height);
    },
    [](void* data, zweft_shell_window_v1*, uint32_t focused) {
      auto* toplevel = static_cast<Toplevel*>(data);
      toplevel->owner->view_.set_focused(focused != 0);
    },
    [](void* data, zweft_shell_window_v1*) {
      auto* toplevel = static_cast<Toplevel*>(data);
      if (toplevel == toplevel->owner->main_.get()) toplevel->owner->close("window_closed");
    },
    [](void*, zweft_shell_window_v1*, uint32_t, uint32_t, uint32_t) {},
    [](void* data, zweft_shell_window_v1*, uint32_t type, uint32_t fingers, wl_fixed_t dx, wl_fixed_t dy) {
      HostWindow* self = static_cast<Toplevel*>(data)->owner;
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

const zwlr_layer_surface_v1_listener HostWindow::kPopupListener = {
    [](void* data, zwlr_layer_surface_v1* layer, uint32_t serial, uint32_t, uint32_t) {
      auto* self = static_cast<HostWindow*>(data);
      zwlr_layer_surface_v1_ack_configure(layer, serial);
      if (!self->popup_ || self->popup_->layer.get() != layer) return;
      self->popup_->configured = true;
      self->popup_->stale = true;
      self->draw_popup();
    },
    // closed: the compositor took the surface away (its output went); a later area makes a new one.
    [](void* data, zwlr_layer_surface_v1* layer) {
      auto* self = static_cast<HostWindow*>(data);
      if (self->popup_ && self->popup_->layer.get() == layer) self->popup_->configured = false;
    },
};

std::unique_ptr<Toplevel> HostWindow::make_toplevel(const std::string& role, const std::string& title) {
  auto t = std::make_unique<Toplevel>();
  t->owner = this;
  t->buffers = std::make_unique<ShmBuffers>(connection_.shm());
  t->buffers->on_release = [this] {
    if (!pending_.empty() && !frame_callback_ && target().configured) present_pending();
  };
  t->surface.reset(wl_compositor_create_surface(connection_.compositor()));
  t->xdg_surface.reset(xdg_wm_base_get_xdg_surface(connection_.wm_base(), t->surface.get()));
  xdg_surface_add_listener(t->xdg_surface.get(), &kXdgSurfaceListener, t.get());
  t->toplevel.reset(xdg_surface_get_toplevel(t->xdg_surface.get()));
  xdg_toplevel_add_listener(t->toplevel.get(), &kToplevelListener, t.get());
  xdg_toplevel_set_app_id(t->toplevel.get(), options_.app_id.c_str());
  xdg_toplevel_set_title(t->toplevel.get(), options_.toplevel_title.c_str());
  if (connection_.shell_manager()) {
    t->slot.reset(zweft_shell_manager_v1_create_window(connection_.shell_manager(), options_.app_id.c_str(),
                                                       title.c_str(), role.c_str(), t->surface.get(), 0, 0, 0, 0));
    zweft_shell_window_v1_add_listener(t->slot.get(), &kSlotListener, t.get());
  }
  wl_surface_commit(t->surface.get());  // initial commit without a buffer asks for the first configure
  return t;
}

Result<std::unique_ptr<HostWindow>> HostWindow::create(WaylandConnection& connection, WebView& view,
                                                       WindowOptions options) {
  std::unique_ptr<HostWindow> self(new HostWindow(connection, view));
  self->options_ = std::move(options);
  if (!connection.shell_manager()) log::warn("the compositor offers no zweft_shell_manager_v1: running as a plain xdg toplevel");
  self->main_ = self->make_toplevel(self->options_.role, self->options_.title);
  if (self->main_->slot && self->options_.exclusive_zone_bottom)
    zweft_shell_window_v1_set_exclusive_zone(self->main_->slot.get(), ZWEFT_SHELL_WINDOW_V1_EDGE_BOTTOM,
                                             *self->options_.exclusive_zone_bottom);
  wl_surface_add_listener(self->main_->surface.get(), &kSurfaceListener, self.get());
  connection.set_on_output_scales_changed([window = self.get()] { window->follow_output_scale(); });
  self->follow_output_scale();
  view.set_frame_handler([window = self.get()](const FrameView& frame) { window->on_frame(frame); });
  wl_surface_commit(self->main_->surface.get());
  wl_display_flush(connection.display());
  return self;
}

HostWindow::~HostWindow() {
  connection_.set_on_output_scales_changed(nullptr);
  view_.set_frame_handler(nullptr);
}

void HostWindow::follow_output_scale() {
  // An unplugged output's proxy is gone; its leave may never come.
  std::erase_if(entered_, [this](wl_output* output) { return connection_.output_scale(output) == 0; });
  int scale = 0;
  for (wl_output* output : entered_) scale = std::max(scale, connection_.output_scale(output));
  if (scale == 0) scale = connection_.max_output_scale();
  if (static_cast<float>(scale) == view_.scale()) return;
  log::info("output scale ", view_.scale(), " -> ", scale, ": the page re-renders at the new scale");
  // WebKit renders the next frames at logical size × scale; each frame is committed with the buffer scale it fits.
  view_.set_scale(static_cast<float>(scale));
}

int HostWindow::buffer_scale_of(const Image& frame) const {
  int scale = std::max(1, static_cast<int>(view_.scale()));
  while (scale > 1 && (frame.width % scale != 0 || frame.height % scale != 0)) --scale;
  return scale;
}

void HostWindow::close(const char* why) {
  if (closed_) return;
  closed_ = true;
  if (on_close) on_close(why);
}

void HostWindow::set_exclusive_zone_bottom(int zone) {
  if (!main_ || !main_->slot || options_.exclusive_zone_bottom == zone) return;
  options_.exclusive_zone_bottom = zone;
  zweft_shell_window_v1_set_exclusive_zone(main_->slot.get(), ZWEFT_SHELL_WINDOW_V1_EDGE_BOTTOM, zone);
  wl_display_flush(connection_.display());
}

void HostWindow::set_title(const std::string& title) {
  const std::string& shown = title.empty() ? options_.app_id : title;
  xdg_toplevel_set_title(main_->toplevel.get(), shown.c_str());
  if (main_->slot) zweft_shell_window_v1_update_metadata(main_->slot.get(), options_.title.c_str(), options_.role.c_str());
}

void HostWindow::set_overlay(bool shown) {
  if (shown == static_cast<bool>(overlay_)) return;
  if (shown) {
    overlay_ = make_toplevel("overlay", options_.title + " overlay");
  } else {
    // A frame callback pending on the overlay surface dies with it: release WebKit's frame here instead.
    if (frame_callback_ && callback_on_overlay_) {
      frame_callback_.reset();
      view_.frame_complete();
    }
    overlay_.reset();
    // The panel still shows an older frame: give it the newest one.
    if (pending_.empty() && !last_.empty()) pending_ = last_;
    if (!frame_callback_ && !pending_.empty()) present_pending();
  }
  wl_display_flush(connection_.display());
}

void HostWindow::set_popup_area(std::optional<PageArea> area) {
  if (!area || area->width <= 0 || area->height <= 0) {
    if (!popup_) return;
    popup_.reset();
    wl_display_flush(connection_.display());
    return;
  }
  if (!connection_.layer_shell()) {
    log::warn("the compositor offers no layer-shell: a page popup (toasts) stays beneath app windows");
    return;
  }
  if (popup_ && popup_->area == *area) return;
  if (!popup_) {
    popup_ = std::make_unique<Popup>();
    popup_->buffers = std::make_unique<ShmBuffers>(connection_.shm());
    popup_->buffers->on_release = [this] { draw_popup(); };
    popup_->surface.reset(wl_compositor_create_surface(connection_.compositor()));
    // Popups are read, not clicked: an empty input region sends pointer events to the windows beneath.
    WlRegionPtr nothing(wl_compositor_create_region(connection_.compositor()));
    wl_surface_set_input_region(popup_->surface.get(), nothing.get());
    popup_->layer.reset(zwlr_layer_shell_v1_get_layer_surface(connection_.layer_shell(), popup_->surface.get(), nullptr,
                                                             ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY, "weft-popup"));
    zwlr_layer_surface_v1_add_listener(popup_->layer.get(), &kPopupListener, this);
    zwlr_layer_surface_v1_set_keyboard_interactivity(popup_->layer.get(), 0);
    // -1: placed against the output's edges, ignoring exclusive zones, so page and output coordinates agree.
    zwlr_layer_surface_v1_set_exclusive_zone(popup_->layer.get(), -1);
    zwlr_layer_surface_v1_set_anchor(popup_->layer.get(),
                                     ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP | ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT);
  }
  popup_->area = *area;
  popup_->stale = true;
  zwlr_layer_surface_v1_set_margin(popup_->layer.get(), area->y, 0, 0, area->x);
  zwlr_layer_surface_v1_set_size(popup_->layer.get(), static_cast<uint32_t>(area->width),
                                 static_cast<uint32_t>(area->height));
  wl_surface_commit(popup_->surface.get());
  wl_display_flush(connection_.display());
  draw_popup();  // a configured popup shows its new area at once; a new one waits for its first configure
}

void HostWindow::draw_popup() {
  if (!popup_ || !popup_->configured || !popup_->stale) return;
  const Image& frame = newest_frame();
  if (frame.empty()) return;
  const int scale = buffer_scale_of(frame);
  const PageArea& a = popup_->area;
  const int x = std::clamp(a.x * scale, 0, frame.width), y = std::clamp(a.y * scale, 0, frame.height);
  const int width = std::min(a.width * scale, frame.width - x), height = std::min(a.height * scale, frame.height - y);
  if (width <= 0 || height <= 0) return;
  auto slot = popup_->buffers->acquire(width, height);
  if (!slot.ok()) {
    log::error("cannot draw the popup: ", slot.error().message);
    return;
  }
  if (!*slot) return;  // both buffers still held: drawn again on release
  ShmBuffers::Slot* buffer = *slot;
  for (int row = 0; row < height; ++row)
    std::memcpy(buffer->pixels + static_cast<size_t>(row) * width * 4,
                frame.pixels.data() + static_cast<size_t>(y + row) * frame.width + x, static_cast<size_t>(width) * 4);
  buffer->busy = true;
  popup_->stale = false;
  wl_surface_set_buffer_scale(popup_->surface.get(), scale);
  wl_surface_attach(popup_->surface.get(), buffer->buffer.get(), 0, 0);
  wl_surface_damage_buffer(popup_->surface.get(), 0, 0, width, height);
  wl_surface_commit(popup_->surface.get());
  wl_display_flush(connection_.display());
}

Toplevel& HostWindow::target() { return overlay_ && overlay_->configured ? *overlay_ : *main_; }

void HostWindow::configured(Toplevel& toplevel) {
  toplevel.configured = true;
  if (&toplevel == main_.get() && toplevel.pending_width > 0 && toplevel.pending_height > 0)
    view_.set_size(toplevel.pending_width, toplevel.pending_height);
  // Without zweft (another compositor) the window's focus is its activated state; with zweft, focus_changed says it.
  if (&toplevel == main_.get() && !toplevel.slot) view_.set_focused(toplevel.pending_activated);
  // A new overlay shows the newest frame at once (the page may not change again); the panel keeps its last one.
  if (&toplevel == overlay_.get() && pending_.empty()) pending_ = last_;
  if (!pending_.empty() && !frame_callback_) present_pending();
  else if (pending_.empty() && !frame_callback_) wl_surface_commit(toplevel.surface.get());
}

void HostWindow::on_frame(const FrameView& frame) {
  // Keep a CPU copy: the fdo buffer is handed back to WebKit as soon as this returns.
  pending_ = Image::copy_from(frame.data, frame.width, frame.height, frame.stride);
  pending_number_ = view_.frames_exported();
  if (popup_) {
    popup_->stale = true;
    draw_popup();
  }
  if (!target().configured) {
    view_.frame_complete();  // nothing can be shown before the first configure; keep only the newest frame
    return;
  }
  if (!frame_callback_) present_pending();
}

void HostWindow::present_pending() {
  Toplevel& t = target();
  auto slot = t.buffers->acquire(pending_.width, pending_.height);
  if (!slot.ok()) {
    log::error("cannot present a frame: ", slot.error().message);
    view_.frame_complete();
    return;
  }
  if (!*slot) return;  // both buffers still held: retried when one is released
  ShmBuffers::Slot* buffer = *slot;
  std::memcpy(buffer->pixels, pending_.pixels.data(), pending_.pixels.size() * 4);
  const int scale = buffer_scale_of(pending_);
  in_flight_number_ = pending_number_;
  last_ = std::move(pending_);
  pending_ = Image();
  callback_on_overlay_ = &t == overlay_.get();
  buffer->busy = true;
  wl_surface* surface = t.surface.get();
  wl_surface_set_buffer_scale(surface, scale);
  wl_surface_attach(surface, buffer->buffer.get(), 0, 0);
  wl_surface_damage_buffer(surface, 0, 0, buffer->width, buffer->height);
  frame_callback_.reset(wl_surface_frame(surface));
  wl_callback_add_listener(frame_callback_.get(), &kFrameListener, this);
  wl_surface_commit(surface);
  wl_display_flush(connection_.display());
}

}  // namespace weft::webview
