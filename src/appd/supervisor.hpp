#pragma once
// weft-appd's supervisor: the only authority over app lifecycle (spec §3). It answers API requests, runs the launch
// pipeline, owns the sessions, talks to the compositor through the link and broadcasts state to system clients.
// Transports and sessions reach it only through the interfaces in api.hpp and session.hpp.

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api.hpp"
#include "appd_config.hpp"
#include "child_group.hpp"
#include "memory_pressure.hpp"
#include "session.hpp"
#include "weft/core/glib.hpp"

namespace weft::appd {

class AppShellPool;

class CompositorLink;
class UnixApiServer;
class WebSocketApiServer;

class Supervisor final : public RequestHandler, public AppRoleBroker, public SessionHost {
 public:
  static constexpr size_t kMaxLiveSessions = 32;
  static constexpr size_t kRememberedStoppedSessions = 1024;
  static constexpr guint kActivateTimeoutMs = 1000;
  static constexpr guint kShutdownBudgetMs = 10000;

  Supervisor(AppdConfig config, ResourceGroups groups);
  ~Supervisor() override;
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  /// Binds the Unix socket and the WebSocket port, writes `appd.wsport` and `appd.systoken`, starts connecting to the
  /// compositor and schedules the restore of `last-session.json` (§3.7). Errors name what could not be set up.
  [[nodiscard]] Result<void> start();
  /// §3.7: saves the session list, sends STOPPING=1, stops every session (10 s budget), removes the rendezvous
  /// files, then calls `done`.
  void shutdown(std::function<void()> done);

  // RequestHandler
  void handle_request(const std::shared_ptr<ApiClient>& client, msg::Message request) override;
  // AppRoleBroker
  Result<void> attach_app_bridge(uint64_t session_id, std::string_view token,
                                 const std::shared_ptr<AppBridgePeer>& peer) override;
  void app_message_from_page(uint64_t session_id, std::string payload) override;
  void detach_app_bridge(uint64_t session_id, const AppBridgePeer* peer) override;
  // SessionHost
  const AppdConfig& config() const override { return config_; }
  const ResourceGroups& resource_groups() const override { return groups_; }
  bool compositor_connected() const override;
  Result<void> send_to_compositor(const ipc::compositor::Message& message, UniqueFd fd) override;
  void session_state_changed(Session& session) override;
  void session_ready(Session& session) override;
  void launch_failed(Session& session, const std::string& why) override;
  void component_line(Session& session, std::string_view line) override;
  std::unique_ptr<PooledShell> take_pooled_shell() override;

  /// Longest DEV_IPC_EXCHANGE collection window (ms) and most lines collected per exchange.
  static constexpr uint32_t kMaxIpcExchangeWaitMs = 10000;
  static constexpr uint32_t kDefaultIpcExchangeWaitMs = 1000;
  static constexpr size_t kMaxIpcExchangeReplies = 256;

  /// LAUNCH_APP without a client (restore): the reply (LAUNCH_ACK or ERROR) is returned. `inspect_port` != 0 comes
  /// only from DEV_LAUNCH_APP and is refused unless the launch is a development launch (allow_inspector).
  msg::Message launch(const std::string& app_id, const ApiClient* requester, uint32_t inspect_port = 0);

 private:
  void on_link_message(const ipc::compositor::Message& message);
  void on_link_connected();
  /// Memory pressure (docs/appd.md): acts on one PSI sample.
  void on_pressure_sample(const PsiSample& sample);
  void on_session_focused(uint64_t session_id);
  void activate(const std::shared_ptr<ApiClient>& client, uint64_t session_id);
  /// Development requests (Unix socket only): DEV_RELOAD_UI, DEV_IPC_EXCHANGE.
  void handle_dev_request(const std::shared_ptr<ApiClient>& client, const msg::Message& request);
  void finish_activation(uint64_t session_id, bool ok);
  void broadcast(const msg::Message& message, const ApiClient* except = nullptr);
  [[nodiscard]] Session* find_live(uint64_t session_id);
  [[nodiscard]] size_t live_sessions() const;
  void forget_stopped_sessions();
  void restore_last_session();
  void save_last_session();
  void remove_rendezvous_files();
  void check_shutdown_complete();

  AppdConfig config_;
  ResourceGroups groups_;
  std::unique_ptr<AppShellPool> pool_;  // after groups_ and config_, which it borrows
  std::unique_ptr<CompositorLink> link_;
  std::unique_ptr<PsiWatch> psi_;
  std::unique_ptr<UnixApiServer> unix_api_;
  std::unique_ptr<WebSocketApiServer> websocket_api_;
  std::string system_token_;
  std::string wsport_file_, systoken_file_;

  uint64_t next_session_id_ = 1;  // never reused in appd's lifetime
  std::map<uint64_t, std::unique_ptr<Session>> sessions_;  // ascending id = launch order
  std::deque<uint64_t> stopped_;                            // most recent last
  glib::SourceId reap_idle_;

  struct PendingActivation {
    std::weak_ptr<ApiClient> client;
    std::unique_ptr<glib::SourceId> timer;
  };
  std::map<uint64_t, std::vector<PendingActivation>> activations_;

  /// DEV_IPC_EXCHANGEs collecting component lines until their timer answers them.
  struct IpcExchange {
    std::weak_ptr<ApiClient> client;
    uint64_t session_id = 0;
    msg::DevIpcReplies replies;
    glib::SourceId timer;
  };
  std::vector<std::unique_ptr<IpcExchange>> ipc_exchanges_;

  /// The session whose window had keyboard focus last (session_focused ≠ 0); it stays the foreground app while focus is
  /// on the panel (launcher, taskbar), since its window is still the one on top. Never stopped for memory pressure.
  uint64_t foreground_session_ = 0;
  PressureLevel pressure_level_ = PressureLevel::none;  // of the last sample, for logging changes
  int64_t next_pressure_stop_us_ = 0;      // monotonic µs before which no further pressure stop starts
  uint64_t pressure_stopping_session_ = 0;  // a pressure stop in progress: no second one until it finished

  const ApiClient* replying_to_ = nullptr;  // the TERMINATE_APP requester while its session starts stopping
  bool restore_pending_ = true;
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
  glib::SourceId shutdown_timer_;
};

}  // namespace weft::appd
