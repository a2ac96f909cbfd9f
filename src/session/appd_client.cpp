#include "appd_client.hpp"

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace weft::session {

Result<AppdClient> AppdClient::connect(const std::string& socket_path) {
  AppdClient client;
  WEFT_TRY(client.fd_, connect_unix(socket_path));
  return client;
}

Result<msg::Message> AppdClient::request(const msg::Message& message, int timeout_ms) {
  WEFT_TRY(auto frame, ipc::encode_frame(msg::to_msgpack_map(message)));
  WEFT_TRY_VOID(write_all(fd_.get(), std::span<const uint8_t>(frame.data(), frame.size())));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    WEFT_TRY(auto body, decoder_.next());
    if (body) return msg::from_msgpack(*body);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return fail("appd sent no reply to " + std::string(msg::type_name(message)) + " within " +
                                       std::to_string(timeout_ms) + " ms");
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    uint8_t buffer[65536];
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n <= 0) return fail("appd closed the connection");
    decoder_.feed(std::span<const uint8_t>(buffer, static_cast<size_t>(n)));
  }
}

Result<uint64_t> AppdClient::launch(const std::string& app_id) {
  WEFT_TRY(auto reply, request(msg::LaunchApp{app_id, 0}));
  if (auto* ack = std::get_if<msg::LaunchAck>(&reply)) return ack->session_id;
  if (auto* error = std::get_if<msg::ErrorReply>(&reply))
    return fail("launching " + app_id + ": " + error->message, static_cast<int>(error->code));
  return fail("launching " + app_id + ": unexpected reply " + std::string(msg::type_name(reply)));
}

Result<std::string> AppdClient::state(uint64_t session_id) {
  WEFT_TRY(auto reply, request(msg::QueryAppState{session_id}));
  if (auto* state = std::get_if<msg::AppState>(&reply)) return state->state;
  return fail("QUERY_APP_STATE: unexpected reply " + std::string(msg::type_name(reply)));
}

Result<msg::RunningApps> AppdClient::running() {
  WEFT_TRY(auto reply, request(msg::QueryRunning{}));
  if (auto* running = std::get_if<msg::RunningApps>(&reply)) return *running;
  return fail("QUERY_RUNNING: unexpected reply " + std::string(msg::type_name(reply)));
}

Result<msg::InstalledApps> AppdClient::installed() {
  WEFT_TRY(auto reply, request(msg::QueryInstalledApps{}));
  if (auto* installed = std::get_if<msg::InstalledApps>(&reply)) return *installed;
  return fail("QUERY_INSTALLED_APPS: unexpected reply " + std::string(msg::type_name(reply)));
}

Result<uint64_t> launch_when_ready(const std::string& socket_path, const std::string& app_id, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  Error last("appd did not answer");
  while (std::chrono::steady_clock::now() < deadline) {
    auto client = AppdClient::connect(socket_path);
    if (client.ok()) {
      auto launched = client->launch(app_id);
      if (launched.ok() || launched.error().code != 503) return launched;
      last = launched.error();
    } else {
      last = client.error();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return fail(last);
}

}  // namespace weft::session
