#pragma once
// Trust store, owner records and per-id locks (§5.5).
// - Trusted keys: every `*.pub` in `$WEFT_TRUSTED_KEYS` alone, else `$XDG_CONFIG_HOME/weft/trusted-keys/` and
//   `/etc/weft/trusted-keys/`; missing directories hold none; a malformed key file fails closed.
// - Owner record `$XDG_DATA_HOME/weft/owners/<id>`: `verified <64 hex>\n` or `development\n`, created once
//   (temporary file, fsync, hard link into place).
// - Lock `$XDG_DATA_HOME/weft/owners/.<id>.lock`: exclusive flock held by install, uninstall, approve and rollback.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"
#include "weft/store/crypto.hpp"

namespace weft::store {

struct TrustedKey {
  PublicKey key{};
  std::string file;  // where it was read from
};

/// Keys of the configured trust directories (paths::trusted_key_dirs()).
[[nodiscard]] Result<std::vector<TrustedKey>> load_trusted_keys();
[[nodiscard]] Result<std::vector<TrustedKey>> load_trusted_keys_from(const std::vector<std::string>& dirs);
[[nodiscard]] std::vector<PublicKey> key_list(const std::vector<TrustedKey>& keys);
[[nodiscard]] bool is_trusted(const PublicKey& key, const std::vector<TrustedKey>& keys);

/// For a refusal: which trusted keys were tried (fingerprint and file) and which directories were searched (with
/// `missing` for absent ones), and what to do, e.g. `trusted keys tried: 3f2a9c0d1e4b5a67 (/home/u/.config/weft/
/// trusted-keys/alice.pub); directories searched: /home/u/.config/weft/trusted-keys, /etc/weft/trusted-keys
/// (missing)`. An Ed25519 signature does not name its key, so the signer itself cannot be shown.
[[nodiscard]] std::string describe_trust_search(const std::vector<TrustedKey>& keys,
                                                const std::vector<std::string>& dirs);

/// Install's refusal of a signature no trusted key verifies: the trust search and what to do next (check the package
/// with the publisher's `.pub`, copy that file into the first directory, or install with --dev).
[[nodiscard]] std::string untrusted_signature_message(const std::string& app_id, const std::vector<TrustedKey>& keys,
                                                      const std::vector<std::string>& dirs);

struct OwnerRecord {
  bool development = false;
  PublicKey key{};  // when !development
  friend bool operator==(const OwnerRecord&, const OwnerRecord&) = default;
};

[[nodiscard]] std::string format_owner_record(const OwnerRecord& record);
[[nodiscard]] Result<OwnerRecord> parse_owner_record(std::string_view text);
[[nodiscard]] std::string describe_owner(const OwnerRecord& record);

/// The owner record of `app_id`, nullopt when there is none; a malformed record is an error (fail closed).
[[nodiscard]] Result<std::optional<OwnerRecord>> read_owner(const std::string& app_id);
/// Creates the record once; an existing record (even one written concurrently) makes it fail with EEXIST.
[[nodiscard]] Result<void> create_owner(const std::string& app_id, const OwnerRecord& record);
/// Replaces the record atomically (`--claim-data`).
[[nodiscard]] Result<void> replace_owner(const std::string& app_id, const OwnerRecord& record);
[[nodiscard]] Result<void> remove_owner(const std::string& app_id);

/// Exclusive per-id lock; released when destroyed.
class AppIdLock {
 public:
  AppIdLock() = default;
  explicit AppIdLock(UniqueFd fd) : fd_(std::move(fd)) {}
  [[nodiscard]] bool held() const { return fd_.valid(); }

 private:
  UniqueFd fd_;
};

/// Takes the lock, blocking; `on_contention` is called once before blocking when another process holds it.
[[nodiscard]] Result<AppIdLock> lock_app_id(const std::string& app_id,
                                            const std::function<void()>& on_contention = nullptr);

/// Launch-time trust (§3.4 step 4): the content digest of the package beneath `package_fd` (and, for a revision,
/// equality with its directory name), then the owner rule: `verified <key>` needs that key still trusted and its
/// valid signature; no record needs a valid signature by any trusted key; `development` runs unverified.
struct TrustVerdict {
  Sha256Digest digest{};
  std::optional<PublicKey> signer;  // nullopt for development packages
  bool development = false;
};
[[nodiscard]] Result<TrustVerdict> verify_launch_trust(int package_fd, const std::string& app_id,
                                                       const std::optional<std::string>& revision_name);

}  // namespace weft::store
