#pragma once
// Confined file access (spec §9: confinement is descriptor-relative, never lexical). Every path a guest, a peer or a
// package names is resolved beneath a directory descriptor the process already holds, with openat2(RESOLVE_BENEATH)
// or, on kernels without openat2, one component at a time with O_NOFOLLOW. Also the one owning directory reader and
// the one path splitter. Errors carry the errno in Error::code so callers can tell "denied by resolution" (ELOOP,
// EXDEV, EACCES) from "missing" (ENOENT).

#include <dirent.h>
#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft {

/// How open_beneath resolves a path. The default is the strict policy of the store, the file portal and the web
/// host: plain components only, no symbolic link anywhere.
struct BeneathPolicy {
  /// Symbolic links whose target stays beneath the directory are followed (the last component only without
  /// O_NOFOLLOW), as a WASI preopen needs; otherwise any link on the path fails with ELOOP (RESOLVE_NO_SYMLINKS).
  bool follow_symlinks = false;
  /// `.` and `..` resolve as Linux does, `..` only while it stays beneath (else EXDEV); otherwise they are refused
  /// with EACCES before any lookup.
  bool dot_components = false;
  /// Crossing a mount point fails with EXDEV (RESOLVE_NO_XDEV).
  bool same_mount = false;
};

/// The WASI preopen policy: links and `..` resolve while they stay beneath the preopen.
inline constexpr BeneathPolicy kFollowBeneath{.follow_symlinks = true, .dot_components = true};

/// Opens `path` beneath `dirfd` (O_CLOEXEC is always added). Under the strict policy an empty path names `dirfd`
/// itself; with dot_components the path is handed to the kernel as it is (an empty path is ENOENT). An absolute path
/// fails with EXDEV, as openat2(RESOLVE_BENEATH) does, and one holding a NUL with EINVAL. Error code = errno.
/// Opening never waits: a FIFO or device comes back with O_NONBLOCK set (an O_WRONLY FIFO without a reader fails with
/// ENXIO); regular files and directories come back in the blocking mode asked for.
[[nodiscard]] Result<UniqueFd> open_beneath(int dirfd, std::string_view path, int flags, mode_t mode = 0,
                                            BeneathPolicy policy = {});

/// Test-only switch: force the component-wise fallback walk even where openat2 exists, so both paths stay tested.
void force_beneath_fallback_for_tests(bool force);

/// The non-empty components of a `/`-separated path in order (`a//b/` → `a`, `b`; `/a` → `a`). `.` and `..` are kept
/// for the caller's policy.
[[nodiscard]] std::vector<std::string_view> path_components(std::string_view path);

/// A path as its parent and its last name, split as Linux resolves it: trailing slashes are dropped, `a/b` → {`a`,
/// `b`}, `b` → {``, `b`}, and a path ending in `.` names the directory itself: `a/.` → {`a`, `.`}, `.` → {``, `.`}.
/// The parent keeps a leading `/` (`/a` → {`/`, `a`}); the name is empty only for an empty path or `/`.
struct PathTail {
  std::string_view parent;
  std::string_view name;
};
[[nodiscard]] PathTail split_parent(std::string_view path);

/// The parent directory of a path opened beneath a directory, and the last name, for the *at calls that have no
/// RESOLVE_BENEATH of their own (mkdirat, fstatat, unlinkat, renameat, ...). `dir()` is the descriptor to pass.
class BeneathParent {
 public:
  BeneathParent(int dirfd, UniqueFd opened, std::string name, bool trailing_slash = false)
      : dirfd_(dirfd), opened_(std::move(opened)), name_(std::move(name)), trailing_slash_(trailing_slash) {}
  [[nodiscard]] int dir() const { return opened_ ? opened_.get() : dirfd_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  /// The last name with the trailing slash the path was written with, for *at calls that must behave as Linux does
  /// on `file/` (unlinkat and symlinkat fail with ENOTDIR/ENOENT instead of acting on `file`).
  [[nodiscard]] std::string name_as_written() const { return trailing_slash_ ? name_ + "/" : name_; }

 private:
  int dirfd_;        // borrowed: the path had no parent part
  UniqueFd opened_;  // the parent when the path had one
  std::string name_;
  bool trailing_slash_;
};
/// Splits `path` with split_parent and opens its parent beneath `dirfd` under `policy`. `.` as the last name names
/// the parent itself (so fstatat(dir(), ".") stats it); an empty path is ENOENT, an absolute one EXDEV, and a last
/// name `..` is refused with EINVAL (it would name a directory above the parent, perhaps above `dirfd`).
[[nodiscard]] Result<BeneathParent> open_parent_beneath(int dirfd, std::string_view path, BeneathPolicy policy = {});

/// One directory entry: its name and its d_type (DT_UNKNOWN where the filesystem does not say).
struct DirectoryEntry {
  std::string name;
  unsigned char type = DT_UNKNOWN;
};

/// Owns a directory stream (fdopendir/closedir) and yields its entries except `.` and `..`, in the order the
/// filesystem returns them. Move-only.
class DirectoryReader {
 public:
  /// Reads the directory `dirfd` refers to through a descriptor of its own (`dirfd` may be O_PATH; its offset is not
  /// shared and it stays open).
  [[nodiscard]] static Result<DirectoryReader> open(int dirfd);
  /// The next entry, or nullopt after the last. Error code = errno.
  [[nodiscard]] Result<std::optional<DirectoryEntry>> next();

 private:
  struct Close {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
  };
  explicit DirectoryReader(DIR* dir) : dir_(dir) {}
  std::unique_ptr<DIR, Close> dir_;
};

/// Every entry of the directory `dirfd` refers to except `.` and `..`, sorted by name.
[[nodiscard]] Result<std::vector<DirectoryEntry>> read_directory(int dirfd);
/// The names of read_directory, sorted.
[[nodiscard]] Result<std::vector<std::string>> list_directory(int dirfd);

/// openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC).
[[nodiscard]] Result<UniqueFd> open_dir_at(int dirfd, const std::string& name);
/// Opens an absolute or relative directory path (the path itself may be followed by the caller's choice).
[[nodiscard]] Result<UniqueFd> open_dir(const std::string& path, bool follow_last = true);

/// Creates `name` beneath `dirfd` if missing (mode `mode`) and opens it no-follow; an existing non-directory fails.
[[nodiscard]] Result<UniqueFd> ensure_dir_at(int dirfd, const std::string& name, mode_t mode);
/// Opens `relative` beneath `root_fd`, creating each missing directory with `mode`; every component is opened
/// through open_beneath's strict policy (a link fails with ELOOP; with same_mount a mount crossing with EXDEV).
[[nodiscard]] Result<UniqueFd> make_dirs_beneath(int root_fd, std::string_view relative, mode_t mode,
                                                 bool same_mount = false);
/// mkdir -p for an absolute path (each component created with `mode` when missing).
[[nodiscard]] Result<void> ensure_dir_path(const std::string& path, mode_t mode);

/// Removes `name` beneath `dirfd` recursively without following any symlink (a missing entry is not an error).
[[nodiscard]] Result<void> remove_tree_at(int dirfd, const std::string& name);

/// fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW); code = errno on failure.
[[nodiscard]] Result<struct stat> lstat_at(int dirfd, const std::string& name);

}  // namespace weft
