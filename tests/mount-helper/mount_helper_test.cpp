// weft-mount-helper (§7.2): argument validation fails closed; the privileged mount runs only where it can.

#include <pwd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "mount_request.hpp"
#include "verity_mount.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/store/crypto.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace weft::mount_helper;

using weft::test::RunResult;

void touch(const fs::path& p, const std::string& content = "x") { weft::test::write_file(p, content); }

std::string random_token() {
  std::random_device rd;
  static const char* kHex = "0123456789abcdef";
  std::string t;
  for (int i = 0; i < 32; ++i) t.push_back(kHex[rd() % 16]);
  return t;
}

RunResult run_helper(const std::vector<std::string>& args, const std::vector<std::string>& prefix = {}) {
  weft::SpawnOptions o;
  o.argv = prefix;
  o.argv.push_back(weft::test::executable("weft-mount-helper"));
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.inherit_environment = true;
  return weft::test::run_child(std::move(o));
}

/// `.roothash.sig` text as `weft-pack build-verity` writes it: the signature over the ASCII root hash, lowercase hex.
std::string sign_root_hash(const weft::store::KeyPair& key, const std::string& root_hash) {
  auto sig = weft::store::sign_detached(
      key.seed, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(root_hash.data()), root_hash.size()));
  return weft::store::to_hex(sig);
}

class MountValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = dir_.path();
    uid_ = ::getuid();
    paths_.run_user_base = (base_ / "run/user").string();
    paths_.system_image_dirs = {(base_ / "store").string()};
    paths_.image_stores_file = (base_ / "etc/image-stores").string();
    paths_.home_override = (base_ / "home").string();
    paths_.trusted_keys_dir = (base_ / "etc/trusted-keys").string();
    touch(base_ / "store/org.weft.demo.notes.app.img", "image");
    touch(base_ / "store/org.weft.demo.notes.app.hash", "hash");
    touch(base_ / "etc/trusted-keys/system.pub", weft::store::to_hex(trusted_.public_key));
    touch(signature(), sign_root_hash(trusted_, kRootHash));
    token_ = random_token();
    mnt_ = base_ / "run/user" / std::to_string(uid_) / "weft/mnt" / token_;
    fs::create_directories(mnt_);
  }
  weft::Result<MountRequest> validate(const std::string& img, const std::string& hash, const std::string& root_hash,
                                      const std::string& mp) {
    return validate_mount(paths_, uid_, img, hash, root_hash, mp);
  }
  weft::Result<MountRequest> validate_default() { return validate(img(), hash(), kRootHash, mnt_.string()); }
  std::string img() const { return (base_ / "store/org.weft.demo.notes.app.img").string(); }
  std::string hash() const { return (base_ / "store/org.weft.demo.notes.app.hash").string(); }
  std::string signature() const { return (base_ / "store/org.weft.demo.notes.app.roothash.sig").string(); }
  void expect_refused(const weft::Result<MountRequest>& r, const std::string& fragment) {
    ASSERT_FALSE(r.ok()) << "accepted although " << fragment << " was expected";
    EXPECT_NE(r.error().message.find(fragment), std::string::npos) << r.error().message;
  }

  static constexpr const char* kRootHash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  weft::test::TempDir dir_{"mount-test"};
  fs::path base_, mnt_;
  uid_t uid_ = 0;
  std::string token_;
  HelperPaths paths_;
  weft::store::KeyPair trusted_ = weft::store::generate_key_pair();
};

TEST_F(MountValidation, AWellFormedRequestOpensImageHashAndMountPointAndNamesTheDevice) {
  auto r = validate_default();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->image.valid());
  EXPECT_TRUE(r->hash.valid());
  EXPECT_EQ(r->mount_point.token, token_);
  EXPECT_EQ(r->mount_point.device_name, "weft-" + std::to_string(uid_) + "-" + token_);
}

TEST_F(MountValidation, ARootHashWithoutItsSignatureFileIsRefused) {
  fs::remove(signature());
  expect_refused(validate_default(), "root hash signature " + signature());
}

TEST_F(MountValidation, ARootHashSignedByAKeyOutsideTheSystemTrustDirectoryIsRefused) {
  // Any local user can make a key and sign the root hash of an image they built; only the system keys count.
  touch(signature(), sign_root_hash(weft::store::generate_key_pair(), kRootHash));
  expect_refused(validate_default(), "is not signed by a key in " + paths_.trusted_keys_dir);
}

