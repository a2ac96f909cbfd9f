#pragma once
// Processes a test watches, from the one /proc reader (weft/core/process_table.hpp): the children and descendants
// that must not outlive their parent, and whether a pid still runs. WebKit offers no API from a view to its
// WebProcess pid, so the crash test and the memory bench find it here too.

#include <sys/types.h>

#include <fstream>
#include <string>
#include <vector>

#include "weft/core/process_table.hpp"

namespace weft::test {

using weft::ProcessEntry;

/// Live (not zombie) children of `parent`.
[[nodiscard]] inline std::vector<ProcessEntry> children_of(pid_t parent) {
  std::vector<ProcessEntry> found;
  for (auto& process : read_process_table())
    if (process.ppid == parent && process.state != 'Z') found.push_back(std::move(process));
  return found;
}

/// Every live (not zombie) descendant of `root`, parents before their children.
[[nodiscard]] inline std::vector<ProcessEntry> descendants(pid_t root) {
  const auto table = read_process_table();
  std::vector<pid_t> tree = {root};
  std::vector<ProcessEntry> found;
  for (size_t i = 0; i < tree.size(); ++i)
    for (const auto& process : table)
      if (process.ppid == tree[i] && process.state != 'Z') {
        tree.push_back(process.pid);
        found.push_back(process);
      }
  return found;
}

/// True while `pid` exists and is not a zombie.
[[nodiscard]] inline bool alive(pid_t pid) {
  for (const auto& process : read_process_table())
    if (process.pid == pid) return process.state != 'Z';
  return false;
}

/// The arguments `pid` was started with, joined by spaces ("" once it is gone).
[[nodiscard]] inline std::string command_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text, arg;
  while (std::getline(in, arg, '\0')) text += (text.empty() ? "" : " ") + arg;
  return text;
}

}  // namespace weft::test
