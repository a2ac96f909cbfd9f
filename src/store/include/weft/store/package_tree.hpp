#pragma once
// The shape of a package directory as every package operation sees it (§5.4, §5.6, §5.7): directories and regular
// files only, portable names, bounded size. Symlinks, devices, fifos, sockets and non-UTF-8 or control-character
// names are refused with an error naming the entry.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::store {

/// Bounds shared by staging, bundling and extraction.
inline constexpr size_t kMaxPackageEntries = 10000;
inline constexpr uint64_t kMaxPackageBytes = uint64_t{1} << 30;  // bytes, sum of regular file sizes
inline constexpr int kMaxPackageDepth = 64;                       // nested directories

struct TreeEntry {
  std::string path;  // relative, '/'-separated, no leading or trailing '/'
  bool directory = false;
  mode_t mode = 0;    // permission bits as found
  uint64_t size = 0;  // bytes, regular files only
};

/// Every directory and regular file beneath `root_fd`, sorted bytewise by path (a directory precedes its contents).
[[nodiscard]] Result<std::vector<TreeEntry>> list_package_tree(int root_fd);

/// The normalised mode of §5.6/§5.7: directories and files with any execute bit 0755, other files 0644.
[[nodiscard]] mode_t normalized_mode(bool directory, mode_t found);

/// Copies the package tree beneath `src_root` into the empty directory `dst_root` with descriptor-relative, no-follow
/// opens (links and special files are refused by the walk), normalised modes and one syncfs at the end. Installs stage
/// with it, and build-image images a normalised copy so the image never depends on the source's modes or umask.
[[nodiscard]] Result<void> copy_package_tree(int src_root, int dst_root);

/// Checks an archive or package path: relative, plain components, each portable; the error names the path.
[[nodiscard]] Result<void> validate_entry_path(const std::string& path);

}  // namespace weft::store
