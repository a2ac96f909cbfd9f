#pragma once
// Runs the weft-runtime binary as a child for end-to-end tests and collects stdout, stderr and the readiness fd.

#include <string>
#include <vector>

#include "weft/core/child_process.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::runtime::test {

using weft::test::TempDir;

struct RuntimeRun {
  ExitStatus status;
  std::string out, err, ready;
};

inline std::string runtime_binary() { return weft::test::executable("weft-runtime"); }

/// Runs weft-runtime with `args`; WEFT_READY_FD is fd 3 of the child, its bytes land in `ready`.
inline RuntimeRun run_runtime(const std::vector<std::string>& args, std::vector<std::string> env = {}) {
  SpawnOptions o;
  o.argv = {runtime_binary()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = std::move(env);
  o.env.push_back("WEFT_READY_FD=3");
  o.env.push_back("WEFT_READY_TOKEN=0123456789abcdef0123456789abcdef");
  o.null_stdio = true;
  auto run = weft::test::run_child(std::move(o), {.extra_fds = {3}}, std::chrono::seconds(60));
  return {run.status, std::move(run.out), std::move(run.err), run.captured.empty() ? "" : std::move(run.captured[0])};
}

}  // namespace weft::runtime::test
