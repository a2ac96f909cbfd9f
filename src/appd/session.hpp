#pragma once
// One app session (spec §3.4 steps 8–13, §3.5, §3.6): the runtime and app-shell children in their resource groups,
// their readiness, the relay between component and page, and the one idempotent cleanup path every end goes through.
// A Session never touches sockets of the APIs; it tells its host about state changes.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api.hpp"
#include "appd_config.hpp"
#include "child_group.hpp"
#include "launch_pipeline.hpp"
#include "line_channel.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/ipc/compositor_messages.hpp"
#include "weft/core/ready.hpp"

namespace weft::appd {

enum class SessionState { starting, running, stopping, stopped };
[[nodiscard]] const char* state_name(SessionState state);

class Session;
struct PooledShell;

/// What a session needs from the supervisor.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  [[nodiscard]] virtual const AppdConfig& config() const = 0;
  [[nodiscard]] virtual const ResourceGroups& resource_groups() const = 0;
  [[nodiscard]] virtual bool compositor_connected() const = 0;
  /// Sends one link message (`bind_session` with its fd).
  [[nodiscard]] virtual Result<void> send_to_compositor(const ipc::compositor::Message& message,
                                                      UniqueFd fd = UniqueFd()) = 0;
  /// Every state transition (the supervisor broadcasts APP_STATE; on `stopped` it forgets the session later).
  virtual void session_state_changed(Session& session) = 0;
  /// Both children are ready (APP_READY).
  virtual void session_ready(Session& session) = 0;
  /// The session ended before APP_READY: the launch ERROR broadcast (`<app_id>: <why>`).
  virtual void launch_failed(Session& session, const std::string& why) = 0;
  /// Every line the component sent (before it goes to the page); DEV_IPC_EXCHANGE listens here.
  virtual void component_line(Session& session, std::string_view line) = 0;
  /// A pre-started app shell for this session's launch, or null (pool empty or disabled: start one cold).
  [[nodiscard]] virtual std::unique_ptr<PooledShell> take_pooled_shell() = 0;
};

/// Reads `READY <token>\n` from a child's readiness pipe within a deadline (§3.4 steps 10, 12); reports once.
class ReadinessWatch {
 public:
  ReadinessWatch(UniqueFd read_end, std::string token, int timeout_ms, std::function<void(Result<void>)> on_result);
  ~ReadinessWatch() = default;

 private:
  static gboolean on_readable(gint fd, GIOCondition, gpointer self);
  void report(Result<void> result);
  int timeout_ms_ = 0;
  UniqueFd fd_;
  ready::Expectation expectation_;
  std::function<void(Result<void>)> on_result_;
  glib::SourceId read_source_;
  glib::SourceId timer_;
};

/// Drains a child's stdout or stderr into appd's log: lines ≤ 64 KiB (longer ones are cut), at most a burst of lines
/// per second (the rest counted and reported), so a chatty or hostile app cannot flood the journal.
class OutputDrain {
 public:
  OutputDrain(UniqueFd fd, std::string label);
  /// A pre-started app shell's output is labelled with its session once it has one.
  void relabel(std::string label) { label_ = std::move(label); }

 private:
  static gboolean on_readable(gint fd, GIOCondition, gpointer self);
  void emit(std::string_view line);
  UniqueFd fd_;
  std::string label_;
  std::string partial_;
  glib::SourceId source_;
  std::chrono::steady_clock::time_point window_start_{};
  int lines_in_window_ = 0;
  int suppressed_ = 0;
};

class Session {
 public:
  Session(SessionHost& host, uint64_t id, LaunchPlan plan);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Steps 8–9: relay socket, (portal,) runtime. Failures end the session through stop().
  void start();
  /// §3.6: idempotent; `graceful` asks the compositor to close the windows first (5 s), a later forced stop escalates.
  void stop(const std::string& reason, bool graceful);

  [[nodiscard]] uint64_t id() const { return id_; }
  [[nodiscard]] const std::string& app_id() const { return plan_.app_id; }
  [[nodiscard]] SessionState state() const { return state_; }
  [[nodiscard]] bool live() const { return state_ != SessionState::stopped; }
  [[nodiscard]] const std::string& stop_reason() const { return stop_reason_; }

  /// IPC_FORWARD and page payloads (validated already): queued for the component (64 at most). Errors: 503 when the
  /// relay queue is full or closed.
  [[nodiscard]] Result<void> forward_to_component(std::string_view payload);
  /// WebSocket app role (§3.2): token check in constant time (401), one bridge per session (409).
  [[nodiscard]] Result<void> attach_app_bridge(std::string_view token, const std::shared_ptr<AppBridgePeer>& peer);
  void detach_app_bridge(const AppBridgePeer* peer);

