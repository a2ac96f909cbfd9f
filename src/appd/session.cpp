#include "session.hpp"

#include <glib-unix.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "app_shell_pool.hpp"
#include "weft/core/ipc/app_shell_pool.hpp"
#include "weft/core/ipc/bridge.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"
#include "weft/core/ipc/errors.hpp"

namespace weft::appd {
namespace {

namespace link = ipc::compositor;

constexpr size_t kMaxLogLineBytes = 64 * 1024;  // bytes of one logged child output line
constexpr int kLogLinesPerSecond = 50;          // lines per child stream before suppression
constexpr size_t kBridgeQueueLines = 256;       // APP_MESSAGE lines waiting for the app shell
constexpr size_t kBridgeQueueBytes = 4u << 20;  // bytes

bool is_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

}  // namespace

const char* state_name(SessionState state) {
  switch (state) {
    case SessionState::starting: return "starting";
    case SessionState::running: return "running";
    case SessionState::stopping: return "stopping";
    case SessionState::stopped: return "stopped";
  }
  return "stopped";
}

// ---------------------------------------------------------------- ReadinessWatch

ReadinessWatch::ReadinessWatch(UniqueFd read_end, std::string token, int timeout_ms,
                               std::function<void(Result<void>)> on_result)
    : fd_(std::move(read_end)), expectation_(std::move(token)), on_result_(std::move(on_result)) {
  (void)set_nonblocking(fd_.get());
  read_source_.reset(g_unix_fd_add(fd_.get(), GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR), &on_readable, this));
  timer_.reset(g_timeout_add(static_cast<guint>(timeout_ms), [](gpointer self) -> gboolean {
    auto* watch = static_cast<ReadinessWatch*>(self);
    watch->timer_.release();
    watch->report(fail("not ready within " + std::to_string(watch->timeout_ms_ / 1000) + " s"));
    return G_SOURCE_REMOVE;
  }, this));
  timeout_ms_ = timeout_ms;
}

gboolean ReadinessWatch::on_readable(gint fd, GIOCondition, gpointer self) {
  auto* watch = static_cast<ReadinessWatch*>(self);
  char buffer[128];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return G_SOURCE_CONTINUE;
  if (n <= 0) {
    watch->read_source_.release();
    watch->report(fail("readiness pipe closed before READY"));
    return G_SOURCE_REMOVE;
  }
  switch (watch->expectation_.feed(std::string_view(buffer, static_cast<size_t>(n)))) {
    case ready::Expectation::State::pending: return G_SOURCE_CONTINUE;
    case ready::Expectation::State::ready:
      watch->read_source_.release();
      watch->report(ok());
      return G_SOURCE_REMOVE;
    case ready::Expectation::State::wrong:
      watch->read_source_.release();
      watch->report(fail("readiness pipe carried something other than READY <token>"));
      return G_SOURCE_REMOVE;
  }
  return G_SOURCE_REMOVE;
}

void ReadinessWatch::report(Result<void> result) {
  read_source_.reset();
  timer_.reset();
  fd_.reset();
  if (auto callback = std::exchange(on_result_, nullptr)) callback(std::move(result));
}

// ---------------------------------------------------------------- OutputDrain

OutputDrain::OutputDrain(UniqueFd fd, std::string label) : fd_(std::move(fd)), label_(std::move(label)) {
  (void)set_nonblocking(fd_.get());
  source_.reset(g_unix_fd_add(fd_.get(), GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR), &on_readable, this));
}

gboolean OutputDrain::on_readable(gint fd, GIOCondition, gpointer self) {
  auto* drain = static_cast<OutputDrain*>(self);
  char buffer[16384];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return G_SOURCE_CONTINUE;
  if (n <= 0) {
    if (!drain->partial_.empty()) drain->emit(drain->partial_);
    drain->partial_.clear();
    drain->source_.release();
    drain->fd_.reset();
    return G_SOURCE_REMOVE;
  }
  std::string_view bytes(buffer, static_cast<size_t>(n));
  while (!bytes.empty()) {
    size_t newline = bytes.find('\n');
    std::string_view chunk = bytes.substr(0, newline);
    // A line longer than the cap is cut: the head is logged, the rest of that line is skipped.
    if (drain->partial_.size() < kMaxLogLineBytes)
      drain->partial_.append(chunk.substr(0, kMaxLogLineBytes - drain->partial_.size()));
    if (newline == std::string_view::npos) break;
    drain->emit(drain->partial_);
    drain->partial_.clear();
    bytes.remove_prefix(newline + 1);
  }
  return G_SOURCE_CONTINUE;
}

