// Store operations through the real weft-pack binary (§5.5, §5.6, §5.8): install, update, rollback, uninstall,
// owners, approvals, legacy layouts, crash safety at every step, and per-id serialisation.

#include <sys/file.h>

#include <chrono>
#include <thread>

#include "weft/core/confined_fs.hpp"
#include "weft/test/package_env.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/signature.hpp"

namespace weft::test {
namespace {

const std::string kId = "org.weft.test.app";

std::string revision_of(const std::string& pkg) {
  auto fd = open_dir(pkg);
  auto d = store::package_digest(fd->get());
  return d.ok() ? store::to_hex(*d) : "";
}

std::string active_link(PackEnv& env) { return link_target(env.store() + "/" + kId); }
std::string previous_link(PackEnv& env) { return link_target(env.store() + "/.revisions/" + kId + "/previous"); }

std::vector<std::string> revisions(PackEnv& env) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(env.store() + "/.revisions/" + kId, ec))
    if (e.is_directory() && !e.is_symlink()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct StoreFixture : ::testing::Test {
  PackEnv env;
  std::string key = env.make_key("dev", true);
  std::string v1 = env.signed_package("v1", {.version = "1.0.0"}, key);
  std::string v2 = env.signed_package("v2", {.version = "2.0.0", .extra_file_content = "second"}, key);
  std::string rev1 = revision_of(v1), rev2 = revision_of(v2);

  // The legacy layout in the user's own store root (no WEFT_APP_STORE): `$HOME/.local/share/weft/apps/<id>/` as a
  // plain directory holding v1 and `data/<file>`. Returns that root.
  std::string make_legacy_install(const std::string& data_file, const std::string& content) {
    auto& e = env.env();
    e.erase(std::remove_if(e.begin(), e.end(), [](const std::string& kv) { return kv.starts_with("WEFT_APP_STORE="); }),
            e.end());
    std::string legacy_root = env.path("home/.local/share/weft/apps");
    fs::create_directories(legacy_root);
    fs::copy(v1, legacy_root + "/" + kId, fs::copy_options::recursive);
    write_file(legacy_root + "/" + kId + "/data/" + data_file, content);
    return legacy_root;
  }
};

TEST_F(StoreFixture, InstallCreatesADigestNamedRevisionActivatedByARelativeLinkAndRecordsTheOwner) {
  auto r = env.pack({"install", v1});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "installed " + kId + " -> " + env.store() + "/" + kId + " (revision " + rev1 + ")\n");
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev1);
  EXPECT_EQ(read_text(env.store() + "/" + kId + "/ui/index.html"), read_text(v1 + "/ui/index.html"));
  EXPECT_EQ(fs::status(env.store() + "/" + kId + "/ui/app.js").permissions(), fs::perms(0755));
  EXPECT_EQ(fs::status(env.store() + "/" + kId + "/wapp.toml").permissions(), fs::perms(0644));
  std::string pub = read_text(key + "/weft-sign.pub");
  EXPECT_EQ(read_text(env.data_home() + "/weft/owners/" + kId), "verified " + pub + "\n");
  auto list = env.pack({"list"});
  EXPECT_EQ(list.out, kId + "  Test App  1.0.0\n");
  auto verify = env.pack({"verify", env.store() + "/" + kId, "--key", key + "/weft-sign.pub"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_F(StoreFixture, UpdateKeepsThePreviousRevisionAndRollbackSwapsThemBothWays) {
  ASSERT_EQ(env.pack({"install", v1}).exit_code, 0);
  auto up = env.pack({"install", v2});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev2);
  EXPECT_EQ(previous_link(env), rev1);
  EXPECT_EQ(revisions(env), (std::vector<std::string>{std::min(rev1, rev2), std::max(rev1, rev2)}));
  EXPECT_EQ(env.pack({"list"}).out, kId + "  Test App  2.0.0\n");

  auto rb = env.pack({"rollback", kId});
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_EQ(rb.out, "rolled back " + kId + " -> " + rev1 + "\n");
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev1);
  EXPECT_EQ(previous_link(env), rev2);
  EXPECT_EQ(env.pack({"list"}).out, kId + "  Test App  1.0.0\n");
  ASSERT_EQ(env.pack({"rollback", kId}).exit_code, 0);
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev2);
}

