#include "standin_appd.hpp"

#include <poll.h>
#include <sys/socket.h>

namespace weft::test {

namespace msg = ipc::compositor;

Result<StandinAppd> StandinAppd::connect(const std::string& socket_path) {
  StandinAppd appd;
  WEFT_TRY(appd.fd_, connect_unix(socket_path));
  return appd;
}

Result<void> StandinAppd::send_raw(std::span<const uint8_t> bytes, int fd) {
  if (fd >= 0) return send_with_fd(fd_.get(), bytes, fd);
  return write_all(fd_.get(), bytes);
}

Result<void> StandinAppd::send(const msg::Message& message, int fd) { return send_raw(msg::encode(message), fd); }

std::optional<msg::Message> StandinAppd::receive(std::chrono::milliseconds timeout) {
  if (!held_.empty()) {
    msg::Message m = std::move(held_.front());
    held_.pop_front();
    return m;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (auto m = pull(deadline)) {
    if (auto* focus = std::get_if<msg::SessionFocused>(&*m)) {
      held_focus_.push_back(*focus);
      continue;
    }
    return m;
  }
  return std::nullopt;
}

std::optional<msg::SessionFocused> StandinAppd::receive_focus(std::chrono::milliseconds timeout) {
  if (!held_focus_.empty()) {
    msg::SessionFocused f = held_focus_.front();
    held_focus_.pop_front();
    return f;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (auto m = pull(deadline)) {
    if (auto* focus = std::get_if<msg::SessionFocused>(&*m)) return *focus;
    held_.push_back(std::move(*m));
  }
  return std::nullopt;
}

std::optional<msg::Message> StandinAppd::pull(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto next = decoder_.next();
    if (!next) return std::nullopt;
    if (*next) {
      auto decoded = msg::from_msgpack(**next);
      if (decoded)
        if (auto* m = std::get_if<msg::Message>(&*decoded)) return *m;
      continue;
    }
    if (eof_) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{fd_.get(), POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    uint8_t buf[4096];
    const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n <= 0) {
      eof_ = true;
      continue;
    }
    decoder_.feed(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
  }
}

bool StandinAppd::closed_by_peer(std::chrono::milliseconds timeout) {
  while (!eof_) {
    if (!receive(timeout) && !eof_) return false;
  }
  return true;
}

}  // namespace weft::test
