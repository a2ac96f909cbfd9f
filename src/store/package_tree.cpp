#include "weft/store/package_tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "weft/core/confined_fs.hpp"
#include "weft/core/fd.hpp"
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
  auto names = list_directory(dirfd);
  if (!names) return fail(names.error().with_context(prefix.empty() ? "package directory" : prefix));
  for (const auto& name : *names) {
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
  if (path.back() == '/' || path.find("//") != std::string::npos) return fail("'" + path + "' has an empty component");
  for (auto part : path_components(path)) {
    if (part == "." || part == "..") return fail("'" + path + "' contains a '" + std::string(part) + "' component");
    if (!is_portable_name(part)) return fail("'" + path + "': name is not UTF-8 or contains control characters");
  }
  return ok();
}

namespace {

constexpr size_t kCopyChunk = 256 * 1024;  // bytes per read while copying

Result<void> copy_file(int src_root, int dst_root, const TreeEntry& entry) {
  WEFT_TRY(UniqueFd in, open_beneath(src_root, entry.path, O_RDONLY));
  struct stat st {};
  if (::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode)) return fail("'" + entry.path + "' is not a regular file");
  WEFT_TRY(BeneathParent dir, open_parent_beneath(dst_root, entry.path));
  mode_t mode = normalized_mode(false, st.st_mode);
  int fd = ::openat(dir.dir(), dir.name().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return fail(errno_error("stage " + entry.path));
  UniqueFd out(fd);
  if (::fchmod(fd, mode) != 0) return fail(errno_error("chmod " + entry.path));
  std::vector<char> buf(kCopyChunk);
  uint64_t copied = 0;
  for (;;) {
    ssize_t n = ::read(in.get(), buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno_error("read " + entry.path));
    if (n == 0) break;
    copied += static_cast<uint64_t>(n);
    if (copied > kMaxPackageBytes) return fail("package exceeds " + std::to_string(kMaxPackageBytes) + " bytes");
    WEFT_TRY_VOID(write_all(fd, std::string_view(buf.data(), static_cast<size_t>(n))));
  }
  return ok();
}

}  // namespace

Result<void> copy_package_tree(int src_root, int dst_root) {
  WEFT_TRY(auto entries, list_package_tree(src_root));
  for (const auto& e : entries) {
    if (e.directory) {
      WEFT_TRY(BeneathParent dir, open_parent_beneath(dst_root, e.path));
      if (::mkdirat(dir.dir(), dir.name().c_str(), 0755) != 0) return fail(errno_error("stage " + e.path));
      // mkdirat honours the umask; the normalised mode must not depend on it.
      if (::fchmodat(dir.dir(), dir.name().c_str(), normalized_mode(true, 0755), 0) != 0)
        return fail(errno_error("chmod " + e.path));
      continue;
    }
    WEFT_TRY_VOID(copy_file(src_root, dst_root, e));
  }
  return sync_filesystem(dst_root, "staging directory");
}


}  // namespace weft::store
