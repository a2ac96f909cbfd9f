#include "weft/core/ready.hpp"

#include <poll.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "weft/core/fd.hpp"

namespace weft::ready {

std::string random_token() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();  // no entropy source: never hand out a predictable credential
    }
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

bool is_valid_token(std::string_view token) {
  if (token.size() != 32) return false;
  for (char c : token)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string line(std::string_view token) { return "READY " + std::string(token) + "\n"; }

Result<Reporter> Reporter::take_from_environment() {
  Reporter reporter;
  const char* token = std::getenv("WEFT_READY_TOKEN");
  if (token) reporter.token_ = token;
  ::unsetenv("WEFT_READY_TOKEN");
  WEFT_TRY(auto fd, take_fd_from_environment("WEFT_READY_FD", 0));
  if (fd) reporter.fd_ = std::move(*fd);
  if (reporter.token_.empty()) return fail("WEFT_READY_TOKEN is not set; cannot report readiness");
  return reporter;
}

Result<Reporter> Reporter::from(UniqueFd fd, std::string token) {
  if (!is_valid_token(token)) return fail("readiness token is not 32 lowercase hex");
  if (!fd) return fail("readiness fd is not open");
  Reporter reporter;
  reporter.token_ = std::move(token);
  reporter.fd_ = std::move(fd);
  return reporter;
}

Result<void> Reporter::signal() {
  if (signalled_) return ok();
  signalled_ = true;
  if (!fd_) return write_all(STDOUT_FILENO, line(token_));
  UniqueFd fd = std::move(fd_);
  return write_all(fd.get(), line(token_));
}

Result<void> signal_from_environment() {
  WEFT_TRY(Reporter reporter, Reporter::take_from_environment());
  return reporter.signal();
}

Expectation::State Expectation::feed(std::string_view bytes) {
  if (state_ != State::pending) return state_;
  received_.append(bytes);
  if (received_.size() >= expected_.size()) {
    state_ = received_.compare(0, expected_.size(), expected_) == 0 ? State::ready : State::wrong;
  } else if (expected_.compare(0, received_.size(), received_) != 0) {
    state_ = State::wrong;
  }
  return state_;
}

Result<void> wait_for_line(int fd, std::string_view token, std::chrono::milliseconds timeout) {
  Expectation expect{std::string(token)};
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[128];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return fail("no readiness line within " + std::to_string(timeout.count()) + " ms");
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return fail(errno_error("poll readiness fd"));
    if (r == 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno_error("read readiness fd"));
    if (n == 0) return fail("readiness fd closed before READY");
    switch (expect.feed(std::string_view(buf, static_cast<size_t>(n)))) {
      case Expectation::State::ready: return ok();
      case Expectation::State::wrong: return fail("readiness fd carried something other than the expected READY line");
      case Expectation::State::pending: break;
    }
  }
}

}  // namespace weft::ready
