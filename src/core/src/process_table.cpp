#include "weft/core/process_table.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace weft {

std::vector<ProcessEntry> read_process_table() {
  std::vector<ProcessEntry> table;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    pid_t pid = std::atoi(entry.path().filename().c_str());
    if (pid <= 0) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so it ends at the last ')'.
    auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 > line.size()) continue;
    ProcessEntry process;
    process.pid = pid;
    process.comm = line.substr(open + 1, close - open - 1);
    std::istringstream rest(line.substr(close + 2));
    rest >> process.state >> process.ppid;
    table.push_back(std::move(process));
  }
  return table;
}

}  // namespace weft
