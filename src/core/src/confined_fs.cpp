#include "weft/core/confined_fs.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>

namespace weft {
namespace {

constexpr int kMaxSymlinkHops = 40;  // the kernel's MAXSYMLINKS: more links than this on one path is ELOOP

std::atomic<bool> g_force_fallback{false};
std::atomic<bool> g_openat2_missing{false};

Failure errno_fail(std::string_view what, int err) {
  return fail(Error(std::string(what) + ": " + std::strerror(err), err));
}

bool creates(int flags) { return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE; }

// openat2 has no glibc wrapper in bookworm. Returns the fd, or -errno.
int openat2_beneath(int dirfd, const std::string& path, int flags, mode_t mode, BeneathPolicy policy) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = creates(flags) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (policy.follow_symlinks ? 0 : RESOLVE_NO_SYMLINKS) |
                (policy.same_mount ? RESOLVE_NO_XDEV : 0);
  long fd;
  do fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
  while (fd < 0 && errno == EINTR);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

// The walk for kernels without openat2 (before 5.6). Every component is opened O_PATH | O_NOFOLLOW relative to the
// directory reached so far, so a link swapped in between is opened as the link itself and never followed by the
// kernel; links are resolved here, relative to the directory holding them, under the same rules openat2 applies.
// `..` steps back to a directory this walk opened and never above `dirfd`.
Result<UniqueFd> walk_beneath(int dirfd, const std::string& shown, std::vector<std::string_view> parts, int flags,
                              mode_t mode, BeneathPolicy policy) {
  struct stat root_st {};
  if (::fstat(dirfd, &root_st) != 0) return errno_fail(shown, errno);
  auto crosses_mount = [&](const struct stat& st) { return policy.same_mount && st.st_dev != root_st.st_dev; };
  std::deque<std::string> pending(parts.begin(), parts.end());
  std::vector<UniqueFd> walked;  // directories entered below dirfd, innermost last; `..` leaves the innermost
  auto here = [&] { return walked.empty() ? dirfd : walked.back().get(); };
  // O_NOFOLLOW, and O_CREAT | O_EXCL (which fails with EEXIST on any existing name), never follow a last link.
  bool keeps_last_link = (flags & O_NOFOLLOW) != 0 || (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
  int hops = 0;
  std::string last_name = ".";  // the path names the directory reached when it ends in `.`, `..` or nothing
  while (!pending.empty()) {
    std::string name = std::move(pending.front());
    pending.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      if (walked.empty()) return errno_fail(shown, EXDEV);
      walked.pop_back();
      continue;
    }
    bool last = pending.empty();
    bool follow = policy.follow_symlinks && (!last || !keeps_last_link);
    int fd = ::openat(here(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (last && errno == ENOENT && (flags & O_CREAT)) {
        last_name = std::move(name);
        break;
      }
      return errno_fail(shown, errno);
    }
    UniqueFd probe(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return errno_fail(shown, errno);
    if (S_ISLNK(st.st_mode) && !follow) {
      if (!last || !keeps_last_link) return errno_fail(shown, ELOOP);
      last_name = std::move(name);  // the open below fails on the link, or opens it itself for O_PATH
      break;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++hops > kMaxSymlinkHops) return errno_fail(shown, ELOOP);
      char target[PATH_MAX];
      ssize_t n = ::readlinkat(fd, "", target, sizeof target);
      if (n < 0) return errno_fail(shown, errno);
      if (n == 0) return errno_fail(shown, ENOENT);
      if (static_cast<size_t>(n) == sizeof target) return errno_fail(shown, ENAMETOOLONG);
      std::string_view link(target, static_cast<size_t>(n));
      if (link.front() == '/') return errno_fail(shown, EXDEV);  // an absolute target leaves the directory
      auto link_parts = path_components(link);
      pending.insert(pending.begin(), link_parts.begin(), link_parts.end());
      continue;
    }
    if (last) {
      last_name = std::move(name);
      break;
    }
    if (!S_ISDIR(st.st_mode)) return errno_fail(shown, ENOTDIR);
    if (crosses_mount(st)) return errno_fail(shown, EXDEV);
    walked.push_back(std::move(probe));
  }
  int fd = ::openat(here(), last_name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, creates(flags) ? mode : 0);
  if (fd < 0) return errno_fail(shown, errno);
  UniqueFd opened(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return errno_fail(shown, errno);
  // O_PATH | O_NOFOLLOW opens a link itself: the caller gets it only when it asked for O_NOFOLLOW, as with openat2.
  if (S_ISLNK(st.st_mode) && (flags & O_NOFOLLOW) == 0) return errno_fail(shown, ELOOP);
  if (crosses_mount(st)) return errno_fail(shown, EXDEV);
  return opened;
}

}  // namespace

void force_beneath_fallback_for_tests(bool force) { g_force_fallback = force; }

std::vector<std::string_view> path_components(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    if (end > i) parts.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  return parts;
}

PathTail split_parent(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return {path, {}};
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {{}, path};
  std::string_view parent = path.substr(0, slash);
  while (parent.size() > 1 && parent.back() == '/') parent.remove_suffix(1);
  if (parent.empty()) parent = path.substr(0, 1);  // `/name`: the parent is the root
  return {parent, path.substr(slash + 1)};
}

namespace {

Result<UniqueFd> open_beneath_as_asked(int dirfd, std::string_view path, int flags, mode_t mode,
                                      BeneathPolicy policy);

// Opening a FIFO for reading waits for a writer (and a device open may wait for hardware): a file a package, a guest or
// a peer put there must not stall the process that opens it. Every open is therefore non-blocking; a regular file or
// directory gets its blocking mode back, anything else keeps O_NONBLOCK (reads then fail with EAGAIN, not wait).
Result<UniqueFd> open_without_waiting(int dirfd, std::string_view path, int flags, mode_t mode, BeneathPolicy policy) {
  if ((flags & (O_PATH | O_NONBLOCK)) != 0) return open_beneath_as_asked(dirfd, path, flags, mode, policy);
  WEFT_TRY(UniqueFd fd, open_beneath_as_asked(dirfd, path, flags | O_NONBLOCK, mode, policy));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_fail(std::string(path), errno);
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
    if (::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK) != 0)
      return errno_fail(std::string(path), errno);
  }
  return fd;
}

}  // namespace

Result<UniqueFd> open_beneath(int dirfd, std::string_view path, int flags, mode_t mode, BeneathPolicy policy) {
  return open_without_waiting(dirfd, path, flags, mode, policy);
}

namespace {

Result<UniqueFd> open_beneath_as_asked(int dirfd, std::string_view path, int flags, mode_t mode,
                                      BeneathPolicy policy) {
  std::string shown(path);
  // A NUL would cut the path short at the system call (`file\0.txt` opening `file`): no such path exists.
  if (path.find('\0') != std::string_view::npos) return errno_fail(shown, EINVAL);
  if (!path.empty() && path.front() == '/') return errno_fail(shown, EXDEV);
  auto parts = path_components(path);
  std::string resolved;
  if (policy.dot_components) {
    if (path.empty()) return errno_fail(shown, ENOENT);
    resolved = shown;
  } else {
    for (auto p : parts) {
      if (p == "." || p == "..") return fail(Error(shown + ": '.' and '..' components are refused", EACCES));
      if (!resolved.empty()) resolved.push_back('/');
      resolved.append(p);
    }
    if (resolved.empty()) resolved = ".";
  }
  if (!g_force_fallback && !g_openat2_missing) {
    int fd = openat2_beneath(dirfd, resolved, flags, mode, policy);
    if (fd >= 0) return UniqueFd(fd);
    if (fd != -ENOSYS) return errno_fail(shown, -fd);
    g_openat2_missing = true;
  }
  // A trailing slash demands a directory, as the kernel reads it: `name/` walks as `name/.`.
  if (policy.dot_components && path.back() == '/') parts.push_back(".");
  return walk_beneath(dirfd, shown, std::move(parts), flags, mode, policy);
}

}  // namespace

Result<BeneathParent> open_parent_beneath(int dirfd, std::string_view path, BeneathPolicy policy) {
  std::string shown(path);
  if (path.empty()) return errno_fail(shown, ENOENT);
  if (path.find('\0') != std::string_view::npos) return errno_fail(shown, EINVAL);
  if (path.front() == '/') return errno_fail(shown, EXDEV);
  PathTail tail = split_parent(path);
  if (tail.name == "..") return fail(Error(shown + ": a last component '..' is refused", EINVAL));
  if (tail.name == "." && !policy.dot_components)
    return fail(Error(shown + ": '.' and '..' components are refused", EACCES));
  const bool trailing_slash = path.size() > 1 && path.back() == '/' && tail.name != ".";
  if (tail.parent.empty()) return BeneathParent(dirfd, UniqueFd(), std::string(tail.name), trailing_slash);
  auto parent = open_beneath(dirfd, tail.parent, O_PATH | O_DIRECTORY, 0, policy);
  if (!parent) return fail(Error(shown + ": " + std::strerror(parent.error().code), parent.error().code));
  return BeneathParent(dirfd, std::move(*parent), std::string(tail.name), trailing_slash);
}

Result<DirectoryReader> DirectoryReader::open(int dirfd) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_fail("open directory", errno);
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    int err = errno;
    ::close(fd);
    return errno_fail("fdopendir", err);
  }
  return DirectoryReader(dir);
}

