// `weft-pack install` precompiles the installed component into its store's AOT cache by running
// `weft-runtime <id> 0 --module <revision>/<module> --aot-precompile`: the runtime owns the cache's location, key and
// trust rules, so what it compiles here is exactly what its `--engine auto` loads at the next launch. Its progress
// (a line per core module, or a bar on a terminal) goes straight to our stdout. Failing to precompile never fails the
// install: one warning line, and the app runs on the interpreter until its code is compiled.

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "weft/core/tool_run.hpp"

namespace weft::pack {
namespace {

// Generous: AotCache bounds each module's compile itself; this only guards against a runtime that never ends.
constexpr std::chrono::minutes kPrecompileTimeout{30};

/// weft-runtime: $WEFT_RUNTIME_BIN, else beside this weft-pack as installed (`<prefix>/lib/weft/`) or in a build tree
/// (`<build>/bin/`).
std::optional<std::string> runtime_binary() {
  if (const char* bin = std::getenv("WEFT_RUNTIME_BIN"); bin && *bin) return std::string(bin);
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (auto candidate : {self.parent_path().parent_path() / "lib/weft/weft-runtime", self.parent_path() / "weft-runtime"})
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  return std::nullopt;
}

std::string reason_of(const std::string& said) {
  std::string line = said.substr(0, said.find('\n'));
  constexpr std::string_view kPrefix = "weft-runtime: ";
  if (line.starts_with(kPrefix)) line.erase(0, kPrefix.size());
  return line;
}

}  // namespace

void precompile_installed(const std::string& app_id, const std::string& revision_dir, const std::string& module) {
  auto warn = [&](const std::string& why) {
    std::cerr << "warning: " << app_id << " was not precompiled (" << why
              << "); it runs on the interpreter until its code is compiled\n";
  };
  auto runtime = runtime_binary();
  if (!runtime) return warn("weft-runtime was not found beside weft-pack; set WEFT_RUNTIME_BIN");
  ToolRequest request;
  request.argv = {*runtime, app_id, "0", "--module", revision_dir + "/" + module, "--aot-precompile"};
  request.timeout = kPrecompileTimeout;
  request.inherit_environment = true;  // PATH finds the C compiler; WEFT_AOT_OPT, HOME and the store as for launches
  request.stdout_to_caller = true;
  request.overflow = ToolOverflow::truncate;
  auto run = run_tool(request);
  if (!run) return warn(run.error().message);
  if (!run->status.success())
    return warn(run->err.empty() ? "weft-runtime " + run->status.describe() : reason_of(run->err));
}

}  // namespace weft::pack
