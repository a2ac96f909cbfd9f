#pragma once
// Store operations of weft-pack (§5.5, §5.6): install (staged with fd-relative no-follow copies, validated,
// trust-checked, renamed to a digest-named revision, activated by an atomic link swap), rollback, uninstall and
// approve. Each holds the per-id lock. Failure or interruption leaves the previous revision active and no partial
// revision visible.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::store {

struct InstallOptions {
  bool dev = false;         // unsigned development install, owner `development`
  bool approve = false;     // record every declared capability needing approval
  bool claim_data = false;  // take over an id owned by another signer (or unowned data)
  std::function<void()> on_lock_wait;  // called once when another operation on the id holds the lock
  /// Ahead-of-time compilation of the new revision's component (`revision_dir`/`module`), run before it is activated
  /// (weft-pack: into the store's AOT cache). A failure is reported by the hook and does not block the install
  /// (launches then compile or interpret on demand).
  std::function<void(const std::string& app_id, const std::string& revision_dir, const std::string& module)> precompile;
};

struct InstallOutcome {
  std::string app_id;
  std::string root;
  std::string link;      // `<root>/<id>`
  std::string revision;  // digest
  std::vector<std::string> needs_approval;  // declared, unapproved after this install
  std::vector<std::string> approved;        // recorded by --approve
  std::string owner;                        // describe_owner of the record in force
  std::vector<std::string> unknown_keys;    // Manifest::unknown_keys: ignored (§5.1), worth a warning
};

/// Installs a package directory or a `.app.tar.zst` bundle into the first store root.
[[nodiscard]] Result<InstallOutcome> install_package(const std::string& source, const InstallOptions& options);

struct UninstallOutcome {
  bool was_installed = false;
  int pinned_revisions_kept = 0;
};
/// Removes the active link, the approval record and unpinned revisions; with `purge_data` (refused while pinned)
/// also the app data and owner record. The owner record is also dropped when no app data remains.
[[nodiscard]] Result<UninstallOutcome> uninstall_package(const std::string& app_id, bool purge_data,
                                                         const std::function<void()>& on_lock_wait = nullptr);

/// Swaps the active and previous revisions; returns the now active digest.
[[nodiscard]] Result<std::string> rollback_package(const std::string& app_id,
                                                   const std::function<void()>& on_lock_wait = nullptr);

/// Records approvals for an installed id: `caps` empty = every declared capability needing approval; a capability
/// the manifest does not declare is refused. Returns the capabilities approved by this call.
[[nodiscard]] Result<std::vector<std::string>> approve_package(const std::string& app_id,
                                                               const std::vector<std::string>& caps);

}  // namespace weft::store
