#pragma once
// Integration harness for weft-appd: a headless weft-compositor (the real one, with weft_test_v1 for captures and
// input), a private user (HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, a store and a trust directory of its own), the demo
// packages installed with weft-pack, and the real weft-appd started with the real weft-runtime and weft-app-shell.
// Clients speak the real protocols: u32-LE msgpack on appd.sock and JSON over a libsoup WebSocket.

#include <libsoup/soup.h>
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "weft/test/build_dir.hpp"
#include "weft/test/compositor_session.hpp"
#include "weft/test/pixels.hpp"
#include "weft/test/temp_dir.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/ipc/appd_messages.hpp"
#include "weft/core/ipc/frame.hpp"
#include "weft/core/result.hpp"

namespace weft::appd::test {

namespace msg = ipc::appd;
using weft::test::build_dir;
using weft::test::executable;
using weft::test::fraction_near;
using webview::Image;
using namespace weft::test::desktop;

constexpr int kWidth = 1024, kHeight = 640;  // px, the output start_desktop() makes unless told otherwise
constexpr int kTimeoutMs = 60000;            // for what a person would see happen on the desktop

/// Keeps `image` as $WEFT_APPD_PNG_DIR/<name> when that variable is set.
inline void save(const Image& image, const char* name) {
  (void)weft::test::keep_png(image, "WEFT_APPD_PNG_DIR", name);
}

constexpr const char* kCounter = "org.weft.demo.counter";
constexpr const char* kNotes = "org.weft.demo.notes";

/// A client of appd's Unix socket (§3.1).
class UnixClient {
 public:
  [[nodiscard]] static Result<UnixClient> connect(const std::string& path);
  /// Sends a request encoded as a map (as WEFT emits requests) and waits for the next reply.
  [[nodiscard]] Result<msg::Message> request(const msg::Message& message, int timeout_ms = 20000);
  [[nodiscard]] Result<void> send_raw(std::span<const uint8_t> bytes);
  [[nodiscard]] Result<msg::Message> receive(int timeout_ms = 20000);
  /// Reads until EOF or the timeout; true when the peer closed.
  [[nodiscard]] bool closed_by_peer(int timeout_ms = 5000);

 private:
  UniqueFd fd_;
  ipc::FrameDecoder decoder_;
};

/// A libsoup WebSocket client of appd's WebSocket API (§3.2), driven on the default GLib context.
class WsClient {
 public:
  ~WsClient();
  [[nodiscard]] static Result<std::unique_ptr<WsClient>> connect(uint16_t port, int timeout_ms = 10000);
  void send(const nlohmann::json& message);
  /// The next JSON text message, or nullopt after the timeout or when closed.
  [[nodiscard]] std::optional<nlohmann::json> next(int timeout_ms = 20000);
  /// The next message whose "type" is `type` (others are kept in order for later next() calls? no: skipped).
  [[nodiscard]] std::optional<nlohmann::json> next_of(const std::string& type, int timeout_ms = 20000);
  [[nodiscard]] bool closed() const { return closed_; }
  /// Waits until the server closes the connection.
  [[nodiscard]] bool wait_closed(int timeout_ms = 10000);

 private:
  WsClient() = default;
  glib::Ptr<SoupSession> session_;
  glib::Ptr<SoupWebsocketConnection> connection_;
  glib::SignalConnection on_message_;  // after connection_: disconnected first
  glib::SignalConnection on_closed_;
  std::deque<nlohmann::json> inbox_;
  bool closed_ = false;
};

class AppdHarness {
 public:
  AppdHarness() = default;
  ~AppdHarness();
  AppdHarness(const AppdHarness&) = delete;
  AppdHarness& operator=(const AppdHarness&) = delete;

  /// Starts the headless compositor (`width`x`height`) and prepares the private user directories.
  [[nodiscard]] Result<void> start_desktop(int width = kWidth, int height = kHeight);
  /// `weft-pack <args…>` as the private user (in `working_dir` when given); the error holds its stderr.
  [[nodiscard]] Result<void> pack(std::vector<std::string> args,
                                  std::optional<std::string> working_dir = std::nullopt) const;
  /// `weft-pack install <dir> [args…]` for the private user, trusting the build's development key.
  [[nodiscard]] Result<void> install(const std::string& package_dir, std::vector<std::string> args = {});
  [[nodiscard]] Result<void> install_demo(const std::string& app_id) { return install(package_dir(app_id)); }
  [[nodiscard]] static std::string package_dir(const std::string& app_id);

  /// Starts weft-appd (with `extra_env` NAME=value entries added) and waits for appd.wsport and appd.sock. Without
  /// WEFT_APP_SHELL_POOL in `extra_env`, appd pre-starts no app shells (every launch is a cold start).
  /// With `log_file`, appd's stderr (its log, and its children's output it drains) goes to that file instead.
  [[nodiscard]] Result<void> start_appd(std::vector<std::string> extra_env = {},
                                        std::optional<std::string> log_file = std::nullopt);
  /// Sends `sig` to appd and waits for it to exit.
  ExitStatus stop_appd(int sig = SIGTERM, int timeout_ms = 20000);
  [[nodiscard]] pid_t appd_pid() const { return appd_.pid(); }
  [[nodiscard]] bool appd_running() { return appd_.running() && !appd_.try_wait(); }

  /// Starts weft-shell (its system page from the tree's ui/) on the desktop; it finds appd through the rendezvous files.
  [[nodiscard]] Result<ChildProcess> start_shell() const;

  [[nodiscard]] Result<UnixClient> unix_client() const { return UnixClient::connect(weft_dir() + "/appd.sock"); }
  /// A WebSocket client that said HELLO with the system token.
  [[nodiscard]] Result<std::unique_ptr<WsClient>> system_client();
  [[nodiscard]] uint16_t ws_port() const;
  [[nodiscard]] std::string system_token() const;

  /// LAUNCH_APP through the Unix socket; the session id from LAUNCH_ACK, or the ERROR as an Error with its code.
  [[nodiscard]] Result<uint64_t> launch(const std::string& app_id);
  /// Waits until QUERY_APP_STATE says `state`.
  [[nodiscard]] bool wait_state(uint64_t session_id, const std::string& state, int timeout_ms = 60000);

  [[nodiscard]] weft::test::CompositorSession& desktop() { return desktop_; }
  [[nodiscard]] std::string weft_dir() const { return desktop_.weft_dir(); }
  [[nodiscard]] const std::string& root() const { return root_.path(); }
  [[nodiscard]] std::string data_home() const { return root_ / "data"; }
  [[nodiscard]] std::string store_root() const { return root_ / "apps"; }
  [[nodiscard]] std::string trusted_keys_dir() const { return root_ / "keys"; }
  /// Names in the weft runtime directory, sorted (rendezvous files, sockets, shell-<sid>/, …).
  [[nodiscard]] std::vector<std::string> weft_dir_listing() const;
  /// Every live descendant of appd (pid, comm).
  [[nodiscard]] std::vector<std::pair<pid_t, std::string>> appd_descendants() const;
  /// The environment weft-pack and appd get.
  [[nodiscard]] std::vector<std::string> user_environment(std::vector<std::string> extra = {}) const;

 private:
  weft::test::CompositorSession desktop_;
  weft::test::TempDir root_{"appd-user"};  // the private user's HOME, XDG dirs, store and trust directory
  ChildProcess appd_;
};

}  // namespace weft::appd::test
