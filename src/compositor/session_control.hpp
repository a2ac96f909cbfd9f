#pragma once
// The compositor's side of appd sessions (§2.4): carries out what the appd link decodes (bind, close, focus, end)
// and reports what appd must hear (a session's client disconnected, its first frame was presented).

#include <cstdint>
#include <string>

#include "appd_link.hpp"
#include "listener.hpp"
#include "session_registry.hpp"
#include "signal.hpp"
#include "window_policy.hpp"
#include "wlr.hpp"
#include "xdg_shell.hpp"
#include "zweft_shell.hpp"
#include "weft/core/ipc/compositor_messages.hpp"

namespace weft::compositor {

class SessionControl final : public SessionController {
 public:
  SessionControl(wl_display* display, SessionRegistry& registry, XdgShell& xdg, WindowPolicy& policy,
                 ZweftShell& zweft);

  [[nodiscard]] Result<void> bind_session(uint64_t session_id, const std::string& app_id, UniqueFd fd) override;
  size_t close_session(uint64_t session_id) override;
  [[nodiscard]] bool focus_session(uint64_t session_id) override;
  void end_session(uint64_t session_id) override;
  void appd_connected() override;

  /// Reports keyboard focus moves between sessions to appd as session_focused (0: no session has it).
  void watch_keyboard_focus(wlr_seat* seat);

  /// A message for appd (client_disconnected, surface_ready, session_focused).
  Signal<const ipc::compositor::Message&> to_appd;

 private:
  wl_display* display_;
  SessionRegistry& registry_;
  XdgShell& xdg_;
  WindowPolicy& policy_;
  ZweftShell& zweft_;
  Connection client_disconnected_, presented_;
  Listener<wlr_seat_keyboard_focus_change_event> focus_change_;
  uint64_t focused_session_ = 0;  // last session_focused sent
};

}  // namespace weft::compositor
