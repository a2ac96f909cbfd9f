#include "weft/store/revisions.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <map>

#include "weft/core/app_id.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/manifest.hpp"
#include "weft/core/paths.hpp"
#include "weft/store/fs_at.hpp"
#include "weft/store/test_hooks.hpp"

namespace weft::store {
namespace {

constexpr int kTryAgain = 503;
constexpr time_t kStaleLinkAge = 60;  // s; a temporary link older than this belongs to no live operation

Result<std::optional<std::string>> read_link_at(int dirfd, const std::string& name) {
  char buf[512];
  ssize_t n = ::readlinkat(dirfd, name.c_str(), buf, sizeof buf);
  if (n < 0) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return fail(Error(errno_error(name).message, errno));
  }
  if (static_cast<size_t>(n) >= sizeof buf) return fail(name + ": link target too long");
  return std::optional<std::string>(std::string(buf, static_cast<size_t>(n)));
}

std::string expected_link_prefix(const std::string& app_id) { return std::string(kRevisionsDir) + "/" + app_id + "/"; }

// The names in a directory, sorted; an unreadable directory lists as empty.
std::vector<std::string> list_names(int dirfd) {
  auto names = list_directory(dirfd);
  return names ? std::move(*names) : std::vector<std::string>{};
}

// An exclusive, non-blocking flock on a directory: held only when no session pins it.
std::optional<UniqueFd> lock_unpinned(int dirfd, const std::string& name) {
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  UniqueFd owned(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) return std::nullopt;
  return owned;
}

}  // namespace

