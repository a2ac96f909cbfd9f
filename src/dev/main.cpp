// weft-dev: the app developer's tool (docs/debugging-apps.md).
//   weft-dev run <package | app project | build dir> [--watch] [--inspect] [--screenshot FILE [--keys TEXT] [--click X,Y]]
//   weft-dev ipc <session id | app id> [LINE] [--wait MS]
#include <CLI/CLI.hpp>

#include "ipc_command.hpp"
#include "run_command.hpp"
#include "weft/core/log.hpp"
#include "weft/core/version.hpp"

int main(int argc, char** argv) {
  weft::log::init("weft-dev");
  CLI::App cli{"weft-dev: run, reload, inspect and talk to a WEFT app while you write it"};
  cli.set_version_flag("--version", weft::version_line("weft-dev"));
  cli.require_subcommand(1);

  weft::dev::RunOptions run;
  auto* run_cmd = cli.add_subcommand("run", "build, install into the development store and run an app");
  run_cmd->add_option("dir", run.dir, "package directory, app project (CMakeLists.txt) or its build directory")->required();
  run_cmd->add_flag("--watch", run.watch, "reload the page on ui/ edits; rebuild and restart on component edits");
  run_cmd->add_flag("--inspect", run.inspect, "WebKit's remote inspector for the app's page on a printed 127.0.0.1 port");
  run_cmd->add_flag("--headless", run.headless, "run without a window even when a display exists");
  run_cmd->add_option("--output", run.output, "headless output size WxH")->capture_default_str();
  run_cmd->add_option("--screenshot", run.screenshot, "headless: write a PNG once the app shows its page, then stop");
  run_cmd->add_option("--keys", run.keys, "with --screenshot: type this text first");
  run_cmd->add_option("--click", run.click, "with --screenshot: click at X,Y (output pixels) first");
  run_cmd->add_flag("-v,--verbose", run.verbose, "print the whole desktop log, not only its warnings and errors");

  weft::dev::IpcOptions ipc;
  std::string line;
  auto* ipc_cmd = cli.add_subcommand("ipc", "send a line to a running app's component and print its replies");
  ipc_cmd->add_option("target", ipc.target, "session id or app id")->required();
  auto* line_opt = ipc_cmd->add_option("line", line, "the line to send (default: each line of stdin)");
  ipc_cmd->add_option("--wait", ipc.wait_ms, "ms to collect replies after each line")->capture_default_str();

  CLI11_PARSE(cli, argc, argv);
  if (run_cmd->parsed()) return weft::dev::run_app(run);
  if (line_opt->count()) ipc.line = line;
  return weft::dev::ipc_exchange(ipc);
}
