#pragma once
// Session binding (§2.4): which wl_client belongs to which appd session. Identity comes only from bind_session.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "listener.hpp"
#include "signal.hpp"
#include "wlr.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::compositor {

struct SessionTag {
  uint64_t session_id = 0;
  std::string app_id;
};

class SessionRegistry {
 public:
  /// A bound client went away by itself (its session id); not emitted for forget() or at teardown.
  Signal<uint64_t> client_disconnected;

  /// Creates the wl_client from `fd` and tags it. A session id that is already bound closes the new fd (error).
  [[nodiscard]] Result<wl_client*> bind(wl_display* display, uint64_t session_id, const std::string& app_id,
                                        UniqueFd fd);
  /// The tag of a session-bound client, nullopt for clients that connected through the display socket.
  [[nodiscard]] const SessionTag* tag_of(const wl_client* client) const;
  /// The client of a session if it is still connected.
  [[nodiscard]] wl_client* client_of(uint64_t session_id) const;
  [[nodiscard]] bool bound(uint64_t session_id) const { return sessions_.count(session_id) != 0; }
  /// surface_ready is sent once per session: true the first time it is asked for a session.
  [[nodiscard]] bool take_first_ready(uint64_t session_id);
  /// Forgets the binding and destroys the client if still connected.
  void forget(uint64_t session_id);
  void destroy_all_clients();

 private:
  struct Binding {
    SessionTag tag;
    wl_client* client = nullptr;
    bool ready_sent = false;
    Listener<> client_destroy;
  };
  std::map<uint64_t, std::unique_ptr<Binding>> sessions_;
  std::map<const wl_client*, Binding*> by_client_;
};

}  // namespace weft::compositor
