#pragma once
// Running a command component the way `weft-runtime` does: load, link against WASI and weft:app, call
// `wasi:cli/run`, and map the outcome to the spec's exit statuses.

#include <ostream>

#include "weft/runtime/cli_options.hpp"

namespace weft::runtime {

/// Exit statuses of weft-runtime (spec §4.1); `wasi:cli/exit` passes its own status through.
enum ExitCode : int {
  kExitOk = 0,
  kExitRunFailed = 1,  // run returned err
  kExitUsage = 2,
  kExitTrap = 3,
  kExitLoad = 4,  // load, link or IPC-connect failure
};

/// Runs the component; diagnostics (`trap: <kind>: <message>`, load errors) go to `diagnostics`.
[[nodiscard]] int run_component(const RuntimeOptions& options, std::ostream& diagnostics);

}  // namespace weft::runtime
