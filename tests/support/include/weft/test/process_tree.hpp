#pragma once
// Child processes from /proc (WebKit offers no API from a view to its WebProcess pid): for the crash test and the
// memory bench.

#include <dirent.h>
#include <sys/types.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace weft::test {

struct ProcessEntry {
  pid_t pid = 0;
  std::string name;  // comm, e.g. "WPEWebProcess"
};

/// Live (not zombie) children of `parent`.
inline std::vector<ProcessEntry> children_of(pid_t parent) {
  std::vector<ProcessEntry> found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* e = readdir(proc)) {
    pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 > line.size()) continue;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z') found.push_back({pid, line.substr(open + 1, close - open - 1)});
  }
  closedir(proc);
  return found;
}

}  // namespace weft::test
