#include "selection.hpp"

#include <string_view>

#include "session_registry.hpp"
#include "weft/core/log.hpp"

namespace weft::compositor {

void Selection::create(wl_display* display, wlr_seat* seat) {
  seat_ = seat;
  request_logger_.reset(wl_display_add_protocol_logger(display, &Selection::on_request_logged, this));
  // wl_data_device.set_selection (and data-control): honoured only from the focused client.
  request_selection_.connect(&seat->events.request_set_selection, [this](wlr_seat_request_set_selection_event* e) {
    if (may_set("selection")) wlr_seat_set_selection(seat_, e->source, e->serial);
  });
  // zwp_primary_selection_device_v1.set_selection: the same rule.
  request_primary_.connect(&seat->events.request_set_primary_selection,
                           [this](wlr_seat_request_set_primary_selection_event* e) {
                             if (may_set("primary selection")) wlr_seat_set_primary_selection(seat_, e->source, e->serial);
                           });
  // wl_keyboard focus left a session client: its selection offers go inert.
  focus_change_.connect(&seat->keyboard_state.events.focus_change, [this](wlr_seat_keyboard_focus_change_event* e) {
    if (!e->old_surface || !e->old_surface->resource) return;
    wl_client* old_client = wl_resource_get_client(e->old_surface->resource);
    wl_client* new_client =
        e->new_surface && e->new_surface->resource ? wl_resource_get_client(e->new_surface->resource) : nullptr;
    if (old_client != new_client && sessions_.tag_of(old_client)) revoke_offers(old_client);
  });
}

void Selection::disconnect() {
  request_selection_.disconnect();
  request_primary_.disconnect();
  focus_change_.disconnect();
  request_logger_.reset();
}

void Selection::on_request_logged(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message) {
  if (type != WL_PROTOCOL_LOGGER_REQUEST) return;
  auto* self = static_cast<Selection*>(data);
  // Every request resets the origin, so a request wlroots refused before emitting its event leaves nothing behind.
  self->origin_ = {};
  const std::string_view name = message->message->name;
  if (name != "set_selection" && name != "set_primary_selection") return;
  const std::string_view interface = wl_resource_get_class(message->resource);
  Channel channel = interface == "wl_data_device"                    ? Channel::data_device
                    : interface == "zwp_primary_selection_device_v1" ? Channel::primary_device
                    : interface == "zwlr_data_control_device_v1"     ? Channel::data_control
                                                                     : Channel::other;
  self->origin_ = {wl_resource_get_client(message->resource), channel};
}

bool Selection::may_set(const char* what) const {
  // data-control serves the user's own tools (wl-copy for a runtime with a clipboard grant); session clients never
  // see that global, so a request through it is not an app's.
  if (origin_.channel == Channel::data_control) return true;
  const wlr_seat_client* focused = seat_->keyboard_state.focused_client;
  const bool from_device = origin_.channel == Channel::data_device || origin_.channel == Channel::primary_device;
  if (from_device && focused && origin_.client == focused->client) return true;
  if (const SessionTag* tag = origin_.client ? sessions_.tag_of(origin_.client) : nullptr)
    log::info("refused a ", what, " request from an unfocused client session_id=", tag->session_id,
              " app_id=", tag->app_id);
  else
    log::debug("refused a ", what, " request from an unfocused client");
  return false;
}

void Selection::revoke_offers(wl_client* client) {
  wlr_data_offer* offer;
  wlr_data_offer* next;
  wl_list_for_each_safe(offer, next, &seat_->selection_offers, link) {
    if (wl_resource_get_client(offer->resource) != client) continue;
    // The path wlroots itself takes when an offer's source goes away: the offer leaves the seat's list and its
    // resource stays as an inert object (a later receive just closes the client's fd), which the client may still
    // destroy without a protocol error.
    offer->source_destroy.notify(&offer->source_destroy, offer->source);
  }
  if (wlr_seat_client* seat_client = wlr_seat_client_for_wl_client(seat_, client)) {
    wl_resource* device;
    wl_resource_for_each(device, &seat_client->data_devices) wl_data_device_send_selection(device, nullptr);
  }
}

}  // namespace weft::compositor
