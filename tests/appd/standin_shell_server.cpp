#include "standin_shell_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include <nlohmann/json.hpp>

#include "appd_harness.hpp"
#include "standin/standin_protocol.hpp"

namespace weft::appd::test {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

/// Reads one line (the hello) from a blocking socket, keeping whatever follows it.
Result<std::vector<std::string>> read_first_lines(int fd, ipc::LineSplitter& splitter, Clock::time_point deadline) {
  char buffer[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int left = ms_left(deadline);
    if (left == 0 || ::poll(&p, 1, left) <= 0) return fail("the stand-in app shell sent no hello line in time");
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return fail("the stand-in app shell closed before its hello line");
    WEFT_TRY(auto lines, splitter.feed(std::string_view(buffer, static_cast<size_t>(n))));
    if (!lines.empty()) return lines;
  }
}

}  // namespace

// ---------------------------------------------------------------- StandinShell

StandinShell::StandinShell(UniqueFd fd, std::string app_id, uint64_t session_id, std::string bridge_token,
                           ipc::LineSplitter splitter, std::vector<std::string> early_lines)
    : fd_(std::move(fd)),
      app_id_(std::move(app_id)),
      session_id_(session_id),
      bridge_token_(std::move(bridge_token)),
      splitter_(std::move(splitter)) {
  std::vector<std::string> out;
  for (auto& line : early_lines) take(std::move(line), out);
  payloads_.insert(payloads_.end(), out.begin(), out.end());
}

Result<void> StandinShell::send_payload(std::string_view payload) {
  WEFT_TRY(auto line, ipc::encode_app_message_line(payload));
  return write_all(fd_.get(), line);
}

Result<void> StandinShell::send_line(std::string_view line) { return write_all(fd_.get(), std::string(line) + "\n"); }

Result<void> StandinShell::close_bridge() { return send_line(standin::kCloseBridgeLine); }

void StandinShell::take(std::string line, std::vector<std::string>& out) {
  auto decoded = ipc::decode_bridge_line(line);
  if (decoded.ok() && decoded->kind == ipc::BridgeLine::Kind::app_message) out.push_back(std::move(decoded->payload));
  else other_lines_.push_back(std::move(line));
}

bool StandinShell::read_available(std::vector<std::string>& out) {
  if (eof_) return false;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    auto lines = splitter_.feed(std::string_view(buffer, static_cast<size_t>(n)));
    if (!lines.ok()) {
      eof_ = true;
      return false;
    }
    for (auto& line : *lines) take(std::move(line), out);
  }
}

std::optional<std::string> StandinShell::next_payload(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (payloads_.empty()) {
    std::vector<std::string> out;
    bool open = read_available(out);
    payloads_.insert(payloads_.end(), out.begin(), out.end());
    if (!payloads_.empty() || !open) break;
    pollfd p{fd_.get(), POLLIN, 0};
    int left = ms_left(deadline);
    if (left == 0) break;
    ::poll(&p, 1, left);
  }
  if (payloads_.empty()) return std::nullopt;
  std::string payload = std::move(payloads_.front());
  payloads_.pop_front();
  return payload;
}

bool StandinShell::wait_closed(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::vector<std::string> out;
    if (!read_available(out)) return true;
    payloads_.insert(payloads_.end(), out.begin(), out.end());
    pollfd p{fd_.get(), POLLIN, 0};
    int left = ms_left(deadline);
    if (left == 0) return false;
    ::poll(&p, 1, left);
  }
}

// ---------------------------------------------------------------- StandinShellServer

Result<std::unique_ptr<StandinShellServer>> StandinShellServer::listen(const std::string& runtime_dir) {
  std::unique_ptr<StandinShellServer> server(new StandinShellServer());
  server->path_ = runtime_dir + "/" + std::string(standin::kShellSocketName);
  ::unlink(server->path_.c_str());
  WEFT_TRY(server->listener_, listen_unix(server->path_, 0600, 64));
  return server;
}

StandinShellServer::~StandinShellServer() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

std::string StandinShellServer::app_shell_setting() {
  return "WEFT_APP_SHELL_BIN=" + executable("weft-standin-app-shell");
}

Result<std::unique_ptr<StandinShell>> StandinShellServer::accept(uint64_t session_id, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (auto it = waiting_.find(session_id); it != waiting_.end()) {
      auto shell = std::move(it->second);
      waiting_.erase(it);
      return shell;
    }
    pollfd p{listener_.get(), POLLIN, 0};
    int left = ms_left(deadline);
    if (left == 0 || ::poll(&p, 1, left) <= 0)
      return fail("the stand-in app shell of session " + std::to_string(session_id) + " never connected");
    UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) continue;
    ipc::LineSplitter splitter(2 * ipc::kMaxBridgeLineBytes);
    WEFT_TRY(auto lines, read_first_lines(conn.get(), splitter, deadline));
    auto hello = nlohmann::json::parse(lines.front(), nullptr, false);
    if (!hello.is_object() || hello.value("type", "") != standin::kHelloType)
      return fail("the stand-in app shell's first line is not its hello: " + lines.front());
    const uint64_t sid = hello["session_id"].get<uint64_t>();
    lines.erase(lines.begin());
    // Bridge lines that arrived with the hello, and the splitter holding any partial one, go with the connection.
    waiting_[sid] = std::make_unique<StandinShell>(std::move(conn), hello["app_id"].get<std::string>(), sid,
                                                   hello["bridge_token"].get<std::string>(), std::move(splitter),
                                                   std::move(lines));
  }
}

}  // namespace weft::appd::test
