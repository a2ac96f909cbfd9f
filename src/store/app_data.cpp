#include "weft/store/app_data.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "weft/core/confined_fs.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/paths.hpp"
#include "weft/store/fs_at.hpp"

namespace weft::store {
namespace {

constexpr int kConflict = 409;
constexpr int kHostFault = 500;

// The legacy package directory `$HOME/.local/share/weft/apps/<id>` as a plain directory; nullopt when absent or a
// revision link (a link never holds legacy data: revisions refuse a top-level `data`).
Result<std::optional<UniqueFd>> open_legacy_package_dir(const std::string& app_id) {
  WEFT_TRY(std::string home, paths::home_dir());
  std::string apps = home + "/.local/share/weft/apps";
  auto root = open_dir(apps);
  if (!root) {
    if (root.error().code == ENOENT) return std::optional<UniqueFd>{};
    return fail(root.error());
  }
  auto dir = open_dir_at(root->get(), app_id);
  if (!dir) {
    int e = dir.error().code;
    if (e == ENOENT || e == ELOOP || e == ENOTDIR) return std::optional<UniqueFd>{};
    return fail(dir.error());
  }
  return std::optional<UniqueFd>(std::move(*dir));
}

Result<std::string> legacy_path(const std::string& app_id) {
  WEFT_TRY(std::string home, paths::home_dir());
  return home + "/.local/share/weft/apps/" + app_id + "/data";
}

}  // namespace

Result<bool> legacy_app_data_present(const std::string& app_id) {
  WEFT_TRY(auto dir, open_legacy_package_dir(app_id));
  if (!dir) return false;
  auto st = lstat_at(dir->get(), "data");
  if (!st) {
    if (st.error().code == ENOENT) return false;
    return fail(st.error());
  }
  return true;
}

Result<bool> app_data_present(const std::string& app_id) {
  WEFT_TRY(std::string path, paths::app_data_dir(app_id));
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) return true;
  if (errno != ENOENT) return fail(errno_error(path));
  return legacy_app_data_present(app_id);
}

Result<void> migrate_legacy_app_data(const std::string& app_id) {
  WEFT_TRY(auto legacy, open_legacy_package_dir(app_id));
  if (!legacy) return ok();
  WEFT_TRY(std::string from, legacy_path(app_id));
  auto st = lstat_at(legacy->get(), "data");
  if (!st) {
    if (st.error().code == ENOENT) return ok();
    return fail(st.error());
  }
  if (!S_ISDIR(st->st_mode))
    return fail("legacy app data " + from + " is not a plain directory; move or remove it by hand", kConflict);
  WEFT_TRY(std::string target, paths::app_data_dir(app_id));
  std::string parent(split_parent(target).parent);
  if (auto r = ensure_dir_path(parent, 0700); !r) return fail(Error(r.error().message, kHostFault));
  WEFT_TRY(UniqueFd parent_fd, open_dir(parent));
  if (::renameat2(legacy->get(), "data", parent_fd.get(), app_id.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EEXIST || err == ENOTEMPTY)
      return fail("app data of " + app_id + " exists both in " + target + " and in the legacy " + from +
                      "; merge them by hand and remove " + from,
                  kConflict);
    if (err == EXDEV)
      return fail("legacy app data " + from + " is on another filesystem than " + target + "; move it there by hand",
                  kConflict);
    return fail(Error("move " + from + " to " + target + ": " + std::strerror(err), kHostFault));
  }
  (void)fsync_fd(parent_fd.get(), parent);
  return ok();
}

Result<std::string> prepare_app_data_dir(const std::string& app_id) {
  WEFT_TRY_VOID(migrate_legacy_app_data(app_id));
  WEFT_TRY(std::string target, paths::app_data_dir(app_id));
  std::string parent(split_parent(target).parent);
  if (auto r = ensure_dir_path(parent, 0700); !r) return fail(Error(r.error().message, kHostFault));
  if (::mkdir(target.c_str(), 0700) != 0 && errno != EEXIST) return fail(errno_error("mkdir " + target, kHostFault));
  // A migrated legacy directory keeps its old mode; app data is private to the user either way.
  int fd = ::open(target.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(errno_error(target + " (expected a directory)", kHostFault));
  UniqueFd dir(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errno_error(target, kHostFault));
  if ((st.st_mode & 07777) != 0700 && ::fchmod(fd, 0700) != 0) return fail(errno_error("chmod " + target, kHostFault));
  return target;
}

Result<void> purge_app_data(const std::string& app_id) {
  WEFT_TRY(std::string target, paths::app_data_dir(app_id));
  std::string parent(split_parent(target).parent);
  auto dir = open_dir(parent);
  if (!dir) return dir.error().code == ENOENT ? ok() : Result<void>(fail(dir.error()));
  WEFT_TRY_VOID(remove_tree_at(dir->get(), app_id));
  // Legacy data of a never-migrated install goes too.
  WEFT_TRY(auto legacy, open_legacy_package_dir(app_id));
  if (legacy) WEFT_TRY_VOID(remove_tree_at(legacy->get(), "data"));
  return ok();
}

}  // namespace weft::store
