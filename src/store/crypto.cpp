#include "weft/store/crypto.hpp"

#include <sodium.h>

#include <mutex>

#include "weft/core/fd.hpp"

namespace weft::store {
namespace {
static_assert(sizeof(crypto_hash_sha256_state) <= 128, "Sha256::state_ is too small");
static_assert(crypto_sign_SEEDBYTES == 32 && crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_BYTES == 64);

constexpr size_t kMaxKeyFileBytes = 4096;  // bytes; a key file is 64 hex chars plus optional whitespace

crypto_hash_sha256_state* as_state(std::array<uint8_t, 128>& raw) {
  return reinterpret_cast<crypto_hash_sha256_state*>(raw.data());
}

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <size_t N>
Result<std::array<uint8_t, N>> read_hex_file(const std::string& path, std::string_view what) {
  auto text = read_file(path, kMaxKeyFileBytes);
  if (!text) return fail(text.error().with_context(std::string(what)));
  std::array<uint8_t, N> out{};
  WEFT_TRY_VOID(from_hex(*text, out, std::string(what) + " " + path));
  return out;
}
}  // namespace

Result<void> crypto_init() {
  static std::once_flag once;
  static int status = -1;
  std::call_once(once, [] { status = sodium_init(); });
  if (status < 0) return fail("libsodium failed to initialise");
  return ok();
}

Sha256::Sha256() {
  (void)crypto_init();
  crypto_hash_sha256_init(as_state(state_));
}
void Sha256::update(std::span<const uint8_t> bytes) {
  crypto_hash_sha256_update(as_state(state_), bytes.data(), bytes.size());
}
void Sha256::update(std::string_view text) {
  crypto_hash_sha256_update(as_state(state_), reinterpret_cast<const uint8_t*>(text.data()), text.size());
}
Sha256Digest Sha256::finish() {
  Sha256Digest out{};
  crypto_hash_sha256_final(as_state(state_), out.data());
  return out;
}

Sha256Digest sha256(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

std::string key_fingerprint(std::span<const uint8_t, 32> key) {
  constexpr size_t kFingerprintBytes = 8;  // 16 hex digits
  return to_hex(key.first<kFingerprintBytes>());
}

std::string_view trim_ascii(std::string_view text) {
  while (!text.empty() && is_ascii_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ascii_space(text.back())) text.remove_suffix(1);
  return text;
}

Result<void> from_hex(std::string_view text, std::span<uint8_t> out, std::string_view what) {
  text = trim_ascii(text);
  if (text.size() != out.size() * 2)
    return fail(std::string(what) + ": expected " + std::to_string(out.size() * 2) + " hex characters, found " +
                std::to_string(text.size()));
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(text[2 * i]);
    int lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return fail(std::string(what) + ": invalid hex character at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return ok();
}

KeyPair generate_key_pair() {
  (void)crypto_init();
  KeyPair kp;
  randombytes_buf(kp.seed.data(), kp.seed.size());
  kp.public_key = public_key_of(kp.seed);
  return kp;
}

PublicKey public_key_of(const KeySeed& seed) {
  (void)crypto_init();
  PublicKey pk{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  sodium_memzero(sk.data(), sk.size());
  return pk;
}

Signature sign_detached(const KeySeed& seed, std::span<const uint8_t> message) {
  (void)crypto_init();
  PublicKey pk{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> sk{};
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk.data());
  sodium_memzero(sk.data(), sk.size());
  return sig;
}

bool verify_detached(const PublicKey& key, std::span<const uint8_t> message, const Signature& sig) {
  if (!crypto_init()) return false;
  // libsodium ≥ 1.0.16 (built without ED25519_COMPAT) rejects non-canonical S, small-order R and A, and
  // non-canonical A: the strict verification §5.4 asks for.
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), key.data()) == 0;
}

Result<PublicKey> read_public_key_file(const std::string& path) { return read_hex_file<32>(path, "public key"); }
Result<KeySeed> read_seed_file(const std::string& path) { return read_hex_file<32>(path, "private key"); }
Result<Signature> read_signature_file(const std::string& path) { return read_hex_file<64>(path, "signature"); }

Result<Signature> parse_signature_text(std::string_view text, std::string_view what) {
  Signature sig{};
  WEFT_TRY_VOID(from_hex(text, sig, what));
  return sig;
}

bool equal_constant_time(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace weft::store
