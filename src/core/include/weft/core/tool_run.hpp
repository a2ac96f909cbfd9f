#pragma once
// Running a tool to completion: the one place a WEFT process starts a helper program (wl-copy, mkfs.erofs,
// veritysetup, weft-mount-helper, weft-pack), feeds it stdin, collects bounded stdout/stderr and gives up after a
// deadline. Built on ChildProcess.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/core/child_process.hpp"
#include "weft/core/result.hpp"

namespace weft {

/// What run_tool does when a stream exceeds its byte limit.
enum class ToolOverflow {
  fail,      // kill the tool (SIGKILL) and return an error naming the tool and the stream
  truncate,  // keep the first bytes, discard the rest while the tool runs on; ToolResult says it was truncated
};

struct ToolRequest {
  std::vector<std::string> argv{};  // argv[0] is the program; a name without '/' is searched in PATH
  /// Bytes written to the tool's stdin, which is then closed; stdin is /dev/null when unset.
  std::optional<std::string> input{};
  /// Killed with SIGKILL when it has not exited by then.
  std::chrono::milliseconds timeout{0};
  size_t max_stdout = 1u << 20;  // bytes
  size_t max_stderr = 64u << 10;  // bytes
  ToolOverflow overflow = ToolOverflow::fail;
  /// When false the stream goes to /dev/null: for a tool that leaves a daemon behind holding it (wl-copy), which must
  /// not die of SIGPIPE once we stop reading.
  bool capture_stdout = true;
  /// The tool writes straight to our stdout (progress a person watches, a terminal it may draw on); overrides
  /// capture_stdout.
  bool stdout_to_caller = false;
  bool capture_stderr = true;
  /// Complete environment ("NAME=value"), as SpawnOptions::env; `inherit_environment` adds the caller's.
  std::vector<std::string> env{};
  bool inherit_environment = false;
  /// More parent fd → child fd numbers (≥ 3), e.g. an image the tool opens as /proc/self/fd/N.
  std::vector<std::pair<int, int>> extra_fds{};
};

struct ToolResult {
  ExitStatus status{};
  std::string out;  // stdout, at most max_stdout bytes
  std::string err;  // stderr, at most max_stderr bytes
  bool out_truncated = false;
  bool err_truncated = false;
};

/// Runs `request.argv` until it exits and returns how it ended with what it wrote; an error when it cannot start,
/// writes more than allowed (ToolOverflow::fail) or is still running at the deadline (it is then killed with SIGKILL
/// and the error is tool_timeout_message()). Stdin, stdout and stderr are
/// served together, so a tool that writes a lot to both pipes while it reads its input never deadlocks. Reading
/// stops when the tool itself exits, even if a background child it left behind still holds the pipes.
[[nodiscard]] Result<ToolResult> run_tool(const ToolRequest& request);

/// run_tool that also fails when the tool does not exit with status 0; the error names the tool, how it ended and
/// what it wrote to stderr (or stdout, when stderr is empty).
[[nodiscard]] Result<ToolResult> run_tool_checked(const ToolRequest& request);

/// `<program> did not finish within 5 s`: the error of a tool killed at its deadline (spec §4.4, exact).
[[nodiscard]] std::string tool_timeout_message(std::string_view name, std::chrono::milliseconds timeout);

/// The name a tool is shown under in errors: argv[0] without its directory.
[[nodiscard]] std::string tool_name(std::string_view program);

}  // namespace weft
