#pragma once
// Internal to weft-runtime: how wasi:filesystem resolves a guest's paths beneath a descriptor (openat2
// RESOLVE_BENEATH through weft/core/confined_fs.hpp), and where a new symlink may point.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "weft/core/confined_fs.hpp"

namespace weft::runtime {

/// `path` opened beneath `dirfd`: symlinks and `..` resolve while they stay beneath it; the last component is
/// followed only when `follow` (the guest asked for symlink-follow).
[[nodiscard]] Result<UniqueFd> open_in(int dirfd, const std::string& path, int flags, mode_t mode, bool follow);

/// The parent of `path` beneath `dirfd` and its last name, for the *at calls; `.` names the directory itself, a last
/// name `..` is refused with EINVAL, and a trailing-slash path is first resolved beneath `dirfd`.
[[nodiscard]] Result<BeneathParent> parent_in(int dirfd, const std::string& path);

/// Whether a symlink created in `link_dir` with `target` points beneath `base` (relative, never climbing above it).
[[nodiscard]] bool symlink_target_stays_beneath(int base, int link_dir, std::string_view target);

}  // namespace weft::runtime
