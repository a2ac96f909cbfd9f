// The weft-store calls appd makes at launch (§3.4 steps 2–6): resolve + pin, trust re-verification, app data
// preparation, and the installed-apps listing.

#include <stdlib.h>
#include <sys/file.h>

#include "weft/core/confined_fs.hpp"
#include "weft/test/package_env.hpp"
#include "weft/store/app_data.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/images.hpp"
#include "weft/store/revisions.hpp"
#include "weft/store/signature.hpp"
#include "weft/store/trust.hpp"

namespace weft::test {
namespace {

using namespace weft::store;
const std::string kId = "org.weft.test.app";

struct LaunchFixture : ::testing::Test {
  PackEnv env;
  std::string key;
  void SetUp() override {
    // The library reads the environment at call time: point this test process at the isolated user too.
    for (const auto& kv : env.env()) {
      auto eq = kv.find('=');
      ::setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
    }
    key = env.make_key("k", true);
  }
  ActivePackage install(const PackageSpec& spec, const std::vector<std::string>& flags = {}) {
    std::string pkg = flags.empty() ? env.signed_package(spec.version, spec, key)
                                    : make_package(env.path("src/" + spec.version), spec);
    std::vector<std::string> args{"install", pkg};
    args.insert(args.end(), flags.begin(), flags.end());
    auto r = env.pack(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto active = resolve_installed(kId);
    EXPECT_TRUE(active.ok() && active->has_value());
    return **active;
  }
};

TEST_F(LaunchFixture, ResolvingFollowsOnlyTheExactRevisionLinkForm) {
  auto pkg = install({});
  ASSERT_TRUE(pkg.revision.has_value());
  EXPECT_EQ(pkg.path, env.store() + "/.revisions/" + kId + "/" + *pkg.revision);
  fs::remove(env.store() + "/" + kId);
  fs::create_symlink("/etc", env.store() + "/" + kId);
  auto odd = resolve_installed(kId);
  ASSERT_FALSE(odd.ok());
  EXPECT_NE(odd.error().message.find("links to '/etc'"), std::string::npos) << odd.error().message;
  fs::remove(env.store() + "/" + kId);
  EXPECT_FALSE(resolve_installed(kId)->has_value());
}

TEST_F(LaunchFixture, APinHoldsTheRevisionAndAnswers503WhileItIsBeingChanged) {
  auto pkg = install({});
  auto pin = pin_package(pkg);
  ASSERT_TRUE(pin.ok()) << pin.error().message;
  EXPECT_EQ(pin->package().revision, pkg.revision);
  auto busy = open_dir(pkg.path);
  ASSERT_TRUE(busy.ok());
  // Another pin shares the lock; an exclusive holder (a store mutation deciding whether it may delete) cannot.
  auto second = pin_package(pkg);
  EXPECT_TRUE(second.ok());
  EXPECT_NE(::flock(busy->get(), LOCK_EX | LOCK_NB), 0);
  pin = fail("released");
  second = fail("released");
  ASSERT_EQ(::flock(busy->get(), LOCK_EX | LOCK_NB), 0);
  auto blocked = pin_package(pkg);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, 503);
  EXPECT_NE(blocked.error().message.find("try again"), std::string::npos);
}

TEST_F(LaunchFixture, APinOfAReplacedRevisionIsRefusedWith503) {
  auto old = install({.version = "1"});
  install({.version = "2"});
  auto pin = pin_package(old);  // `old` describes what the link named before the update
  ASSERT_FALSE(pin.ok());
  EXPECT_EQ(pin.error().code, 503);
}

TEST_F(LaunchFixture, LaunchTrustNeedsTheOwnersStillTrustedKeyAndUnchangedContent) {
  auto pkg = install({});
  auto pin = pin_package(pkg);
  ASSERT_TRUE(pin.ok());
  auto verdict = verify_launch_trust(pin->dir_fd(), kId, pkg.revision);
  ASSERT_TRUE(verdict.ok()) << verdict.error().message;
  ASSERT_TRUE(verdict->signer.has_value());
  EXPECT_EQ(to_hex(*verdict->signer), read_text(key + "/weft-sign.pub"));
  EXPECT_EQ(to_hex(verdict->digest), *pkg.revision);

  fs::rename(env.path("trust/k.pub"), env.path("k.pub.removed"));
  auto untrusted = verify_launch_trust(pin->dir_fd(), kId, pkg.revision);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.error().code, 403);
  EXPECT_NE(untrusted.error().message.find("no longer trusted"), std::string::npos) << untrusted.error().message;
  fs::rename(env.path("k.pub.removed"), env.path("trust/k.pub"));

  write_file(pkg.path + "/ui/index.html", "altered in the store");
  auto altered = verify_launch_trust(pin->dir_fd(), kId, pkg.revision);
  ASSERT_FALSE(altered.ok());
  EXPECT_EQ(altered.error().code, 403);
  EXPECT_NE(altered.error().message.find("does not match revision"), std::string::npos) << altered.error().message;
}

TEST_F(LaunchFixture, AMalformedTrustedKeyFailsClosed) {
  auto pkg = install({});
  write_file(env.path("trust/broken.pub"), "not a key");
  auto pin = pin_package(pkg);
  ASSERT_TRUE(pin.ok());
  auto r = verify_launch_trust(pin->dir_fd(), kId, pkg.revision);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 403);
}

