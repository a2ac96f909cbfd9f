#pragma once
// Store layout (§5.6): `<root>/.revisions/<id>/<digest>/` immutable revisions; `<root>/<id>` a symbolic link whose
// target is exactly `.revisions/<id>/<digest>`; `<root>/.revisions/<id>/previous` → `<digest>`. Links are followed
// only in exactly these forms; a plain directory `<root>/<id>` is a legacy install. Sessions pin a revision with a
// shared flock on its directory; store mutations never delete a pinned revision.

#include <optional>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::store {

inline constexpr const char* kRevisionsDir = ".revisions";
inline constexpr const char* kStagingDir = ".staging";
inline constexpr const char* kPreviousLink = "previous";
/// A file of this name in a store root marks it as a development store (weft-dev's private store): only packages
/// owned `development` there may be launched with development options (the remote inspector, in-place reloads).
inline constexpr const char* kDevelopmentStoreMarker = ".weft-development-store";

/// True for 64 lowercase hex characters (a revision name).
[[nodiscard]] bool is_revision_name(std::string_view name);

/// The package `<root>/<id>` resolves to.
struct ActivePackage {
  std::string root;
  std::string app_id;
  std::optional<std::string> revision;  // digest; nullopt for a legacy directory install
  std::string path;                     // real directory: `<root>/.revisions/<id>/<digest>` or `<root>/<id>`
};

/// `<root>/<id>` if it is a well-formed revision link or a plain directory; nullopt when absent; an error for any
/// other form (a link elsewhere, a file).
[[nodiscard]] Result<std::optional<ActivePackage>> find_active(const std::string& root, const std::string& app_id);
/// The first store root holding `app_id` (paths::store_roots order).
[[nodiscard]] Result<std::optional<ActivePackage>> resolve_installed(const std::string& app_id);

/// A revision held open with a shared flock: an update cannot delete it while the pin lives.
class PinnedPackage {
 public:
  PinnedPackage(UniqueFd dir, ActivePackage package) : dir_(std::move(dir)), package_(std::move(package)) {}
  [[nodiscard]] int dir_fd() const { return dir_.get(); }
  [[nodiscard]] const ActivePackage& package() const { return package_; }

 private:
  UniqueFd dir_;
  ActivePackage package_;
};
/// Pins what `<root>/<id>` names now; code 503 when the revision is being changed or the link moved meanwhile.
[[nodiscard]] Result<PinnedPackage> pin_package(const ActivePackage& package);

/// One active package for listings.
struct InstalledApp {
  std::string app_id;
  std::string name;
  std::string version;
  std::string root;
  bool image = false;  // a verity image (`<id>.app.img`) whose manifest is not readable without mounting
};
/// Active packages of all roots whose manifest id matches, first root wins per id, sorted by id.
[[nodiscard]] std::vector<InstalledApp> list_installed();

// ---- mutations; the caller holds the app id lock (trust.hpp) ----

/// The store root directory, created if missing, plus its `.staging` and `.revisions/<id>` directories.
struct StoreDirs {
  std::string root;
  UniqueFd root_fd;
  UniqueFd staging_fd;
};
[[nodiscard]] Result<StoreDirs> open_store_for_writing(const std::string& root);
/// `.revisions/<id>` of an open store (created if missing).
[[nodiscard]] Result<UniqueFd> open_revision_parent(const StoreDirs& store, const std::string& app_id);

/// Active revision name of `<root>/<id>` (nullopt when absent or legacy).
[[nodiscard]] Result<std::optional<std::string>> active_revision(const StoreDirs& store, const std::string& app_id);
[[nodiscard]] Result<std::optional<std::string>> previous_revision(const StoreDirs& store, const std::string& app_id);

/// Points `<root>/<id>` at `revision` by renaming a fresh link over it (atomic).
[[nodiscard]] Result<void> activate_revision(const StoreDirs& store, const std::string& app_id,
                                             const std::string& revision);
/// Sets (or with nullopt removes) `.revisions/<id>/previous`.
[[nodiscard]] Result<void> set_previous_revision(const StoreDirs& store, const std::string& app_id,
                                                 const std::optional<std::string>& revision);
/// Deletes every revision of `app_id` except `keep` and pinned ones; returns how many pinned ones stayed.
[[nodiscard]] Result<int> collect_revisions(const StoreDirs& store, const std::string& app_id,
                                            const std::vector<std::string>& keep);
/// True when some revision of `app_id` (or its legacy directory) is pinned by a session.
[[nodiscard]] Result<bool> any_revision_pinned(const StoreDirs& store, const std::string& app_id);
/// Moves `name` (beneath `dirfd`) into the staging area and deletes it unless pinned (then a later run does).
[[nodiscard]] Result<void> discard_tree(const StoreDirs& store, int dirfd, const std::string& name);
/// Removes staging leftovers of interrupted operations (entries no live process holds locked).
void clean_staging(const StoreDirs& store);

}  // namespace weft::store
