#pragma once
// Package signatures (§5.4, compat, exact): the inventory of every regular file except the root `signature.sig`,
// one `<relpath>\t<sha256 hex>\n` line per file sorted bytewise; digest = SHA-256(inventory); signature = Ed25519
// over the 32 raw digest bytes, stored as 128 lowercase hex chars in `signature.sig`.

#include <optional>
#include <string>
#include <vector>

#include "weft/core/result.hpp"
#include "weft/store/crypto.hpp"

namespace weft::store {

inline constexpr const char* kSignatureFileName = "signature.sig";

/// The inventory text of the package beneath `root_fd`; refuses symlinks, special files and bad names.
[[nodiscard]] Result<std::string> package_inventory(int root_fd);
/// SHA-256 of the inventory: the content digest that also names store revisions.
[[nodiscard]] Result<Sha256Digest> package_digest(int root_fd);

/// Signs the package and writes `signature.sig` atomically in its root; returns the digest signed.
[[nodiscard]] Result<Sha256Digest> sign_package(int root_fd, const KeySeed& seed);

/// Reads the root `signature.sig` (a regular file, not a link).
[[nodiscard]] Result<Signature> read_package_signature(int root_fd);

/// ok when `signature.sig` is a valid signature of the current content by `key`; else an error saying why.
[[nodiscard]] Result<void> verify_package(int root_fd, const PublicKey& key);

/// The first of `keys` whose signature over `digest` is `sig`, if any.
[[nodiscard]] std::optional<PublicKey> find_signer(const Sha256Digest& digest, const Signature& sig,
                                                   const std::vector<PublicKey>& keys);

}  // namespace weft::store
