#pragma once
// Descriptor-relative, no-follow filesystem helpers (spec §9: confinement is descriptor-relative, never lexical).
// Errors carry the errno in Error::code so callers can tell "denied by resolution" (ELOOP, EXDEV) from "missing".

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::store {

/// Opens `relative` (a `/`-separated path of plain components; empty = the directory itself) beneath `root_fd` with
/// openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS [| RESOLVE_NO_XDEV]); where openat2 is
/// unavailable, walks component by component with O_NOFOLLOW (and compares st_dev for no_xdev). A symlink anywhere
/// fails with code ELOOP, a mount crossing with EXDEV, `.`/`..` components with EACCES.
[[nodiscard]] Result<UniqueFd> open_beneath(int root_fd, std::string_view relative, int flags, mode_t mode = 0,
                                            bool no_xdev = false);

/// Test-only switch: force the component-wise fallback even where openat2 exists, so both paths stay tested.
void force_beneath_fallback_for_tests(bool force);

/// openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC).
[[nodiscard]] Result<UniqueFd> open_dir_at(int dirfd, const std::string& name);
/// Opens an absolute or relative directory path (the path itself may be followed by the caller's choice).
[[nodiscard]] Result<UniqueFd> open_dir(const std::string& path, bool follow_last = true);

/// Creates `name` beneath `dirfd` if missing (mode `mode`) and opens it no-follow; an existing non-directory fails.
[[nodiscard]] Result<UniqueFd> ensure_dir_at(int dirfd, const std::string& name, mode_t mode);
/// Opens `relative` beneath `root_fd`, creating each missing directory with `mode`; every component is opened
/// no-follow through open_beneath (a link fails with ELOOP; with no_xdev a mount crossing with EXDEV).
[[nodiscard]] Result<UniqueFd> make_dirs_beneath(int root_fd, std::string_view relative, mode_t mode,
                                                 bool no_xdev = false);
/// mkdir -p for an absolute path (each component created with `mode` when missing).
[[nodiscard]] Result<void> ensure_dir_path(const std::string& path, mode_t mode);

/// Removes `name` beneath `dirfd` recursively without following any symlink (a missing entry is not an error).
[[nodiscard]] Result<void> remove_tree_at(int dirfd, const std::string& name);

/// fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW); code = errno on failure.
[[nodiscard]] Result<struct stat> lstat_at(int dirfd, const std::string& name);

[[nodiscard]] Result<void> fsync_fd(int fd, std::string_view what);
/// syncfs(2) on the filesystem holding `fd`: one call makes a whole staged tree (files and directory entries)
/// durable, instead of one fsync per file.
[[nodiscard]] Result<void> sync_filesystem(int fd, std::string_view what);

/// `n` random bytes as lowercase hex (for temporary names and tokens).
[[nodiscard]] std::string random_hex(size_t n_bytes);

/// True for a name component that is valid UTF-8 without control characters (U+0000–U+001F, U+007F).
[[nodiscard]] bool is_portable_name(std::string_view name);

/// Reads an already opened regular file fully (bounded); error names `what`.
[[nodiscard]] Result<std::string> read_fd(int fd, size_t max_bytes, std::string_view what);

}  // namespace weft::store

namespace weft::store {
/// Writes `name` in `dirfd` atomically: temporary name, fsync, renameat over `name`, then fsync of the directory.
[[nodiscard]] Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content,
                                                mode_t mode);
/// Creates `name` in `dirfd` exclusively (O_EXCL: never overwrites) with `content` and fsyncs it.
[[nodiscard]] Result<void> write_file_exclusive_at(int dirfd, const std::string& name, std::string_view content,
                                                   mode_t mode);
}  // namespace weft::store
