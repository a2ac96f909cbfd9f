#pragma once
// The system's process table as /proc shows it: weft-session finds the orphans it must end (its own children it did
// not start), and the tests (tests/support's process_tree.hpp) walk the descendants that must not outlive a process.

#include <sys/types.h>

#include <string>
#include <vector>

namespace weft {

struct ProcessEntry {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = 0;    // /proc/<pid>/stat state letter; 'Z' = zombie
  std::string comm;  // executable name, at most 15 characters
};

/// Every process readable in /proc (processes that vanish while it is read are skipped).
[[nodiscard]] std::vector<ProcessEntry> read_process_table();

}  // namespace weft