TEST_F(MountValidation, ASignatureOverAnotherRootHashDoesNotCoverTheOneGiven) {
  std::string other = std::string(kRootHash).substr(1) + "0";
  touch(signature(), sign_root_hash(trusted_, other));
  expect_refused(validate_default(), "root hash " + std::string(kRootHash) + " is not signed");
  // Nor does the signature of one spelling cover another (it is over the ASCII text, §5.9).
  touch(signature(), sign_root_hash(trusted_, kRootHash));
  std::string upper = kRootHash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  expect_refused(validate(img(), hash(), upper, mnt_.string()), "is not signed");
}

TEST_F(MountValidation, AMalformedOrLinkedSignatureFileIsRefused) {
  touch(signature(), "not hex");
  expect_refused(validate_default(), signature());
  fs::remove(signature());
  touch(base_ / "elsewhere.sig", sign_root_hash(trusted_, kRootHash));
  fs::create_symlink(base_ / "elsewhere.sig", signature());
  expect_refused(validate_default(), "symbolic link");
}

TEST_F(MountValidation, WithoutAnyTrustedKeyNothingMounts) {
  fs::remove(base_ / "etc/trusted-keys/system.pub");
  expect_refused(validate_default(), "no trusted keys in " + paths_.trusted_keys_dir);
  fs::remove_all(base_ / "etc/trusted-keys");
  expect_refused(validate_default(), "no trusted keys in " + paths_.trusted_keys_dir);
  touch(base_ / "etc/trusted-keys/broken.pub", "zz");
  expect_refused(validate_default(), "broken.pub");
}

TEST_F(MountValidation, TheHelperReadsOnlyTheSystemTrustDirectoryWhateverTheEnvironmentSays) {
  ::setenv("WEFT_TRUSTED_KEYS", (base_ / "etc/trusted-keys").c_str(), 1);
  EXPECT_EQ(HelperPaths{}.trusted_keys_dir, "/etc/weft/trusted-keys");
  ::unsetenv("WEFT_TRUSTED_KEYS");
}

TEST_F(MountValidation, TheRootHashMustBeExactly64HexCharacters) {
  std::string h = kRootHash;
  for (const std::string& bad : {h.substr(1), h + "0", h.substr(1) + "g", std::string(""), " " + h.substr(1),
                                 h.substr(0, 63) + "\n"})
    expect_refused(validate(img(), hash(), bad, mnt_.string()), "64 hex");
}

TEST_F(MountValidation, ImagesOutsideTheStoresOrThroughDotDotOrRelativePathsAreRefused) {
  touch(base_ / "elsewhere/org.weft.demo.notes.app.img");
  expect_refused(validate((base_ / "elsewhere/org.weft.demo.notes.app.img").string(), hash(), kRootHash, mnt_.string()),
                 "not directly inside an image store");
  expect_refused(validate((base_ / "store/../elsewhere/org.weft.demo.notes.app.img").string(), hash(), kRootHash,
                          mnt_.string()),
                 "not a plain absolute path");
  expect_refused(validate("store/org.weft.demo.notes.app.img", hash(), kRootHash, mnt_.string()),
                 "not a plain absolute path");
  touch(base_ / "store/sub/org.weft.demo.notes.app.img");
  expect_refused(validate((base_ / "store/sub/org.weft.demo.notes.app.img").string(), hash(), kRootHash, mnt_.string()),
                 "not directly inside an image store");
}

TEST_F(MountValidation, FileNamesMustBeAValidIdWithTheRightSuffixAndTheSameIdForBoth) {
  touch(base_ / "store/Org.bad.id.app.img");
  expect_refused(validate((base_ / "store/Org.bad.id.app.img").string(), hash(), kRootHash, mnt_.string()), "segment");
  expect_refused(validate(hash(), hash(), kRootHash, mnt_.string()), "must be named <app id>.app.img");
  expect_refused(validate(img(), img(), kRootHash, mnt_.string()), "must be named <app id>.app.hash");
  touch(base_ / "store/org.weft.demo.counter.app.hash");
  expect_refused(validate(img(), (base_ / "store/org.weft.demo.counter.app.hash").string(), kRootHash, mnt_.string()),
                 "different apps");
}

TEST_F(MountValidation, SymlinksSpecialFilesAndLinkedStoreDirectoriesAreRefused) {
  fs::rename(img(), base_ / "real.img");
  fs::create_symlink(base_ / "real.img", img());
  expect_refused(validate_default(), "symbolic link");
  fs::remove(img());
  fs::create_directories(img());
  expect_refused(validate_default(), "not a regular file");
  fs::remove(img());
  ASSERT_EQ(::mkfifo(img().c_str(), 0600), 0);
  expect_refused(validate_default(), "not a regular file");
  fs::remove(img());
  touch(img(), "image");
  // A store root reached through a link: the component-wise O_NOFOLLOW walk refuses it.
  fs::create_symlink(base_ / "store", base_ / "linked-store");
  paths_.system_image_dirs.push_back((base_ / "linked-store").string());
  expect_refused(validate((base_ / "linked-store/org.weft.demo.notes.app.img").string(),
                          (base_ / "linked-store/org.weft.demo.notes.app.hash").string(), kRootHash, mnt_.string()),
                 "is a link or not a directory");
}

