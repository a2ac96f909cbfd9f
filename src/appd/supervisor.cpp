#include "supervisor.hpp"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app_shell_pool.hpp"
#include "compositor_link.hpp"
#include "launch_pipeline.hpp"
#include "memory_pressure.hpp"
#include "unix_api.hpp"
#include "websocket_api.hpp"
#include "weft/core/app_id.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"
#include "weft/core/ready.hpp"
#include "weft/core/ipc/errors.hpp"
#include "weft/store/revisions.hpp"

namespace weft::appd {
namespace {

namespace link = ipc::compositor;
namespace code = ipc::error_code;
namespace says = ipc::error_message;
constexpr size_t kMaxLastSessionBytes = 64 * 1024;

msg::ErrorReply error_reply(const Error& error) {
  return msg::ErrorReply{static_cast<uint32_t>(error.code ? error.code : 500), error.message};
}


}  // namespace

Supervisor::Supervisor(AppdConfig config, ResourceGroups groups)
    : config_(std::move(config)), groups_(std::move(groups)) {
  pool_ = std::make_unique<AppShellPool>(config_, groups_, [this] {
    for (const auto& [id, s] : sessions_)
      if (s->state() == SessionState::starting) return true;
    return false;
  });
}

Supervisor::~Supervisor() {
  activations_.clear();
  ipc_exchanges_.clear();
  sessions_.clear();  // each session kills and reaps what still runs
  pool_.reset();      // kills and reaps the idle pre-started app shells
  websocket_api_.reset();
  unix_api_.reset();
  link_.reset();
}

Result<void> Supervisor::start() {
  system_token_ = ready::random_token();
  WEFT_TRY(wsport_file_, paths::appd_wsport_file());
  WEFT_TRY(systoken_file_, paths::appd_systoken_file());

  link_ = std::make_unique<CompositorLink>(
      CompositorLink::Options{.socket_path = config_.compositor_socket},
      CompositorLink::Callbacks{.on_connected = [this] { on_link_connected(); },
                                .on_disconnected = [] { log::warn("compositor link lost; retrying"); },
                                .on_message = [this](const link::Message& m) { on_link_message(m); }});
  link_->start();
  psi_ = std::make_unique<PsiWatch>(config_.psi_path, static_cast<unsigned>(config_.psi_interval_ms),
                                    config_.pressure_release_some_avg10,
                                    [this](const PsiSample& sample) { on_pressure_sample(sample); });
  psi_->start();

  auto unix_api = UnixApiServer::listen(config_.unix_socket, *this);
  if (!unix_api.ok()) return fail("appd socket " + config_.unix_socket + ": " + unix_api.error().message);
  unix_api_ = std::move(unix_api).value();

  auto ws = WebSocketApiServer::listen({.port = config_.ws_port, .system_token = system_token_}, *this, *this);
  if (!ws.ok()) return fail("WebSocket API on 127.0.0.1:" + std::to_string(config_.ws_port) + ": " + ws.error().message);
  websocket_api_ = std::move(ws).value();

  // Rendezvous files exist before readiness (§1.2, §3.2); the token file is 0600.
  WEFT_TRY_VOID(write_file_atomic(wsport_file_, std::to_string(websocket_api_->port()), 0600));
  WEFT_TRY_VOID(write_file_atomic(systoken_file_, system_token_, 0600));
  if (config_.app_shell_pool > 0) log::info("app-shell pool: keeping ", config_.app_shell_pool, " pre-started app shell(s)");
  pool_->begin_after(config_.pool_start_delay_ms);
  log::info("serving on ", config_.unix_socket, " and ws://127.0.0.1:", websocket_api_->port(), "/");
  sd_notify(0, "READY=1");
  return ok();
}

// ---------------------------------------------------------------- requests

void Supervisor::handle_request(const std::shared_ptr<ApiClient>& client, msg::Message request) {
  std::visit(
      [&](auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, msg::LaunchApp>) {
          client->send(launch(r.app_id, client.get()));
        } else if constexpr (std::is_same_v<T, msg::TerminateApp>) {
          Session* s = sessions_.count(r.session_id) ? sessions_[r.session_id].get() : nullptr;
          bool remembered = std::find(stopped_.begin(), stopped_.end(), r.session_id) != stopped_.end();
          if (!s && !remembered) return client->send(msg::ErrorReply{code::kNotFound, says::session_not_found(r.session_id)});
          if (!s || !s->live()) return client->send(msg::AppState{r.session_id, "stopped"});
          // The requester gets `stopping` as its reply, not also as a broadcast.
          replying_to_ = client.get();
          s->stop(r.force ? "terminated (forced)" : "terminated", !r.force);
          replying_to_ = nullptr;
          if (s->live()) client->send(msg::AppState{r.session_id, "stopping"});
          else client->send(msg::AppState{r.session_id, "stopped"});
        } else if constexpr (std::is_same_v<T, msg::ActivateApp>) {
          activate(client, r.session_id);
        } else if constexpr (std::is_same_v<T, msg::QueryAppState>) {
          if (auto it = sessions_.find(r.session_id); it != sessions_.end())
            return client->send(msg::AppState{r.session_id, state_name(it->second->state())});
          bool remembered = std::find(stopped_.begin(), stopped_.end(), r.session_id) != stopped_.end();
          client->send(msg::AppState{r.session_id, remembered ? "stopped" : "not_found"});
        } else if constexpr (std::is_same_v<T, msg::QueryRunning>) {
          msg::RunningApps running;
          for (auto& [id, s] : sessions_)
            if (s->live()) running.sessions.push_back({id, s->app_id()});
          client->send(running);
        } else if constexpr (std::is_same_v<T, msg::QueryInstalledApps>) {
          msg::InstalledApps installed;
          for (const auto& app : store::list_installed())
            installed.apps.push_back({app.app_id, app.image ? app.app_id : app.name, app.image ? "" : app.version});
          client->send(installed);
        } else if constexpr (std::is_same_v<T, msg::IpcForward>) {
          if (!client->may_forward_ipc())
            return client->send(msg::ErrorReply{code::kRefused, std::string(says::kAppMessagesNotForSystemRole)});
          Session* s = find_live(r.session_id);
          if (!s || s->state() != SessionState::running)
            return client->send(msg::ErrorReply{code::kNotFound, says::session_not_running(r.session_id)});
          if (auto valid = msg::validate_payload(r.payload); !valid.ok())
            return client->send(msg::ErrorReply{400, "invalid payload: " + valid.error().message});
          if (auto queued = s->forward_to_component(r.payload); !queued.ok()) return client->send(error_reply(queued.error()));
          client->send(msg::AppState{r.session_id, "running"});
        } else if constexpr (std::is_same_v<T, msg::DevLaunchApp> || std::is_same_v<T, msg::DevReloadUi> ||
                             std::is_same_v<T, msg::DevIpcExchange>) {
          handle_dev_request(client, request);
        } else if constexpr (std::is_same_v<T, msg::PanelGesture>) {
          msg::NavigationGesture gesture{r.gesture_type, r.fingers, r.dx, r.dy};
          broadcast(gesture, client.get());
          client->send(gesture);
        } else {
          client->send(msg::ErrorReply{code::kBadRequest,
                                         says::bad_request(std::string(msg::type_name(request)) + " is not a request")});
        }
      },
      request);
}

