#include "appd_harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <thread>

#include "weft/core/log.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/main_loop.hpp"
#include "weft/test/process_tree.hpp"

namespace weft::appd::test {
namespace {

constexpr int kAppdStartTimeoutMs = 20000;
constexpr std::array<const char*, 3> kRendezvous = {"appd.wsport", "appd.sock", "appd.systoken"};

using weft::test::pump_for;
using weft::test::pump_until;

}  // namespace

// ---------------------------------------------------------------- UnixClient

Result<UnixClient> UnixClient::connect(const std::string& path) {
  UnixClient client;
  WEFT_TRY(client.fd_, connect_unix(path));
  return client;
}

Result<void> UnixClient::send_raw(std::span<const uint8_t> bytes) { return write_all(fd_.get(), bytes); }

Result<msg::Message> UnixClient::request(const msg::Message& message, int timeout_ms) {
  WEFT_TRY(auto frame, ipc::encode_frame(msg::to_msgpack_map(message)));
  WEFT_TRY_VOID(send_raw(frame));
  return receive(timeout_ms);
}

Result<msg::Message> UnixClient::receive(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    WEFT_TRY(auto body, decoder_.next());
    if (body) return msg::from_msgpack(*body);
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) return fail("no reply from appd within " + std::to_string(timeout_ms) + " ms");
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) continue;
    uint8_t buffer[65536];
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n <= 0) return fail("appd closed the connection");
    decoder_.feed(std::span<const uint8_t>(buffer, static_cast<size_t>(n)));
  }
}

bool UnixClient::closed_by_peer(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) return false;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, left) <= 0) continue;
    uint8_t buffer[4096];
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n <= 0) return true;
  }
}

// ---------------------------------------------------------------- WsClient

WsClient::~WsClient() {
  on_message_.disconnect();
  on_closed_.disconnect();
  if (connection_ && soup_websocket_connection_get_state(connection_.get()) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close(connection_.get(), SOUP_WEBSOCKET_CLOSE_NORMAL, nullptr);
}

Result<std::unique_ptr<WsClient>> WsClient::connect(uint16_t port, int timeout_ms) {
  std::unique_ptr<WsClient> client(new WsClient());
  client->session_.reset(soup_session_new());
  std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/";
  glib::Ptr<SoupMessage> request(soup_message_new("GET", url.c_str()));
  struct Pending {
    WsClient* client;
    bool done = false;
    std::string error;
  } pending{client.get(), false, {}};
  soup_session_websocket_connect_async(
      client->session_.get(), request.get(), nullptr, nullptr, G_PRIORITY_DEFAULT, nullptr,
      [](GObject* source, GAsyncResult* result, gpointer data) {
        auto* p = static_cast<Pending*>(data);
        GError* raw = nullptr;
        p->client->connection_.reset(soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &raw));
        glib::ErrorPtr error(raw);
        if (error) p->error = error->message;
        p->done = true;
      },
      &pending);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!pending.done && std::chrono::steady_clock::now() < deadline) g_main_context_iteration(nullptr, TRUE);
  if (!pending.done) return fail("WebSocket connect to " + url + " timed out");
  if (!client->connection_) return fail("WebSocket connect to " + url + ": " + pending.error);
  client->on_message_ =
      glib::connect(client->connection_.get(), "message",
                    G_CALLBACK(+[](SoupWebsocketConnection*, gint type, GBytes* bytes, gpointer data) {
                      if (type != SOUP_WEBSOCKET_DATA_TEXT) return;
                      gsize size = 0;
                      auto* text = static_cast<const char*>(g_bytes_get_data(bytes, &size));
                      auto json = nlohmann::json::parse(std::string_view(text, size), nullptr, false);
                      if (!json.is_discarded()) static_cast<WsClient*>(data)->inbox_.push_back(std::move(json));
                    }),
                    client.get());
  client->on_closed_ = glib::connect(client->connection_.get(), "closed",
                                     G_CALLBACK(+[](SoupWebsocketConnection*, gpointer data) {
                                       static_cast<WsClient*>(data)->closed_ = true;
                                     }),
                                     client.get());
  return client;
}

