#include "session_control.hpp"

namespace weft::compositor {

namespace msg = ipc::compositor;

SessionControl::SessionControl(wl_display* display, SessionRegistry& registry, XdgShell& xdg, WindowPolicy& policy,
                               ZweftShell& zweft)
    : display_(display), registry_(registry), xdg_(xdg), policy_(policy), zweft_(zweft) {
  // client_disconnected: appd ends the session whose Wayland client went away (§2.4).
  client_disconnected_ = registry.client_disconnected.connect(
      [this](uint64_t session_id) { to_appd.emit(msg::ClientDisconnected{session_id}); });
  // surface_ready: the first presented frame with content of any of the session's windows, once per session.
  presented_ = xdg.presented.connect([this](View& view, const timespec&, uint32_t) {
    if (view.session_id && view.mapped && registry_.take_first_ready(*view.session_id))
      to_appd.emit(msg::SurfaceReady{*view.session_id});
  });
}

void SessionControl::watch_keyboard_focus(wlr_seat* seat) {
  focus_change_.connect(&seat->keyboard_state.events.focus_change, [this](wlr_seat_keyboard_focus_change_event* e) {
    const SessionTag* tag = e->new_surface && e->new_surface->resource
                                ? registry_.tag_of(wl_resource_get_client(e->new_surface->resource))
                                : nullptr;
    const uint64_t session_id = tag ? tag->session_id : 0;
    if (session_id == focused_session_) return;
    focused_session_ = session_id;
    to_appd.emit(msg::SessionFocused{session_id});
  });
}

void SessionControl::appd_connected() {
  // appd reconnecting (after a write error or backlog overflow on the link, §2.4) learns the foreground session now
  // rather than at the next focus change; its sessions outlive a link drop.
  if (focused_session_) to_appd.emit(msg::SessionFocused{focused_session_});
}

Result<void> SessionControl::bind_session(uint64_t session_id, const std::string& app_id, UniqueFd fd) {
  auto client = registry_.bind(display_, session_id, app_id, std::move(fd));
  if (!client) return fail(std::move(client).error());
  return ok();
}

size_t SessionControl::close_session(uint64_t session_id) {
  size_t windows = 0;
  for (const auto& view : xdg_.views()) {
    if (view->session_id == session_id) {
      wlr_xdg_toplevel_send_close(view->xdg);
      ++windows;
    }
  }
  return windows;
}

bool SessionControl::focus_session(uint64_t session_id) {
  View* view = policy_.topmost_app(&session_id);
  if (view) policy_.focus(*view);
  return view != nullptr;
}

void SessionControl::end_session(uint64_t session_id) {
  zweft_.close_session_slots(session_id);
  registry_.forget(session_id);
}

}  // namespace weft::compositor
