// The weft-pack command line (§5.8): help, exit codes, exact output strings, check/info, keys and images.

#include <sodium.h>

#include "weft/test/package_env.hpp"
#include "weft/store/crypto.hpp"

namespace weft::test {
namespace {

const std::string kId = "org.weft.test.app";

TEST(PackCli, EverySubcommandHasHelpThatExitsZero) {
  PackEnv env;
  for (const char* cmd : {"check", "info", "install", "uninstall", "list", "rollback", "approve", "generate-key",
                          "sign", "verify", "bundle", "unbundle", "build-image", "build-verity"}) {
    auto r = env.pack({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_NE(r.out.find("Usage:"), std::string::npos) << cmd << ": " << r.out;
  }
}

TEST(PackCli, UsageErrorsExitTwoWithUsageOnStderr) {
  PackEnv env;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"frobnicate"}, {"sign", "dir"}, {"verify"}, {"install"}, {"check", "a", "b"}, {"install", "x", "--nope"}}) {
    auto r = env.pack(args);
    EXPECT_EQ(r.exit_code, 2) << (args.empty() ? "<none>" : args[0]);
    EXPECT_FALSE(r.err.empty());
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(PackCli, OptionsMayAppearAnywhereAfterTheSubcommand) {
  PackEnv env;
  std::string key = env.make_key("k", false);
  std::string pkg = make_package(env.path("src"));
  auto r = env.pack({"sign", "--key", key + "/weft-sign.key", pkg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto v = env.pack({"verify", "--key", key + "/weft-sign.pub", pkg});
  EXPECT_EQ(v.out, "OK\n");
}

TEST(PackCli, CheckPrintsOkForAValidPackageAndOneErrorPerLineOtherwise) {
  PackEnv env;
  std::string pkg = make_package(env.path("src"));
  auto ok = env.pack({"check", pkg});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "OK\n");

  write_file(pkg + "/wapp.toml",
             "[package]\nid = \"Org.bad\"\nname = \"\"\nversion = \"1\"\ncapabilities = [\"net:fetch\"]\n"
             "[runtime]\nmodule = \"app.wasm\"\n[ui]\nentry = \"ui/index.html\"\n");
  auto bad = env.pack({"check", pkg});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("package.id 'Org.bad' does not match required pattern"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("package.name is empty\n"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("unknown capability 'net:fetch'"), std::string::npos) << bad.err;

  write_file(pkg + "/wapp.toml", manifest_text({}));
  fs::remove(pkg + "/app.wasm");
  fs::remove(pkg + "/ui/index.html");
  auto missing = env.pack({"check", pkg});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "runtime.module 'app.wasm' not found\nui.entry 'ui/index.html' not found\n");
}

TEST(PackCli, CheckDecodesTheModuleAsAComponent) {
  PackEnv env;
  std::string pkg = make_package(env.path("src"));
  auto set_module = [&](const Bytes& b) {
    write_file(pkg + "/app.wasm", std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  };
  set_module({0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
  auto core = env.pack({"check", pkg});
  EXPECT_EQ(core.exit_code, 1);
  EXPECT_NE(core.err.find("core WebAssembly module"), std::string::npos) << core.err;

  Bytes truncated = minimal_component();
  truncated.resize(truncated.size() - 5);
  set_module(truncated);
  auto broken = env.pack({"check", pkg});
  EXPECT_EQ(broken.exit_code, 1);
  EXPECT_NE(broken.err.find("runtime.module: component"), std::string::npos) << broken.err;

  set_module(minimal_component("wasi:cli/environment@0.2.0"));
  auto no_run = env.pack({"check", pkg});
  EXPECT_EQ(no_run.exit_code, 1);
  EXPECT_NE(no_run.err.find("does not export wasi:cli/run@0.2.x"), std::string::npos) << no_run.err;

  set_module(minimal_component("wasi:cli/run@0.2.6", "acme:evil/backdoor@1.0.0"));
  auto foreign = env.pack({"check", pkg});
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.err.find("imports 'acme:evil/backdoor@1.0.0', which WEFT does not provide"), std::string::npos)
      << foreign.err;

  set_module(minimal_component("wasi:cli/run@0.2.6", "wasi:cli/stdout@0.2.12"));
  EXPECT_EQ(env.pack({"check", pkg}).out, "OK\n");
}

TEST(PackCli, CheckRefusesEntriesThroughSymlinks) {
  PackEnv env;
  std::string pkg = make_package(env.path("src"));
  fs::rename(pkg + "/ui", pkg + "/real-ui");
  fs::create_symlink("real-ui", pkg + "/ui");
  auto r = env.pack({"check", pkg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ui.entry 'ui/index.html' passes through a symbolic link"), std::string::npos) << r.err;
}

TEST(PackCli, InfoPadsLabelsToNineColumns) {
  PackEnv env;
  std::string pkg = make_package(env.path("src"), {.capabilities = {"fs:rw:app-data", "sys:notifications"}});
  std::string toml = read_text(pkg + "/wapp.toml");
  toml.insert(toml.find("capabilities"), "description = \"Counts\"\nauthor = \"WEFT\"\n");
  write_file(pkg + "/wapp.toml", toml);
  auto r = env.pack({"info", pkg});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "id:      org.weft.test.app\n"
            "name:    Test App\n"
            "version: 1.0.0\n"
            "desc:    Counts\n"
            "author:  WEFT\n"
            "module:  app.wasm\n"
            "ui:      ui/index.html\n"
            "cap:     fs:rw:app-data\n"
            "cap:     sys:notifications\n");
}

TEST(PackCli, GenerateKeyWritesAPrivateSeedAndNeverOverwrites) {
  PackEnv env;
  std::string dir = env.path("keys");
  fs::create_directories(dir);
  auto r = env.pack({"generate-key", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "private key: " + dir + "/weft-sign.key\npublic key:  " + dir + "/weft-sign.pub\n");
  EXPECT_EQ(fs::status(dir + "/weft-sign.key").permissions(), fs::perms(0600));
  std::string seed_hex = read_text(dir + "/weft-sign.key"), pub_hex = read_text(dir + "/weft-sign.pub");
  EXPECT_EQ(seed_hex.size(), 64u);
  EXPECT_EQ(pub_hex.size(), 64u);
  store::KeySeed seed{};
  ASSERT_TRUE(store::from_hex(seed_hex, seed, "seed").ok());
  EXPECT_EQ(store::to_hex(store::public_key_of(seed)), pub_hex);
  auto again = env.pack({"generate-key", dir});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(read_text(dir + "/weft-sign.key"), seed_hex);
}

TEST(PackCli, VerifySaysInvalidSignatureOnStderrAndExitsOne) {
  PackEnv env;
  std::string key = env.make_key("k", false);
  std::string other = env.make_key("o", false);
  std::string pkg = env.signed_package("p", {}, key);
  auto wrong = env.pack({"verify", pkg, "--key", other + "/weft-sign.pub"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(wrong.out.empty());
  EXPECT_EQ(wrong.err.substr(0, 18), "INVALID signature\n");
  fs::remove(pkg + "/signature.sig");
  auto unsigned_run = env.pack({"verify", pkg, "--key", key + "/weft-sign.pub"});
  EXPECT_EQ(unsigned_run.exit_code, 1);
  EXPECT_EQ(unsigned_run.err.substr(0, 18), "INVALID signature\n");
}

std::string run_tool(const std::vector<std::string>& argv, int* code) {
  SpawnOptions o;
  o.argv = argv;
  o.inherit_environment = true;
  auto r = run_child(std::move(o), {.merge_stderr = true});
  *code = r.exit_code;
  return r.out;
}

TEST(PackImages, BuildImageIsReproducibleAndHoldsThePackage) {
  PackEnv env;
  std::string pkg = make_package(env.path("src"));
  std::string a = env.path("a.app.img"), b = env.path("b.app.img");
  auto r = env.pack({"build-image", pkg, "--out", a});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "image: " + a + "\n");
  ASSERT_EQ(env.pack({"build-image", pkg, "--out", b}).exit_code, 0);
  EXPECT_TRUE(read_text(a) == read_text(b)) << "two images of the same package differ";
  EXPECT_EQ(env.pack({"build-image", pkg, "--out", a}).exit_code, 1);  // never overwrites
  int code = 0;
  std::string extracted = env.path("extracted");
  std::string log = run_tool({"fsck.erofs", "--extract=" + extracted, a}, &code);
  ASSERT_EQ(code, 0) << log;
  EXPECT_EQ(read_text(extracted + "/ui/index.html"), read_text(pkg + "/ui/index.html"));
  EXPECT_EQ(read_text(extracted + "/wapp.toml"), read_text(pkg + "/wapp.toml"));
  auto default_name = env.pack({"build-image", pkg});
  ASSERT_EQ(default_name.exit_code, 0) << default_name.err;
  EXPECT_EQ(default_name.out, "image: " + kId + ".app.img\n");
  EXPECT_TRUE(fs::exists(env.work() + "/" + kId + ".app.img"));
}

TEST(PackImages, ImagesHoldNormalisedModesWhateverTheSourceTreeHad) {
  PackEnv env;
  std::string tidy = make_package(env.path("tidy"));
  std::string odd = make_package(env.path("odd"));
  fs::permissions(odd + "/wapp.toml", fs::perms::owner_read | fs::perms::owner_write);           // 0600
  fs::permissions(odd + "/ui", fs::perms::owner_all);                                              // 0700
  fs::permissions(odd + "/ui/index.html", fs::perms::owner_all | fs::perms::group_write);         // 0770
  std::string a = env.path("tidy.app.img"), b = env.path("odd.app.img");
  ASSERT_EQ(env.pack({"build-image", tidy, "--out", a}).exit_code, 0);
  auto r = env.pack({"build-image", odd, "--out", b});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int code = 0;
  std::string extracted = env.path("odd-extracted");
  std::string log = run_tool({"fsck.erofs", "--extract=" + extracted, b}, &code);
  ASSERT_EQ(code, 0) << log;
  auto mode_of = [](const std::string& p) { return fs::status(p).permissions() & fs::perms::all; };
  using P = fs::perms;
  EXPECT_EQ(mode_of(extracted + "/wapp.toml"), P::owner_read | P::owner_write | P::group_read | P::others_read);
  EXPECT_EQ(mode_of(extracted + "/ui"), P::owner_all | P::group_read | P::group_exec | P::others_read | P::others_exec);
  EXPECT_EQ(mode_of(extracted + "/ui/index.html"),
            P::owner_all | P::group_read | P::group_exec | P::others_read | P::others_exec);  // had an x bit
  // No staging leftovers beside the image.
  for (const auto& entry : fs::directory_iterator(env.path()))
    EXPECT_EQ(entry.path().filename().string().find(".tree-"), std::string::npos) << entry.path();
}

TEST(PackImages, BuildVerityWritesAHashTreeAndASignedRootHashThatVeritysetupAccepts) {
  PackEnv env;
  std::string key = env.make_key("k", false);
  std::string pkg = make_package(env.path("src"));
  std::string img = env.path(kId + ".app.img");
  ASSERT_EQ(env.pack({"build-image", pkg, "--out", img}).exit_code, 0);
  auto r = env.pack({"build-verity", img, "--key", key + "/weft-sign.key"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string hash = env.path(kId + ".app.hash");
  std::string root_hash = read_text(env.path(kId + ".app.roothash"));
  ASSERT_EQ(root_hash.size(), 64u);
  EXPECT_EQ(r.out, "hash image:  " + hash + "\nroot hash:   " + root_hash + "\nroothash:    " + env.path() + "/" + kId +
                       ".app.roothash\n");
  int code = 0;
  std::string log = run_tool({"veritysetup", "verify", img, hash, root_hash}, &code);
  EXPECT_EQ(code, 0) << log;
  store::Signature sig{};
  ASSERT_TRUE(store::from_hex(read_text(env.path(kId + ".app.roothash.sig")), sig, "sig").ok());
  store::PublicKey pub{};
  ASSERT_TRUE(store::from_hex(read_text(key + "/weft-sign.pub"), pub, "pub").ok());
  EXPECT_TRUE(store::verify_detached(
      pub, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(root_hash.data()), root_hash.size()), sig));
  EXPECT_EQ(env.pack({"build-verity", img, "--key", key + "/weft-sign.key"}).exit_code, 1);  // never overwrites
  std::string wrong_name = env.path("image.img");
  fs::copy_file(img, wrong_name);
  EXPECT_EQ(env.pack({"build-verity", wrong_name, "--key", key + "/weft-sign.key"}).exit_code, 1);
}

}  // namespace
}  // namespace weft::test