TEST_F(MountValidation, FilesOwnedBySomeoneElseAreRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing file owners needs root";
  ASSERT_EQ(::chown(img().c_str(), uid_ + 4242, 0), 0);
  expect_refused(validate_default(), "owned by uid " + std::to_string(uid_ + 4242));
}

TEST_F(MountValidation, TheMountPointMustBeTheCallersOwnEmptyTokenDirectory) {
  std::string prefix = (base_ / "run/user" / std::to_string(uid_) / "weft/mnt/").string();
  expect_refused(validate(img(), hash(), kRootHash, prefix + "ABCDEF0123456789abcdef0123456789"), "lowercase hex");
  expect_refused(validate(img(), hash(), kRootHash, prefix + token_.substr(1)), "lowercase hex");
  expect_refused(validate(img(), hash(), kRootHash, (base_ / "run/user" / std::to_string(uid_ + 1) / "weft/mnt" / token_).string()),
                 "is not");
  expect_refused(validate(img(), hash(), kRootHash, prefix + token_ + "/"), "is not");
  expect_refused(validate(img(), hash(), kRootHash, prefix + random_token()), "No such file");
  touch(mnt_ / "occupied");
  expect_refused(validate_default(), "not empty");
  fs::remove(mnt_ / "occupied");
  fs::remove(mnt_);
  fs::create_directories(base_ / "decoy");
  fs::create_symlink(base_ / "decoy", mnt_);
  expect_refused(validate_default(), "link or not a directory");
  fs::remove(mnt_);
  fs::create_directories(mnt_);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(mnt_.c_str(), uid_ + 4242, 0), 0);
    expect_refused(validate_default(), "not owned by uid");
  }
}

TEST_F(MountValidation, ExtraStoresCountOnlyFromARootOwnedNonWritableListFile) {
  touch(base_ / "extra/org.weft.demo.notes.app.img");
  touch(base_ / "extra/org.weft.demo.notes.app.hash");
  touch(base_ / "extra/org.weft.demo.notes.app.roothash.sig", sign_root_hash(trusted_, kRootHash));
  touch(paths_.image_stores_file, "# comment lines are not paths\n" + (base_ / "extra").string() + "\n");
  fs::permissions(paths_.image_stores_file, fs::perms(0644));
  auto extra_img = (base_ / "extra/org.weft.demo.notes.app.img").string();
  auto extra_hash = (base_ / "extra/org.weft.demo.notes.app.hash").string();
  if (::getuid() == 0) {
    EXPECT_TRUE(validate(extra_img, extra_hash, kRootHash, mnt_.string()).ok());
    fs::permissions(paths_.image_stores_file, fs::perms(0666));
    expect_refused(validate(extra_img, extra_hash, kRootHash, mnt_.string()), "not directly inside an image store");
    fs::permissions(paths_.image_stores_file, fs::perms(0644));
    ASSERT_EQ(::chown(paths_.image_stores_file.c_str(), 4242, 0), 0);
  }
  expect_refused(validate(extra_img, extra_hash, kRootHash, mnt_.string()), "not directly inside an image store");
}

