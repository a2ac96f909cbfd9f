#pragma once
// A one-connection HTTP server on a loopback address for fetch tests: it reads one request (head, and the body its
// Content-Length announces), answers with fixed bytes and closes. Every wait is bounded, so a client that never comes
// or never reads cannot hang a test.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include "weft/core/fd.hpp"

namespace weft::runtime::test {

class ScriptedHttpServer {
 public:
  /// Listens on `address` (an IPv4 loopback address) at a free port and answers the first request with `response`.
  explicit ScriptedHttpServer(std::string response, const char* address = "127.0.0.1")
      : response_(std::move(response)), address_(address) {
    listener_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, address, &a.sin_addr);
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener_.get(), 4) != 0)
      return;
    socklen_t len = sizeof a;
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedHttpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path = "/") const {
    return "http://" + address_ + ":" + std::to_string(port_) + path;
  }
  /// Whether any client connected (read after the request finished).
  [[nodiscard]] bool connected() const { return connected_; }
  /// The bytes of the request as received; complete once the client has its answer.
  [[nodiscard]] std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  static constexpr int kWaitMs = 15000;  // ms, for the client to connect, send or read
  bool wait_for(int fd, short events) {
    for (int waited = 0; waited < kWaitMs && !stop_; waited += 100) {
      pollfd p{fd, events, 0};
      if (::poll(&p, 1, 100) > 0) return true;
    }
    return false;
  }
  void serve() {
    if (!wait_for(listener_.get(), POLLIN)) return;
    UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) return;
    connected_ = true;
    char buf[65536];
    for (;;) {  // the head, then the body of the announced length
      size_t head_end = request_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        size_t cl = request_.find("Content-Length: ");
        size_t body = cl == std::string::npos || cl > head_end ? 0 : std::strtoul(request_.c_str() + cl + 16, nullptr, 10);
        if (request_.size() >= head_end + 4 + body) break;
      }
      if (!wait_for(conn.get(), POLLIN)) return;
      ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
      if (n <= 0) return;
      request_.append(buf, size_t(n));
    }
    for (size_t done = 0; done < response_.size();) {
      if (!wait_for(conn.get(), POLLOUT)) return;
      ssize_t n = ::send(conn.get(), response_.data() + done, response_.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;  // the client gave up (e.g. a size cap): that is an answer too
      done += size_t(n);
    }
  }

  std::string response_;
  std::string address_;
  UniqueFd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> connected_{false};
  std::string request_;
  std::thread thread_;
};

}  // namespace weft::runtime::test