void Supervisor::handle_dev_request(const std::shared_ptr<ApiClient>& client, const msg::Message& request) {
  // Same-uid Unix clients only, as IPC_FORWARD (§3.1): never the WebSocket roles.
  if (!client->may_forward_ipc())
    return client->send(msg::ErrorReply{code::kRefused, std::string(msg::type_name(request)) +
                                                            " is a development request, only on the Unix socket"});
  if (auto* r = std::get_if<msg::DevLaunchApp>(&request)) return client->send(launch(r->app_id, client.get(), r->inspect_port));
  if (auto* r = std::get_if<msg::DevReloadUi>(&request)) {
    Session* s = find_live(r->session_id);
    if (!s) return client->send(msg::ErrorReply{code::kNotFound, says::session_not_running(r->session_id)});
    if (auto reloaded = s->reload(r->restart_runtime); !reloaded.ok()) return client->send(error_reply(reloaded.error()));
    return client->send(msg::AppState{r->session_id, "running"});
  }
  const auto& r = std::get<msg::DevIpcExchange>(request);
  Session* s = find_live(r.session_id);
  if (!s || s->state() != SessionState::running)
    return client->send(msg::ErrorReply{code::kNotFound, says::session_not_running(r.session_id)});
  if (!s->development_launch())
    return client->send(msg::ErrorReply{code::kRefused, "session " + std::to_string(r.session_id) +
                                                            " is not a development launch (weft-dev run)"});
  if (auto valid = msg::validate_payload(r.payload); !valid.ok())
    return client->send(msg::ErrorReply{400, "invalid payload: " + valid.error().message});
  auto exchange = std::make_unique<IpcExchange>();
  exchange->client = client;
  exchange->session_id = r.session_id;
  exchange->replies.session_id = r.session_id;
  IpcExchange* raw = exchange.get();
  ipc_exchanges_.push_back(std::move(exchange));
  if (auto queued = s->forward_to_component(r.payload); !queued.ok()) {
    ipc_exchanges_.pop_back();
    return client->send(error_reply(queued.error()));
  }
  struct TimerContext {
    Supervisor* self;
    IpcExchange* exchange;
  };
  uint32_t wait = std::min(r.wait_ms ? r.wait_ms : kDefaultIpcExchangeWaitMs, kMaxIpcExchangeWaitMs);
  raw->timer.reset(g_timeout_add_full(G_PRIORITY_DEFAULT, wait, [](gpointer data) -> gboolean {
    auto* c = static_cast<TimerContext*>(data);
    auto& list = c->self->ipc_exchanges_;
    auto it = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.get() == c->exchange; });
    if (it != list.end()) {
      (*it)->timer.release();
      if (auto requester = (*it)->client.lock()) requester->send((*it)->replies);
      list.erase(it);
    }
    return G_SOURCE_REMOVE;
  }, new TimerContext{this, raw}, [](gpointer data) { delete static_cast<TimerContext*>(data); }));
}

