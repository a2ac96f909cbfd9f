#include "weft/store/package_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "weft/store/fs_at.hpp"

namespace weft::store {
namespace {

struct Walk {
  std::vector<TreeEntry> entries;
  uint64_t bytes = 0;
};

std::string describe_type(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISCHR(m) || S_ISBLK(m)) return "a device";
  if (S_ISFIFO(m)) return "a fifo";
  if (S_ISSOCK(m)) return "a socket";
  return "a special file";
}

Result<void> walk_dir(int dirfd, const std::string& prefix, int depth, Walk& walk) {
  if (depth > kMaxPackageDepth) return fail(prefix + ": directories nested deeper than " + std::to_string(kMaxPackageDepth));
  int dup = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return fail(errno_error(prefix.empty() ? "package directory" : prefix));
  DIR* dir = ::fdopendir(dup);
  if (!dir) {
    ::close(dup);
    return fail(errno_error(prefix));
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string path = prefix.empty() ? name : prefix + "/" + name;
    if (!is_portable_name(name)) return fail("'" + path + "': name is not UTF-8 or contains control characters");
    WEFT_TRY(struct stat st, lstat_at(dirfd, name));
    if (walk.entries.size() >= kMaxPackageEntries)
      return fail("package has more than " + std::to_string(kMaxPackageEntries) + " entries");
    if (S_ISDIR(st.st_mode)) {
      walk.entries.push_back({path, true, st.st_mode & 07777, 0});
      WEFT_TRY(UniqueFd sub, open_dir_at(dirfd, name));
      WEFT_TRY_VOID(walk_dir(sub.get(), path, depth + 1, walk));
    } else if (S_ISREG(st.st_mode)) {
      walk.bytes += static_cast<uint64_t>(st.st_size);
      if (walk.bytes > kMaxPackageBytes)
        return fail("package exceeds " + std::to_string(kMaxPackageBytes) + " bytes");
      walk.entries.push_back({path, false, st.st_mode & 07777, static_cast<uint64_t>(st.st_size)});
    } else {
      return fail("'" + path + "' is " + describe_type(st.st_mode) + "; packages hold only files and directories");
    }
  }
  return ok();
}

}  // namespace

Result<std::vector<TreeEntry>> list_package_tree(int root_fd) {
  Walk walk;
  WEFT_TRY_VOID(walk_dir(root_fd, "", 0, walk));
  std::sort(walk.entries.begin(), walk.entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
  return std::move(walk.entries);
}

mode_t normalized_mode(bool directory, mode_t found) {
  if (directory || (found & 0111)) return 0755;
  return 0644;
}

Result<void> validate_entry_path(const std::string& path) {
  if (path.empty()) return fail("empty path");
  if (path.front() == '/') return fail("'" + path + "' is an absolute path");
  size_t i = 0;
  while (i <= path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string::npos) end = path.size();
    std::string_view part(path.data() + i, end - i);
    if (part.empty()) return fail("'" + path + "' has an empty component");
    if (part == "." || part == "..") return fail("'" + path + "' contains a '" + std::string(part) + "' component");
    if (!is_portable_name(part)) return fail("'" + path + "': name is not UTF-8 or contains control characters");
    i = end + 1;
  }
  return ok();
}

}  // namespace weft::store
