// Signature scheme (§5.4): inventory format, Ed25519 over the digest, tamper detection, strictness, and interop with
// an independent implementation (Python `cryptography`, computing the inventory itself).

#include <fcntl.h>
#include <unistd.h>

#include "weft/core/confined_fs.hpp"
#include "weft/test/package_env.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/signature.hpp"

namespace weft::test {
namespace {

using namespace weft::store;

UniqueFd open_pkg(const std::string& dir) {
  auto fd = open_dir(dir);
  EXPECT_TRUE(fd.ok()) << dir;
  return fd.ok() ? std::move(*fd) : UniqueFd();
}

std::string hex_sha(std::string_view s) { return to_hex(sha256(s)); }

// Python with Debian's `cryptography`: computes the inventory on its own (os.walk, bytewise sort) and signs or
// verifies. The implementation shares no code with ours.
constexpr const char* kPythonSigner = R"PY(
import hashlib, os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
def inventory(root):
    lines = []
    for d, dirs, files in os.walk(root):
        for f in files:
            full = os.path.join(d, f)
            rel = os.path.relpath(full, root).replace(os.sep, '/')
            if rel == 'signature.sig':
                continue
            with open(full, 'rb') as fh:
                lines.append((rel.encode(), hashlib.sha256(fh.read()).hexdigest().encode()))
    lines.sort()
    return b''.join(p + b'\t' + h + b'\n' for p, h in lines)
mode, root, keyfile = sys.argv[1], sys.argv[2], sys.argv[3]
digest = hashlib.sha256(inventory(root)).digest()
key = bytes.fromhex(open(keyfile).read().strip())
if mode == 'sign':
    sig = Ed25519PrivateKey.from_private_bytes(key).sign(digest)
    open(os.path.join(root, 'signature.sig'), 'w').write(sig.hex().upper() + '\n')
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    pub = Ed25519PrivateKey.from_private_bytes(key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    print(pub.hex())
else:
    sig = bytes.fromhex(open(os.path.join(root, 'signature.sig')).read().strip())
    Ed25519PublicKey.from_public_bytes(key).verify(sig, digest)
    print('python verified')
)PY";

RunResult run_python(const std::vector<std::string>& args) {
  SpawnOptions o;
  o.argv = {"/usr/bin/python3", "-c", kPythonSigner};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.inherit_environment = true;
  return run_child(std::move(o));
}

TEST(PackageInventory, ListsEveryRegularFileSortedBytewiseWithItsSha256ExceptTheRootSignature) {
  TempDir t;
  write_file(t / "p/b.txt", "bee");
  write_file(t / "p/a-c", "dash");
  write_file(t / "p/a/z", "zed");
  write_file(t / "p/signature.sig", "ignored at the root");
  write_file(t / "p/sub/signature.sig", "included below the root");
  fs::create_directories(t / "p/empty/dir");
  auto fd = open_pkg(t / "p");
  auto inv = package_inventory(fd.get());
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  // '-' (0x2d) sorts before '/' (0x2f): bytewise order of whole paths.
  std::string expected = "a-c\t" + hex_sha("dash") + "\n" + "a/z\t" + hex_sha("zed") + "\n" + "b.txt\t" +
                         hex_sha("bee") + "\n" + "sub/signature.sig\t" + hex_sha("included below the root") + "\n";
  EXPECT_EQ(*inv, expected);
  auto digest = package_digest(fd.get());
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(to_hex(*digest), hex_sha(expected));
}

TEST(PackageInventory, RefusesSymlinksSpecialFilesAndControlCharacterNames) {
  TempDir t;
  std::string pkg = make_package(t.path());
  fs::create_symlink("app.wasm", pkg + "/link.wasm");
  auto fd = open_pkg(pkg);
  auto inv = package_inventory(fd.get());
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.error().message.find("link.wasm"), std::string::npos) << inv.error().message;
  fs::remove(pkg + "/link.wasm");

  ASSERT_EQ(::mkfifo((pkg + "/pipe").c_str(), 0644), 0);
  EXPECT_FALSE(package_inventory(fd.get()).ok());
  fs::remove(pkg + "/pipe");

  write_file(pkg + "/bad\nname", "x");
  auto bad = package_inventory(fd.get());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("control characters"), std::string::npos) << bad.error().message;
  fs::remove(pkg + "/bad\nname");

  write_file(pkg + "/latin1-\xe9", "x");
  EXPECT_FALSE(package_inventory(fd.get()).ok());
}

TEST(PackageSignature, ASignedPackageVerifiesAndTheFileIsLowercaseHexWithoutNewline) {
  TempDir t;
  std::string pkg = make_package(t.path());
  KeyPair kp = generate_key_pair();
  auto fd = open_pkg(pkg);
  ASSERT_TRUE(sign_package(fd.get(), kp.seed).ok());
  std::string sig = read_text(pkg + "/signature.sig");
  EXPECT_EQ(sig.size(), 128u);
  EXPECT_EQ(sig.find_first_not_of("0123456789abcdef"), std::string::npos) << sig;
  EXPECT_TRUE(verify_package(fd.get(), kp.public_key).ok());
  EXPECT_FALSE(verify_package(fd.get(), generate_key_pair().public_key).ok());
}