Result<std::optional<DirectoryEntry>> DirectoryReader::next() {
  for (;;) {
    errno = 0;
    dirent* e = ::readdir(dir_.get());
    if (!e) {
      if (errno != 0) return errno_fail("readdir", errno);
      return std::optional<DirectoryEntry>();
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    return std::optional<DirectoryEntry>(DirectoryEntry{std::string(name), e->d_type});
  }
}

Result<std::vector<DirectoryEntry>> read_directory(int dirfd) {
  WEFT_TRY(DirectoryReader reader, DirectoryReader::open(dirfd));
  std::vector<DirectoryEntry> entries;
  for (;;) {
    WEFT_TRY(std::optional<DirectoryEntry> entry, reader.next());
    if (!entry) break;
    entries.push_back(std::move(*entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const DirectoryEntry& a, const DirectoryEntry& b) { return a.name < b.name; });
  return entries;
}

Result<std::vector<std::string>> list_directory(int dirfd) {
  WEFT_TRY(std::vector<DirectoryEntry> entries, read_directory(dirfd));
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (auto& e : entries) names.push_back(std::move(e.name));
  return names;
}

Result<UniqueFd> open_dir_at(int dirfd, const std::string& name) {
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno_fail(name, errno);
  return UniqueFd(fd);
}

Result<UniqueFd> open_dir(const std::string& path, bool follow_last) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW));
  if (fd < 0) return errno_fail(path, errno);
  return UniqueFd(fd);
}

