#pragma once
// libsodium adapter: SHA-256, Ed25519 (RFC 8032, strict verification) and the hex encodings of §5.4
// (lowercase writers without newline; readers trim ASCII whitespace and accept either case).

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "weft/core/result.hpp"

namespace weft::store {

using Sha256Digest = std::array<uint8_t, 32>;
using PublicKey = std::array<uint8_t, 32>;
using KeySeed = std::array<uint8_t, 32>;      // the `.key` file holds the 32-byte seed
using Signature = std::array<uint8_t, 64>;

/// Initialises libsodium once per process (thread-safe); an error if the library cannot start.
[[nodiscard]] Result<void> crypto_init();

/// Incremental SHA-256 (one owner of a crypto_hash_sha256_state).
class Sha256 {
 public:
  Sha256();
  void update(std::span<const uint8_t> bytes);
  void update(std::string_view text);
  [[nodiscard]] Sha256Digest finish();

 private:
  alignas(16) std::array<uint8_t, 128> state_{};  // crypto_hash_sha256_state is 104 bytes
};

[[nodiscard]] Sha256Digest sha256(std::string_view bytes);

/// Lowercase hex.
[[nodiscard]] std::string to_hex(std::span<const uint8_t> bytes);
/// A public key's short name in messages: its first 16 hex digits, which are also the start of its `.pub` file, so
/// `grep -l <fingerprint> <dir>/*.pub` finds the file.
[[nodiscard]] std::string key_fingerprint(std::span<const uint8_t, 32> key);
/// Decodes exactly `out.size()` bytes of hex (either case) after trimming ASCII whitespace; the error names `what`.
[[nodiscard]] Result<void> from_hex(std::string_view text, std::span<uint8_t> out, std::string_view what);
/// Trims ASCII whitespace (space, \t, \n, \v, \f, \r) at both ends.
[[nodiscard]] std::string_view trim_ascii(std::string_view text);

struct KeyPair {
  KeySeed seed{};
  PublicKey public_key{};
};
/// A fresh random key pair.
[[nodiscard]] KeyPair generate_key_pair();
/// The public key of a seed.
[[nodiscard]] PublicKey public_key_of(const KeySeed& seed);

/// Pure Ed25519 over `message` with the key derived from `seed`.
[[nodiscard]] Signature sign_detached(const KeySeed& seed, std::span<const uint8_t> message);
/// Strict verification: non-canonical encodings and small-order points are rejected.
[[nodiscard]] bool verify_detached(const PublicKey& key, std::span<const uint8_t> message, const Signature& sig);

/// Reads a `.pub` (64 hex), `.key` (64 hex seed) or `signature.sig` (128 hex) file; the error names the file.
[[nodiscard]] Result<PublicKey> read_public_key_file(const std::string& path);
[[nodiscard]] Result<KeySeed> read_seed_file(const std::string& path);
[[nodiscard]] Result<Signature> read_signature_file(const std::string& path);
[[nodiscard]] Result<Signature> parse_signature_text(std::string_view text, std::string_view what);

/// Constant-time comparison of equal-length byte strings.
[[nodiscard]] bool equal_constant_time(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace weft::store
