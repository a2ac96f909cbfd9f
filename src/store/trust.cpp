#include "weft/store/trust.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "weft/core/confined_fs.hpp"
#include "weft/core/paths.hpp"
#include "weft/store/fs_at.hpp"
#include "weft/store/signature.hpp"

namespace weft::store {
namespace {

constexpr size_t kMaxOwnerRecordBytes = 256;  // bytes; `verified <64 hex>\n` is 74

Result<UniqueFd> open_owners_dir() {
  WEFT_TRY(std::string dir, paths::owners_dir());
  WEFT_TRY_VOID(ensure_dir_path(dir, 0700));
  return open_dir(dir);
}

}  // namespace

Result<std::vector<TrustedKey>> load_trusted_keys() { return load_trusted_keys_from(paths::trusted_key_dirs()); }

Result<std::vector<TrustedKey>> load_trusted_keys_from(const std::vector<std::string>& dirs) {
  std::vector<TrustedKey> keys;
  for (const auto& dir : dirs) {
    auto dir_fd = open_dir(dir);
    if (!dir_fd) {
      if (dir_fd.error().code == ENOENT) continue;  // a missing directory holds no keys
      return fail(Error("trusted-key directory " + dir_fd.error().message, dir_fd.error().code));
    }
    auto entries = list_directory(dir_fd->get());
    if (!entries) return fail(entries.error().with_context("trusted-key directory " + dir));
    std::vector<std::string> names;
    for (auto& n : *entries)
      if (n.size() > 4 && n.compare(n.size() - 4, 4, ".pub") == 0) names.push_back(std::move(n));  // sorted
    for (const auto& n : names) {
      std::string file = dir + "/" + n;
      auto key = read_public_key_file(file);
      if (!key) return fail(key.error().with_context("trusted key"));
      keys.push_back({*key, file});
    }
  }
  return keys;
}

std::vector<PublicKey> key_list(const std::vector<TrustedKey>& keys) {
  std::vector<PublicKey> out;
  for (const auto& k : keys) out.push_back(k.key);
  return out;
}

bool is_trusted(const PublicKey& key, const std::vector<TrustedKey>& keys) {
  return std::any_of(keys.begin(), keys.end(), [&](const TrustedKey& k) { return equal_constant_time(k.key, key); });
}

std::string describe_trust_search(const std::vector<TrustedKey>& keys, const std::vector<std::string>& dirs) {
  std::string out = "trusted keys tried: ";
  if (keys.empty()) out += "none";
  for (size_t i = 0; i < keys.size(); ++i)
    out += (i ? ", " : "") + key_fingerprint(keys[i].key) + " (" + keys[i].file + ")";
  out += "; directories searched: ";
  for (size_t i = 0; i < dirs.size(); ++i) {
    struct stat st {};
    out += (i ? ", " : "") + dirs[i] + (::stat(dirs[i].c_str(), &st) == 0 ? "" : " (missing)");
  }
  return out;
}

std::string untrusted_signature_message(const std::string& app_id, const std::vector<TrustedKey>& keys,
                                        const std::vector<std::string>& dirs) {
  std::string first_dir = dirs.empty() ? std::string("a trusted-key directory") : dirs.front() + "/";
  return app_id + ": signature.sig is not a valid signature of this content by a trusted key (" +
         describe_trust_search(keys, dirs) +
         "). A signature does not name its key: check the package with the publisher's key (weft-pack verify <dir> "
         "--key <their .pub>) and copy that .pub file into " + first_dir +
         ", or install with --dev for a development install";
}

std::string format_owner_record(const OwnerRecord& r) {
  return r.development ? "development\n" : "verified " + to_hex(r.key) + "\n";
}

std::string describe_owner(const OwnerRecord& r) {
  return r.development ? "development" : "key " + key_fingerprint(r.key);
}

Result<OwnerRecord> parse_owner_record(std::string_view text) {
  std::string_view t = trim_ascii(text);
  OwnerRecord r;
  if (t == "development") {
    r.development = true;
    return r;
  }
  constexpr std::string_view kVerified = "verified ";
  if (t.substr(0, kVerified.size()) != kVerified)
    return fail("owner record is neither 'verified <key>' nor 'development'");
  WEFT_TRY_VOID(from_hex(t.substr(kVerified.size()), r.key, "owner record key"));
  return r;
}

Result<std::optional<OwnerRecord>> read_owner(const std::string& app_id) {
  WEFT_TRY(UniqueFd dir, open_owners_dir());
  int fd = ::openat(dir.get(), app_id.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<OwnerRecord>{};
    return fail(errno_error("owner record of " + app_id));
  }
  UniqueFd owned(fd);
  WEFT_TRY(std::string text, read_fd(fd, kMaxOwnerRecordBytes, "owner record of " + app_id));
  auto rec = parse_owner_record(text);
  if (!rec) return fail(rec.error().with_context("owner record of " + app_id));
  return std::optional<OwnerRecord>(*rec);
}

Result<void> create_owner(const std::string& app_id, const OwnerRecord& record) {
  WEFT_TRY(UniqueFd dir, open_owners_dir());
  std::string tmp = "." + app_id + ".new-" + random_hex(8);
  WEFT_TRY_VOID(write_file_exclusive_at(dir.get(), tmp, format_owner_record(record), 0644));
  // A hard link never replaces: the first writer wins even against a concurrent creator.
  int rc = ::linkat(dir.get(), tmp.c_str(), dir.get(), app_id.c_str(), 0);
  int err = errno;
  ::unlinkat(dir.get(), tmp.c_str(), 0);
  if (rc != 0) return fail(Error("owner record of " + app_id + ": " + std::strerror(err), err));
  return fsync_fd(dir.get(), "owners directory");
}

Result<void> replace_owner(const std::string& app_id, const OwnerRecord& record) {
  WEFT_TRY(UniqueFd dir, open_owners_dir());
  return write_file_atomic_at(dir.get(), app_id, format_owner_record(record), 0644);
}

Result<void> remove_owner(const std::string& app_id) {
  WEFT_TRY(UniqueFd dir, open_owners_dir());
  if (::unlinkat(dir.get(), app_id.c_str(), 0) != 0 && errno != ENOENT)
    return fail(errno_error("remove owner record of " + app_id));
  return ok();
}

Result<AppIdLock> lock_app_id(const std::string& app_id, const std::function<void()>& on_contention) {
  WEFT_TRY(UniqueFd dir, open_owners_dir());
  std::string name = "." + app_id + ".lock";
  int fd = ::openat(dir.get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail(errno_error("lock file " + name));
  UniqueFd lock(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return AppIdLock(std::move(lock));
  if (errno != EWOULDBLOCK) return fail(errno_error("lock " + name));
  if (on_contention) on_contention();
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) return fail(errno_error("lock " + name));
  }
  return AppIdLock(std::move(lock));
}

Result<TrustVerdict> verify_launch_trust(int package_fd, const std::string& app_id,
                                         const std::optional<std::string>& revision_name) {
  TrustVerdict verdict;
  WEFT_TRY(verdict.digest, package_digest(package_fd));
  if (revision_name && to_hex(verdict.digest) != *revision_name)
    return fail("package " + app_id + ": content digest does not match revision " + *revision_name, 403);
  auto owner = read_owner(app_id);
  if (!owner) return fail(Error(owner.error().message, 403));
  if (*owner && (*owner)->development) {
    verdict.development = true;
    return verdict;
  }
  auto keys = load_trusted_keys();
  if (!keys) return fail(Error(keys.error().message, 403));
  auto sig = read_package_signature(package_fd);
  if (!sig) return fail(Error("package " + app_id + ": " + sig.error().message, 403));
  if (*owner) {
    const PublicKey& k = (*owner)->key;
    if (!is_trusted(k, *keys))
      return fail("package " + app_id + ": its owner key " + key_fingerprint(k) + " is no longer trusted (" +
                      describe_trust_search(*keys, paths::trusted_key_dirs()) + ")",
                  403);
    if (!verify_detached(k, verdict.digest, *sig))
      return fail("package " + app_id + ": content is not signed by its owner key " + key_fingerprint(k), 403);
    verdict.signer = k;
    return verdict;
  }
  verdict.signer = find_signer(verdict.digest, *sig, key_list(*keys));
  if (!verdict.signer)
    return fail("package " + app_id + ": no trusted key signed this content (" +
                    describe_trust_search(*keys, paths::trusted_key_dirs()) + ")",
                403);
  return verdict;
}

}  // namespace weft::store