bool is_revision_name(std::string_view name) {
  return name.size() == 64 &&
         std::all_of(name.begin(), name.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<std::optional<ActivePackage>> find_active(const std::string& root, const std::string& app_id) {
  WEFT_TRY_VOID(validate_app_id(app_id));
  auto root_fd = open_dir(root);
  if (!root_fd) {
    if (root_fd.error().code == ENOENT) return std::optional<ActivePackage>{};
    return fail(root_fd.error());
  }
  auto st = lstat_at(root_fd->get(), app_id);
  if (!st) {
    if (st.error().code == ENOENT) return std::optional<ActivePackage>{};
    return fail(st.error());
  }
  ActivePackage pkg{root, app_id, std::nullopt, root + "/" + app_id};
  if (S_ISDIR(st->st_mode)) return std::optional<ActivePackage>(pkg);
  if (!S_ISLNK(st->st_mode)) return fail(root + "/" + app_id + " is neither a revision link nor a directory");
  WEFT_TRY(auto target, read_link_at(root_fd->get(), app_id));
  if (!target) return std::optional<ActivePackage>{};
  std::string prefix = expected_link_prefix(app_id);
  if (target->compare(0, prefix.size(), prefix) != 0 || !is_revision_name(target->substr(prefix.size())))
    return fail(root + "/" + app_id + " links to '" + *target + "', not to " + prefix + "<digest>");
  pkg.revision = target->substr(prefix.size());
  pkg.path = root + "/" + *target;
  return std::optional<ActivePackage>(pkg);
}

Result<std::optional<ActivePackage>> resolve_installed(const std::string& app_id) {
  for (const auto& root : paths::store_roots()) {
    WEFT_TRY(auto pkg, find_active(root, app_id));
    if (pkg) return pkg;
  }
  return std::optional<ActivePackage>{};
}

Result<PinnedPackage> pin_package(const ActivePackage& package) {
  WEFT_TRY(UniqueFd root_fd, open_dir(package.root));
  UniqueFd dir;
  if (package.revision) {
    WEFT_TRY(UniqueFd revs, open_dir_at(root_fd.get(), kRevisionsDir));
    WEFT_TRY(UniqueFd parent, open_dir_at(revs.get(), package.app_id));
    WEFT_TRY(dir, open_dir_at(parent.get(), *package.revision));
  } else {
    WEFT_TRY(dir, open_dir_at(root_fd.get(), package.app_id));
  }
  if (::flock(dir.get(), LOCK_SH | LOCK_NB) != 0)
    return fail("package " + package.app_id + ": revision is being changed; try again", kTryAgain);
  // The pin counts only if the path still names what we locked (an update may have swapped the link meanwhile).
  WEFT_TRY(auto now, find_active(package.root, package.app_id));
  if (!now || now->revision != package.revision)
    return fail("package " + package.app_id + ": revision changed while launching; try again", kTryAgain);
  return PinnedPackage(std::move(dir), package);
}

std::vector<InstalledApp> list_installed() {
  std::map<std::string, InstalledApp> apps;
  for (const auto& root : paths::store_roots()) {
    auto root_fd = open_dir(root);
    if (!root_fd) continue;
    std::map<std::string, InstalledApp> here;
    for (const auto& name : list_names(root_fd->get())) {
      constexpr std::string_view kImageSuffix = ".app.img";
      if (name.size() > kImageSuffix.size() && name.ends_with(kImageSuffix)) {
        std::string id = name.substr(0, name.size() - kImageSuffix.size());
        if (is_valid_app_id(id)) here.emplace(id, InstalledApp{id, id, "", root, true});
        continue;
      }
      if (!is_valid_app_id(name)) continue;
      auto pkg = find_active(root, name);
      if (!pkg || !*pkg) continue;
      auto manifest = load_manifest((*pkg)->path);
      if (!manifest || manifest->id != name) continue;
      here[name] = InstalledApp{name, manifest->name, manifest->version, root, false};
    }
    for (auto& [id, app] : here) apps.emplace(id, std::move(app));  // first root wins
  }
  std::vector<InstalledApp> out;
  for (auto& [id, app] : apps) out.push_back(std::move(app));
  return out;
}

Result<StoreDirs> open_store_for_writing(const std::string& root) {
  WEFT_TRY_VOID(ensure_dir_path(root, 0755));
  StoreDirs s;
  s.root = root;
  WEFT_TRY(s.root_fd, open_dir(root));
  WEFT_TRY(s.staging_fd, ensure_dir_at(s.root_fd.get(), kStagingDir, 0700));
  WEFT_TRY(UniqueFd revs, ensure_dir_at(s.root_fd.get(), kRevisionsDir, 0755));
  return s;
}

Result<UniqueFd> open_revision_parent(const StoreDirs& store, const std::string& app_id) {
  WEFT_TRY(UniqueFd revs, ensure_dir_at(store.root_fd.get(), kRevisionsDir, 0755));
  return ensure_dir_at(revs.get(), app_id, 0755);
}

Result<std::optional<std::string>> active_revision(const StoreDirs& store, const std::string& app_id) {
  WEFT_TRY(auto pkg, find_active(store.root, app_id));
  if (!pkg) return std::optional<std::string>{};
  return pkg->revision;
}

Result<std::optional<std::string>> previous_revision(const StoreDirs& store, const std::string& app_id) {
  WEFT_TRY(UniqueFd parent, open_revision_parent(store, app_id));
  WEFT_TRY(auto target, read_link_at(parent.get(), kPreviousLink));
  if (!target) return std::optional<std::string>{};
  if (!is_revision_name(*target)) return fail(".revisions/" + app_id + "/previous links to '" + *target + "'");
  auto st = lstat_at(parent.get(), *target);
  if (!st || !S_ISDIR(st->st_mode)) return std::optional<std::string>{};  // collected meanwhile
  return target;
}

Result<void> activate_revision(const StoreDirs& store, const std::string& app_id, const std::string& revision) {
  // Temporary links are named per id and made only under the id lock the caller holds, so any other one of this id
  // is a leftover of an interrupted activation.
  std::string prefix = "link-" + app_id + "-";
  for (const auto& name : list_names(store.staging_fd.get()))
    if (name.starts_with(prefix)) (void)::unlinkat(store.staging_fd.get(), name.c_str(), 0);
  std::string tmp = prefix + random_hex(12);
  std::string target = expected_link_prefix(app_id) + revision;
  if (::symlinkat(target.c_str(), store.staging_fd.get(), tmp.c_str()) != 0)
    return fail(errno_error("create link for " + app_id));
  test_hook("link");
  if (::renameat(store.staging_fd.get(), tmp.c_str(), store.root_fd.get(), app_id.c_str()) != 0) {
    auto e = errno_error("activate " + store.root + "/" + app_id);
    ::unlinkat(store.staging_fd.get(), tmp.c_str(), 0);
    return fail(e);
  }
  return fsync_fd(store.root_fd.get(), store.root);
}

Result<void> set_previous_revision(const StoreDirs& store, const std::string& app_id,
                                   const std::optional<std::string>& revision) {
  WEFT_TRY(UniqueFd parent, open_revision_parent(store, app_id));
  if (!revision) {
    if (::unlinkat(parent.get(), kPreviousLink, 0) != 0 && errno != ENOENT)
      return fail(errno_error("remove previous link of " + app_id));
    return ok();
  }
  std::string tmp = ".previous-" + random_hex(8);
  if (::symlinkat(revision->c_str(), parent.get(), tmp.c_str()) != 0)
    return fail(errno_error("create previous link of " + app_id));
  if (::renameat(parent.get(), tmp.c_str(), parent.get(), kPreviousLink) != 0) {
    auto e = errno_error("set previous link of " + app_id);
    ::unlinkat(parent.get(), tmp.c_str(), 0);
    return fail(e);
  }
  return fsync_fd(parent.get(), "revisions of " + app_id);
}

Result<void> discard_tree(const StoreDirs& store, int dirfd, const std::string& name) {
  std::string trash = "trash-" + random_hex(12);
  if (::renameat(dirfd, name.c_str(), store.staging_fd.get(), trash.c_str()) != 0) {
    if (errno == ENOENT) return ok();
    return fail(errno_error("move " + name + " out of the store"));
  }
  // A pinned tree stays in staging (its session still reads it); clean_staging removes it once released.
  auto st = lstat_at(store.staging_fd.get(), trash);
  if (!st) return ok();
  if (!S_ISDIR(st->st_mode) || lock_unpinned(store.staging_fd.get(), trash))
    return remove_tree_at(store.staging_fd.get(), trash);
  return ok();
}

Result<int> collect_revisions(const StoreDirs& store, const std::string& app_id, const std::vector<std::string>& keep) {
  WEFT_TRY(UniqueFd parent, open_revision_parent(store, app_id));
  int pinned = 0;
  for (const auto& name : list_names(parent.get())) {
    if (name == kPreviousLink) continue;
    if (name.starts_with(".previous-")) {
      (void)::unlinkat(parent.get(), name.c_str(), 0);  // leftover of an interrupted previous-link swap
      continue;
    }
    if (std::find(keep.begin(), keep.end(), name) != keep.end()) continue;
    bool unpinned = lock_unpinned(parent.get(), name).has_value();  // probe only: discard_tree locks again
    if (!unpinned) {
      auto st = lstat_at(parent.get(), name);
      if (st && S_ISDIR(st->st_mode)) ++pinned;
      else (void)::unlinkat(parent.get(), name.c_str(), 0);
      continue;
    }
    WEFT_TRY_VOID(discard_tree(store, parent.get(), name));
  }
  return pinned;
}

Result<bool> any_revision_pinned(const StoreDirs& store, const std::string& app_id) {
  auto legacy = lstat_at(store.root_fd.get(), app_id);
  if (legacy && S_ISDIR(legacy->st_mode) && !lock_unpinned(store.root_fd.get(), app_id)) return true;
  WEFT_TRY(UniqueFd parent, open_revision_parent(store, app_id));
  for (const auto& name : list_names(parent.get())) {
    if (!is_revision_name(name)) continue;
    if (!lock_unpinned(parent.get(), name)) return true;
  }
  return false;
}

void clean_staging(const StoreDirs& store) {
  time_t now = ::time(nullptr);
  for (const auto& name : list_names(store.staging_fd.get())) {
    auto st = lstat_at(store.staging_fd.get(), name);
    if (!st) continue;
    if (S_ISDIR(st->st_mode)) {
      // Live operations hold an exclusive lock on their staging directory; pinned trash holds a shared one.
      if (auto lock = lock_unpinned(store.staging_fd.get(), name))
        (void)remove_tree_at(store.staging_fd.get(), name);
    } else if (now - st->st_mtime > kStaleLinkAge) {
      (void)::unlinkat(store.staging_fd.get(), name.c_str(), 0);
    }
  }
}

}  // namespace weft::store
