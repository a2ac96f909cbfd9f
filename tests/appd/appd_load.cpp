#include "appd_load.hpp"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace weft::appd::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kIncrement = R"({"op":"increment"})";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// One session's side of the relay traffic.
struct SessionLoad {
  StandinShell* shell = nullptr;
  long quota = 0;     // increments to send
  long sent = 0;
  long received = 0;  // replies; the N-th must carry count N
  bool broken = false;
};

}  // namespace

long vm_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return 0;
}

std::string LoadFigures::describe() const {
  std::ostringstream out;
  out << "launch " << launch_seconds << " s; " << messages_sent << " messages in " << relay_seconds << " s = "
      << static_cast<long>(messages_per_second()) << " messages/s (" << replies_in_order
      << " replies in order); appd VmRSS " << rss_before_kib << " KiB before, " << rss_after_launch_kib
      << " KiB with the sessions running, " << rss_after_kib << " KiB after the messages";
  for (const auto& p : problems) out << "\n  problem: " << p;
  return out.str();
}

LoadFigures run_counter_load(AppdHarness& appd, StandinShellServer& shells, const LoadOptions& options,
                             std::vector<std::unique_ptr<StandinShell>>& sessions) {
  LoadFigures figures;
  figures.rss_before_kib = vm_rss_kib(appd.appd_pid());

  // Concurrent launches: each client thread sends its share of LAUNCH_APP requests on its own connection.
  auto launch_start = Clock::now();
  std::mutex mutex;
  std::vector<uint64_t> ids;
  std::vector<std::thread> clients;
  for (int c = 0; c < options.clients; ++c) {
    int share = options.sessions / options.clients + (c < options.sessions % options.clients ? 1 : 0);
    clients.emplace_back([&, share] {
      auto client = appd.unix_client();
      for (int i = 0; i < share; ++i) {
        auto reply = client.ok() ? client->request(msg::LaunchApp{kCounter, 0}) : Result<msg::Message>(fail(client.error()));
        std::lock_guard lock(mutex);
        if (!reply.ok()) figures.problems.push_back("LAUNCH_APP: " + reply.error().message);
        else if (auto* ack = std::get_if<msg::LaunchAck>(&*reply)) ids.push_back(ack->session_id);
        else if (auto* error = std::get_if<msg::ErrorReply>(&*reply))
          figures.problems.push_back("LAUNCH_APP refused: " + std::to_string(error->code) + " " + error->message);
      }
    });
  }
  for (auto& t : clients) t.join();
  std::sort(ids.begin(), ids.end());
  for (uint64_t id : ids) {
    auto shell = shells.accept(id, options.timeout_ms);
    if (!shell.ok()) {
      figures.problems.push_back(shell.error().message);
      continue;
    }
    sessions.push_back(std::move(shell).value());
  }
  for (uint64_t id : ids)
    if (!appd.wait_state(id, "running", options.timeout_ms))
      figures.problems.push_back("session " + std::to_string(id) + " never ran");
  figures.launch_seconds = seconds_since(launch_start);
  figures.rss_after_launch_kib = vm_rss_kib(appd.appd_pid());
  if (sessions.empty()) return figures;

  // Increments through page → bridge → relay → counter → relay → bridge → page, ≤ window in flight per session.
  std::vector<SessionLoad> load(sessions.size());
  for (size_t i = 0; i < sessions.size(); ++i) {
    load[i].shell = sessions[i].get();
    load[i].quota = options.messages / static_cast<long>(sessions.size()) +
                    (static_cast<long>(i) < options.messages % static_cast<long>(sessions.size()) ? 1 : 0);
  }
  auto relay_start = Clock::now();
  auto deadline = relay_start + std::chrono::milliseconds(options.timeout_ms);
  auto finished = [&] {
    for (const auto& s : load)
      if (!s.broken && s.received < s.quota) return false;
    return true;
  };
  while (!finished() && Clock::now() < deadline) {
    for (auto& s : load) {
      while (!s.broken && s.sent < s.quota && s.sent - s.received < options.window) {
        if (auto sent = s.shell->send_payload(kIncrement); !sent.ok()) {
          figures.problems.push_back("session " + std::to_string(s.shell->session_id()) + ": " + sent.error().message);
          s.broken = true;
          break;
        }
        ++s.sent;
        ++figures.messages_sent;
      }
    }
    std::vector<pollfd> fds;
    for (const auto& s : load) fds.push_back({s.shell->fd(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), 1000);
    for (auto& s : load) {
      if (s.broken) continue;
      std::vector<std::string> payloads;
      bool open = s.shell->read_available(payloads);
      for (const auto& payload : payloads) {
        auto reply = nlohmann::json::parse(payload, nullptr, false);
        long expected = s.received + 1;
        if (!reply.is_object() || reply.value("op", "") != "count" || !reply["count"].is_number_integer() ||
            reply["count"].get<long>() != expected) {
          figures.problems.push_back("session " + std::to_string(s.shell->session_id()) + ": reply " +
                                     std::to_string(expected) + " was " + payload);
          s.broken = true;
          break;
        }
        s.received = expected;
        ++figures.replies_in_order;
      }
      if (!open && !s.broken && s.received < s.quota) {
        figures.problems.push_back("session " + std::to_string(s.shell->session_id()) + ": bridge closed");
        s.broken = true;
      }
    }
  }
  figures.relay_seconds = seconds_since(relay_start);
  for (const auto& s : load)
    if (!s.broken && s.received < s.quota)
      figures.problems.push_back("session " + std::to_string(s.shell->session_id()) + ": " +
                                 std::to_string(s.quota - s.received) + " replies missing");
  figures.rss_after_kib = vm_rss_kib(appd.appd_pid());
  return figures;
}

}  // namespace weft::appd::test
