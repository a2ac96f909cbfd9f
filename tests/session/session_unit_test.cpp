// weft-session's pieces on their own: where programs are found, how each child's environment is built, the restart
// policy of §1.1, the command line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "child_environment.hpp"
#include "demo_packages.hpp"
#include "install_layout.hpp"
#include "options.hpp"
#include "restart_policy.hpp"
#include "session.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::session {
namespace {

using weft::test::TempDir;

void make_executable(const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << "#!/bin/sh\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

bool has(const std::vector<std::string>& env, const std::string& entry) {
  return std::find(env.begin(), env.end(), entry) != env.end();
}
bool has_name(const std::vector<std::string>& env, const std::string& name) {
  return std::any_of(env.begin(), env.end(), [&](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
}

TEST(InstallLayout, AWeftSessionInTheBuildTreesBinDirectoryUsesTheBuildTree) {
  TempDir build;
  std::filesystem::create_directories(build.path() + "/bin");
  BuildTree tree{build.path() + "/bin", build.path() + "/packages", build.path() + "/dev-keys", "/src/ui"};
  auto layout = resolve_layout(build.path() + "/bin/", tree);
  EXPECT_TRUE(layout.build_tree);
  EXPECT_EQ(layout.binary("weft-appd"), build.path() + "/bin//weft-appd");
  EXPECT_EQ(layout.system_ui_html, "/src/ui/system-ui.html");
  EXPECT_EQ(layout.ui_kit_js, "/src/ui/weft-ui-kit.js");
  EXPECT_EQ(layout.demo_packages_dir, build.path() + "/packages");
  EXPECT_EQ(layout.dev_public_key, build.path() + "/dev-keys/weft-sign.pub");
}

TEST(InstallLayout, AnInstalledWeftSessionFindsHelpersInLibWeftAndTheRestNextToItself) {
  TempDir prefix;
  make_executable(prefix.path() + "/lib/weft/weft-runtime");
  make_executable(prefix.path() + "/bin/weft-appd");
  BuildTree tree{"/nonexistent/build/bin", "/nonexistent/packages", "/nonexistent/keys", "/nonexistent/ui"};
  auto layout = resolve_layout(prefix.path() + "/bin", tree);
  EXPECT_FALSE(layout.build_tree);
  EXPECT_EQ(layout.binary("weft-runtime"), prefix.path() + "/lib/weft/weft-runtime");
  EXPECT_EQ(layout.binary("weft-appd"), prefix.path() + "/bin/weft-appd");
  EXPECT_EQ(layout.system_ui_html, prefix.path() + "/share/weft/system/system-ui.html");
  EXPECT_EQ(layout.system_resources, prefix.path() + "/share/weft/system");
  EXPECT_TRUE(layout.demo_packages_dir.empty()) << "installed demos live in the system store, nothing to install";
}

TEST(RestartPolicy, FiveRestartsWithinSixtySecondsWaitOneTwoFourEightAndSixteenSecondsThenNoMore) {
  RestartPolicy policy;
  auto t = RestartPolicy::Clock::time_point{} + std::chrono::hours(1);
  std::vector<long> delays;
  for (int i = 0; i < 5; ++i) {
    auto delay = policy.on_crash(t + std::chrono::seconds(i));
    ASSERT_TRUE(delay.has_value()) << "restart " << i + 1 << " refused";
    delays.push_back(delay->count());
  }
  EXPECT_EQ(delays, (std::vector<long>{1000, 2000, 4000, 8000, 16000}));
  EXPECT_FALSE(policy.on_crash(t + std::chrono::seconds(30)).has_value()) << "a sixth restart within 60 s";
}

TEST(RestartPolicy, CrashesOlderThanTheWindowNoLongerCount) {
  RestartPolicy policy;
  auto t = RestartPolicy::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(policy.on_crash(t).has_value());
  auto later = policy.on_crash(t + std::chrono::seconds(61));
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(later->count(), 1000) << "the backoff starts again at 1 s";
}

SessionSettings settings_for_tests() {
  SessionSettings settings;
  settings.layout.bin_dir = "/b";
  settings.layout.helper_dir = "/h";
  settings.layout.system_ui_html = "/ui/system-ui.html";
  settings.layout.system_resources = "/ui";
  settings.layout.ui_kit_js = "/ui/weft-ui-kit.js";
  settings.app_store = "/data/apps";
  settings.trusted_keys = "/data/keys";
  settings.ws_port = "0";
  return settings;
}

const Environment kParent = {{"PATH", "/usr/bin"},       {"HOME", "/home/u"},         {"XDG_RUNTIME_DIR", "/run/user/1"},
                             {"WEFT_LOG", "debug"},      {"SECRET_TOKEN", "x"},       {"WAYLAND_DISPLAY", "wayland-9"},
                             {"WLR_NO_HARDWARE_CURSORS", "1"}, {"WEFT_DISABLE_CGROUP", "1"}, {"XDG_DATA_HOME", "/d"}};

TEST(ChildEnvironment, ChildrenGetTheVariablesTheyReadAndNothingElse) {
  auto settings = settings_for_tests();
  auto appd = appd_command(settings, kParent, "wayland-1");
  EXPECT_EQ(appd.argv, std::vector<std::string>{"/b/weft-appd"});
  EXPECT_FALSE(appd.inherit_environment);
  for (const char* entry : {"XDG_RUNTIME_DIR=/run/user/1", "HOME=/home/u", "WEFT_LOG=debug", "WAYLAND_DISPLAY=wayland-1",
                            "WEFT_RUNTIME_BIN=/b/weft-runtime", "WEFT_APP_SHELL_BIN=/b/weft-app-shell",
                            "WEFT_UI_KIT_JS=/ui/weft-ui-kit.js", "WEFT_APP_STORE=/data/apps",
                            "WEFT_TRUSTED_KEYS=/data/keys", "WEFT_APPD_WS_PORT=0", "WEFT_DISABLE_CGROUP=1",
                            "XDG_DATA_HOME=/d"})
    EXPECT_TRUE(has(appd.env, entry)) << entry;
  EXPECT_FALSE(has_name(appd.env, "SECRET_TOKEN"));
  EXPECT_FALSE(has_name(appd.env, "WLR_NO_HARDWARE_CURSORS"));

  auto shell = shell_command(settings, kParent, "wayland-1");
  for (const char* entry : {"WAYLAND_DISPLAY=wayland-1", "WEFT_SYSTEM_UI_HTML=/ui/system-ui.html",
                            "WEFT_SYSTEM_RESOURCES=/ui", "WEFT_UI_KIT_JS=/ui/weft-ui-kit.js", "XDG_RUNTIME_DIR=/run/user/1"})
    EXPECT_TRUE(has(shell.env, entry)) << entry;
  EXPECT_FALSE(has_name(shell.env, "SECRET_TOKEN"));
  EXPECT_FALSE(has_name(shell.env, "WEFT_APP_STORE")) << "the shell has no business with the store";
}

TEST(ChildEnvironment, TheCompositorIsHeadlessWithSoftwareRenderingOrNestedInTheDisplayOrOnDrm) {
  auto settings = settings_for_tests();
  settings.backend = Backend::headless;
  settings.output = "800x600";
  settings.test_control = true;
  auto headless = compositor_command(settings, kParent);
  EXPECT_EQ(headless.argv, (std::vector<std::string>{"/b/weft-compositor", "--backend=headless", "--output", "800x600",
                                                     "--test-control"}));
  EXPECT_TRUE(has(headless.env, "WLR_RENDERER=pixman"));
  EXPECT_TRUE(has(headless.env, "WLR_NO_HARDWARE_CURSORS=1"));
  EXPECT_FALSE(has_name(headless.env, "WAYLAND_DISPLAY")) << "a headless compositor must not nest";

  settings = settings_for_tests();
  settings.backend = Backend::nested;
  auto nested = compositor_command(settings, kParent);
  EXPECT_EQ(nested.argv, (std::vector<std::string>{"/b/weft-compositor", "--backend=wayland"}));
  EXPECT_TRUE(has(nested.env, "WAYLAND_DISPLAY=wayland-9"));
  settings.backend = Backend::drm;
  EXPECT_EQ(compositor_command(settings, kParent).argv, (std::vector<std::string>{"/b/weft-compositor", "--backend=drm"}));
}

TEST(ChildEnvironment, WeftPackInstallsIntoTheSessionsStoreTrustingTheSessionsKeys) {
  auto pack = pack_command(settings_for_tests(), kParent, {"install", "/pkg/org.weft.demo.counter"});
  EXPECT_EQ(pack.argv, (std::vector<std::string>{"/b/weft-pack", "install", "/pkg/org.weft.demo.counter"}));
  EXPECT_TRUE(has(pack.env, "WEFT_APP_STORE=/data/apps"));
  EXPECT_TRUE(has(pack.env, "WEFT_TRUSTED_KEYS=/data/keys"));
}

TEST(DevStore, ABuildTreeSessionKeepsItsStoreAndKeysUnderTheDataHomeUnlessTheEnvironmentNamesThem) {
  auto store = dev_store({{"HOME", "/home/u"}});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->app_store, "/home/u/.local/share/weft/dev-session/apps");
  EXPECT_EQ(store->trusted_keys, "/home/u/.local/share/weft/dev-session/trusted-keys");
  store = dev_store({{"HOME", "/home/u"}, {"XDG_DATA_HOME", "relative"}, {"WEFT_APP_STORE", "/s"}});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->app_store, "/s");
  EXPECT_EQ(store->trusted_keys, "/home/u/.local/share/weft/dev-session/trusted-keys");
  EXPECT_FALSE(dev_store({}).ok());
}

TEST(DemoPackages, APackageIsInstalledWhenMissingOrWhenTheStoreHoldsAnotherBuildOfIt) {
  TempDir dir;
  std::string built = dir.path() + "/built", installed = dir.path() + "/store/org.weft.demo.counter";
  std::filesystem::create_directories(built);
  std::ofstream(built + "/signature.sig") << "aaaa";
  EXPECT_TRUE(package_outdated(built, installed)) << "missing";
  std::filesystem::create_directories(installed);
  std::ofstream(installed + "/signature.sig") << "aaaa";
  EXPECT_FALSE(package_outdated(built, installed)) << "the same build";
  std::ofstream(installed + "/signature.sig") << "bbbb";
  EXPECT_TRUE(package_outdated(built, installed)) << "another build (or another key)";
  std::filesystem::remove(built + "/signature.sig");
  EXPECT_FALSE(package_outdated(built, installed)) << "an unsigned build is only installed when missing";
}

std::optional<Options> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "weft-session");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto options = parse_options(static_cast<int>(argv.size()), argv.data());
  if (!options) return std::nullopt;
  return *options;
}

TEST(SessionOptions, TheTourIsHeadlessWithTestControlAndASmallOutput) {
  auto tour = parse({"--tour"});
  ASSERT_TRUE(tour);
  EXPECT_TRUE(tour->headless);
  EXPECT_TRUE(tour->test_control);
  EXPECT_EQ(tour->output, kTourOutput);
  EXPECT_EQ(choose_backend(*tour, true), Backend::headless);
}

TEST(SessionOptions, TheBackendFollowsTheDisplayAndBadArgumentsAreRefusedWithTheReason) {
  auto plain = parse({"--launch", "org.weft.demo.counter"});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->launch_app_id, "org.weft.demo.counter");
  EXPECT_EQ(choose_backend(*plain, true), Backend::nested);
  EXPECT_EQ(choose_backend(*plain, false), Backend::drm);
  EXPECT_FALSE(parse({"--output", "800x600"})) << "--output without --headless";
  EXPECT_FALSE(parse({"--headless", "--output", "800by600"}));
  EXPECT_FALSE(parse({"--launch", "Not An Id"}));
  EXPECT_FALSE(parse({"--bogus"}));
  EXPECT_FALSE(parse({"--test-control"})) << "test control only headless";
}

}  // namespace
}  // namespace weft::session
