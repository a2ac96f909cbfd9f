// Mistakes an app author makes with weft-pack, and the errors that say what was meant (issue 15).

#include "weft/store/crypto.hpp"
#include "weft/test/package_env.hpp"

namespace weft::test {
namespace {

std::string with_manifest_lines(const std::string& pkg, const std::string& after_version) {
  std::string text = manifest_text({});
  text.insert(text.find("capabilities = "), after_version);
  write_file(pkg + "/wapp.toml", text);
  return pkg;
}

TEST(PackTeaching, CheckRefusesAMisspeltKeyNamingTheKeyItMeant) {
  PackEnv env;
  std::string pkg = with_manifest_lines(make_package(env.path("src")), "descripton = \"x\"\ncapabilites = []\n");
  auto r = env.pack({"check", pkg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "unknown key 'capabilites' in [package] (did you mean 'capabilities'?)\n"
            "unknown key 'descripton' in [package] (did you mean 'description'?)\n");
  auto lenient = env.pack({"check", pkg, "--allow-unknown-keys"});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.err;
  EXPECT_EQ(lenient.out, "OK\n");
  EXPECT_NE(lenient.err.find("warning: wapp.toml: unknown key 'capabilites' in [package] (did you mean "
                             "'capabilities'?) (ignored)\n"),
            std::string::npos)
      << lenient.err;
}

// §5.1: unknown keys are ignored on install, so packages of a later WEFT or of the reference implementation install
// unchanged; the author still hears about them.
TEST(PackTeaching, InstallIgnoresUnknownKeysAndWarnsAboutThem) {
  PackEnv env;
  std::string pkg = with_manifest_lines(make_package(env.path("src")), "capabilites = [\"fs:rw:app-data\"]\n");
  auto r = env.pack({"install", pkg, "--dev"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("installed org.weft.test.app -> ")) << r.out;
  EXPECT_EQ(r.err, "warning: wapp.toml: unknown key 'capabilites' in [package] (did you mean 'capabilities'?) "
                   "(ignored)\n");
}

TEST(PackTeaching, CheckListsTheValidCapabilitiesForAnUnknownOne) {
  PackEnv env;
  std::string pkg = make_package(env.path("src"), {.capabilities = {"fs:rw:appdata"}});
  auto r = env.pack({"check", pkg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("unknown capability 'fs:rw:appdata' (did you mean 'fs:rw:app-data'? valid: "
                                "fs:read:app-data, fs:rw:app-data, fs:read:xdg-documents, "))
      << r.err;
}

TEST(PackTeaching, SignRefusesAPublicKeyAndWritesNoSignature) {
  PackEnv env;
  std::string keys = env.make_key("k", false);
  std::string pkg = make_package(env.path("src"));
  auto pub = env.pack({"sign", pkg, "--key", keys + "/weft-sign.pub"});
  EXPECT_EQ(pub.exit_code, 1);
  EXPECT_TRUE(pub.err.starts_with("weft-pack sign: --key " + keys + "/weft-sign.pub is a public key (.pub); sign "
                                  "with the private key"))
      << pub.err;
  fs::copy_file(keys + "/weft-sign.pub", keys + "/renamed.key");
  auto renamed = env.pack({"sign", pkg, "--key", keys + "/renamed.key"});
  EXPECT_EQ(renamed.exit_code, 1);
  EXPECT_NE(renamed.err.find("holds the same key as " + keys + "/weft-sign.pub, a public key"), std::string::npos)
      << renamed.err;
  EXPECT_FALSE(fs::exists(pkg + "/signature.sig"));
}

TEST(PackTeaching, VerifyNamesTheKeyItTriedByFingerprint) {
  PackEnv env;
  std::string signer = env.make_key("signer", false), other = env.make_key("other", false);
  std::string pkg = env.signed_package("p", {}, signer);
  auto r = env.pack({"verify", pkg, "--key", other + "/weft-sign.pub"});
  EXPECT_EQ(r.exit_code, 1);
  std::string fingerprint = read_text(other + "/weft-sign.pub").substr(0, 16);
  EXPECT_EQ(r.err, "INVALID signature\nreason: signature.sig does not match the content under this key: the package "
                   "changed after it was signed, or another key signed it (key " + fingerprint + ", " + other +
                   "/weft-sign.pub)\n");
  auto private_key = env.pack({"verify", pkg, "--key", signer + "/weft-sign.key"});
  EXPECT_EQ(private_key.exit_code, 1);
  EXPECT_NE(private_key.err.find("is a private key (.key); verify with the public key"), std::string::npos)
      << private_key.err;
}

TEST(PackTeaching, AnUntrustedSignatureNamesTheKeysTriedAndTheDirectoriesSearched) {
  PackEnv env;
  std::string trusted = env.make_key("trusted", true), signer = env.make_key("signer", false);
  std::string pkg = env.signed_package("p", {}, signer);
  auto r = env.pack({"install", pkg});
  EXPECT_EQ(r.exit_code, 1);
  std::string fingerprint = read_text(trusted + "/weft-sign.pub").substr(0, 16);
  EXPECT_NE(r.err.find("trusted keys tried: " + fingerprint + " (" + env.path("trust") + "/trusted.pub); "
                       "directories searched: " + env.path("trust")),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("weft-pack verify <dir> --key <their .pub>"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("install with --dev"), std::string::npos) << r.err;

  fs::remove_all(env.path("trust"));
  auto none = env.pack({"install", pkg});
  EXPECT_NE(none.err.find("trusted keys tried: none; directories searched: " + env.path("trust") + " (missing)"),
            std::string::npos)
      << none.err;
}

}  // namespace
}  // namespace weft::test
