#pragma once
// The test's side of the STAND-IN app shell (standin/standin_app_shell.cpp): a Unix socket in the runtime directory
// that every stand-in connects to, and one StandinShell per connected session through which a test acts as the page:
// it sends APP_MESSAGE bridge lines to appd and reads the ones appd sends, exactly as they cross WEFT_BRIDGE_FD.

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/ipc/bridge.hpp"
#include "weft/core/result.hpp"

namespace weft::appd::test {

/// One connected stand-in app shell (one session).
class StandinShell {
 public:
  StandinShell(UniqueFd fd, std::string app_id, uint64_t session_id, std::string bridge_token,
               ipc::LineSplitter splitter, std::vector<std::string> early_lines);
  [[nodiscard]] uint64_t session_id() const { return session_id_; }
  [[nodiscard]] const std::string& app_id() const { return app_id_; }
  /// The session's WEFT_BRIDGE_TOKEN (the WebSocket app-role credential, §3.2).
  [[nodiscard]] const std::string& bridge_token() const { return bridge_token_; }
  [[nodiscard]] int fd() const { return fd_.get(); }

  /// What the page's `weftIpc.send(payload)` puts on the bridge: one APP_MESSAGE line.
  [[nodiscard]] Result<void> send_payload(std::string_view payload);
  /// Any line, written to the bridge as it is.
  [[nodiscard]] Result<void> send_line(std::string_view line);
  /// Asks the stand-in to close its bridge fd (the session's fd bridge detaches).
  [[nodiscard]] Result<void> close_bridge();

  /// The payload of the next APP_MESSAGE line appd wrote to the bridge, or nullopt after the timeout or at EOF.
  [[nodiscard]] std::optional<std::string> next_payload(int timeout_ms = 20000);
  /// Non-blocking: reads what is available and appends the APP_MESSAGE payloads to `out`. False at EOF or on error.
  bool read_available(std::vector<std::string>& out);
  /// Every bridge line that was not an APP_MESSAGE (RENDERER_CRASHED, junk), in order.
  [[nodiscard]] const std::vector<std::string>& other_lines() const { return other_lines_; }
  /// True when the stand-in closed the connection (it exited) within the timeout.
  [[nodiscard]] bool wait_closed(int timeout_ms = 10000);

 private:
  void take(std::string line, std::vector<std::string>& out);
  UniqueFd fd_;
  std::string app_id_;
  uint64_t session_id_;
  std::string bridge_token_;
  ipc::LineSplitter splitter_;
  std::deque<std::string> payloads_;
  std::vector<std::string> other_lines_;
  bool eof_ = false;
};

/// Listens on `<runtime_dir>/standin-app-shell.sock` for stand-in app shells.
class StandinShellServer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<StandinShellServer>> listen(const std::string& runtime_dir);
  ~StandinShellServer();
  /// The stand-in of session `session_id` (connections of other sessions that arrive first are kept for later calls).
  [[nodiscard]] Result<std::unique_ptr<StandinShell>> accept(uint64_t session_id, int timeout_ms = 60000);
  /// The environment entry that makes appd start the stand-in instead of weft-app-shell.
  [[nodiscard]] static std::string app_shell_setting();

 private:
  StandinShellServer() = default;
  std::string path_;
  UniqueFd listener_;
  std::map<uint64_t, std::unique_ptr<StandinShell>> waiting_;
};

}  // namespace weft::appd::test