void Supervisor::component_line(Session& session, std::string_view line) {
  for (auto& exchange : ipc_exchanges_)
    if (exchange->session_id == session.id() && exchange->replies.replies.size() < kMaxIpcExchangeReplies)
      exchange->replies.replies.push_back({std::string(line)});
}

msg::Message Supervisor::launch(const std::string& app_id, const ApiClient* requester, uint32_t inspect_port) {
  // Step 1.
  if (auto valid = check_app_id(app_id); !valid.ok()) return error_reply(valid.error());
  if (shutting_down_) return msg::ErrorReply{503, "appd is shutting down"};
  if (!compositor_connected()) return msg::ErrorReply{503, "compositor not connected"};
  if (live_sessions() >= kMaxLiveSessions)
    return msg::ErrorReply{503, "too many sessions: " + std::to_string(kMaxLiveSessions) + " are live"};
  // Steps 2–6.
  auto plan = prepare_launch(app_id, config_);
  if (!plan.ok()) {
    log::info("launch of ", app_id, " refused: ", plan.error().message);
    return error_reply(plan.error());
  }
  if (auto allowed = allow_inspector(*plan, inspect_port); !allowed.ok()) {
    log::info("launch of ", app_id, " refused: ", allowed.error().message);
    return error_reply(allowed.error());
  }
  if (plan->inspect_port) log::info(app_id, ": remote inspector requested on 127.0.0.1:", plan->inspect_port);
  // Step 7.
  uint64_t id = next_session_id_++;
  auto [it, inserted] = sessions_.emplace(id, std::make_unique<Session>(*this, id, std::move(plan).value()));
  msg::LaunchAck ack{id, app_id};
  broadcast(ack, requester);
  log::info("launching ", app_id, " as session ", id);
  // Steps 8–13 run after the reply is queued, so LAUNCH_ACK always precedes the session's state broadcasts.
  Session* session = it->second.get();
  g_idle_add([](gpointer data) -> gboolean {
    auto* ctx = static_cast<std::pair<Supervisor*, uint64_t>*>(data);
    auto& sessions = ctx->first->sessions_;
    if (auto found = sessions.find(ctx->second); found != sessions.end() && found->second->state() == SessionState::starting)
      found->second->start();
    delete ctx;
    return G_SOURCE_REMOVE;
  }, new std::pair<Supervisor*, uint64_t>(this, session->id()));
  return ack;
}

