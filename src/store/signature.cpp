#include "weft/store/signature.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "weft/core/confined_fs.hpp"
#include "weft/store/fs_at.hpp"
#include "weft/store/package_tree.hpp"

namespace weft::store {
namespace {

constexpr size_t kHashChunk = 256 * 1024;  // bytes read per syscall while hashing

Result<Sha256Digest> hash_file(int root_fd, const std::string& path) {
  WEFT_TRY(UniqueFd fd, open_beneath(root_fd, path, O_RDONLY | O_NOFOLLOW));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(errno_error(path));
  if (!S_ISREG(st.st_mode)) return fail("'" + path + "' is not a regular file");
  Sha256 h;
  std::vector<uint8_t> buf(kHashChunk);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno_error("read " + path));
    }
    if (n == 0) break;
    h.update(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
  }
  return h.finish();
}

}  // namespace

Result<std::string> package_inventory(int root_fd) {
  WEFT_TRY(auto entries, list_package_tree(root_fd));
  std::string inventory;
  for (const auto& e : entries) {
    if (e.directory || e.path == kSignatureFileName) continue;
    WEFT_TRY(Sha256Digest d, hash_file(root_fd, e.path));
    inventory += e.path;
    inventory += '\t';
    inventory += to_hex(d);
    inventory += '\n';
  }
  return inventory;
}

Result<Sha256Digest> package_digest(int root_fd) {
  WEFT_TRY(std::string inventory, package_inventory(root_fd));
  return sha256(inventory);
}

Result<Sha256Digest> sign_package(int root_fd, const KeySeed& seed) {
  WEFT_TRY(Sha256Digest digest, package_digest(root_fd));
  Signature sig = sign_detached(seed, digest);
  WEFT_TRY_VOID(write_file_atomic_at(root_fd, kSignatureFileName, to_hex(sig), 0644));
  return digest;
}

Result<Signature> read_package_signature(int root_fd) {
  int fd = ::openat(root_fd, kSignatureFileName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return fail("the package has no signature.sig");
    return fail(errno_error(kSignatureFileName));
  }
  UniqueFd owned(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return fail("signature.sig is not a regular file");
  WEFT_TRY(std::string text, read_fd(fd, 4096, kSignatureFileName));
  return parse_signature_text(text, kSignatureFileName);
}

Result<void> verify_package(int root_fd, const PublicKey& key) {
  WEFT_TRY(Signature sig, read_package_signature(root_fd));
  WEFT_TRY(Sha256Digest digest, package_digest(root_fd));
  if (!verify_detached(key, digest, sig)) return fail("signature.sig does not match the content under this key: the package changed after it was signed, or "
                "another key signed it");
  return ok();
}

std::optional<PublicKey> find_signer(const Sha256Digest& digest, const Signature& sig,
                                     const std::vector<PublicKey>& keys) {
  for (const auto& k : keys) {
    if (verify_detached(k, digest, sig)) return k;
  }
  return std::nullopt;
}

}  // namespace weft::store