TEST_F(MountValidation, TheCallersOwnStoreUnderTheirHomeIsAccepted) {
  std::string store = *paths_.home_override + "/.local/share/weft/apps";
  touch(store + "/org.weft.demo.notes.app.img");
  touch(store + "/org.weft.demo.notes.app.hash");
  touch(store + "/org.weft.demo.notes.app.roothash.sig", sign_root_hash(trusted_, kRootHash));
  auto r = validate(store + "/org.weft.demo.notes.app.img", store + "/org.weft.demo.notes.app.hash", kRootHash,
                    mnt_.string());
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST_F(MountValidation, UmountChecksTheFormButNotEmptiness) {
  touch(mnt_ / "mounted-content");
  auto mp = validate_umount(paths_, uid_, mnt_.string());
  ASSERT_TRUE(mp.ok()) << mp.error().message;
  EXPECT_FALSE(validate_umount(paths_, uid_, "/tmp").ok());
}

/// A tmpfs mounted for one test (a stand-in for the verity EROFS: same unmount path), detached again at the end
/// wherever it then is.
class TestMount {
 public:
  /// Mounts a tmpfs at `at` holding one file `marker`; an error text when this process may not mount.
  static std::optional<std::string> mount(const fs::path& at, const std::string& marker, TestMount& out) {
    if (::mount("weft-test", at.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") != 0)
      return std::string("mounting a tmpfs failed (") + std::strerror(errno) + "): needs CAP_SYS_ADMIN";
    out.path_ = at;
    touch(at / marker, marker);
    return std::nullopt;
  }
  void moved_to(const fs::path& at) { path_ = at; }
  ~TestMount() {
    if (!path_.empty()) (void)::umount2(path_.c_str(), MNT_DETACH);
  }

 private:
  fs::path path_;
};

bool is_mounted_with(const fs::path& dir, const std::string& marker) { return fs::exists(dir / marker); }

dev_t device_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_dev : 0;
}

TEST_F(MountValidation, UnmountActsOnTheHeldMountEvenWhenThePathIsSwappedForALink) {
  TestMount ours, decoy;
  if (auto why = TestMount::mount(mnt_, "ours", ours)) GTEST_SKIP() << "unmount through the held fd: " << *why;
  auto mp = validate_umount(paths_, uid_, mnt_.string());
  ASSERT_TRUE(mp.ok()) << mp.error().message;
  const dev_t device = device_of(mp->fd.get());
  // After validation the caller swaps their own `weft/mnt` directory for a link to somewhere else that carries a
  // mount at the same token: the path now names the decoy.
  fs::path user_weft = mnt_.parent_path().parent_path();
  fs::rename(user_weft / "mnt", user_weft / "mnt-held");
  ours.moved_to(user_weft / "mnt-held" / token_);
  fs::create_directories(base_ / "decoy" / token_);
  if (auto why = TestMount::mount(base_ / "decoy" / token_, "decoy", decoy)) FAIL() << *why;
  fs::create_symlink(base_ / "decoy", user_weft / "mnt");
  ASSERT_TRUE(is_mounted_with(mnt_, "decoy"));

  auto r = unmount_held(*mp, device);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(is_mounted_with(user_weft / "mnt-held" / token_, "ours")) << "the validated mount is still there";
  EXPECT_TRUE(is_mounted_with(base_ / "decoy" / token_, "decoy")) << "the mount the swapped path names was removed";
  EXPECT_FALSE(mp->fd.valid()) << "the held fd is released so the device can close";
}

TEST_F(MountValidation, UnmountIsRefusedWhenTheHeldMountIsNotOnTheDevice) {
  TestMount ours;
  if (auto why = TestMount::mount(mnt_, "ours", ours)) GTEST_SKIP() << "unmount through the held fd: " << *why;
  auto mp = validate_umount(paths_, uid_, mnt_.string());
  ASSERT_TRUE(mp.ok()) << mp.error().message;
  struct stat elsewhere {};
  ASSERT_EQ(::stat(base_.c_str(), &elsewhere), 0);
  auto r = unmount_held(*mp, elsewhere.st_dev);
  ASSERT_FALSE(r.ok()) << "a mount of another device was unmounted";
  EXPECT_NE(r.error().message.find("does not carry the verity device " + mp->device_name), std::string::npos)
      << r.error().message;
  EXPECT_TRUE(is_mounted_with(mnt_, "ours"));
}

TEST_F(MountValidation, UmountOfAPointWithoutItsMapperDeviceIsRefused) {
  auto mp = validate_umount(paths_, uid_, mnt_.string());
  ASSERT_TRUE(mp.ok()) << mp.error().message;
  auto r = umount_verity(*mp);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not carry the verity device " + mp->device_name), std::string::npos)
      << r.error().message;
}

TEST(MountHelperBinary, WrongArgumentCountsPrintUsageAndExit1) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"mount"}, {"mount", "a", "b", "c"}, {"mount", "a", "b", "c", "d", "e"}, {"umount"}, {"remount", "x"}}) {
    auto r = run_helper(args);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("usage: weft-mount-helper mount"), std::string::npos) << r.err;
  }
}

TEST(MountHelperBinary, ItRefusesToRunWithoutEffectiveRoot) {
  if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0)
    GTEST_SKIP() << "needs root and setpriv to run the helper as an unprivileged user";
  auto r = run_helper({"umount", "/run/user/65534/weft/mnt/0123456789abcdef0123456789abcdef"},
                      {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("effective uid is not 0"), std::string::npos) << r.err;
}