  /// DEV_RELOAD_UI (development launches only, else 403): pins the app's currently installed revision in the same
  /// development store, checks it as a launch would (manifest, entries, `development` owner) and tells the app shell
  /// to serve it and reload the page in place. The runtime keeps running, unless:
  /// With `restart_runtime`, the runtime is first restarted from that revision (the window stays; the page reloads
  /// once the new runtime is ready).
  [[nodiscard]] Result<void> reload(bool restart_runtime);
  [[nodiscard]] bool development_launch() const { return plan_.development_launch(); }

  /// Link events for this session.
  void on_client_disconnected();

  /// Memory pressure: asks the app shell (over the bridge fd) to release memory, once per background period. False
  /// when it was asked already since its last focus, or the bridge is closed or full.
  bool release_memory();
  /// Keyboard focus reached one of its windows (session_focused): `now_us` is monotonic µs.
  void mark_focused(int64_t now_us) {
    last_focused_us_ = now_us;
    memory_released_ = false;
  }
  /// Monotonic µs of its last focus, or of its launch if it was never focused (memory-pressure LRU).
  [[nodiscard]] int64_t last_focused_us() const { return last_focused_us_; }

  static constexpr size_t kRelayQueueLines = 64;

 private:
  void start_runtime();
  void send_dev_reload();
  void on_relay_connectable();
  void on_component_line(std::string line);
  void on_bridge_line(std::string line);
  void on_runtime_ready(Result<void> result);
  void start_app_shell();
  /// Step 11 with a pre-started shell: its directory becomes shell-<sid>/, then the binding and the session's Wayland,
  /// bridge and readiness fds go over its control channel. False (nothing of the session consumed) when the shell
  /// cannot take them; the caller then starts one cold.
  [[nodiscard]] bool hand_to_pooled_shell(PooledShell& shell, int wayland_fd);
  void on_app_shell_ready(Result<void> result);
  void on_child_exit(ChildRole role, const ExitStatus& status);
  void terminate_children();
  void kill_children();
  void maybe_finish_stop();
  void finish_stop();
  void set_state(SessionState state);
  [[nodiscard]] bool children_running() const;
  [[nodiscard]] std::vector<std::string> base_environment() const;

  SessionHost& host_;
  uint64_t id_;
  LaunchPlan plan_;
  SessionState state_ = SessionState::starting;
  std::string stop_reason_;
  bool graceful_stop_ = false;
  bool stop_finished_ = false;

  std::string runtime_token_ = ready::random_token();
  std::string shell_token_ = ready::random_token();
  std::string bridge_token_ = ready::random_token();

  std::string relay_path_;
  UniqueFd relay_listener_;
  glib::SourceId relay_accept_;
  std::unique_ptr<LineChannel> relay_;          // component ⇄ appd
  std::unique_ptr<LineChannel> bridge_;         // app shell ⇄ appd (WEFT_BRIDGE_FD)
  UniqueFd bridge_child_end_;                   // given to the app shell
  bool bridge_fd_attached_ = false;             // the app shell holds the other end and has not closed it
  std::weak_ptr<AppBridgePeer> app_peer_;       // WebSocket app role
  std::vector<std::string> early_component_lines_;  // before any bridge exists (bounded by kRelayQueueLines)

  std::unique_ptr<SupervisedChild> runtime_;
  std::unique_ptr<SupervisedChild> app_shell_;
  std::unique_ptr<SupervisedChild> portal_;
  std::string portal_path_;
  std::unique_ptr<ReadinessWatch> runtime_ready_;
  std::unique_ptr<ReadinessWatch> shell_ready_;
  std::vector<std::unique_ptr<OutputDrain>> drains_;
  bool runtime_is_ready_ = false;
  bool restarting_runtime_ = false;  // reload(true) until the new runtime is ready
  bool bound_ = false;
  std::string shell_dir_;
  std::string pool_dir_link_;  // a pre-started shell's former directory name, a symlink to shell_dir_ (its
                               // environment still names it)

  glib::SourceId stop_timer_;
  glib::SourceId finish_idle_;
  int64_t last_focused_us_ = g_get_monotonic_time();
  bool memory_released_ = false;  // RELEASE_MEMORY sent since the last focus
};

}  // namespace weft::appd