Result<UniqueFd> ensure_dir_at(int dirfd, const std::string& name, mode_t mode) {
  if (::mkdirat(dirfd, name.c_str(), mode) != 0 && errno != EEXIST) return errno_fail("mkdir " + name, errno);
  return open_dir_at(dirfd, name);
}

Result<UniqueFd> make_dirs_beneath(int root_fd, std::string_view relative, mode_t mode, bool same_mount) {
  BeneathPolicy policy{.same_mount = same_mount};
  WEFT_TRY(UniqueFd current, open_beneath(root_fd, "", O_RDONLY | O_DIRECTORY, 0, policy));
  for (auto part : path_components(relative)) {
    std::string name(part);
    if (::mkdirat(current.get(), name.c_str(), mode) != 0 && errno != EEXIST) return errno_fail("mkdir " + name, errno);
    WEFT_TRY(current, open_beneath(current.get(), name, O_RDONLY | O_DIRECTORY, 0, policy));
  }
  return current;
}

Result<void> ensure_dir_path(const std::string& path, mode_t mode) {
  if (path.empty() || path.front() != '/') return fail(path + ": not an absolute path");
  std::string partial;
  for (auto part : path_components(path)) {
    partial += "/";
    partial += part;
    if (::mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) return errno_fail("mkdir " + partial, errno);
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_fail(path, errno);
  if (!S_ISDIR(st.st_mode)) return fail(path + ": not a directory");
  return ok();
}

Result<struct stat> lstat_at(int dirfd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno_fail(name, errno);
  return st;
}

Result<void> remove_tree_at(int dirfd, const std::string& name) {
  struct stat st {};
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return ok();
    return errno_fail(name, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) return errno_fail("unlink " + name, errno);
    return ok();
  }
  WEFT_TRY(UniqueFd dir, open_dir_at(dirfd, name));
  auto children = list_directory(dir.get());
  if (!children) return fail(children.error().with_context(name));
  Result<void> status = ok();
  for (const auto& child : *children) {
    auto removed = remove_tree_at(dir.get(), child);
    if (!removed && status.ok()) status = fail(removed.error().with_context(name));
  }
  if (!status) return status;
  if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) return errno_fail("rmdir " + name, errno);
  return ok();
}

}  // namespace weft