TEST_F(StoreFixture, AThirdRevisionCollectsTheOldestAndReinstallingTheSameContentChangesNothing) {
  std::string v3 = env.signed_package("v3", {.version = "3.0.0"}, key);
  ASSERT_EQ(env.pack({"install", v1}).exit_code, 0);
  ASSERT_EQ(env.pack({"install", v2}).exit_code, 0);
  ASSERT_EQ(env.pack({"install", v3}).exit_code, 0);
  std::string rev3 = revision_of(v3);
  EXPECT_EQ(revisions(env), (std::vector<std::string>{std::min(rev2, rev3), std::max(rev2, rev3)}));
  EXPECT_EQ(previous_link(env), rev2);
  ASSERT_EQ(env.pack({"install", v3}).exit_code, 0);
  EXPECT_EQ(previous_link(env), rev2);  // same content: no self-rollback target
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev3);
}

TEST_F(StoreFixture, APinnedRevisionSurvivesCollectionUntilItsSessionReleasesIt) {
  std::string v3 = env.signed_package("v3", {.version = "3.0.0"}, key);
  ASSERT_EQ(env.pack({"install", v1}).exit_code, 0);
  // A running session's pin: a shared flock on the revision directory, as appd takes it.
  auto pin = open_dir(env.store() + "/.revisions/" + kId + "/" + rev1);
  ASSERT_TRUE(pin.ok());
  ASSERT_EQ(::flock(pin->get(), LOCK_SH | LOCK_NB), 0);
  ASSERT_EQ(env.pack({"install", v2}).exit_code, 0);
  ASSERT_EQ(env.pack({"install", v3}).exit_code, 0);
  EXPECT_TRUE(fs::exists(env.store() + "/.revisions/" + kId + "/" + rev1 + "/wapp.toml"));
  auto purge = env.pack({"uninstall", kId, "--purge-data"});
  EXPECT_EQ(purge.exit_code, 1);
  EXPECT_NE(purge.err.find("in use by a running session"), std::string::npos) << purge.err;
  pin->reset();
  ASSERT_EQ(env.pack({"install", v2}).exit_code, 0);
  EXPECT_FALSE(fs::exists(env.store() + "/.revisions/" + kId + "/" + rev1));
}

TEST_F(StoreFixture, RollbackWithoutAPreviousRevisionIsRefused) {
  ASSERT_EQ(env.pack({"install", v1}).exit_code, 0);
  auto rb = env.pack({"rollback", kId});
  EXPECT_EQ(rb.exit_code, 1);
  EXPECT_NE(rb.err.find("no previous revision"), std::string::npos) << rb.err;
  EXPECT_EQ(env.pack({"rollback", "org.weft.not.installed"}).exit_code, 1);
}

