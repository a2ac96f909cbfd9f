#pragma once
// TCP listeners on the loopback addresses that count the connections they are offered, for the tests proving that an
// app view reaches no network (spec §6.1, §6.2). Non-blocking; every socket is closed in the destructor.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace weft::test {

class CountingListener {
 public:
  /// Listens on `address` ("127.0.0.1" or "::1") at a free port; port() is 0 when that failed.
  explicit CountingListener(const char* address) {
    bool v6 = std::string(address).find(':') != std::string::npos;
    fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_storage storage{};
    socklen_t len = 0;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
      a->sin6_family = AF_INET6;
      inet_pton(AF_INET6, address, &a->sin6_addr);
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&storage);
      a->sin_family = AF_INET;
      inet_pton(AF_INET, address, &a->sin_addr);
      len = sizeof *a;
    }
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&storage), len) != 0 || ::listen(fd_, 64) != 0) return;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&storage), &len) != 0) return;
    port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                     : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
    host_ = v6 ? "[" + std::string(address) + "]" : std::string(address);
  }
  ~CountingListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  CountingListener(const CountingListener&) = delete;
  CountingListener& operator=(const CountingListener&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  /// "127.0.0.1:PORT" / "[::1]:PORT", for URLs.
  [[nodiscard]] std::string authority() const { return host_ + ":" + std::to_string(port_); }
  /// Accepts (and closes) what is pending; returns how many connections arrived so far in total.
  int connections() {
    while (fd_ >= 0) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) break;
      ++accepted_;
      ::close(c);
    }
    return accepted_;
  }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::string host_;
  int accepted_ = 0;
};

}  // namespace weft::test
