// The end-to-end check with the real demo packages built by apps/ (signed at build time with the
// development key): install from signed bundles, list, update, roll back, uninstall keeping data. Without compiling
// them to native code (seconds per install at -O2; precompile_test.cpp covers that).

#include "weft/test/package_env.hpp"

namespace weft::test {
namespace {

const std::string kPackages = WEFT_TEST_DEMO_PACKAGES;
const std::string kDevKeys = WEFT_TEST_DEV_KEYS;

TEST(DemoApps, InstallFromSignedBundlesThenListUpdateRollBackAndUninstallKeepingData) {
  for (const char* id : {"org.weft.demo.counter", "org.weft.demo.notes"})
    if (!fs::exists(kPackages + "/" + id + "/signature.sig"))
      GTEST_SKIP() << "demo packages are not built (guest SDK unavailable): " << kPackages;
  PackEnv env;
  fs::copy_file(kDevKeys + "/weft-sign.pub", env.path("trust/dev.pub"));
  for (const char* id : {"org.weft.demo.counter", "org.weft.demo.notes"}) {
    auto check = env.pack({"check", kPackages + "/" + id});
    EXPECT_EQ(check.out, "OK\n") << check.err;
    auto b = env.pack({"bundle", kPackages + "/" + id, "--out", env.work()});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    auto i = env.pack({"install", env.work() + "/" + id + ".app.tar.zst", "--no-precompile"});
    ASSERT_EQ(i.exit_code, 0) << i.err;
    EXPECT_EQ(i.out.find("needs approval"), std::string::npos) << "demo apps need no approval: " << i.out;
  }
  EXPECT_EQ(env.pack({"list"}).out,
            "org.weft.demo.counter  Counter  0.1.0\norg.weft.demo.notes  Notes  0.1.0\n");
  write_file(env.data_home() + "/weft/app-data/org.weft.demo.notes/notes.txt", "my notes");

  // An update: same app, new version, signed with the same development key.
  std::string update = env.path("src/org.weft.demo.notes");
  fs::create_directories(env.path("src"));
  fs::copy(kPackages + "/org.weft.demo.notes", update, fs::copy_options::recursive);
  std::string toml = read_text(update + "/wapp.toml");
  toml.replace(toml.find("version = \"0.1.0\""), 17, "version = \"0.2.0\"");
  write_file(update + "/wapp.toml", toml);
  ASSERT_EQ(env.pack({"sign", update, "--key", kDevKeys + "/weft-sign.key"}).exit_code, 0);
  ASSERT_EQ(env.pack({"install", update, "--no-precompile"}).exit_code, 0);
  EXPECT_NE(env.pack({"list"}).out.find("org.weft.demo.notes  Notes  0.2.0\n"), std::string::npos);
  auto rb = env.pack({"rollback", "org.weft.demo.notes"});
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_NE(env.pack({"list"}).out.find("org.weft.demo.notes  Notes  0.1.0\n"), std::string::npos);

  auto un = env.pack({"uninstall", "org.weft.demo.notes"});
  ASSERT_EQ(un.exit_code, 0) << un.err;
  EXPECT_EQ(env.pack({"list"}).out, "org.weft.demo.counter  Counter  0.1.0\n");
  EXPECT_EQ(read_text(env.data_home() + "/weft/app-data/org.weft.demo.notes/notes.txt"), "my notes");
  // Reinstalling by the same owner finds its data again.
  ASSERT_EQ(env.pack({"install", env.work() + "/org.weft.demo.notes.app.tar.zst", "--no-precompile"}).exit_code, 0);
}

}  // namespace
}  // namespace weft::test
