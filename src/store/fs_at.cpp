#include "weft/store/fs_at.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include <sodium.h>

#include "weft/store/crypto.hpp"

namespace weft::store {
namespace {

std::atomic<bool> g_force_fallback{false};
std::atomic<bool> g_openat2_missing{false};

Failure errno_fail(std::string_view what, int err) {
  return fail(Error(std::string(what) + ": " + std::strerror(err), err));
}

std::vector<std::string_view> split_components(std::string_view path) {
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

// Component-wise walk: every component is lstat'ed and opened O_NOFOLLOW relative to the previous one, so a symlink
// swapped in between makes the open itself fail rather than being followed.
Result<UniqueFd> open_beneath_fallback(int root_fd, const std::vector<std::string_view>& parts, int flags, mode_t mode,
                                       bool no_xdev) {
  struct stat root_st {};
  if (::fstat(root_fd, &root_st) != 0) return errno_fail("fstat root", errno);
  UniqueFd current;
  int cur = root_fd;
  if (parts.empty()) {
    int fd = ::openat(root_fd, ".", flags | O_CLOEXEC, mode);
    if (fd < 0) return errno_fail(".", errno);
    return UniqueFd(fd);
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string name(parts[i]);
    bool last = i + 1 == parts.size();
    struct stat st {};
    if (::fstatat(cur, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISLNK(st.st_mode)) return errno_fail(name, ELOOP);
      if (no_xdev && st.st_dev != root_st.st_dev) return errno_fail(name, EXDEV);
    } else if (!(last && errno == ENOENT && (flags & O_CREAT))) {
      return errno_fail(name, errno);
    }
    int fd = last ? ::openat(cur, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode)
                  : ::openat(cur, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno_fail(name, errno == ENOTDIR && !last ? ENOTDIR : errno);
    UniqueFd opened(fd);
    if (::fstat(fd, &st) != 0) return errno_fail(name, errno);
    if (S_ISLNK(st.st_mode)) return errno_fail(name, ELOOP);  // O_PATH|O_NOFOLLOW opens the link itself
    if (no_xdev && st.st_dev != root_st.st_dev) return errno_fail(name, EXDEV);
    current = std::move(opened);
    cur = current.get();
  }
  return current;
}

}  // namespace

void force_beneath_fallback_for_tests(bool force) { g_force_fallback = force; }

Result<UniqueFd> open_beneath(int root_fd, std::string_view relative, int flags, mode_t mode, bool no_xdev) {
  auto parts = split_components(relative);
  for (auto p : parts) {
    if (p == "." || p == "..") return fail(Error(std::string(relative) + ": '.' and '..' components are refused", EACCES));
  }
  if (!g_force_fallback && !g_openat2_missing) {
    std::string rel;
    for (auto p : parts) {
      if (!rel.empty()) rel.push_back('/');
      rel.append(p);
    }
    if (rel.empty()) rel = ".";
    struct open_how how {};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | (no_xdev ? RESOLVE_NO_XDEV : 0);
    long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    int err = errno;
    if (err != ENOSYS) return errno_fail(rel, err);
    g_openat2_missing = true;
  }
  return open_beneath_fallback(root_fd, parts, flags, mode, no_xdev);
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

Result<UniqueFd> make_dirs_beneath(int root_fd, std::string_view relative, mode_t mode, bool no_xdev) {
  WEFT_TRY(UniqueFd current, open_beneath(root_fd, "", O_RDONLY | O_DIRECTORY, 0, no_xdev));
  for (auto part : split_components(relative)) {
    std::string name(part);
    if (::mkdirat(current.get(), name.c_str(), mode) != 0 && errno != EEXIST) return errno_fail("mkdir " + name, errno);
    WEFT_TRY(current, open_beneath(current.get(), name, O_RDONLY | O_DIRECTORY, 0, no_xdev));
  }
  return current;
}

Result<void> ensure_dir_path(const std::string& path, mode_t mode) {
  if (path.empty() || path.front() != '/') return fail(path + ": not an absolute path");
  std::string partial;
  for (auto part : split_components(path)) {
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
  if (S_ISDIR(st.st_mode)) {
    int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return errno_fail(name, errno);
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
      ::close(fd);
      return errno_fail(name, errno);
    }
    std::vector<std::string> children;
    while (dirent* e = ::readdir(dir)) {
      std::string_view n = e->d_name;
      if (n != "." && n != "..") children.emplace_back(n);
    }
    Result<void> status = ok();
    for (const auto& child : children) {
      auto r = remove_tree_at(::dirfd(dir), child);
      if (!r && status.ok()) status = fail(r.error().with_context(name));
    }
    ::closedir(dir);
    if (!status) return status;
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) return errno_fail("rmdir " + name, errno);
    return ok();
  }
  if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) return errno_fail("unlink " + name, errno);
  return ok();
}

Result<void> fsync_fd(int fd, std::string_view what) {
  if (::fsync(fd) != 0) return errno_fail(std::string("fsync ") + std::string(what), errno);
  return ok();
}

Result<void> sync_filesystem(int fd, std::string_view what) {
  if (::syncfs(fd) != 0) return errno_fail(std::string("syncfs ") + std::string(what), errno);
  return ok();
}

std::string random_hex(size_t n_bytes) {
  (void)crypto_init();
  std::vector<uint8_t> bytes(n_bytes);
  randombytes_buf(bytes.data(), bytes.size());
  return to_hex(bytes);
}

bool is_portable_name(std::string_view name) {
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  // sodium has no UTF-8 validator: a small strict decoder (no overlongs, no surrogates, ≤ U+10FFFF).
  size_t i = 0;
  while (i < name.size()) {
    auto c = static_cast<unsigned char>(name[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > name.size()) return false;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(name[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

Result<std::string> read_fd(int fd, size_t max_bytes, std::string_view what) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_fail(std::string("read ") + std::string(what), errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return fail(std::string(what) + " exceeds " + std::to_string(max_bytes) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace weft::store

namespace weft::store {

Result<void> write_file_exclusive_at(int dirfd, const std::string& name, std::string_view content, mode_t mode) {
  int fd = ::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return errno_fail("create " + name, errno);
  UniqueFd owned(fd);
  if (::fchmod(fd, mode) != 0) return errno_fail("chmod " + name, errno);
  WEFT_TRY_VOID(write_all(fd, content));
  return fsync_fd(fd, name);
}

Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content, mode_t mode) {
  std::string tmp = "." + name + ".tmp-" + random_hex(8);
  if (auto w = write_file_exclusive_at(dirfd, tmp, content, mode); !w) {
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return w;
  }
  if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return errno_fail("rename to " + name, err);
  }
  return fsync_fd(dirfd, "directory of " + name);
}

}  // namespace weft::store
