#pragma once
// The counter under load through the real appd (issue 11): sessions launched concurrently from several Unix clients,
// each with the real weft-runtime and a STAND-IN app shell, then counter increments pushed through the bridge and the
// relay with a bounded window per session. Shared by the ctest test (asserts correctness only) and bench/appd_bench
// (prints the figures).

#include <sys/types.h>

#include <string>
#include <vector>

#include "appd_harness.hpp"
#include "standin_shell_server.hpp"

namespace weft::appd::test {

struct LoadOptions {
  int sessions = 20;
  int clients = 4;       // Unix clients launching concurrently, one thread each
  int messages = 10000;  // in total, spread evenly over the sessions
  /// Increments in flight per session: below the relay's queue toward the component (Session::kRelayQueueLines),
  /// beyond which appd drops by spec.
  int window = 32;
  int timeout_ms = 300000;
};

struct LoadFigures {
  double launch_seconds = 0;       // first LAUNCH_APP to every session running
  double relay_seconds = 0;        // first message sent to last reply received
  long messages_sent = 0;
  long replies_in_order = 0;       // replies whose count was the next one expected in their session
  long rss_before_kib = 0;         // appd's VmRSS before the first launch
  long rss_after_launch_kib = 0;   // … with every session running
  long rss_after_kib = 0;          // … after the last reply
  std::vector<std::string> problems;  // launch failures, lost or reordered replies (empty when correct)
  [[nodiscard]] double messages_per_second() const { return relay_seconds > 0 ? messages_sent / relay_seconds : 0; }
  [[nodiscard]] std::string describe() const;
};

/// VmRSS of `pid` in KiB (from /proc/<pid>/status), 0 when unreadable.
[[nodiscard]] long vm_rss_kib(pid_t pid);

/// Runs the load against an appd started with the stand-in app shell (StandinShellServer::app_shell_setting()) and
/// the counter installed. The sessions are left running.
[[nodiscard]] LoadFigures run_counter_load(AppdHarness& appd, StandinShellServer& shells, const LoadOptions& options,
                                           std::vector<std::unique_ptr<StandinShell>>& sessions);

}  // namespace weft::appd::test