TEST_F(StoreFixture, UninstallKeepsAppDataAndOwnerUnlessPurgedAndSaysNotInstalledTheSecondTime) {
  ASSERT_EQ(env.pack({"install", v1, "--approve"}).exit_code, 0);
  write_file(env.data_home() + "/weft/app-data/" + kId + "/notes.txt", "keep me");
  auto un = env.pack({"uninstall", kId});
  ASSERT_EQ(un.exit_code, 0) << un.err;
  EXPECT_EQ(un.out, "uninstalled " + kId + "\n");
  EXPECT_FALSE(fs::exists(fs::symlink_status(env.store() + "/" + kId)));
  EXPECT_FALSE(fs::exists(env.store() + "/.revisions/" + kId));
  EXPECT_EQ(read_text(env.data_home() + "/weft/app-data/" + kId + "/notes.txt"), "keep me");
  EXPECT_TRUE(fs::exists(env.data_home() + "/weft/owners/" + kId));
  EXPECT_EQ(env.pack({"list"}).out, "no packages installed\n");
  auto again = env.pack({"uninstall", kId});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "not installed\n");

  ASSERT_EQ(env.pack({"install", v1}).exit_code, 0);  // same owner: the data is still its own
  auto purge = env.pack({"uninstall", kId, "--purge-data"});
  ASSERT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_FALSE(fs::exists(env.data_home() + "/weft/app-data/" + kId));
  EXPECT_FALSE(fs::exists(env.data_home() + "/weft/owners/" + kId));
}

TEST_F(StoreFixture, AnotherSignerCannotTakeOverAnIdWithoutClaimData) {
  ASSERT_EQ(env.pack({"install", v1}).exit_code, 0);
  std::string other = env.make_key("other", true);
  std::string foreign = env.signed_package("foreign", {.version = "9.0.0"}, other);
  auto r = env.pack({"install", foreign});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--claim-data"), std::string::npos) << r.err;
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev1);
  auto claimed = env.pack({"install", foreign, "--claim-data"});
  ASSERT_EQ(claimed.exit_code, 0) << claimed.err;
  EXPECT_EQ(read_text(env.data_home() + "/weft/owners/" + kId), "verified " + read_text(other + "/weft-sign.pub") + "\n");
}

TEST_F(StoreFixture, UntrustedUnsignedAndAlteredPackagesAreRefusedAndDevInstallsAreMarked) {
  std::string stranger = env.make_key("stranger", false);
  std::string untrusted = env.signed_package("untrusted", {}, stranger);
  EXPECT_EQ(env.pack({"install", untrusted}).exit_code, 1);
  std::string unsigned_pkg = make_package(env.path("src/unsigned"), {.version = "0.0.1"});
  auto u = env.pack({"install", unsigned_pkg});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_NE(u.err.find("--dev"), std::string::npos) << u.err;
  write_file(v1 + "/ui/index.html", "altered after signing");
  EXPECT_EQ(env.pack({"install", v1}).exit_code, 1);
  EXPECT_FALSE(fs::exists(fs::symlink_status(env.store() + "/" + kId)));

  auto dev = env.pack({"install", unsigned_pkg, "--dev"});
  ASSERT_EQ(dev.exit_code, 0) << dev.err;
  EXPECT_EQ(read_text(env.data_home() + "/weft/owners/" + kId), "development\n");
  // A verified owner is never replaced by a development install.
  ASSERT_EQ(env.pack({"install", v2, "--claim-data"}).exit_code, 0);
  auto dev_again = env.pack({"install", unsigned_pkg, "--dev", "--claim-data"});
  EXPECT_EQ(dev_again.exit_code, 1);
  EXPECT_NE(dev_again.err.find("cannot replace"), std::string::npos) << dev_again.err;
}

TEST_F(StoreFixture, AppDataWithoutAnOwnerNeedsClaimData) {
  write_file(env.data_home() + "/weft/app-data/" + kId + "/notes.txt", "orphan");
  auto r = env.pack({"install", v1});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("without an owner record"), std::string::npos) << r.err;
  ASSERT_EQ(env.pack({"install", v1, "--claim-data"}).exit_code, 0);
  EXPECT_EQ(read_text(env.data_home() + "/weft/app-data/" + kId + "/notes.txt"), "orphan");
}

