#pragma once
// Verity image packages (§5.9): store-root artifacts `<id>.app.img`, `<id>.app.hash`, `<id>.app.roothash` and
// `<id>.app.roothash.sig`. If any of them exists for an id, launch must use the image or fail closed: the root-hash
// signature must verify under a trusted key (and the owner's key when one is recorded) before mounting.

#include <optional>
#include <string>

#include "weft/core/result.hpp"

namespace weft::store {

struct ImageArtifacts {
  std::string root;
  std::string image;          // `<root>/<id>.app.img`
  std::string hash_tree;      // `<root>/<id>.app.hash`
  std::string root_hash_file; // `<root>/<id>.app.roothash`
  std::string signature_file; // `<root>/<id>.app.roothash.sig`
};

/// The first store root holding any image artifact of `app_id`, nullopt when none does.
[[nodiscard]] Result<std::optional<ImageArtifacts>> find_image(const std::string& app_id);

/// The root hash (64 lowercase hex) once every artifact is a regular file and the signature over the ASCII root
/// hash verifies under a trusted key — the owner's key when the owner record is `verified`. Errors carry code 403.
[[nodiscard]] Result<std::string> verify_image_root_hash(const ImageArtifacts& image, const std::string& app_id);

}  // namespace weft::store
