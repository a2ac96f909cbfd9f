#pragma once
// Runs the weft-runtime binary as a child for end-to-end tests and collects stdout, stderr and the readiness fd.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/tool_run.hpp"

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
  auto ready = make_pipe().value();
  ToolRequest request{.argv = {runtime_binary()}, .timeout = std::chrono::seconds(60), .env = std::move(env)};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.env.push_back("WEFT_READY_FD=3");
  request.env.push_back("WEFT_READY_TOKEN=0123456789abcdef0123456789abcdef");
  request.max_stdout = request.max_stderr = 16u << 20;
  request.extra_fds = {{ready.second.get(), 3}};
  auto tool = run_tool(request);
  ready.second.reset();  // the runtime has exited: the readiness pipe holds all it wrote, then EOF
  RuntimeRun run;
  if (!tool) {
    run.err = tool.error().message;
    return run;
  }
  run.status = tool->status;
  run.out = std::move(tool->out);
  run.err = std::move(tool->err);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(ready.first.get(), buf, sizeof buf)) > 0) run.ready.append(buf, size_t(n));
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