void OutputDrain::emit(std::string_view line) {
  auto now = std::chrono::steady_clock::now();
  if (now - window_start_ >= std::chrono::seconds(1)) {
    if (suppressed_ > 0) log::warn(label_, ": ", suppressed_, " lines suppressed (rate limit)");
    window_start_ = now;
    lines_in_window_ = 0;
    suppressed_ = 0;
  }
  if (++lines_in_window_ > kLogLinesPerSecond) {
    ++suppressed_;
    return;
  }
  log::info(label_, ": ", line);
}

// ---------------------------------------------------------------- Session

Session::Session(SessionHost& host, uint64_t id, LaunchPlan plan) : host_(host), id_(id), plan_(std::move(plan)) {}

Session::~Session() {
  // Normally finish_stop() ran; this is the backstop for appd's own teardown.
  stop_timer_.reset();
  runtime_ready_.reset();
  shell_ready_.reset();
  runtime_.reset();  // SupervisedChild kills and reaps what still runs
  app_shell_.reset();
  portal_.reset();
  if (!relay_path_.empty()) ::unlink(relay_path_.c_str());
  if (!portal_path_.empty()) ::unlink(portal_path_.c_str());
}

std::vector<std::string> Session::base_environment() const { return child_base_environment(host_.config()); }

void Session::start() {
  const AppdConfig& c = host_.config();
  // The bridge exists from the start so component lines sent before the app shell runs are queued, not lost.
  auto bridge = unix_socket_pair();
  if (!bridge.ok()) return stop("bridge socketpair: " + bridge.error().message, false);
  bridge_child_end_ = std::move(bridge->second);
  bridge_ = std::make_unique<LineChannel>(
      std::move(bridge->first), LineChannel::Limits{ipc::kMaxBridgeLineBytes, kBridgeQueueLines, kBridgeQueueBytes},
      [this](std::string line) { on_bridge_line(std::move(line)); },
      [this](const std::string& reason) {
        log::info("session ", id_, ": bridge channel closed (", reason, ")");
        bridge_fd_attached_ = false;
      });

  // The file portal, when configured, serves the session's granted directories (§7.1).
  if (c.portal_bin) {
    auto portal_path = paths::portal_socket(id_);
    if (!portal_path.ok()) return stop(portal_path.error().message, false);
    portal_path_ = *portal_path;
    SpawnOptions portal;
    portal.argv = {*c.portal_bin, portal_path_};
    for (const Preopen& p : plan_.preopens) {
      portal.argv.push_back(p.writable ? "--allow" : "--allow-read");
      portal.argv.push_back(p.host);
    }
    portal.env = base_environment();
    portal.null_stdio = true;
    auto spawned = host_.resource_groups().spawn(id_, ChildRole::portal, std::move(portal));
    if (!spawned.ok()) return stop("file portal: " + spawned.error().message, false);
    portal_ = std::make_unique<SupervisedChild>(ChildRole::portal, std::move(spawned).value(),
                                                [this](const ExitStatus& s) { on_child_exit(ChildRole::portal, s); });
  }

  start_runtime();
}