TEST(PackageSignature, ChangingAnySingleByteOfAnySignedFileInvalidatesIt) {
  TempDir t;
  std::string pkg = make_package(t.path());
  KeyPair kp = generate_key_pair();
  auto fd = open_pkg(pkg);
  ASSERT_TRUE(sign_package(fd.get(), kp.seed).ok());
  int checked = 0;
  for (const char* rel : {"wapp.toml", "app.wasm", "ui/index.html", "ui/app.js"}) {
    std::string path = pkg + "/" + rel;
    std::string original = read_text(path);
    for (size_t i = 0; i < original.size(); ++i) {
      std::string changed = original;
      changed[i] = static_cast<char>(changed[i] ^ 0x01);
      write_file(path, changed);
      EXPECT_FALSE(verify_package(fd.get(), kp.public_key).ok()) << rel << " byte " << i;
      ++checked;
    }
    write_file(path, original);
  }
  EXPECT_GT(checked, 250);
  EXPECT_TRUE(verify_package(fd.get(), kp.public_key).ok());
}

TEST(PackageSignature, AddingAFileOrASymlinkOrRenamingOneInvalidatesIt) {
  TempDir t;
  std::string pkg = make_package(t.path());
  KeyPair kp = generate_key_pair();
  auto fd = open_pkg(pkg);
  ASSERT_TRUE(sign_package(fd.get(), kp.seed).ok());

  write_file(pkg + "/ui/new.js", "");
  EXPECT_FALSE(verify_package(fd.get(), kp.public_key).ok());
  fs::remove(pkg + "/ui/new.js");
  write_file(pkg + "/deep/sub/signature.sig", "not the root one");
  EXPECT_FALSE(verify_package(fd.get(), kp.public_key).ok());
  fs::remove_all(pkg + "/deep");
  fs::create_symlink("/etc/passwd", pkg + "/ui/passwd");
  EXPECT_FALSE(verify_package(fd.get(), kp.public_key).ok());
  fs::remove(pkg + "/ui/passwd");
  fs::rename(pkg + "/ui/app.js", pkg + "/ui/app2.js");
  EXPECT_FALSE(verify_package(fd.get(), kp.public_key).ok());
  fs::rename(pkg + "/ui/app2.js", pkg + "/ui/app.js");
  fs::create_directories(pkg + "/an-empty-dir");  // directories contribute nothing
  EXPECT_TRUE(verify_package(fd.get(), kp.public_key).ok());
}

TEST(PackageSignature, VerificationIsStrictAboutNonCanonicalScalarsAndSmallOrderKeys) {
  KeyPair kp = generate_key_pair();
  Sha256Digest digest = sha256("inventory");
  Signature sig = sign_detached(kp.seed, digest);
  ASSERT_TRUE(verify_detached(kp.public_key, digest, sig));
  // S + L (group order) is the same scalar mod L but a non-canonical encoding: RFC 8032 strict verifiers reject it.
  static constexpr uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                         0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                         0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
  Signature bumped = sig;
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned v = bumped[32 + i] + kOrder[i] + carry;
    bumped[32 + i] = static_cast<uint8_t>(v);
    carry = v >> 8;
  }
  EXPECT_FALSE(verify_detached(kp.public_key, digest, bumped));
  PublicKey identity{};  // the neutral element, a small-order point
  identity[0] = 1;
  EXPECT_FALSE(verify_detached(identity, digest, sig));
}

TEST(KeyFiles, ReadersTrimWhitespaceAndAcceptUppercaseButRefuseWrongLengths) {
  TempDir t;
  KeyPair kp = generate_key_pair();
  std::string upper = to_hex(kp.public_key);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  write_file(t / "k.pub", "  \n" + upper + "\r\n\t");
  auto key = read_public_key_file(t / "k.pub");
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(*key, kp.public_key);
  write_file(t / "short.pub", upper.substr(2));
  auto bad = read_public_key_file(t / "short.pub");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("expected 64 hex characters"), std::string::npos) << bad.error().message;
  write_file(t / "junk.pub", std::string(63, 'a') + "g");
  EXPECT_FALSE(read_public_key_file(t / "junk.pub").ok());
}

TEST(SignatureInterop, APackageSignedByPythonCryptographyVerifiesWithWeftPack) {
  PackEnv env;
  std::string keys = env.make_key("py", false);
  std::string pkg = make_package(env.path("src"));
  write_file(pkg + "/sub/signature.sig", "nested signature files are ordinary content");
  write_file(pkg + "/ui/ünïcödé.css", "body{}");
  auto py = run_python({"sign", pkg, keys + "/weft-sign.key"});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(py.out, read_text(keys + "/weft-sign.pub") + "\n");  // same public key from the same seed
  auto ours = env.pack({"verify", pkg, "--key", keys + "/weft-sign.pub"});
  EXPECT_EQ(ours.exit_code, 0) << ours.err;
  EXPECT_EQ(ours.out, "OK\n");
  write_file(pkg + "/ui/ünïcödé.css", "body{color:red}");
  auto tampered = env.pack({"verify", pkg, "--key", keys + "/weft-sign.pub"});
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_EQ(tampered.err.substr(0, 18), "INVALID signature\n") << tampered.err;
}

TEST(SignatureInterop, APackageSignedByWeftPackVerifiesWithPythonCryptography) {
  PackEnv env;
  std::string keys = env.make_key("ours", false);
  std::string pkg = make_package(env.path("src"));
  write_file(pkg + "/a-b/c", "bytewise order matters: '-' < '/'");
  write_file(pkg + "/a/b", "x");
  auto signed_run = env.pack({"sign", pkg, "--key", keys + "/weft-sign.key"});
  ASSERT_EQ(signed_run.exit_code, 0) << signed_run.err;
  EXPECT_EQ(signed_run.out, "signed: " + pkg + "/signature.sig\n");
  auto py = run_python({"verify", pkg, keys + "/weft-sign.pub"});
  EXPECT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(py.out, "python verified\n");
}

}  // namespace
}  // namespace weft::test
