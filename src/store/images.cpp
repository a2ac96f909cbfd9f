#include "weft/store/images.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "weft/core/app_id.hpp"
#include "weft/core/paths.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/fs_at.hpp"
#include "weft/store/trust.hpp"

namespace weft::store {
namespace {

constexpr int kRefused = 403;

Result<std::string> read_small_regular(const std::string& path) {
  WEFT_TRY(OpenedRegularFile file, open_regular_file(path, /*follow_last_link=*/false));
  return read_fd(file.fd.get(), 4096, path);
}

bool is_regular_no_follow(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Result<std::optional<ImageArtifacts>> find_image(const std::string& app_id) {
  WEFT_TRY_VOID(validate_app_id(app_id));
  for (const auto& root : paths::store_roots()) {
    std::string base = root + "/" + app_id;
    ImageArtifacts a{root, base + ".app.img", base + ".app.hash", base + ".app.roothash", base + ".app.roothash.sig"};
    for (const auto* p : {&a.image, &a.hash_tree, &a.root_hash_file, &a.signature_file}) {
      struct stat st {};
      if (::lstat(p->c_str(), &st) == 0) return std::optional<ImageArtifacts>(a);
      if (errno != ENOENT) return fail(errno_error(*p, kRefused));
    }
  }
  return std::optional<ImageArtifacts>{};
}

Result<std::string> verify_image_root_hash(const ImageArtifacts& image, const std::string& app_id) {
  auto refuse = [&](const std::string& why) { return fail("image of " + app_id + ": " + why, kRefused); };
  for (const auto* p : {&image.image, &image.hash_tree})
    if (!is_regular_no_follow(*p)) return refuse(*p + " is missing or not a regular file");
  auto text = read_small_regular(image.root_hash_file);
  if (!text) return refuse(text.error().message);
  std::string root_hash(trim_ascii(*text));
  if (root_hash.size() != 64 ||
      !std::all_of(root_hash.begin(), root_hash.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
    return refuse("the root hash is not 64 hex characters");
  auto sig_text = read_small_regular(image.signature_file);
  if (!sig_text) return refuse(sig_text.error().message);
  auto sig = parse_signature_text(*sig_text, image.signature_file);
  if (!sig) return refuse(sig.error().message);
  auto keys = load_trusted_keys();
  if (!keys) return refuse(keys.error().message);
  auto owner = read_owner(app_id);
  if (!owner) return refuse(owner.error().message);
  // The signature covers the ASCII root hash exactly as written (§5.9).
  std::span<const uint8_t> message(reinterpret_cast<const uint8_t*>(root_hash.data()), root_hash.size());
  if (*owner && !(*owner)->development) {
    const PublicKey& k = (*owner)->key;
    if (!is_trusted(k, *keys))
      return refuse("its owner key " + key_fingerprint(k) + " is no longer trusted (" +
                    describe_trust_search(*keys, paths::trusted_key_dirs()) + ")");
    if (!verify_detached(k, message, *sig))
      return refuse("the root hash is not signed by its owner key " + key_fingerprint(k));
    return root_hash;
  }
  bool signed_by_trusted = std::any_of(keys->begin(), keys->end(),
                                      [&](const TrustedKey& k) { return verify_detached(k.key, message, *sig); });
  if (!signed_by_trusted)
    return refuse("the root hash is not signed by a trusted key (" +
                  describe_trust_search(*keys, paths::trusted_key_dirs()) + ")");
  return root_hash;
}

}  // namespace weft::store