void WsClient::send(const nlohmann::json& message) {
  if (connection_ && soup_websocket_connection_get_state(connection_.get()) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text(connection_.get(), message.dump().c_str());
}

std::optional<nlohmann::json> WsClient::next(int timeout_ms) {
  (void)pump_until([&] { return !inbox_.empty() || closed_; }, std::chrono::milliseconds(timeout_ms));
  if (inbox_.empty()) return std::nullopt;
  auto message = std::move(inbox_.front());
  inbox_.pop_front();
  return message;
}

std::optional<nlohmann::json> WsClient::next_of(const std::string& type, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) return std::nullopt;
    auto message = next(left);
    if (!message) return std::nullopt;
    if (message->value("type", "") == type) return message;
  }
}

bool WsClient::wait_closed(int timeout_ms) {
  return pump_until([&] { return closed_; }, std::chrono::milliseconds(timeout_ms));
}

// ---------------------------------------------------------------- AppdHarness

AppdHarness::~AppdHarness() {
  if (appd_.running()) appd_.terminate(std::chrono::milliseconds(15000));
}

std::string AppdHarness::package_dir(const std::string& app_id) { return WEFT_PACKAGES_DIR "/" + app_id; }

Result<void> AppdHarness::start_desktop(int width, int height) {
  WEFT_TRY_VOID(desktop_.start(width, height));
  for (const char* dir : {"data", "config", "apps", "keys", "home"}) std::filesystem::create_directories(root_ / dir);
  std::error_code ec;
  std::filesystem::copy_file(build_dir() + "/dev-keys/weft-sign.pub", trusted_keys_dir() + "/weft-dev.pub", ec);
  if (ec) return fail("cannot copy the development key: " + ec.message());
  return ok();
}

std::vector<std::string> AppdHarness::user_environment(std::vector<std::string> extra) const {
  std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                  "HOME=" + (root_ / "home"),
                                  "XDG_RUNTIME_DIR=" + desktop_.runtime_dir(),
                                  "XDG_DATA_HOME=" + data_home(),
                                  "XDG_CONFIG_HOME=" + (root_ / "config"),
                                  "WEFT_APP_STORE=" + store_root(),
                                  "WEFT_TRUSTED_KEYS=" + trusted_keys_dir(),
                                  "WEFT_LOG=" + std::string(std::getenv("WEFT_LOG") ? std::getenv("WEFT_LOG") : "info")};
  // A later NAME=value replaces an earlier one (getenv would see the first of two).
  for (auto& e : extra) {
    std::string name = e.substr(0, e.find('=') + 1);
    std::erase_if(env, [&](const std::string& existing) { return existing.rfind(name, 0) == 0; });
    env.push_back(std::move(e));
  }
  return env;
}

Result<void> AppdHarness::pack(std::vector<std::string> args, std::optional<std::string> working_dir) const {
  SpawnOptions options;
  options.argv = {executable("weft-pack")};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = user_environment();
  options.working_dir = std::move(working_dir);
  auto run = weft::test::run_child(std::move(options), {}, std::chrono::seconds(60));
  if (run.exit_code == 0) return ok();
  std::string command = "weft-pack";
  for (const auto& arg : args) command += " " + arg;
  return fail(command + " failed (" + (run.exit_code < 0 ? "did not end" : run.status.describe()) + "): " + run.err);
}

Result<void> AppdHarness::install(const std::string& package_dir, std::vector<std::string> args) {
  // Without compiler time (the C demos would take seconds per install at -O2): appd's runtimes interpret them.
  args.insert(args.begin(), {"install", package_dir, "--no-precompile"});
  return pack(std::move(args));
}

