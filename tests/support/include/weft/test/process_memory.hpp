#pragma once
// Memory of a process and of its whole tree from /proc/<pid>/smaps_rollup, for the benchmarks that print it.

#include <sys/types.h>

#include <fstream>
#include <sstream>
#include <string>

#include "weft/test/process_tree.hpp"

namespace weft::test {

struct Memory {
  long uss_kb = 0;  // Private_Clean + Private_Dirty: freed if the process ends
  long pss_kb = 0;  // shared pages split between their users
  Memory& operator+=(const Memory& other) {
    uss_kb += other.uss_kb;
    pss_kb += other.pss_kb;
    return *this;
  }
};

/// One process (zeros when it is gone or unreadable).
inline Memory memory_of(pid_t pid) {
  Memory m;
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  std::string line;
  while (std::getline(in, line)) {  // the first line is the address-range header
    std::istringstream fields(line);
    std::string key;
    long value = 0;
    if (!(fields >> key >> value)) continue;
    if (key == "Pss:") m.pss_kb += value;
    if (key == "Private_Clean:" || key == "Private_Dirty:") m.uss_kb += value;
  }
  return m;
}

/// `root` and all its live descendants, visited depth-first: `visit(pid, name, memory, depth)`.
template <class Visit>
Memory tree_memory(pid_t root, Visit&& visit, int depth = 0) {
  Memory total = memory_of(root);
  for (const auto& child : children_of(root)) {
    Memory m = tree_memory(child.pid, visit, depth + 1);
    visit(child.pid, child.comm, m, depth + 1);
    total += m;
  }
  return total;
}

inline Memory tree_memory(pid_t root) {
  return tree_memory(root, [](pid_t, const std::string&, const Memory&, int) {});
}

}  // namespace weft::test