TEST_F(LaunchFixture, DevelopmentInstallsRunUnverified) {
  auto pkg = install({}, {"--dev"});
  auto pin = pin_package(pkg);
  ASSERT_TRUE(pin.ok());
  auto r = verify_launch_trust(pin->dir_fd(), kId, pkg.revision);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->development);
}

TEST_F(LaunchFixture, AppDataIsCreatedPrivateAndLegacyDataMigratesOnce) {
  write_file(env.path("home/.local/share/weft/apps/" + kId + "/data/notes.txt"), "legacy");
  auto dir = prepare_app_data_dir(kId);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(*dir, env.data_home() + "/weft/app-data/" + kId);
  EXPECT_EQ(read_text(*dir + "/notes.txt"), "legacy");
  EXPECT_EQ(fs::status(*dir).permissions(), fs::perms(0700));
  EXPECT_FALSE(fs::exists(env.path("home/.local/share/weft/apps/" + kId + "/data")));
  write_file(env.path("home/.local/share/weft/apps/" + kId + "/data/again.txt"), "second copy");
  auto conflict = prepare_app_data_dir(kId);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, 409);
  fs::remove_all(env.path("home/.local/share/weft/apps/" + kId + "/data"));
  fs::create_symlink(env.path("home"), env.path("home/.local/share/weft/apps/" + kId + "/data"));
  auto linked = prepare_app_data_dir(kId);
  ASSERT_FALSE(linked.ok());
  EXPECT_EQ(linked.error().code, 409);
  EXPECT_NE(linked.error().message.find("not a plain directory"), std::string::npos) << linked.error().message;
}

TEST_F(LaunchFixture, ListingShowsActivePackagesAndUnmountedImagesSortedById) {
  install({.name = "Zed"});
  write_file(env.store() + "/org.weft.aaa.image.app.img", "erofs");
  write_file(env.store() + "/org.weft.notanid", "");
  fs::create_directories(env.store() + "/org.weft.wrong.manifest");
  write_file(env.store() + "/org.weft.wrong.manifest/wapp.toml", manifest_text({}));  // id mismatch: not listed
  auto apps = list_installed();
  ASSERT_EQ(apps.size(), 2u);
  EXPECT_EQ(apps[0].app_id, "org.weft.aaa.image");
  EXPECT_TRUE(apps[0].image);
  EXPECT_EQ(apps[0].name, "org.weft.aaa.image");
  EXPECT_EQ(apps[0].version, "");
  EXPECT_EQ(apps[1].app_id, kId);
  EXPECT_EQ(apps[1].name, "Zed");
}

}  // namespace
}  // namespace weft::test

namespace weft::test {
namespace {

struct ImageFixture : LaunchFixture {
  std::string id = "org.weft.test.app";
  // Builds `<store>/<id>.app.img` + hash tree + signed root hash with the key in `key_dir`.
  void build_image(const std::string& key_dir) {
    std::string pkg = make_package(env.path("img-src"));
    auto img = env.pack({"build-image", pkg, "--out", env.store() + "/" + id + ".app.img"});
    ASSERT_EQ(img.exit_code, 0) << img.err;
    auto verity = env.pack({"build-verity", env.store() + "/" + id + ".app.img", "--key", key_dir + "/weft-sign.key"});
    ASSERT_EQ(verity.exit_code, 0) << verity.err;
  }
};

TEST_F(ImageFixture, ASignedRootHashOfATrustedKeyVerifies) {
  build_image(key);
  auto found = find_image(id);
  ASSERT_TRUE(found.ok() && found->has_value());
  auto hash = verify_image_root_hash(**found, id);
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_EQ(*hash, read_text(env.store() + "/" + id + ".app.roothash"));
}

TEST_F(ImageFixture, AnyArtifactMakesTheImageAuthoritativeAndMissingPiecesFailClosed) {
  write_file(env.store() + "/" + id + ".app.roothash.sig", std::string(128, 'a'));
  auto found = find_image(id);
  ASSERT_TRUE(found.ok() && found->has_value());
  auto r = verify_image_root_hash(**found, id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 403);
  EXPECT_FALSE(find_image("org.weft.other.app")->has_value());
}

TEST_F(ImageFixture, UntrustedSignersAlteredRootHashesAndForeignOwnersAreRefused) {
  std::string stranger = env.make_key("stranger", false);
  build_image(stranger);
  auto found = find_image(id);
  auto untrusted = verify_image_root_hash(**found, id);
  ASSERT_FALSE(untrusted.ok());
  EXPECT_NE(untrusted.error().message.find("not signed by a trusted key"), std::string::npos);

  for (const char* ext : {".app.img", ".app.hash", ".app.roothash", ".app.roothash.sig"})
    fs::remove(env.store() + "/" + id + ext);
  build_image(key);
  std::string root_hash = read_text(env.store() + "/" + id + ".app.roothash");
  write_file(env.store() + "/" + id + ".app.roothash", std::string(64, '0'));
  EXPECT_FALSE(verify_image_root_hash(**found, id).ok());
  write_file(env.store() + "/" + id + ".app.roothash", root_hash);
  ASSERT_TRUE(verify_image_root_hash(**found, id).ok());

  // Owned by another (trusted) key: the image must carry the owner's signature.
  std::string owner = env.make_key("owner", true);
  write_file(env.data_home() + "/weft/owners/" + id, "verified " + read_text(owner + "/weft-sign.pub") + "\n");
  auto foreign = verify_image_root_hash(**found, id);
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.error().message.find("owner key"), std::string::npos) << foreign.error().message;
}

}  // namespace
}  // namespace weft::test