void Session::start_runtime() {
  const AppdConfig& c = host_.config();
  // Step 8: the relay socket exists before the runtime starts; only the runtime's pid may connect.
  auto relay_path = paths::ipc_socket(id_);
  if (!relay_path.ok()) return stop(relay_path.error().message, false);
  relay_path_ = *relay_path;
  auto listener = listen_unix(relay_path_, 0600, 1);
  if (!listener.ok()) return stop("relay socket: " + listener.error().message, false);
  relay_listener_ = std::move(listener).value();
  (void)set_nonblocking(relay_listener_.get());
  relay_accept_.reset(g_unix_fd_add(relay_listener_.get(), G_IO_IN, [](gint, GIOCondition, gpointer self) -> gboolean {
    static_cast<Session*>(self)->on_relay_connectable();
    return G_SOURCE_CONTINUE;
  }, this));

  // Step 9: the runtime, with exactly the arguments and environment of §3.4.
  auto ready_pipe = make_pipe();
  auto out_pipe = make_pipe();
  auto err_pipe = make_pipe();
  if (!ready_pipe.ok() || !out_pipe.ok() || !err_pipe.ok()) return stop("pipes for the runtime: out of descriptors", false);
  SpawnOptions runtime;
  runtime.argv = {c.runtime_bin, plan_.app_id, std::to_string(id_), "--module",
                  plan_.package_root + "/" + plan_.manifest.module, "--ipc-socket", relay_path_};
  for (const Preopen& p : plan_.preopens) {
    runtime.argv.push_back("--preopen");
    runtime.argv.push_back(p.argument());
  }
  for (const std::string& grant : plan_.grants) {
    runtime.argv.push_back("--grant");
    runtime.argv.push_back(grant);
  }
  runtime.env = base_environment();
  runtime.env.push_back("WEFT_READY_TOKEN=" + runtime_token_);
  runtime.env.push_back("WEFT_READY_FD=3");
  if (!portal_path_.empty()) runtime.env.push_back("WEFT_FILE_PORTAL_SOCKET=" + portal_path_);
  if (plan_.clipboard && c.wayland_display) runtime.env.push_back("WAYLAND_DISPLAY=" + *c.wayland_display);
  if (plan_.notifications && c.dbus_session_address)
    runtime.env.push_back("DBUS_SESSION_BUS_ADDRESS=" + *c.dbus_session_address);
  runtime.fd_map = {{out_pipe->second.get(), 1}, {err_pipe->second.get(), 2}, {ready_pipe->second.get(), 3}};
  runtime.null_stdio = true;  // stdin is /dev/null
  auto spawned = host_.resource_groups().spawn(id_, ChildRole::runtime, std::move(runtime));
  if (!spawned.ok()) return stop("cannot start weft-runtime: " + spawned.error().message, false);
  runtime_ = std::make_unique<SupervisedChild>(ChildRole::runtime, std::move(spawned).value(),
                                               [this](const ExitStatus& s) { on_child_exit(ChildRole::runtime, s); });
  ready_pipe->second.reset();
  out_pipe->second.reset();
  err_pipe->second.reset();
  std::string label = plan_.app_id + "[" + std::to_string(id_) + "]";
  drains_.push_back(std::make_unique<OutputDrain>(std::move(out_pipe->first), label + " stdout"));
  drains_.push_back(std::make_unique<OutputDrain>(std::move(err_pipe->first), label + " stderr"));
  // Step 10: readiness only from the dedicated pipe, never from stdout.
  runtime_ready_ = std::make_unique<ReadinessWatch>(std::move(ready_pipe->first), runtime_token_, c.ready_timeout_ms,
                                                    [this](Result<void> r) { on_runtime_ready(std::move(r)); });
  log::info("session ", id_, ": started weft-runtime for ", plan_.app_id, " (pid ", runtime_->pid(), ")");
}