TEST(MountHelperBinary, BadArgumentsAreRefusedBeforeAnythingIsTouched) {
  if (::geteuid() != 0) GTEST_SKIP() << "as non-root the helper stops at the privilege check";
  std::string mp = "/run/user/" + std::to_string(::getuid()) + "/weft/mnt/" + random_token();
  auto bad_hash = run_helper({"mount", "/usr/share/weft/apps/org.x.y.app.img", "/usr/share/weft/apps/org.x.y.app.hash",
                              "nothex", mp});
  EXPECT_EQ(bad_hash.exit_code, 1);
  EXPECT_NE(bad_hash.err.find("64 hex"), std::string::npos) << bad_hash.err;
  auto outside = run_helper({"mount", "/tmp/org.x.y.app.img", "/tmp/org.x.y.app.hash", std::string(64, 'a'), mp});
  EXPECT_EQ(outside.exit_code, 1);
  EXPECT_NE(outside.err.find("not directly inside an image store"), std::string::npos) << outside.err;
  auto umount = run_helper({"umount", "/tmp"});
  EXPECT_EQ(umount.exit_code, 1);
  EXPECT_NE(umount.err.find("is not /run/user/"), std::string::npos) << umount.err;
}

// The real thing: an EROFS image built by weft-pack, verity-protected, mounted read-only and unmounted again.
TEST(MountHelperBinary, AVerityImageMountsReadOnlyAndUnmounts) {
  if (auto why = mount_unavailable_reason()) GTEST_SKIP() << "actual verity mount skipped: " << *why;
  std::string pack = weft::test::executable("weft-pack");
  if (::access(pack.c_str(), X_OK) != 0) GTEST_SKIP() << "weft-pack is not built";
  struct passwd* pw = ::getpwuid(::getuid());
  ASSERT_NE(pw, nullptr);
  fs::path store = fs::path(pw->pw_dir) / ".local/share/weft/apps";
  fs::create_directories(store);
  std::string id = "org.weft.mounttest.t" + random_token().substr(0, 8);
  weft::test::TempDir work_dir("mount-image");
  fs::path work = work_dir.path();
  touch(work / id / "wapp.toml", "[package]\nid = \"" + id + "\"\nname = \"M\"\nversion = \"1\"\n[runtime]\nmodule = \"app.wasm\"\n[ui]\nentry = \"ui/index.html\"\n");
  auto run = [](std::vector<std::string> argv) {
    weft::SpawnOptions o;
    o.argv = std::move(argv);
    o.inherit_environment = true;
    o.null_stdio = true;
    auto c = weft::ChildProcess::spawn(o);
    auto st = c->wait();
    return st && st->success();
  };
  fs::path img = store / (id + ".app.img"), hash = store / (id + ".app.hash");
  fs::path mnt = fs::path("/run/user") / std::to_string(::getuid()) / "weft/mnt" / random_token();
  // Packages need a component and UI to pass check; the image content here only has to mount.
  touch(work / id / "ui/index.html", "<p>mounted</p>");
  const unsigned char wasm[] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
  std::ofstream(work / id / "app.wasm", std::ios::binary).write(reinterpret_cast<const char*>(wasm), sizeof wasm);
  bool built = run({"/usr/bin/mkfs.erofs", "-T0", "--all-root", img.string(), (work / id).string()}) &&
               run({pack, "generate-key", work.string()}) &&
               run({pack, "build-verity", img.string(), "--key", (work / "weft-sign.key").string()});
  // The helper trusts only the system directory: the test key is trusted there for this test alone.
  fs::path system_key = fs::path("/etc/weft/trusted-keys") / (id + ".pub");
  std::error_code ec;
  if (built) {
    fs::create_directories(system_key.parent_path(), ec);
    fs::copy_file(work / "weft-sign.pub", system_key, ec);
  }
  std::string root_hash;
  std::ifstream(store / (id + ".app.roothash")) >> root_hash;
  fs::create_directories(mnt);
  fs::permissions(mnt, fs::perms(0700));
  auto mounted = built ? run_helper({"mount", img.string(), hash.string(), root_hash, mnt.string()}) : RunResult{};
  std::string content;
  std::ifstream(mnt / "ui/index.html") >> content;
  auto unmounted = run_helper({"umount", mnt.string()});
  for (const auto& p : {img, hash, store / (id + ".app.roothash"), store / (id + ".app.roothash.sig"), system_key})
    fs::remove(p, ec);
  fs::remove(mnt);
  ASSERT_TRUE(built) << "building the image or its hash tree failed";
  EXPECT_EQ(mounted.exit_code, 0) << mounted.err;
  EXPECT_EQ(content, "<p>mounted</p>");
  EXPECT_EQ(unmounted.exit_code, 0) << unmounted.err;
}

}  // namespace
