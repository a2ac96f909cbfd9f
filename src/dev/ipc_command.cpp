#include "ipc_command.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "appd_client.hpp"
#include "weft/core/paths.hpp"

namespace weft::dev {
namespace {

namespace msg = ipc::appd;

void say(const std::string& text) { std::fprintf(stderr, "weft-dev: %s\n", text.c_str()); }

/// appd sockets of this user's desktops: the default one, then those of weft-dev runs.
std::vector<std::string> appd_sockets() {
  std::vector<std::string> sockets;
  auto runtime = paths::runtime_dir();
  if (!runtime) return sockets;
  if (auto main = paths::appd_socket()) sockets.push_back(*main);
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(*runtime, ec))
    if (entry.path().filename().string().rfind("weft-dev-", 0) == 0)
      sockets.push_back(entry.path().string() + "/weft/appd.sock");
  return sockets;
}

struct Target {
  std::string socket;
  uint64_t session_id = 0;
};

/// The running session named by `target` (a session id, or an app id: its newest session) in the first desktop that
/// has it.
Result<Target> find_target(const std::string& target) {
  bool numeric = !target.empty() && target.find_first_not_of("0123456789") == std::string::npos;
  for (const auto& socket : appd_sockets()) {
    auto client = session::AppdClient::connect(socket);
    if (!client) continue;
    auto running = client->running();
    if (!running) continue;
    std::optional<uint64_t> found;
    for (const auto& s : running->sessions)
      if (numeric ? std::to_string(s.session_id) == target : s.app_id == target) found = s.session_id;
    if (found) return Target{socket, *found};
  }
  return fail("no running app matches \"" + target + "\" (give a session id or an app id; weft-dev run starts one)");
}

}  // namespace

int ipc_exchange(const IpcOptions& options) {
  auto target = find_target(options.target);
  if (!target) {
    say(target.error().message);
    return 1;
  }
  auto client = session::AppdClient::connect(target->socket);
  if (!client) {
    say(client.error().message);
    return 1;
  }
  auto exchange = [&](const std::string& line) -> bool {
    auto reply = client->request(msg::DevIpcExchange{target->session_id, line, options.wait_ms},
                                 static_cast<int>(options.wait_ms) + session::AppdClient::kReplyTimeoutMs);
    if (!reply) {
      say(reply.error().message);
      return false;
    }
    if (auto* error = std::get_if<msg::ErrorReply>(&*reply)) {
      say("appd: " + error->message);
      return false;
    }
    auto* replies = std::get_if<msg::DevIpcReplies>(&*reply);
    if (!replies) {
      say("unexpected reply " + std::string(msg::type_name(*reply)));
      return false;
    }
    for (const auto& r : replies->replies) std::printf("%s\n", r.payload.c_str());
    std::fflush(stdout);
    return true;
  };
  if (options.line) return exchange(*options.line) ? 0 : 1;
  std::string line;
  while (std::getline(std::cin, line))
    if (!line.empty() && !exchange(line)) return 1;
  return 0;
}

}  // namespace weft::dev
