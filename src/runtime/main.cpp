// weft-runtime: runs one app's component (spec §4).

#include <iostream>
#include <string>
#include <vector>

#include "weft/core/log.hpp"
#include "weft/runtime/runner.hpp"

int main(int argc, char** argv) {
  using namespace weft::runtime;
  weft::log::init("weft-runtime");
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = parse_runtime_options(args);
  if (!options) {
    std::cerr << options.error().message << "\n"
              << "usage: weft-runtime <app_id> <session_id> --module PATH [--ipc-socket PATH] "
                 "[--preopen HOST::GUEST::ro|rw]... [--grant CAP]... [--max-memory-mib N]\n"
                 "       [--engine auto|aot|interp] [--aot-cache DIR]\n"
                 "  --engine     aot: compiled native code (compiled first when not cached); interp: the interpreter;\n"
                 "               auto (default): native code when cached, else the interpreter while a background\n"
                 "               compile fills the cache for the next launch\n"
                 "  --aot-cache  directory of compiled code (default: <store>/.aot of the store the module is installed\n"
                 "               in, else <first store root>/.aot, else $XDG_CACHE_HOME/weft/aot)\n";
    return kExitUsage;
  }
  if (options->show_version) {
    std::cout << "weft-runtime " << WEFT_RUNTIME_VERSION << "\n";
    return kExitOk;
  }
  return run_component(*options, std::cerr);
}
