#pragma once
// The one way tests run a child and keep what it writes: stdout and stderr (and any further fds the test names, e.g.
// a readiness fd) piped back and read together to EOF, so no pipe can fill up and block the child. Built on
// weft::ChildProcess.

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"
#include "weft/test/line_reader.hpp"

namespace weft::test {

/// How many times `what` occurs in `text` (a child's output: progress lines, repeated messages).
inline size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// How a finished child ended and what it wrote.
struct RunResult {
  ExitStatus status;
  int exit_code = -1;  // the exit status; 128 + signal when killed; -1 when it never started or did not end in time
  std::string out, err;
  std::vector<std::string> captured;  // one per CaptureOptions::extra_fds entry, in that order
};

/// Which of the child's fds come back to the test.
struct CaptureOptions {
  bool merge_stderr = false;     // stderr goes into `out` (as a terminal would interleave them)
  std::vector<int> extra_fds{};  // child fd numbers besides 1 and 2 whose bytes land in RunResult::captured
};

/// Reads every fd of `sources` to EOF (or until `timeout` passes) into its string, all at once with poll.
inline void drain(const std::vector<std::pair<int, std::string*>>& sources, std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds;
  for (const auto& source : sources) fds.push_back({source.first, POLLIN, 0});
  size_t open = fds.size();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (open > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) return;
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sources[i].second->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
}

/// Reads `fd` until a whole line has arrived; the line without its '\n', or nullopt at EOF or after `timeout`.
[[nodiscard]] inline std::optional<std::string> read_line(int fd, std::chrono::milliseconds timeout) {
  return LineReader(fd).next(timeout);
}

/// A child running with its output piped to the test; finish() collects it and reaps the child.
class CapturedChild {
 public:
  /// Spawns `options` with stdout, stderr and `capture.extra_fds` piped back (other fd_map entries are kept).
  [[nodiscard]] static Result<CapturedChild> start(SpawnOptions options, const CaptureOptions& capture = {}) {
    CapturedChild run;
    std::vector<UniqueFd> write_ends;
    auto pipe_to = [&](int child_fd) -> Result<UniqueFd> {
      WEFT_TRY(auto pipe, make_pipe());
      options.fd_map.emplace_back(pipe.second.get(), child_fd);
      write_ends.push_back(std::move(pipe.second));
      return std::move(pipe.first);
    };
    WEFT_TRY(run.out_, pipe_to(1));
    if (capture.merge_stderr) {
      options.fd_map.emplace_back(write_ends.back().get(), 2);
    } else {
      WEFT_TRY(run.err_, pipe_to(2));
    }
    for (int fd : capture.extra_fds) {
      WEFT_TRY(auto read_end, pipe_to(fd));
      run.extra_.push_back(std::move(read_end));
    }
    WEFT_TRY(run.child_, ChildProcess::spawn(options));
    return run;  // the write ends close here: EOF once the child (and its children) close theirs
  }

  /// Reads everything to EOF, then waits for the child; both bounded by `timeout`.
  RunResult finish(std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
    RunResult r;
    r.captured.resize(extra_.size());
    std::vector<std::pair<int, std::string*>> sources = {{out_.get(), &r.out}};
    if (err_) sources.emplace_back(err_.get(), &r.err);
    for (size_t i = 0; i < extra_.size(); ++i) sources.emplace_back(extra_[i].get(), &r.captured[i]);
    drain(sources, timeout);
    if (auto status = child_.wait(timeout)) {
      r.status = *status;
      r.exit_code = status->exited ? status->code : 128 + status->signal;
    }
    return r;
  }

  [[nodiscard]] ChildProcess& process() { return child_; }
  /// The read end of the child's stdout, for a test that watches it before finish() (a LineReader on it keeps
  /// what it read: finish() then collects only the rest).
  [[nodiscard]] int out_fd() const { return out_.get(); }
  /// The read end of the child's stderr, for a test that watches it before finish().
  [[nodiscard]] int err_fd() const { return err_.get(); }

 private:
  ChildProcess child_;
  UniqueFd out_, err_;
  std::vector<UniqueFd> extra_;
};

/// Runs `options` to completion and returns what it wrote; a child that cannot start is a RunResult with exit_code
/// -1 and the reason in `err`.
[[nodiscard]] inline RunResult run_child(SpawnOptions options, const CaptureOptions& capture = {},
                                   std::chrono::milliseconds timeout = std::chrono::seconds(120)) {
  auto child = CapturedChild::start(std::move(options), capture);
  if (!child) {
    RunResult r;
    r.err = child.error().message;
    return r;
  }
  return child->finish(timeout);
}

}  // namespace weft::test