Result<void> AppdHarness::start_appd(std::vector<std::string> extra_env, std::optional<std::string> log_file) {
  ::unlink((weft_dir() + "/appd.wsport").c_str());
  std::vector<std::string> settings = {"WEFT_RUNTIME_BIN=" + executable("weft-runtime"),
                                       "WEFT_APP_SHELL_BIN=" + executable("weft-app-shell"),
                                       "WEFT_UI_KIT_JS=" WEFT_UI_KIT_JS, "WEFT_APPD_WS_PORT=0",
                                       // The cold path, whose runtime-directory listings these tests compare; the
                                       // pool tests (appd_pool_test.cpp) ask for pre-started shells.
                                       "WEFT_APP_SHELL_POOL=0"};
  for (auto& e : extra_env) settings.push_back(std::move(e));
  SpawnOptions options;
  options.argv = {executable("weft-appd")};
  options.env = user_environment(std::move(settings));
  UniqueFd log_fd;
  if (log_file) {
    log_fd.reset(::open(log_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!log_fd) return fail(*log_file + ": cannot be created: " + std::strerror(errno));
    options.fd_map = {{log_fd.get(), 2}};
  }
  WEFT_TRY(appd_, ChildProcess::spawn(options));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kAppdStartTimeoutMs);
  while (std::chrono::steady_clock::now() < deadline) {
    // Every rendezvous file is in place (appd writes the token by rename, so a listing can catch its temporary name).
    const bool ready = std::all_of(kRendezvous.begin(), kRendezvous.end(), [&](const char* name) {
      return ::access((weft_dir() + "/" + name).c_str(), F_OK) == 0;
    });
    if (ready) return ok();
    if (appd_.try_wait()) return fail("weft-appd exited: " + appd_.try_wait()->describe());
    pump_for(std::chrono::milliseconds(20));
  }
  return fail("weft-appd did not write appd.wsport, appd.sock and appd.systoken within 20 s");
}

Result<ChildProcess> AppdHarness::start_shell() const {
  SpawnOptions options;
  options.argv = {executable("weft-shell")};
  options.env = desktop_.host_environment({"WAYLAND_DISPLAY=" + desktop_.display_name(),
                                           "WEFT_SYSTEM_UI_HTML=" WEFT_UI_DIR "/system-ui.html",
                                           "WEFT_UI_KIT_JS=" WEFT_UI_KIT_JS});
  return ChildProcess::spawn(options);
}

ExitStatus AppdHarness::stop_appd(int sig, int timeout_ms) {
  appd_.signal(sig);
  auto status = appd_.wait(std::chrono::milliseconds(timeout_ms));
  if (!status) return appd_.terminate(std::chrono::milliseconds(100));
  return *status;
}

uint16_t AppdHarness::ws_port() const {
  auto text = read_file(weft_dir() + "/appd.wsport");
  return text.ok() ? static_cast<uint16_t>(std::stoi(*text)) : 0;
}

std::string AppdHarness::system_token() const {
  auto text = read_file(weft_dir() + "/appd.systoken");
  return text.ok() ? *text : "";
}

Result<std::unique_ptr<WsClient>> AppdHarness::system_client() {
  WEFT_TRY(auto client, WsClient::connect(ws_port()));
  client->send({{"type", "HELLO"}, {"role", "system"}, {"token", system_token()}});
  return client;
}

Result<uint64_t> AppdHarness::launch(const std::string& app_id) {
  WEFT_TRY(auto client, unix_client());
  WEFT_TRY(auto reply, client.request(msg::LaunchApp{app_id, 0}));
  if (auto* ack = std::get_if<msg::LaunchAck>(&reply)) return ack->session_id;
  if (auto* error = std::get_if<msg::ErrorReply>(&reply)) return fail(error->message, static_cast<int>(error->code));
  return fail("unexpected reply " + std::string(msg::type_name(reply)));
}

bool AppdHarness::wait_state(uint64_t session_id, const std::string& state, int timeout_ms) {
  auto client = unix_client();
  if (!client.ok()) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto reply = client->request(msg::QueryAppState{session_id});
    if (!reply.ok()) return false;
    if (auto* s = std::get_if<msg::AppState>(&*reply); s && s->state == state) return true;
    pump_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<std::string> AppdHarness::weft_dir_listing() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(weft_dir(), ec)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::pair<pid_t, std::string>> AppdHarness::appd_descendants() const {
  std::vector<std::pair<pid_t, std::string>> found;
  for (auto& process : weft::test::descendants(appd_.pid())) found.emplace_back(process.pid, std::move(process.comm));
  return found;
}

}  // namespace weft::appd::test