void Supervisor::activate(const std::shared_ptr<ApiClient>& client, uint64_t session_id) {
  Session* s = find_live(session_id);
  if (!s || s->state() != SessionState::running)
    return client->send(msg::ErrorReply{code::kNotFound, says::session_not_running(session_id)});
  if (!compositor_connected()) return client->send(msg::ErrorReply{503, "compositor not connected"});
  if (auto sent = link_->send(link::AppFocusRequest{session_id}); !sent.ok())
    return client->send(msg::ErrorReply{503, "compositor not connected"});
  PendingActivation pending{client, std::make_unique<glib::SourceId>()};
  struct TimerContext {
    Supervisor* self;
    uint64_t id;
  };
  auto* ctx = new TimerContext{this, session_id};
  pending.timer->reset(g_timeout_add_full(G_PRIORITY_DEFAULT, kActivateTimeoutMs, [](gpointer data) -> gboolean {
    auto* c = static_cast<TimerContext*>(data);
    // Only the oldest activation of this session times out here; its SourceId must not remove the running source.
    auto& list = c->self->activations_[c->id];
    if (!list.empty()) list.front().timer->release();
    c->self->finish_activation(c->id, false);
    return G_SOURCE_REMOVE;
  }, ctx, [](gpointer data) { delete static_cast<TimerContext*>(data); }));
  activations_[session_id].push_back(std::move(pending));
}

void Supervisor::finish_activation(uint64_t session_id, bool ok) {
  auto it = activations_.find(session_id);
  if (it == activations_.end() || it->second.empty()) return;
  PendingActivation pending = std::move(it->second.front());
  it->second.erase(it->second.begin());
  if (it->second.empty()) activations_.erase(it);
  pending.timer.reset();
  auto client = pending.client.lock();
  if (!client) return;
  if (ok) client->send(msg::AppState{session_id, "running"});
  else client->send(msg::ErrorReply{code::kNotFound, says::session_has_no_window(session_id)});
}

// ---------------------------------------------------------------- app role

Result<void> Supervisor::attach_app_bridge(uint64_t session_id, std::string_view token,
                                           const std::shared_ptr<AppBridgePeer>& peer) {
  Session* s = find_live(session_id);
  if (!s) return fail(std::string(says::kAuthenticationRequired), code::kUnauthenticated);
  return s->attach_app_bridge(token, peer);
}

void Supervisor::app_message_from_page(uint64_t session_id, std::string payload) {
  Session* s = find_live(session_id);
  if (!s) return;
  if (auto queued = s->forward_to_component(payload); !queued.ok())
    log::warn("session ", session_id, ": page payload dropped: ", queued.error().message);
}

void Supervisor::detach_app_bridge(uint64_t session_id, const AppBridgePeer* peer) {
  if (auto it = sessions_.find(session_id); it != sessions_.end()) it->second->detach_app_bridge(peer);
}

// ---------------------------------------------------------------- sessions

bool Supervisor::compositor_connected() const { return link_ && link_->connected(); }

Result<void> Supervisor::send_to_compositor(const link::Message& message, UniqueFd fd) {
  if (!link_) return fail("compositor not connected", 503);
  return link_->send(message, std::move(fd));
}

std::unique_ptr<PooledShell> Supervisor::take_pooled_shell() { return pool_->take(); }

void Supervisor::session_state_changed(Session& session) {
  broadcast(msg::AppState{session.id(), state_name(session.state())},
            session.state() == SessionState::stopping ? replying_to_ : nullptr);
  // A launch settled (running, or failed): the pool refills once no other launch is in flight (and, after the first
  // launch, without waiting for its start delay: the desktop is up).
  if (session.state() != SessionState::starting) pool_->begin_after(0);
  if (session.state() != SessionState::stopped) return;
  stopped_.push_back(session.id());
  while (stopped_.size() > kRememberedStoppedSessions) stopped_.pop_front();
  // Answer activations still waiting for this session.
  while (activations_.count(session.id())) finish_activation(session.id(), false);
  // The session object may be inside its own callback: forget it from an idle.
  if (!reap_idle_)
    reap_idle_.reset(g_idle_add([](gpointer self) -> gboolean {
      auto* s = static_cast<Supervisor*>(self);
      s->reap_idle_.release();
      s->forget_stopped_sessions();
      return G_SOURCE_REMOVE;
    }, this));
}

