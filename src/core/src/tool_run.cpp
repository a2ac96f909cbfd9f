#include "weft/core/tool_run.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "weft/core/fd.hpp"

namespace weft {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Interval at which the tool's exit is checked when the kernel has no pidfd_open.
constexpr milliseconds kExitPollInterval{10};
constexpr size_t kReadChunk = 64u << 10;  // bytes

std::string describe_duration(milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

/// A captured output stream of the tool: our read end of its pipe and where the bytes go.
struct Capture {
  UniqueFd fd;
  std::string* text = nullptr;
  bool* truncated = nullptr;
  size_t max = 0;
  const char* stream = "";
};

enum class ReadOutcome { more, eof, overflow };

/// Reads what is available now (the fd is non-blocking).
ReadOutcome read_available(Capture& c, ToolOverflow overflow) {
  char buf[kReadChunk];
  for (;;) {
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadOutcome::more;
    if (n <= 0) return ReadOutcome::eof;
    size_t room = c.max - std::min(c.max, c.text->size());
    size_t keep = std::min(room, size_t(n));
    c.text->append(buf, keep);
    if (keep < size_t(n)) {
      if (overflow == ToolOverflow::fail) return ReadOutcome::overflow;
      *c.truncated = true;
    }
  }
}

/// Blocks SIGPIPE in this thread while we write the tool's stdin (a tool may exit without reading it all; EPIPE is
/// the answer then, not the death of the caller), and discards a SIGPIPE raised meanwhile.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      timespec zero{};
      while (sigtimedwait(&pipe_, nullptr, &zero) < 0 && errno == EINTR) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t old_{};
  bool was_pending_ = false;
};

}  // namespace

std::string tool_timeout_message(std::string_view name, std::chrono::milliseconds timeout) {
  return std::string(name) + " did not finish within " + describe_duration(timeout);
}

std::string tool_name(std::string_view program) {
  size_t slash = program.rfind('/');
  return std::string(slash == std::string_view::npos ? program : program.substr(slash + 1));
}

