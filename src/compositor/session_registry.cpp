#include "session_registry.hpp"

#include "weft/core/log.hpp"

namespace weft::compositor {

Result<wl_client*> SessionRegistry::bind(wl_display* display, uint64_t session_id, const std::string& app_id,
                                         UniqueFd fd) {
  if (bound(session_id))
    return fail("bind_session: session_id=" + std::to_string(session_id) + " is already bound; new fd closed");
  wl_client* client = wl_client_create(display, fd.get());
  if (!client) return fail("bind_session: wl_client_create failed for session_id=" + std::to_string(session_id));
  (void)fd.release();  // the wl_client owns it now
  auto binding = std::make_unique<Binding>();
  binding->tag = SessionTag{session_id, app_id};
  binding->client = client;
  Binding* raw = binding.get();
  // The client disconnected or was killed for a protocol error: appd hears client_disconnected.
  raw->client_destroy.connect_client_destroy(client, [this, raw](void*) {
    by_client_.erase(raw->client);
    raw->client = nullptr;
    raw->client_destroy.disconnect();
    client_disconnected.emit(raw->tag.session_id);
  });
  by_client_[client] = raw;
  sessions_[session_id] = std::move(binding);
  log::info("client bound to session session_id=", session_id, " app_id=", app_id);
  return client;
}

const SessionTag* SessionRegistry::tag_of(const wl_client* client) const {
  auto it = by_client_.find(client);
  return it == by_client_.end() ? nullptr : &it->second->tag;
}

wl_client* SessionRegistry::client_of(uint64_t session_id) const {
  auto it = sessions_.find(session_id);
  return it == sessions_.end() ? nullptr : it->second->client;
}

bool SessionRegistry::take_first_ready(uint64_t session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second->ready_sent) return false;
  it->second->ready_sent = true;
  return true;
}

void SessionRegistry::forget(uint64_t session_id) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  std::unique_ptr<Binding> binding = std::move(it->second);
  sessions_.erase(it);
  if (binding->client) {
    wl_client* client = binding->client;
    // Forgotten on purpose: no client_disconnected for a session appd itself ended.
    binding->client_destroy.disconnect();
    by_client_.erase(client);
    wl_client_destroy(client);
  }
}

void SessionRegistry::destroy_all_clients() {
  for (auto& [id, binding] : sessions_) binding->client_destroy.disconnect();
  by_client_.clear();
  sessions_.clear();
}

}  // namespace weft::compositor
