// Path resolution for wasi:filesystem: every guest path is resolved with openat2(RESOLVE_BENEATH) from the
// descriptor's directory, so absolute paths, `..` escapes and symlinks leaving the preopen fail.

#include "wasi_filesystem_paths.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_state.hpp"

namespace weft::runtime {

// Symlinks and `..` resolve while they stay beneath the preopen; the last component is followed only when the guest
// asked for symlink-follow.
Result<UniqueFd> open_in(int dirfd, const std::string& path, int flags, mode_t mode, bool follow) {
  return open_beneath(dirfd, path, flags | (follow ? 0 : O_NOFOLLOW), mode, kFollowBeneath);
}

// The parent of `path` beneath `dirfd` and its last name for the *at calls; `.` names the directory itself (lstat of
// a preopen's own path arrives as "."), a last name `..` is refused with EINVAL. A trailing slash makes Linux follow
// a symlink in the last place, outside RESOLVE_BENEATH: such a path is first resolved beneath `dirfd`, so it can
// neither leave the preopen nor tell whether something outside exists.
Result<BeneathParent> parent_in(int dirfd, const std::string& path) {
  WEFT_TRY(BeneathParent parent, open_parent_beneath(dirfd, path, kFollowBeneath));
  if (parent.name_as_written() != parent.name()) {
    struct stat sb{};
    if (::fstatat(parent.dir(), parent.name().c_str(), &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode)) {
      auto target = open_in(dirfd, path, O_PATH, 0, true);
      if (!target && target.error().code != ENOENT && target.error().code != ENOTDIR) return fail(target.error());
    }
  }
  return parent;
}

// Where a new symlink may point: a relative target that, read from the link's directory, stays beneath `base` (the
// descriptor it is created through). Absolute targets and `..` climbing above `base` are refused, so no later
// follow — by this runtime or by a host program reading the app's data — leads outside the preopen. `link_dir` is
// the link's real parent; its depth below `base` comes from the kernel's names of both descriptors.
bool symlink_target_stays_beneath(int base, int link_dir, std::string_view target) {
  if (target.empty()) return true;  // the kernel refuses it with ENOENT
  if (target.front() == '/') return false;
  auto real_path = [](int fd) -> std::string {
    char buf[4096];
    ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
  };
  const std::string base_path = real_path(base), dir_path = real_path(link_dir);
  if (base_path.empty() || dir_path.empty()) return false;
  long depth = 0;
  if (dir_path != base_path) {
    const std::string prefix = base_path == "/" ? "/" : base_path + "/";
    if (!dir_path.starts_with(prefix)) return false;
    depth = long(path_components(std::string_view(dir_path).substr(prefix.size())).size());
  }
  for (std::string_view part : path_components(target)) {
    if (part == "..") --depth;
    else if (part != ".") ++depth;
    if (depth < 0) return false;
  }
  return true;
}


wasi::FsErrorCode fs_error_from_errno(int err) {
  using E = wasi::FsErrorCode;
  switch (err) {
    case EACCES: return E::access;
    case EAGAIN: return E::would_block;
    case EALREADY: return E::already;
    case EBADF: return E::bad_descriptor;
    case EBUSY: return E::busy;
    case EDQUOT: return E::quota;
    case EEXIST: return E::exist;
    case EFBIG: return E::file_too_large;
    case EILSEQ: return E::illegal_byte_sequence;
    case EINTR: return E::interrupted;
    case EINVAL: return E::invalid;
    case EIO: return E::io;
    case EISDIR: return E::is_directory;
    case ELOOP: return E::loop;
    case EMLINK: return E::too_many_links;
    case ENAMETOOLONG: return E::name_too_long;
    case ENOENT: return E::no_entry;
    case ENOMEM: return E::insufficient_memory;
    case ENOSPC: return E::insufficient_space;
    case ENOTDIR: return E::not_directory;
    case ENOTEMPTY: return E::not_empty;
    case ENOTSUP: return E::unsupported;
    case ENXIO: return E::no_such_device;
    case EOVERFLOW: return E::overflow;
    case EPERM: return E::not_permitted;
    case EXDEV: return E::not_permitted;  // RESOLVE_BENEATH: the path leaves the preopen
    case EPIPE: return E::pipe;
    case EROFS: return E::read_only;
    case ESPIPE: return E::invalid_seek;
    case ETXTBSY: return E::text_file_busy;
    default: return E::io;
  }
}


}  // namespace weft::runtime
