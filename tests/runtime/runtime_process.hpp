#pragma once
// Runs the weft-runtime binary as a child for end-to-end tests and collects stdout, stderr and the readiness fd.

#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"

namespace weft::runtime::test {

struct RuntimeRun {
  ExitStatus status;
  std::string out, err, ready;
};

inline std::string runtime_binary() {
  const char* dir = std::getenv("WEFT_BUILD_DIR");
  return std::string(dir ? dir : WEFT_RT_BUILD_DIR) + "/bin/weft-runtime";
}

/// Runs weft-runtime with `args`; WEFT_READY_FD is fd 3 of the child, its bytes land in `ready`.
inline RuntimeRun run_runtime(const std::vector<std::string>& args, std::vector<std::string> env = {}) {
  auto out = make_pipe().value();
  auto err = make_pipe().value();
  auto ready = make_pipe().value();
  SpawnOptions o;
  o.argv = {runtime_binary()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = std::move(env);
  o.env.push_back("WEFT_READY_FD=3");
  o.env.push_back("WEFT_READY_TOKEN=0123456789abcdef0123456789abcdef");
  o.fd_map = {{out.second.get(), 1}, {err.second.get(), 2}, {ready.second.get(), 3}};
  o.null_stdio = true;
  auto child = ChildProcess::spawn(o);
  RuntimeRun run;
  if (!child) {
    run.err = child.error().message;
    return run;
  }
  out.second.reset();
  err.second.reset();
  ready.second.reset();
  std::string* sinks[] = {&run.out, &run.err, &run.ready};
  pollfd fds[] = {{out.first.get(), POLLIN, 0}, {err.first.get(), POLLIN, 0}, {ready.first.get(), POLLIN, 0}};
  int open_count = 3;
  while (open_count > 0) {
    if (::poll(fds, 3, 60000) <= 0) break;
    for (int i = 0; i < 3; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, size_t(n));
      } else {
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  run.status = child->wait(std::chrono::seconds(60)).value_or(ExitStatus{});
  return run;
}

/// A temporary directory removed at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char tmpl[] = "/tmp/weft-runtime-test-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string str() const { return path.string(); }
};

}  // namespace weft::runtime::test