void Session::on_relay_connectable() {
  UniqueFd conn(::accept4(relay_listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!conn) return;
  auto creds = peer_credentials(conn.get());
  if (!creds.ok() || !runtime_ || creds->pid != runtime_->pid()) {
    log::warn("session ", id_, ": relay connection from pid ", creds.ok() ? creds->pid : -1,
              " is not the session's runtime; refused");
    return;
  }
  // One connection only: stop listening and remove the path so nobody else can reach it.
  relay_accept_.reset();
  relay_listener_.reset();
  ::unlink(relay_path_.c_str());
  relay_path_.clear();
  relay_ = std::make_unique<LineChannel>(
      std::move(conn), LineChannel::Limits{ipc::kMaxPayloadBytes, kRelayQueueLines, kRelayQueueLines * (ipc::kMaxPayloadBytes + 1)},
      [this](std::string line) { on_component_line(std::move(line)); },
      [this](const std::string& reason) { stop("relay closed: " + reason, true); });
}

void Session::on_component_line(std::string line) {
  if (!is_utf8(line)) {
    relay_->close();
    return stop("relay closed: the component sent a line that is not UTF-8", true);
  }
  host_.component_line(*this, line);
  if (auto peer = app_peer_.lock()) return peer->deliver(line);
  auto encoded = ipc::encode_app_message_line(line);
  if (!encoded.ok()) return;  // cannot happen: the relay bounds lines to the payload limit
  if (!bridge_ || !bridge_->open()) {
    log::debug("session ", id_, ": component line dropped (no bridge)");
    return;
  }
  std::string_view text(*encoded);
  text.remove_suffix(1);  // LineChannel adds the newline
  if (!bridge_->write_line(text)) log::warn("session ", id_, ": bridge queue full; a component line was dropped");
}

void Session::on_bridge_line(std::string line) {
  auto decoded = ipc::decode_bridge_line(line);
  if (!decoded.ok()) {
    log::warn("session ", id_, ": bridge: ", decoded.error().message);
    return;
  }
  switch (decoded->kind) {
    case ipc::BridgeLine::Kind::renderer_crashed:
      log::warn("session ", id_, ": the app's web renderer crashed");
      return;
    case ipc::BridgeLine::Kind::dev_reload:  // appd → app shell only
    case ipc::BridgeLine::Kind::release_memory:
    case ipc::BridgeLine::Kind::other:
      log::debug("session ", id_, ": bridge: ignored message type ", decoded->type);
      return;
    case ipc::BridgeLine::Kind::app_message: break;
  }
  if (auto valid = ipc::validate_payload(decoded->payload); !valid.ok()) {
    log::warn("session ", id_, ": page payload dropped: ", valid.error().message);
    return;
  }
  if (auto queued = forward_to_component(decoded->payload); !queued.ok())
    log::warn("session ", id_, ": page payload dropped: ", queued.error().message);
}

Result<void> Session::forward_to_component(std::string_view payload) {
  if (!relay_ || !relay_->open()) return fail("session " + std::to_string(id_) + " has no relay connection", 503);
  if (!relay_->write_line(payload)) return fail("relay queue of session " + std::to_string(id_) + " is full", 503);
  return ok();
}

Result<void> Session::attach_app_bridge(std::string_view token, const std::shared_ptr<AppBridgePeer>& peer) {
  if (state_ == SessionState::stopping || state_ == SessionState::stopped || !tokens_equal(token, bridge_token_))
    return fail(std::string(ipc::error_message::kAuthenticationRequired), ipc::error_code::kUnauthenticated);
  if (bridge_fd_attached_ || app_peer_.lock())
    return fail(std::string(ipc::error_message::kBridgeAlreadyConnected), ipc::error_code::kConflict);
  app_peer_ = peer;
  return ok();
}

void Session::detach_app_bridge(const AppBridgePeer* peer) {
  if (app_peer_.lock().get() == peer) app_peer_.reset();
}

Result<void> Session::reload(bool restart_runtime) {
  if (!plan_.development_launch())
    return fail("session " + std::to_string(id_) + " is not a development launch", ipc::error_code::kRefused);
  if (state_ != SessionState::running || !bridge_ || !bridge_->open() || restarting_runtime_)
    return fail(std::string(ipc::error_message::session_not_running(id_)), ipc::error_code::kNotFound);
  // The app's currently installed revision in the same development store, checked as a launch checks it.
  LaunchPlan next;
  next.app_id = plan_.app_id;
  auto active = store::find_active(plan_.pin->package().root, plan_.app_id);
  if (!active.ok()) return fail(active.error().message, ipc::error_code::kRefused);
  if (!*active) return fail("package " + plan_.app_id + " is not installed", ipc::error_code::kNotFound);
  auto pin = store::pin_package(**active);
  if (!pin.ok()) return fail(pin.error().message, pin.error().code ? pin.error().code : 503);
  next.package_root = pin->package().path;
  next.pin.emplace(std::move(pin).value());
  WEFT_TRY_VOID(validate(next));
  WEFT_TRY_VOID(verify_trust(next));
  if (!next.development_launch())
    return fail(plan_.app_id + " is no longer a development package", ipc::error_code::kRefused);
  if (next.manifest.ui_entry != plan_.manifest.ui_entry || next.manifest.capabilities != plan_.manifest.capabilities)
    return fail("ui.entry or capabilities changed: restart the app", ipc::error_code::kRefused);
  plan_.pin = std::move(next.pin);  // the former revision is released; a running runtime keeps its loaded module
  plan_.package_root = next.package_root;
  plan_.manifest = std::move(next.manifest);
  if (restart_runtime) {
    // Only the runtime: the relay and the runtime go (SIGKILL: a development restart), a new runtime starts from the
    // new revision; the app shell and its window stay, and the page reloads once the new runtime is ready.
    log::info("session ", id_, ": restarting weft-runtime from ", plan_.package_root);
    restarting_runtime_ = true;
    runtime_ready_.reset();
    relay_accept_.reset();
    relay_listener_.reset();
    if (!relay_path_.empty()) ::unlink(relay_path_.c_str());
    relay_path_.clear();
    if (relay_) relay_->close();
    relay_.reset();
    runtime_.reset();  // kills and reaps; no exit callback
    runtime_token_ = ready::random_token();
    start_runtime();
    return ok();
  }
  send_dev_reload();
  return ok();
}

bool Session::release_memory() {
  if (memory_released_ || state_ != SessionState::running || !bridge_ || !bridge_->open()) return false;
  std::string line = ipc::release_memory_line();
  line.pop_back();  // LineChannel adds the newline
  if (!bridge_->write_line(line)) return false;
  memory_released_ = true;
  return true;
}

void Session::send_dev_reload() {
  std::string line = ipc::dev_reload_line(plan_.package_root + "/" + plan_.manifest.ui_entry);
  line.pop_back();  // LineChannel adds the newline
  if (!bridge_ || !bridge_->write_line(line)) return log::warn("session ", id_, ": reload not sent (bridge closed or full)");
  log::info("session ", id_, ": reloading the page from ", plan_.package_root);
}

void Session::on_runtime_ready(Result<void> result) {
  runtime_ready_.reset();
  if (!result.ok()) return stop("runtime readiness: " + result.error().message, false);
  runtime_is_ready_ = true;
  if (std::exchange(restarting_runtime_, false)) {
    log::info("session ", id_, ": runtime restarted");
    return send_dev_reload();
  }
  log::info("session ", id_, ": runtime ready");
  start_app_shell();
}

void Session::start_app_shell() {
  const AppdConfig& c = host_.config();
  // Step 11: a session-bound Wayland connection, then the app shell with it as its only display.
  if (!host_.compositor_connected()) return stop("compositor not connected", false);
  auto wayland = unix_socket_pair();
  if (!wayland.ok()) return stop("wayland socketpair: " + wayland.error().message, false);
  auto bound = host_.send_to_compositor(link::BindSession{id_, plan_.app_id}, std::move(wayland->first));
  if (!bound.ok()) return stop("bind_session: " + bound.error().message, false);
  bound_ = true;

  auto shell_dir = paths::shell_dir(id_);
  if (!shell_dir.ok()) return stop(shell_dir.error().message, false);
  shell_dir_ = *shell_dir;
  // Development launches take options only a cold start has (--dev, --inspect): never a pre-started shell.
  if (!plan_.development_launch()) {
    if (auto pooled = host_.take_pooled_shell()) {
      if (hand_to_pooled_shell(*pooled, wayland->second.get())) return;
      log::warn("session ", id_, ": the pre-started app shell could not take the session; starting one cold");
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(shell_dir_ + "/cache", ec);
  std::filesystem::create_directories(shell_dir_ + "/data", ec);
  std::filesystem::permissions(shell_dir_, std::filesystem::perms::owner_all, ec);
  if (ec) return stop("cannot create " + shell_dir_ + ": " + ec.message(), false);

  auto ready_pipe = make_pipe();
  auto out_pipe = make_pipe();
  auto err_pipe = make_pipe();
  if (!ready_pipe.ok() || !out_pipe.ok() || !err_pipe.ok()) return stop("pipes for the app shell: out of descriptors", false);
  SpawnOptions shell;
  shell.argv = {c.app_shell_bin, plan_.app_id, std::to_string(id_), "--ui",
                plan_.package_root + "/" + plan_.manifest.ui_entry};
  // Development options reach only development launches (LaunchPlan::development_launch, allow_inspector).
  if (plan_.development_launch()) shell.argv.push_back("--dev");
  if (plan_.inspect_port && plan_.development_launch())
    shell.argv.insert(shell.argv.end(), {"--inspect", "127.0.0.1:" + std::to_string(plan_.inspect_port)});
  shell.env = base_environment();
  shell.env.insert(shell.env.end(), {"WAYLAND_SOCKET=3", "WEFT_BRIDGE_FD=4", "WEFT_READY_FD=5",
                                     "WEFT_READY_TOKEN=" + shell_token_, "WEFT_BRIDGE_TOKEN=" + bridge_token_,
                                     "XDG_CACHE_HOME=" + shell_dir_ + "/cache", "XDG_DATA_HOME=" + shell_dir_ + "/data"});
  if (c.ui_kit_js) shell.env.push_back("WEFT_UI_KIT_JS=" + *c.ui_kit_js);
  shell.fd_map = {{out_pipe->second.get(), 1}, {err_pipe->second.get(), 2}, {wayland->second.get(), 3},
                  {bridge_child_end_.get(), 4}, {ready_pipe->second.get(), 5}};
  shell.null_stdio = true;
  auto spawned = host_.resource_groups().spawn(id_, ChildRole::app_shell, std::move(shell));
  if (!spawned.ok()) return stop("cannot start weft-app-shell: " + spawned.error().message, false);
  app_shell_ = std::make_unique<SupervisedChild>(ChildRole::app_shell, std::move(spawned).value(),
                                                 [this](const ExitStatus& s) { on_child_exit(ChildRole::app_shell, s); });
  bridge_child_end_.reset();
  bridge_fd_attached_ = true;
  wayland->second.reset();
  ready_pipe->second.reset();
  out_pipe->second.reset();
  err_pipe->second.reset();
  std::string label = plan_.app_id + "[" + std::to_string(id_) + "] app-shell";
  drains_.push_back(std::make_unique<OutputDrain>(std::move(out_pipe->first), label + " stdout"));
  drains_.push_back(std::make_unique<OutputDrain>(std::move(err_pipe->first), label + " stderr"));
  (void)host_.send_to_compositor(link::AppSurfaceCreated{plan_.app_id, id_, static_cast<uint32_t>(app_shell_->pid())});
  // Step 12: the app shell is ready once its first frame of the loaded page was presented.
  shell_ready_ = std::make_unique<ReadinessWatch>(std::move(ready_pipe->first), shell_token_, c.ready_timeout_ms,
                                                  [this](Result<void> r) { on_app_shell_ready(std::move(r)); });
  log::info("session ", id_, ": started weft-app-shell (pid ", app_shell_->pid(), ")");
}

bool Session::hand_to_pooled_shell(PooledShell& shell, int wayland_fd) {
  const AppdConfig& c = host_.config();
  auto discard = [&](const std::string& why) {
    log::warn("session ", id_, ": pre-started app shell (pid ", shell.child->pid(), "): ", why);
    std::error_code ec;
    std::filesystem::remove(pool_dir_link_, ec);
    pool_dir_link_.clear();
    std::filesystem::remove_all(shell_dir_, ec);
    std::filesystem::remove_all(shell.dir, ec);
    shell.child.reset();  // SIGKILL to its group, reaped
    return false;
  };
  if (!shell.child || !shell.child->running()) return discard("no longer running");
  // The directory the shell was started with becomes the session's shell-<sid>/; the old name stays as a symlink
  // because the shell's environment (XDG_CACHE_HOME, XDG_DATA_HOME) names it. Both go at cleanup.
  if (::rename(shell.dir.c_str(), shell_dir_.c_str()) != 0) return discard(errno_error("rename to " + shell_dir_).message);
  pool_dir_link_ = shell.dir;
  if (::symlink(shell_dir_.substr(shell_dir_.rfind('/') + 1).c_str(), pool_dir_link_.c_str()) != 0)
    return discard(errno_error("symlink " + pool_dir_link_).message);
  auto ready_pipe = make_pipe();
  if (!ready_pipe.ok()) return discard("readiness pipe: " + ready_pipe.error().message);
  auto line = ipc::encode_pool_binding({.app_id = plan_.app_id,
                                        .session_id = id_,
                                        .entry = plan_.package_root + "/" + plan_.manifest.ui_entry,
                                        .ready_token = shell_token_,
                                        .cache_dir = shell_dir_ + "/cache"});
  if (!line.ok()) return discard(line.error().message);
  (void)set_nonblocking(shell.control.get(), false);  // a few hundred bytes into an empty socket buffer
  const int fds[ipc::kPoolBindingFdCount] = {wayland_fd, bridge_child_end_.get(), ready_pipe->second.get()};
  auto sent = send_with_fds(shell.control.get(), std::span(reinterpret_cast<const uint8_t*>(line->data()), line->size()), fds);
  if (!sent.ok()) return discard("binding not delivered: " + sent.error().message);
  shell.control.reset();  // one binding per shell, ever

  app_shell_ = std::move(shell.child);
  app_shell_->set_on_exit([this](const ExitStatus& s) { on_child_exit(ChildRole::app_shell, s); });
  bridge_child_end_.reset();
  bridge_fd_attached_ = true;
  ready_pipe->second.reset();
  std::string label = plan_.app_id + "[" + std::to_string(id_) + "] app-shell";
  if (shell.drains.size() == 2) {
    shell.drains[0]->relabel(label + " stdout");
    shell.drains[1]->relabel(label + " stderr");
  }
  for (auto& drain : shell.drains) drains_.push_back(std::move(drain));
  (void)host_.send_to_compositor(link::AppSurfaceCreated{plan_.app_id, id_, static_cast<uint32_t>(app_shell_->pid())});
  shell_ready_ = std::make_unique<ReadinessWatch>(std::move(ready_pipe->first), shell_token_, c.ready_timeout_ms,
                                                  [this](Result<void> r) { on_app_shell_ready(std::move(r)); });
  log::info("session ", id_, ": handed to the pre-started weft-app-shell (pid ", app_shell_->pid(), ", ",
            shell.warm ? "warm" : "still warming", ")");
  return true;
}

void Session::on_app_shell_ready(Result<void> result) {
  shell_ready_.reset();
  if (!result.ok()) return stop("app shell readiness: " + result.error().message, false);
  if (state_ != SessionState::starting) return;
  set_state(SessionState::running);
  host_.session_ready(*this);
}

void Session::on_child_exit(ChildRole role, const ExitStatus& status) {
  if (state_ == SessionState::stopping) return maybe_finish_stop();
  if (state_ == SessionState::stopped) return;
  stop(std::string(role == ChildRole::runtime ? "weft-runtime" : role == ChildRole::app_shell ? "weft-app-shell" : "weft-file-portal") +
           " " + status.describe(),
       true);
}

void Session::on_client_disconnected() {
  if (live()) stop("client_disconnected", true);
}

void Session::stop(const std::string& reason, bool graceful) {
  if (state_ == SessionState::stopped) return;
  if (state_ == SessionState::stopping) {
    if (!graceful && graceful_stop_) {  // a forced stop escalates a graceful one
      graceful_stop_ = false;
      terminate_children();
    }
    return;
  }
  const bool was_ready = state_ == SessionState::running;
  stop_reason_ = reason;
  graceful_stop_ = graceful;
  runtime_ready_.reset();
  shell_ready_.reset();
  set_state(SessionState::stopping);
  log::info("stopping session session_id=", id_, " reason=\"", reason, "\"");
  if (!was_ready) host_.launch_failed(*this, reason);
  if (graceful && app_shell_ && app_shell_->running() && bound_ && host_.compositor_connected()) {
    (void)host_.send_to_compositor(link::CloseSession{id_});
    stop_timer_.reset(g_timeout_add(static_cast<guint>(host_.config().graceful_stop_ms), [](gpointer self) -> gboolean {
      auto* session = static_cast<Session*>(self);
      session->stop_timer_.release();
      session->terminate_children();
      return G_SOURCE_REMOVE;
    }, this));
    return;
  }
  terminate_children();
}

bool Session::children_running() const {
  for (const auto* child : {runtime_.get(), app_shell_.get(), portal_.get()})
    if (child && child->running()) return true;
  return false;
}

void Session::terminate_children() {
  stop_timer_.reset();
  for (auto* child : {runtime_.get(), app_shell_.get(), portal_.get()})
    if (child && child->running()) child->signal_group(SIGTERM);
  if (!children_running()) return maybe_finish_stop();
  stop_timer_.reset(g_timeout_add(static_cast<guint>(host_.config().kill_grace_ms), [](gpointer self) -> gboolean {
    auto* session = static_cast<Session*>(self);
    session->stop_timer_.release();
    session->kill_children();
    return G_SOURCE_REMOVE;
  }, this));
}

void Session::kill_children() {
  for (auto* child : {runtime_.get(), app_shell_.get(), portal_.get()})
    if (child && child->running()) child->signal_group(SIGKILL);
  maybe_finish_stop();
}

void Session::maybe_finish_stop() {
  if (state_ != SessionState::stopping || stop_finished_) return;
  if (children_running()) {
    // A graceful stop whose app shell has exited moves on to signalling the rest at once.
    if (graceful_stop_ && stop_timer_ && !(app_shell_ && app_shell_->running())) {
      graceful_stop_ = false;
      terminate_children();
    }
    return;
  }
  stop_finished_ = true;
  // Defer: this may run inside a child's exit callback or a channel callback that must not be destroyed under itself.
  finish_idle_.reset(g_idle_add([](gpointer self) -> gboolean {
    auto* session = static_cast<Session*>(self);
    session->finish_idle_.release();
    session->finish_stop();
    return G_SOURCE_REMOVE;
  }, this));
}

void Session::finish_stop() {
  stop_timer_.reset();
  drains_.clear();
  if (relay_) relay_->close();
  if (bridge_) bridge_->close();
  relay_accept_.reset();
  relay_listener_.reset();
  bridge_child_end_.reset();
  if (!relay_path_.empty()) ::unlink(relay_path_.c_str());
  relay_path_.clear();
  if (!portal_path_.empty()) ::unlink(portal_path_.c_str());
  portal_path_.clear();
  if (bound_ && host_.compositor_connected()) (void)host_.send_to_compositor(link::AppSurfaceDestroyed{id_});
  plan_.image.reset();  // unmounts through the mount helper and removes the mount point
  plan_.pin.reset();    // releases the revision
  if (!pool_dir_link_.empty()) {
    std::error_code ec;
    std::filesystem::remove(pool_dir_link_, ec);
  }
  if (!shell_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(shell_dir_, ec);
    if (ec) log::warn("session ", id_, ": cannot remove ", shell_dir_, ": ", ec.message());
  }
  if (auto peer = app_peer_.lock()) peer->close();
  app_peer_.reset();
  set_state(SessionState::stopped);
}

void Session::set_state(SessionState state) {
  state_ = state;
  host_.session_state_changed(*this);
}

}  // namespace weft::appd
