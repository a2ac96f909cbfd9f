#pragma once
// A thin owning adapter over inotify for `weft-dev run --watch`: watches directory trees (each directory once; new
// subdirectories are added as they appear) and reports which watched root a changed file lies under.

#include <optional>
#include <map>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::dev {

class FileWatch {
 public:
  [[nodiscard]] static Result<FileWatch> create();
  /// Watches `root` and every directory beneath it; changes are reported with `root` as their tree.
  [[nodiscard]] Result<void> add_tree(const std::string& root);
  /// The fd to poll for POLLIN.
  [[nodiscard]] int fd() const { return fd_.get(); }
  /// Reads the pending events: the roots whose trees saw a file written, moved in, created or deleted (each once).
  [[nodiscard]] std::vector<std::string> read_changes();

 private:
  Result<void> add_directory(const std::string& dir, const std::string& root);
  UniqueFd fd_;
  std::map<int, std::pair<std::string, std::string>> watches_;  // wd → (directory, root)
};

}  // namespace weft::dev
