#pragma once
// Who may set and read the clipboard (§2.3). The selection and the primary selection change only at the request of
// the keyboard-focused client, or through data-control (a global session-bound clients never see). A session-bound
// client holds selection offers only while it is focused: when focus leaves it, its offers become inert, so an app
// in the background cannot read what the user copies elsewhere. Session clients do not see the primary selection at
// all (the server's global filter); they reach the clipboard only through the data device.

#include <cstdint>

#include "listener.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class SessionRegistry;

class Selection {
 public:
  explicit Selection(const SessionRegistry& sessions) : sessions_(sessions) {}
  ~Selection() { disconnect(); }
  Selection(const Selection&) = delete;
  Selection& operator=(const Selection&) = delete;

  /// Takes over the seat's selection requests and watches keyboard focus. Call once the seat exists.
  void create(wl_display* display, wlr_seat* seat);
  void disconnect();

 private:
  /// The protocol path of the request being dispatched, as far as the selection cares.
  enum class Channel : uint8_t { other, data_device, primary_device, data_control };
  struct Origin {
    wl_client* client = nullptr;
    Channel channel = Channel::other;
  };

  static void on_request_logged(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message);
  /// Whether the request now being dispatched may replace the (primary) selection; logs a refusal.
  [[nodiscard]] bool may_set(const char* what) const;
  /// Makes every selection offer `client` holds inert and tells its data devices there is no selection.
  void revoke_offers(wl_client* client);

  const SessionRegistry& sessions_;
  wlr_seat* seat_ = nullptr;
  // libwayland reports each request to its protocol loggers just before dispatching it; the selection request
  // events carry no client, so this is where the requesting client is learnt.
  wlr::ProtocolLoggerPtr request_logger_;
  Origin origin_;
  Listener<wlr_seat_request_set_selection_event> request_selection_;
  Listener<wlr_seat_request_set_primary_selection_event> request_primary_;
  Listener<wlr_seat_keyboard_focus_change_event> focus_change_;
};

}  // namespace weft::compositor