void Supervisor::forget_stopped_sessions() {
  for (auto it = sessions_.begin(); it != sessions_.end();)
    it = it->second->live() ? std::next(it) : sessions_.erase(it);
  check_shutdown_complete();
}

void Supervisor::session_ready(Session& session) {
  log::info("session ", session.id(), " (", session.app_id(), ") is running");
  broadcast(msg::AppReady{session.id(), session.app_id()});
}

void Supervisor::launch_failed(Session& session, const std::string& why) {
  broadcast(msg::ErrorReply{500, session.app_id() + ": " + why});
}

Session* Supervisor::find_live(uint64_t session_id) {
  auto it = sessions_.find(session_id);
  return it != sessions_.end() && it->second->live() ? it->second.get() : nullptr;
}

size_t Supervisor::live_sessions() const {
  size_t n = 0;
  for (const auto& [id, s] : sessions_) n += s->live() ? 1 : 0;
  return n;
}

void Supervisor::broadcast(const msg::Message& message, const ApiClient* except) {
  if (websocket_api_) websocket_api_->broadcast(message, except);
}

// ---------------------------------------------------------------- compositor link

void Supervisor::on_link_connected() {
  log::info("compositor link connected");
  if (restore_pending_) {
    restore_pending_ = false;
    restore_last_session();
  }
}

void Supervisor::on_link_message(const link::Message& message) {
  if (auto* ready = std::get_if<link::SurfaceReady>(&message)) {
    log::debug("session ", ready->session_id, ": first window presented");
  } else if (auto* focus = std::get_if<link::FocusResult>(&message)) {
    finish_activation(focus->session_id, focus->ok);
  } else if (auto* gone = std::get_if<link::ClientDisconnected>(&message)) {
    if (Session* s = find_live(gone->session_id)) s->on_client_disconnected();
  } else if (auto* focused = std::get_if<link::SessionFocused>(&message)) {
    on_session_focused(focused->session_id);
  } else {
    log::warn("compositor link: unexpected ", link::type_name(message), " ignored");
  }
}

// ---------------------------------------------------------------- memory pressure

void Supervisor::on_session_focused(uint64_t session_id) {
  Session* s = session_id ? find_live(session_id) : nullptr;
  if (!s) return log::debug("keyboard focus left every session");
  log::debug("session ", session_id, " (", s->app_id(), ") has keyboard focus");
  foreground_session_ = session_id;
  s->mark_focused(g_get_monotonic_time());
}