TEST_F(StoreFixture, InstallRefusesSymlinksSpecialFilesAndATopLevelDataEntry) {
  fs::create_symlink("/etc/passwd", v1 + "/ui/passwd");
  auto link = env.pack({"install", v1, "--dev"});
  EXPECT_EQ(link.exit_code, 1);
  EXPECT_NE(link.err.find("symbolic link"), std::string::npos) << link.err;
  fs::remove(v1 + "/ui/passwd");
  fs::create_directories(v1 + "/data");
  auto data = env.pack({"install", v1, "--dev"});
  EXPECT_EQ(data.exit_code, 1);
  EXPECT_NE(data.err.find("'data'"), std::string::npos) << data.err;
  fs::remove(v1 + "/data");
  ASSERT_EQ(::mkfifo((v1 + "/fifo").c_str(), 0644), 0);
  EXPECT_EQ(env.pack({"install", v1, "--dev"}).exit_code, 1);
  EXPECT_FALSE(fs::exists(fs::symlink_status(env.store() + "/" + kId)));
  std::error_code ec;
  EXPECT_TRUE(fs::is_empty(env.store() + "/.staging", ec)) << "a refused install left staging behind";
}

TEST_F(StoreFixture, ApprovalsAreNeededForEverythingButAppDataAndNeverWidenSilently) {
  std::string caps1 = env.signed_package("c1", {.version = "1.1.0", .capabilities = {"fs:rw:app-data", "sys:notifications"}}, key);
  std::string caps2 = env.signed_package(
      "c2", {.version = "1.2.0", .capabilities = {"fs:rw:app-data", "sys:notifications", "net:fetch:example.org"}}, key);
  auto r = env.pack({"install", caps1});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("needs approval: sys:notifications\n"), std::string::npos) << r.out;
  auto a = env.pack({"approve", kId});
  EXPECT_EQ(a.out, "approved " + kId + ": sys:notifications\n");
  EXPECT_EQ(read_text(env.data_home() + "/weft/approvals/" + kId), "sys:notifications\n");
  auto up = env.pack({"install", caps2});
  EXPECT_NE(up.out.find("needs approval: net:fetch:example.org\n"), std::string::npos) << up.out;
  auto undeclared = env.pack({"approve", kId, "sys:clipboard:read"});
  EXPECT_EQ(undeclared.exit_code, 1);
  ASSERT_EQ(env.pack({"approve", kId, "net:fetch:example.org"}).exit_code, 0);
  EXPECT_EQ(read_text(env.data_home() + "/weft/approvals/" + kId), "net:fetch:example.org\nsys:notifications\n");
  ASSERT_EQ(env.pack({"uninstall", kId}).exit_code, 0);
  EXPECT_FALSE(fs::exists(env.data_home() + "/weft/approvals/" + kId));
}