Result<ToolResult> run_tool(const ToolRequest& request) {
  if (request.argv.empty()) return fail("run_tool: empty argv");
  const std::string name = tool_name(request.argv.front());
  if (request.timeout.count() <= 0) return fail("run_tool: no timeout given for " + name);

  SpawnOptions options;
  options.argv = request.argv;
  options.env = request.env;
  options.inherit_environment = request.inherit_environment;
  options.null_stdio = true;  // stdin is /dev/null unless there is input
  std::pair<UniqueFd, UniqueFd> in_pipe;
  if (request.input) {
    WEFT_TRY(in_pipe, make_pipe());
    options.fd_map.push_back({in_pipe.first.get(), 0});
  }
  std::pair<UniqueFd, UniqueFd> out_pipe, err_pipe;
  if (request.stdout_to_caller) {
    options.fd_map.push_back({STDOUT_FILENO, 1});
  } else if (request.capture_stdout) {
    WEFT_TRY(out_pipe, make_pipe());
    options.fd_map.push_back({out_pipe.second.get(), 1});
  }
  if (request.capture_stderr) {
    WEFT_TRY(err_pipe, make_pipe());
    options.fd_map.push_back({err_pipe.second.get(), 2});
  }
  for (auto [from, to] : request.extra_fds) {
    if (to < 3) return fail("run_tool: " + name + ": extra fd " + std::to_string(to) + " would replace stdio");
    options.fd_map.push_back({from, to});
  }

  const auto deadline = Clock::now() + request.timeout;
  WEFT_TRY(ChildProcess child, ChildProcess::spawn(options));
  in_pipe.first.reset();
  out_pipe.second.reset();
  err_pipe.second.reset();

  ToolResult result;
  Capture captures[2] = {
      {std::move(out_pipe.first), &result.out, &result.out_truncated, request.max_stdout, "stdout"},
      {std::move(err_pipe.first), &result.err, &result.err_truncated, request.max_stderr, "stderr"},
  };
  UniqueFd input = std::move(in_pipe.second);
  std::string_view pending_input = request.input ? std::string_view(*request.input) : std::string_view();
  std::optional<SigpipeBlock> sigpipe_block;
  if (input) {
    sigpipe_block.emplace();
    WEFT_TRY_VOID(set_nonblocking(input.get()));
    if (pending_input.empty()) input.reset();
  }
  for (auto& c : captures)
    if (c.fd) WEFT_TRY_VOID(set_nonblocking(c.fd.get()));
  // Readable once the tool has exited; without it, exit is checked every kExitPollInterval.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, child.pid(), 0)));

  auto kill_tool = [&] {
    child.signal(SIGKILL);
    child.wait();
  };
  auto overflowed = [&](const Capture& c) {
    kill_tool();
    return fail(name + " wrote more than " + std::to_string(c.max) + " bytes to " + c.stream + " and was killed");
  };
  auto timed_out = [&] {
    kill_tool();
    return fail(tool_timeout_message(name, request.timeout));
  };

  bool exited = false;
  while (!exited) {
    auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return timed_out();
    pollfd fds[4];
    int nfds = 0;
    int slot[4] = {-1, -1, -1, -1};  // 0, 1: captures; 2: input; 3: pidfd
    for (int i = 0; i < 2; ++i)
      if (captures[i].fd) {
        slot[i] = nfds;
        fds[nfds++] = {captures[i].fd.get(), POLLIN, 0};
      }
    if (input) {
      slot[2] = nfds;
      fds[nfds++] = {input.get(), POLLOUT, 0};
    }
    if (pidfd) {
      slot[3] = nfds;
      fds[nfds++] = {pidfd.get(), POLLIN, 0};
    }
    milliseconds wait = pidfd ? left : std::min(left, kExitPollInterval);
    int ready = ::poll(fds, nfds_t(nfds), int(wait.count()));
    if (ready < 0 && errno != EINTR) return fail(errno_error("run_tool: poll for " + name));
    if (ready <= 0 && pidfd) continue;  // the deadline check above ends the loop
    if (slot[2] >= 0 && fds[slot[2]].revents) {
      ssize_t n = ::write(input.get(), pending_input.data(), pending_input.size());
      if (n > 0) pending_input.remove_prefix(size_t(n));
      // EPIPE: the tool closed its stdin without reading everything; how it exits tells the caller the rest.
      if (pending_input.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) input.reset();
    }
    for (int i = 0; i < 2; ++i) {
      if (slot[i] < 0 || !fds[slot[i]].revents) continue;
      auto outcome = read_available(captures[i], request.overflow);
      if (outcome == ReadOutcome::overflow) return overflowed(captures[i]);
      if (outcome == ReadOutcome::eof) captures[i].fd.reset();
    }
    exited = pidfd ? slot[3] >= 0 && fds[slot[3]].revents != 0 : child.try_wait().has_value();
  }
  // Everything the tool wrote before it exited is in the pipes now; a background child of the tool may keep them open,
  // so take what is there and stop.
  for (auto& c : captures) {
    if (!c.fd) continue;
    if (read_available(c, request.overflow) == ReadOutcome::overflow) return overflowed(c);
  }
  auto status = child.wait(std::max(std::chrono::ceil<milliseconds>(deadline - Clock::now()), milliseconds(0)));
  if (!status) return timed_out();
  result.status = *status;
  return result;
}

Result<ToolResult> run_tool_checked(const ToolRequest& request) {
  WEFT_TRY(ToolResult result, run_tool(request));
  if (result.status.success()) return result;
  std::string detail = result.err.find_first_not_of(" \t\r\n") != std::string::npos ? result.err : result.out;
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r' || detail.back() == ' '))
    detail.pop_back();
  std::string message = tool_name(request.argv.front()) + " failed (" + result.status.describe() + ")";
  if (!detail.empty()) message += ":\n" + detail;
  return fail(std::move(message));
}

}  // namespace weft