void Supervisor::on_pressure_sample(const PsiSample& sample) {
  const PressureThresholds thresholds{config_.pressure_release_some_avg10, config_.pressure_stop_full_avg10};
  const PressureLevel level = classify(sample, thresholds);
  if (level != std::exchange(pressure_level_, level))
    log::info("memory pressure level ", pressure_level_name(level), " (some avg10=", sample.some.avg10,
              "% full avg10=", sample.full.avg10, "%)");
  if (level == PressureLevel::none || shutting_down_) return;
  if (foreground_session_ && !find_live(foreground_session_)) foreground_session_ = 0;
  // Without focus reports (a compositor that sends no session_focused, or none since appd started) the most recently
  // launched or focused session stands in for the foreground one: it is the likeliest to be on screen.
  uint64_t foreground = foreground_session_;
  if (!foreground) {
    int64_t latest = INT64_MIN;
    for (auto& [id, s] : sessions_)
      if (s->live() && s->last_focused_us() >= latest) {
        latest = s->last_focused_us();
        foreground = id;
      }
  }
  // Level 1: every running background app drops what it can, once per background period.
  for (auto& [id, s] : sessions_)
    if (id != foreground && s->release_memory())
      log::info("memory pressure: asked session ", id, " (", s->app_id(), ") to release memory");
  if (level != PressureLevel::stop) return;
  // Level 2: close the least recently focused background app, one at a time and at most one per interval (PSI
  // averages lag: the effect of one close shows in avg10 only after a few seconds).
  if (pressure_stopping_session_ && find_live(pressure_stopping_session_)) return;
  pressure_stopping_session_ = 0;
  const int64_t now = g_get_monotonic_time();
  if (now < next_pressure_stop_us_) return;
  std::vector<PressureCandidate> candidates;
  for (auto& [id, s] : sessions_)
    candidates.push_back({id, s->last_focused_us(), s->state() == SessionState::running});
  auto victim = choose_pressure_victim(candidates, foreground);
  if (!victim) return log::debug("memory pressure: no background app left to close");
  Session& session = *sessions_.at(*victim);
  log::info("memory pressure: closing session ", *victim, " (", session.app_id(),
            "), the least recently focused background app");
  pressure_stopping_session_ = *victim;
  next_pressure_stop_us_ = now + int64_t{config_.pressure_stop_interval_ms} * 1000;
  broadcast(msg::AppClosed{*victim, session.app_id(), "memory pressure"});
  session.stop("memory pressure", /*graceful=*/true);
}

// ---------------------------------------------------------------- save, restore, shutdown

void Supervisor::save_last_session() {
  auto path = paths::last_session_file();
  if (!path.ok()) return;
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& [id, s] : sessions_)
    if ((s->state() == SessionState::starting || s->state() == SessionState::running) && ids.size() < kMaxLiveSessions)
      ids.push_back(s->app_id());
  if (auto written = write_file_atomic(*path, ids.dump(), 0600); !written.ok())
    log::warn("cannot save ", *path, ": ", written.error().message);
}

void Supervisor::restore_last_session() {
  auto path = paths::last_session_file();
  if (!path.ok()) return;
  auto text = read_file(*path, kMaxLastSessionBytes);
  if (!text.ok()) return;  // nothing saved
  ::unlink(path->c_str());
  nlohmann::json ids = nlohmann::json::parse(*text, nullptr, false);
  if (!ids.is_array() || !std::all_of(ids.begin(), ids.end(), [](const auto& v) { return v.is_string(); })) {
    log::warn(*path, " is not a JSON array of app ids; deleted");
    return;
  }
  for (const auto& id : ids) {
    auto reply = launch(id.get<std::string>(), nullptr);
    if (auto* error = std::get_if<msg::ErrorReply>(&reply))
      log::warn("restoring ", id.get<std::string>(), " failed: ", error->message);
    else
      log::info("restoring ", id.get<std::string>());
  }
}

void Supervisor::remove_rendezvous_files() {
  unix_api_.reset();  // removes appd.sock
  if (!wsport_file_.empty()) ::unlink(wsport_file_.c_str());
  if (!systoken_file_.empty()) ::unlink(systoken_file_.c_str());
}

void Supervisor::shutdown(std::function<void()> done) {
  if (shutting_down_) return;
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  save_last_session();
  sd_notify(0, "STOPPING=1");
  log::info("shutting down: stopping ", live_sessions(), " sessions");
  pool_->stop();
  for (auto& [id, s] : sessions_) s->stop("appd shutting down", true);
  shutdown_timer_.reset(g_timeout_add(kShutdownBudgetMs, [](gpointer self) -> gboolean {
    auto* s = static_cast<Supervisor*>(self);
    s->shutdown_timer_.release();
    log::warn("sessions still stopping after the shutdown budget; forcing");
    for (auto& [id, session] : s->sessions_) session->stop("appd shutting down", false);
    return G_SOURCE_REMOVE;
  }, this));
  check_shutdown_complete();
}

void Supervisor::check_shutdown_complete() {
  if (!shutting_down_ || live_sessions() > 0 || !shutdown_done_) return;
  shutdown_timer_.reset();
  remove_rendezvous_files();
  if (auto done = std::exchange(shutdown_done_, nullptr)) done();
}

}  // namespace weft::appd