TEST_F(StoreFixture, ALegacyDirectoryInstallBecomesARevisionAndItsDataMovesToTheAppDataHome) {
  std::string legacy_root = make_legacy_install("notes.txt", "legacy notes");
  // The first install claims the legacy data (no owner record exists yet).
  auto r = env.pack({"install", v2, "--claim-data"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(env.data_home() + "/weft/app-data/" + kId + "/notes.txt"), "legacy notes");
  EXPECT_EQ(link_target(legacy_root + "/" + kId), ".revisions/" + kId + "/" + rev2);
  EXPECT_EQ(link_target(legacy_root + "/.revisions/" + kId + "/previous"), rev1);
  auto rb = env.pack({"rollback", kId});
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_EQ(read_text(legacy_root + "/" + kId + "/ui/index.html"), read_text(v1 + "/ui/index.html"));
}

TEST_F(StoreFixture, LegacyDataPresentInBothPlacesIsRefusedWithInstructions) {
  std::string legacy_root = make_legacy_install("a.txt", "old");
  write_file(env.data_home() + "/weft/app-data/" + kId + "/b.txt", "new");
  auto r = env.pack({"install", v2, "--claim-data"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("merge them by hand"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_directory(fs::symlink_status(legacy_root + "/" + kId)));
}

// Every named step of an install: the process is SIGKILLed there; the previous revision must stay active and
// verifiable, and the next install must succeed.
TEST_F(StoreFixture, AnInstallKilledAtAnyStepLeavesThePreviousRevisionActiveAndIntact) {
#ifndef WEFT_TEST_HOOKS
  GTEST_SKIP() << "weft-store's crash and pause points are compiled only with WEFT_TEST_HOOKS (debug builds)";
#endif
  ASSERT_EQ(env.pack({"install", v1}).exit_code, 0);
  for (const char* step : {"staged", "locked", "revision", "owner", "link"}) {
    SCOPED_TRACE(step);
    auto r = env.pack({"install", v2}, {std::string("WEFT_PACK_TEST_CRASH_AT=") + step});
    EXPECT_EQ(r.exit_code, 128 + SIGKILL) << r.err;
    EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev1);
    auto verify = env.pack({"verify", env.store() + "/" + kId, "--key", key + "/weft-sign.pub"});
    EXPECT_EQ(verify.exit_code, 0) << verify.err;
    EXPECT_EQ(env.pack({"list"}).out, kId + "  Test App  1.0.0\n");
  }
  // Killed after the link swap: the new revision is complete and active, the old one still there.
  auto late = env.pack({"install", v2}, {"WEFT_PACK_TEST_CRASH_AT=activated"});
  EXPECT_EQ(late.exit_code, 128 + SIGKILL);
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev2);
  EXPECT_TRUE(fs::exists(env.store() + "/.revisions/" + kId + "/" + rev1 + "/wapp.toml"));
  auto next = env.pack({"install", v1});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev1);
  std::error_code ec;
  EXPECT_TRUE(fs::is_empty(env.store() + "/.staging", ec)) << "interrupted staging was not cleaned up";
}

TEST_F(StoreFixture, ConcurrentInstallsOfOneIdSerialiseOnItsLock) {
#ifndef WEFT_TEST_HOOKS
  GTEST_SKIP() << "weft-store's crash and pause points are compiled only with WEFT_TEST_HOOKS (debug builds)";
#endif
  ASSERT_EQ(env.pack({"install", v1}).exit_code, 0);
  TempDir control;
  auto first = env.start({"install", v2}, {"WEFT_PACK_TEST_PAUSE_AT=locked", "WEFT_PACK_TEST_PAUSE_DIR=" + control.path()});
  auto wait_for = [](auto pred) {
    for (int i = 0; i < 3000 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return pred();
  };
  ASSERT_TRUE(wait_for([&] { return fs::exists(control / "paused-locked"); })) << "first install never took the lock";
  std::string v3 = env.signed_package("v3", {.version = "3.0.0"}, key);
  auto second = env.start({"install", v3});
  // The second install reports that it waits; while the first holds the lock it cannot finish.
  std::string second_err;
  ASSERT_TRUE(wait_for([&] {
    char buf[4096];
    ::fcntl(second.err_fd(), F_SETFL, O_NONBLOCK);
    ssize_t n = ::read(second.err_fd(), buf, sizeof buf);
    if (n > 0) second_err.append(buf, static_cast<size_t>(n));
    return second_err.find("waiting for another weft-pack operation") != std::string::npos;
  })) << second_err;
  EXPECT_TRUE(second.process().running());
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev1);
  write_file(control / "resume", "");
  auto r1 = first.finish();
  ::fcntl(second.err_fd(), F_SETFL, 0);
  auto r2 = second.finish();
  EXPECT_EQ(r1.exit_code, 0) << r1.err;
  EXPECT_EQ(r2.exit_code, 0) << r2.err;
  std::string rev3 = revision_of(v3);
  EXPECT_EQ(active_link(env), ".revisions/" + kId + "/" + rev3);
  EXPECT_EQ(previous_link(env), rev2);
  EXPECT_EQ(revisions(env), (std::vector<std::string>{std::min(rev2, rev3), std::max(rev2, rev3)}));
}

}  // namespace
}  // namespace weft::test
