#include "weft/store/install.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "weft/core/app_id.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/manifest.hpp"
#include "weft/core/paths.hpp"
#include "weft/store/app_data.hpp"
#include "weft/store/approvals.hpp"
#include "weft/store/bundle.hpp"
#include "weft/store/fs_at.hpp"
#include "weft/store/package_check.hpp"
#include "weft/store/package_tree.hpp"
#include "weft/store/revisions.hpp"
#include "weft/store/signature.hpp"
#include "weft/store/test_hooks.hpp"
#include "weft/store/trust.hpp"

namespace weft::store {
namespace {

constexpr int kRefused = 403;

// Removes a staging directory unless disarmed (success moved it into the store).
class StagingGuard {
 public:
  StagingGuard(const StoreDirs& store, std::string name) : store_(store), name_(std::move(name)) {}
  ~StagingGuard() {
    if (armed_) (void)remove_tree_at(store_.staging_fd.get(), name_);
  }
  void disarm() { armed_ = false; }
  StagingGuard(const StagingGuard&) = delete;
  StagingGuard& operator=(const StagingGuard&) = delete;

 private:
  const StoreDirs& store_;
  std::string name_;
  bool armed_ = true;
};

struct OwnerDecision {
  OwnerRecord record;
  enum class Action { keep, create, replace } action = Action::keep;
};

Result<OwnerDecision> decide_owner(int stage_fd, const std::string& id, const Sha256Digest& digest,
                                   const InstallOptions& o) {
  OwnerRecord want;
  if (o.dev) {
    want.development = true;
  } else {
    auto sig = read_package_signature(stage_fd);
    if (!sig)
      return fail(id + ": " + sig.error().message + "; sign it (weft-pack sign) or use --dev for a development install",
                  kRefused);
    WEFT_TRY(auto keys, load_trusted_keys());
    auto signer = find_signer(digest, *sig, key_list(keys));
    if (!signer) return fail(untrusted_signature_message(id, keys, paths::trusted_key_dirs()), kRefused);
    want.key = *signer;
  }
  WEFT_TRY(auto owner, read_owner(id));
  if (owner) {
    if (*owner == want) return OwnerDecision{want, OwnerDecision::Action::keep};
    if (o.dev && !owner->development)
      return fail(id + " is owned by " + describe_owner(*owner) + "; a --dev install cannot replace it", kRefused);
    if (!o.claim_data)
      return fail(id + " is owned by " + describe_owner(*owner) + " but this package is " +
                      (want.development ? std::string("a development install") : "signed by " + describe_owner(want)) +
                      "; use --claim-data to transfer ownership (app data is kept)",
                  kRefused);
    return OwnerDecision{want, OwnerDecision::Action::replace};
  }
  WEFT_TRY(bool data, app_data_present(id));
  if (data && !o.claim_data)
    return fail("app data of " + id + " exists without an owner record; use --claim-data to adopt it", kRefused);
  return OwnerDecision{want, data ? OwnerDecision::Action::replace : OwnerDecision::Action::create};
}

Result<std::string> read_small_at(int dirfd, const std::string& name) {
  int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? std::string() : Result<std::string>(fail(errno_error(name)));
  UniqueFd owned(fd);
  return read_fd(fd, 4096, name);
}

// Moves the staged tree to `.revisions/<id>/<digest>`. An existing revision with the same content is reused; if only
// its signature differs (a re-signed package), the directories are exchanged atomically so the link never dangles.
Result<void> place_revision(const StoreDirs& store, const std::string& stage_name, int stage_fd,
                            const std::string& id, const std::string& revision, StagingGuard& guard) {
  WEFT_TRY(UniqueFd parent, open_revision_parent(store, id));
  if (::renameat2(store.staging_fd.get(), stage_name.c_str(), parent.get(), revision.c_str(), RENAME_NOREPLACE) == 0) {
    guard.disarm();
    return fsync_fd(parent.get(), "revisions of " + id);
  }
  if (errno != EEXIST && errno != ENOTEMPTY) return fail(errno_error("store revision " + revision));
  WEFT_TRY(UniqueFd existing, open_dir_at(parent.get(), revision));
  WEFT_TRY(std::string old_sig, read_small_at(existing.get(), "signature.sig"));
  WEFT_TRY(std::string new_sig, read_small_at(stage_fd, "signature.sig"));
  if (old_sig == new_sig) return ok();  // same content, same signature: the guard drops the staged copy
  if (::renameat2(store.staging_fd.get(), stage_name.c_str(), parent.get(), revision.c_str(), RENAME_EXCHANGE) != 0)
    return fail(errno_error("replace revision " + revision));
  // The former tree now sits at the staging name; the guard removes it unless a session pins it.
  if (::flock(existing.get(), LOCK_EX | LOCK_NB) != 0) guard.disarm();
  return fsync_fd(parent.get(), "revisions of " + id);
}

// A plain `<root>/<id>` directory becomes a revision before the update (its legacy data moved out first). Between the
// two renames `<root>/<id>` is briefly absent; the revision itself is complete at all times.
Result<std::string> convert_legacy_install(const StoreDirs& store, const std::string& id) {
  WEFT_TRY_VOID(migrate_legacy_app_data(id));
  WEFT_TRY(UniqueFd legacy, open_dir_at(store.root_fd.get(), id));
  if (lstat_at(legacy.get(), "data").ok())
    return fail("legacy install " + store.root + "/" + id + " holds a data directory; move it to the app data " +
                    "directory and install again",
                409);
  auto digest = package_digest(legacy.get());
  if (!digest) return fail(digest.error().with_context("legacy install " + store.root + "/" + id));
  std::string revision = to_hex(*digest);
  WEFT_TRY(UniqueFd parent, open_revision_parent(store, id));
  if (::renameat2(store.root_fd.get(), id.c_str(), parent.get(), revision.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno != EEXIST && errno != ENOTEMPTY) return fail(errno_error("move legacy install of " + id));
    WEFT_TRY_VOID(discard_tree(store, store.root_fd.get(), id));
  }
  WEFT_TRY_VOID(activate_revision(store, id, revision));
  return revision;
}


Result<StoreDirs> open_install_root() {
  auto roots = paths::store_roots();
  if (roots.empty()) return fail("no store root is configured (set HOME or WEFT_APP_STORE)");
  return open_store_for_writing(roots.front());
}

}  // namespace

Result<InstallOutcome> install_package(const std::string& source, const InstallOptions& options) {
  WEFT_TRY(StoreDirs store, open_install_root());
  clean_staging(store);
  std::string stage_name = "stage-" + random_hex(12);
  WEFT_TRY(UniqueFd stage, ensure_dir_at(store.staging_fd.get(), stage_name, 0755));
  StagingGuard guard(store, stage_name);
  // Held until this process ends: clean_staging in other processes leaves a live staging directory alone.
  if (::flock(stage.get(), LOCK_EX | LOCK_NB) != 0) return fail(errno_error("lock staging directory"));

  struct stat st {};
  if (::stat(source.c_str(), &st) != 0) return fail(errno_error(source));
  std::optional<std::string> bundle_top;
  if (S_ISREG(st.st_mode)) {
    auto top = extract_bundle(source, stage.get());
    if (!top) return fail(Error(top.error().message, kRefused));
    bundle_top = *top;
  } else if (S_ISDIR(st.st_mode)) {
    WEFT_TRY(UniqueFd src, open_dir(source));
    if (auto c = copy_package_tree(src.get(), stage.get()); !c) return fail(Error(c.error().message, kRefused));
  } else {
    return fail(source + " is neither a package directory nor a bundle file", kRefused);
  }
  if (lstat_at(stage.get(), "data").ok())
    return fail("the package has a top-level 'data' entry; app data lives outside packages", kRefused);
  test_hook("staged");

  WEFT_TRY(Manifest manifest, validate_package(stage.get(), source));
  const std::string& id = manifest.id;
  if (bundle_top && *bundle_top != id)
    return fail("bundle top directory '" + *bundle_top + "' differs from the manifest id '" + id + "'", kRefused);

  WEFT_TRY(AppIdLock lock, lock_app_id(id, options.on_lock_wait));
  test_hook("locked");
  WEFT_TRY(Sha256Digest digest, package_digest(stage.get()));
  std::string revision = to_hex(digest);
  WEFT_TRY(OwnerDecision owner, decide_owner(stage.get(), id, digest, options));

  WEFT_TRY(auto current, find_active(store.root, id));
  std::optional<std::string> former;
  if (current) {
    if (current->revision) {
      former = current->revision;
    } else {
      WEFT_TRY(former, convert_legacy_install(store, id));
    }
  }
  WEFT_TRY_VOID(place_revision(store, stage_name, stage.get(), id, revision, guard));
  test_hook("revision");
  if (options.precompile)
    options.precompile(id, store.root + "/" + kRevisionsDir + "/" + id + "/" + revision, manifest.module);

  if (owner.action == OwnerDecision::Action::create) WEFT_TRY_VOID(create_owner(id, owner.record));
  if (owner.action == OwnerDecision::Action::replace) WEFT_TRY_VOID(replace_owner(id, owner.record));
  test_hook("owner");

  WEFT_TRY_VOID(activate_revision(store, id, revision));
  test_hook("activated");
  if (former && *former != revision) WEFT_TRY_VOID(set_previous_revision(store, id, former));
  test_hook("previous");
  WEFT_TRY(auto previous, previous_revision(store, id));
  std::vector<std::string> keep{revision};
  if (previous) keep.push_back(*previous);
  WEFT_TRY(int pinned, collect_revisions(store, id, keep));
  (void)pinned;
  test_hook("collected");

  InstallOutcome out;
  out.app_id = id;
  out.root = store.root;
  out.link = store.root + "/" + id;
  out.revision = revision;
  out.owner = describe_owner(owner.record);
  out.unknown_keys = manifest.unknown_keys;
  WEFT_TRY(auto approved, read_approvals(id));
  out.needs_approval = unapproved_capabilities(manifest, approved);
  if (options.approve && !out.needs_approval.empty()) {
    approved.insert(approved.end(), out.needs_approval.begin(), out.needs_approval.end());
    WEFT_TRY_VOID(write_approvals(id, approved));
    out.approved = std::move(out.needs_approval);
    out.needs_approval.clear();
  }
  return out;
}

Result<UninstallOutcome> uninstall_package(const std::string& id, bool purge_data,
                                           const std::function<void()>& on_lock_wait) {
  WEFT_TRY_VOID(validate_app_id(id));
  WEFT_TRY(StoreDirs store, open_install_root());
  WEFT_TRY(AppIdLock lock, lock_app_id(id, on_lock_wait));
  if (purge_data) {
    WEFT_TRY(bool pinned, any_revision_pinned(store, id));
    if (pinned) return fail(id + " is in use by a running session; stop it before --purge-data", kRefused);
  }
  UninstallOutcome out;
  auto st = lstat_at(store.root_fd.get(), id);
  if (st) {
    out.was_installed = true;
    if (S_ISDIR(st->st_mode)) {
      WEFT_TRY_VOID(migrate_legacy_app_data(id));
      WEFT_TRY_VOID(discard_tree(store, store.root_fd.get(), id));
    } else if (::unlinkat(store.root_fd.get(), id.c_str(), 0) != 0) {
      return fail(errno_error("remove " + store.root + "/" + id));
    }
    WEFT_TRY_VOID(fsync_fd(store.root_fd.get(), store.root));
  }
  WEFT_TRY_VOID(remove_approvals(id));
  WEFT_TRY_VOID(set_previous_revision(store, id, std::nullopt));
  WEFT_TRY(out.pinned_revisions_kept, collect_revisions(store, id, {}));
  if (out.pinned_revisions_kept == 0) {
    if (auto revs = open_dir_at(store.root_fd.get(), kRevisionsDir))
      (void)::unlinkat(revs->get(), id.c_str(), AT_REMOVEDIR);
  }
  if (purge_data) {
    WEFT_TRY_VOID(purge_app_data(id));
    WEFT_TRY_VOID(remove_owner(id));
  } else {
    WEFT_TRY(bool data, app_data_present(id));
    if (!data) WEFT_TRY_VOID(remove_owner(id));  // the record is kept only while data remains
  }
  return out;
}

Result<std::string> rollback_package(const std::string& id, const std::function<void()>& on_lock_wait) {
  WEFT_TRY_VOID(validate_app_id(id));
  WEFT_TRY(StoreDirs store, open_install_root());
  WEFT_TRY(AppIdLock lock, lock_app_id(id, on_lock_wait));
  WEFT_TRY(auto active, active_revision(store, id));
  if (!active) return fail(id + " is not installed as a revision; nothing to roll back", kRefused);
  WEFT_TRY(auto previous, previous_revision(store, id));
  if (!previous) return fail(id + " has no previous revision", kRefused);
  WEFT_TRY_VOID(activate_revision(store, id, *previous));
  WEFT_TRY_VOID(set_previous_revision(store, id, active));
  return *previous;
}

Result<std::vector<std::string>> approve_package(const std::string& id, const std::vector<std::string>& caps) {
  WEFT_TRY_VOID(validate_app_id(id));
  WEFT_TRY(AppIdLock lock, lock_app_id(id));
  WEFT_TRY(auto pkg, resolve_installed(id));
  if (!pkg) return fail(id + " is not installed", kRefused);
  WEFT_TRY(Manifest manifest, load_manifest(pkg->path));
  auto needing = capabilities_needing_approval(manifest);
  std::vector<std::string> chosen;
  if (caps.empty()) {
    chosen = needing;
  } else {
    for (const auto& c : caps) {
      if (std::find(manifest.capabilities.begin(), manifest.capabilities.end(), c) == manifest.capabilities.end())
        return fail("capability '" + c + "' is not declared by " + id, kRefused);
      if (std::find(needing.begin(), needing.end(), c) != needing.end() &&
          std::find(chosen.begin(), chosen.end(), c) == chosen.end())
        chosen.push_back(c);
    }
  }
  WEFT_TRY(auto approved, read_approvals(id));
  approved.insert(approved.end(), chosen.begin(), chosen.end());
  WEFT_TRY_VOID(write_approvals(id, approved));
  return chosen;
}

}  // namespace weft::store
