// Pre-started app shells (spec §3.4, last line; issue 13): appd keeps WEFT_APP_SHELL_POOL `weft-app-shell --pool`
// processes with their web processes up and no app. A launch is served by one of them end to end (the window shows the
// app and the bridge works both ways); each shell serves one session in its life and the next launch gets a fresh one
// that has nothing of the earlier session; an idle shell that dies is replaced; appd's shutdown leaves no process and
// no directory; with a pool size of 0 nothing is pre-started.
#include <gtest/gtest.h>
#include <linux/input-event-codes.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "appd_harness.hpp"
#include "weft/core/ipc/app_shell_pool.hpp"
#include "weft/test/process_tree.hpp"

namespace weft::appd::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kProbe = "org.weft.test.storageprobe";
constexpr weft::test::Rgb kProbeFresh{0, 200, 0};   // no earlier state, and the probe's own marker survived a reload
constexpr weft::test::Rgb kProbeLeak{200, 0, 0};    // state of an earlier session was there
constexpr weft::test::Rgb kProbeBlind{0, 0, 200};   // the probe could not keep its own marker: it would see nothing

double buttons(const Image& i) { return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kAccent, 24); }
double red(const Image& i) { return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, kNegative, 24); }
double share(const Image& i, weft::test::Rgb colour) {
  return fraction_near(i, 0, 0, kWidth, kHeight - kTaskbar, colour, 8);
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

class AppShellPool : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = appd_.start_desktop(kWidth, kHeight);
    ASSERT_TRUE(started.ok()) << started.error().message;
  }
  void start_appd(int pool_size) {
    // At once: in a session the pool waits 5 s for the desktop's own start first.
    auto started = appd_.start_appd({"WEFT_APP_SHELL_POOL=" + std::to_string(pool_size), "WEFT_TEST_POOL_START_DELAY_MS=0"});
    ASSERT_TRUE(started.ok()) << started.error().message;
  }
  std::vector<pid_t> app_shells() const {
    std::vector<pid_t> pids;
    for (const auto& [pid, comm] : appd_.appd_descendants())
      if (comm == "weft-app-shell") pids.push_back(pid);
    return pids;
  }
  // The one idle pre-started shell, once its web process runs (0 after the timeout).
  pid_t warm_pool_shell(pid_t other_than = 0, int timeout_ms = 30000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
      auto shells = app_shells();
      std::erase(shells, other_than);
      if (shells.size() == 1)
        for (const auto& p : weft::test::descendants(shells.front()))
          if (p.comm == "WPEWebProcess") return shells.front();
      appd_.desktop().pump(50);
    }
    return 0;
  }
  std::vector<std::string> pool_dirs() const {
    std::vector<std::string> names;
    for (const auto& name : appd_.weft_dir_listing())
      if (name.rfind("shell-pool-", 0) == 0 && !fs::is_symlink(appd_.weft_dir() + "/" + name)) names.push_back(name);
    return names;
  }
  Image capture_until(const std::function<bool(const Image&)>& accept) {
    auto image = appd_.desktop().capture_until(accept, kTimeoutMs);
    EXPECT_TRUE(image.ok()) << image.error().message;
    return image.ok() ? *image : Image{};
  }
  // The counter package with another id and the storage probe as its UI, signed with the development key.
  std::string probe_package() {
    std::string dir = appd_.root() + "/variants/" + kProbe;
    fs::create_directories(fs::path(dir).parent_path());
    fs::copy(AppdHarness::package_dir(kCounter), dir, fs::copy_options::recursive);
    fs::remove(dir + "/signature.sig");
    fs::permissions(dir + "/ui/index.html", fs::perms::owner_read | fs::perms::owner_write);
    fs::copy_file(WEFT_APPD_TEST_DIR "/fixtures/storage-probe/index.html", dir + "/ui/index.html",
                  fs::copy_options::overwrite_existing);
    std::ifstream in(dir + "/wapp.toml");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text = std::regex_replace(text, std::regex("id = \"org.weft.demo.counter\""), std::string("id = \"") + kProbe + "\"");
    fs::permissions(dir + "/wapp.toml", fs::perms::owner_read | fs::perms::owner_write);
    std::ofstream(dir + "/wapp.toml", std::ios::trunc) << text;
    auto sign = appd_.pack({"sign", dir, "--key", build_dir() + "/dev-keys/weft-sign.key"});
    EXPECT_TRUE(sign.ok()) << sign.error().message;
    return dir;
  }
  AppdHarness appd_;
};

TEST_F(AppShellPool, ALaunchIsServedByThePreStartedShellEndToEndAndThePoolRefillsAfterwards) {
  ASSERT_TRUE(appd_.install_demo(kCounter).ok());
  start_appd(1);
  pid_t pooled = warm_pool_shell();
  ASSERT_GT(pooled, 0) << "no pre-started app shell with a running web process";
  ASSERT_EQ(pool_dirs().size(), 1u);
  const std::string pool_dir = pool_dirs().front();

  auto web_processes = [](pid_t shell) {
    std::vector<pid_t> pids;
    for (const auto& p : weft::test::descendants(shell))
      if (p.comm == "WPEWebProcess") pids.push_back(p.pid);
    return pids;
  };
  const auto warm_web_processes = web_processes(pooled);

  auto sid = appd_.launch(kCounter);
  ASSERT_TRUE(sid.ok()) << sid.error().message;
  ASSERT_TRUE(appd_.wait_state(*sid, "running"));
  EXPECT_TRUE(alive(pooled));
  EXPECT_EQ(web_processes(pooled), warm_web_processes) << "the app did not run in the web process started ahead";
  EXPECT_EQ(appd_.desktop().focused_app_id(), kCounter);
  // The pre-started shell's directory became the session's shell-<sid>/ (its old name points there).
  EXPECT_TRUE(fs::is_directory(appd_.weft_dir() + "/shell-" + std::to_string(*sid)));
  EXPECT_TRUE(fs::is_symlink(appd_.weft_dir() + "/" + pool_dir));

  // The page drew the counter, and a key crosses page → bridge → component → page: −1 in red.
  Image zero = capture_until([](const Image& i) { return buttons(i) > 0.002; });
  save(zero, "appd-pool-counter.png");
  EXPECT_GT(buttons(zero), 0.002) << "the pre-started shell does not show the counter";
  appd_.desktop().key(KEY_DOWN);
  Image negative = capture_until([](const Image& i) { return red(i) > 0.001; });
  EXPECT_GT(red(negative), 0.001) << "the bridge of the pre-started shell does not carry messages";

  // Once the launch settled the pool starts a new shell: another process, another directory.
  pid_t refill = warm_pool_shell(pooled);
  EXPECT_GT(refill, 0) << "the pool was not refilled";
  auto dirs = pool_dirs();
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_NE(dirs.front(), pool_dir);

  auto unix = appd_.unix_client();
  ASSERT_TRUE(unix.ok());
  ASSERT_TRUE(unix->request(msg::TerminateApp{*sid, false}).ok());
  ASSERT_TRUE(appd_.wait_state(*sid, "stopped", 20000));
  EXPECT_FALSE(alive(pooled)) << "the shell outlived its session";
  EXPECT_FALSE(fs::exists(appd_.weft_dir() + "/shell-" + std::to_string(*sid)));
  EXPECT_FALSE(fs::is_symlink(appd_.weft_dir() + "/" + pool_dir)) << "the old name of the shell's directory is left";

  // appd's shutdown reaps the idle shell and its web processes and removes its directory.
  ASSERT_EQ(appd_.stop_appd().code, 0);
  EXPECT_TRUE(appd_.appd_descendants().empty());
  EXPECT_FALSE(alive(refill)) << "an idle pre-started shell survived appd";
  EXPECT_TRUE(pool_dirs().empty()) << "an idle shell's directory survived appd";
}

TEST_F(AppShellPool, EachShellServesOneSessionAndTheNextLaunchGetsAFreshShellWithNothingOfTheEarlierOne) {
  ASSERT_TRUE(appd_.install(probe_package()).ok());
  start_appd(1);
  pid_t first_shell = warm_pool_shell();
  ASSERT_GT(first_shell, 0);

  auto first = appd_.launch(kProbe);
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(appd_.wait_state(*first, "running"));
  Image fresh = capture_until([](const Image& i) { return share(i, kProbeFresh) > 0.5 || share(i, kProbeLeak) > 0.5 || share(i, kProbeBlind) > 0.5; });
  EXPECT_GT(share(fresh, kProbeFresh), 0.5) << "the first session's probe: red = state found, blue = cannot keep state";

  // The first session ends with its shell; the second launch takes the refilled shell, a different process.
  pid_t second_shell = warm_pool_shell(first_shell);
  ASSERT_GT(second_shell, 0);
  auto unix = appd_.unix_client();
  ASSERT_TRUE(unix.ok());
  ASSERT_TRUE(unix->request(msg::TerminateApp{*first, false}).ok());
  ASSERT_TRUE(appd_.wait_state(*first, "stopped", 20000));
  EXPECT_FALSE(alive(first_shell)) << "a pre-started shell outlived the one session it served";
  EXPECT_FALSE(fs::exists(appd_.weft_dir() + "/shell-" + std::to_string(*first))) << "the first session's cache is left";

  auto second = appd_.launch(kProbe);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_TRUE(appd_.wait_state(*second, "running"));
  EXPECT_TRUE(alive(second_shell));
  auto shells = app_shells();
  EXPECT_EQ(std::count(shells.begin(), shells.end(), first_shell), 0);
  // Same app, same origin: localStorage or a cookie of the first session would show red here.
  Image again = capture_until([](const Image& i) { return share(i, kProbeFresh) > 0.5 || share(i, kProbeLeak) > 0.5 || share(i, kProbeBlind) > 0.5; });
  save(again, "appd-pool-probe-second.png");
  EXPECT_GT(share(again, kProbeFresh), 0.5) << "the second session saw state of the first (red) or none at all (blue)";
  EXPECT_EQ(share(again, kProbeLeak), 0.0);
}

TEST_F(AppShellPool, AnIdleShellThatDiesIsReplacedAndItsDirectoryRemoved) {
  start_appd(1);
  pid_t pooled = warm_pool_shell();
  ASSERT_GT(pooled, 0);
  auto dirs = pool_dirs();
  ASSERT_EQ(dirs.size(), 1u);
  ::kill(pooled, SIGKILL);
  pid_t replacement = warm_pool_shell(pooled);
  EXPECT_GT(replacement, 0) << "the dead shell was not replaced";
  EXPECT_FALSE(alive(pooled));
  auto now = pool_dirs();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now.front(), dirs.front()) << "the replacement must get a fresh directory";
  ASSERT_EQ(appd_.stop_appd().code, 0);
  EXPECT_TRUE(appd_.appd_descendants().empty());
}

TEST_F(AppShellPool, WithAPoolSizeOfZeroNothingIsPreStartedAndLaunchesStartTheirShellCold) {
  ASSERT_TRUE(appd_.install_demo(kCounter).ok());
  start_appd(0);
  appd_.desktop().pump(1000);  // a pool shell (no start delay here) would have started by now
  EXPECT_TRUE(app_shells().empty());
  EXPECT_TRUE(pool_dirs().empty());
  auto sid = appd_.launch(kCounter);
  ASSERT_TRUE(sid.ok()) << sid.error().message;
  ASSERT_TRUE(appd_.wait_state(*sid, "running"));
  EXPECT_EQ(app_shells().size(), 1u);
  appd_.desktop().pump(1000);  // a refill would start as soon as the launch settled
  EXPECT_EQ(app_shells().size(), 1u) << "a shell was pre-started with a pool size of 0";
  EXPECT_TRUE(pool_dirs().empty());
}

}  // namespace
}  // namespace weft::appd::test

namespace weft::appd::test {
namespace {

// The app shell's side of the control channel on its own (no appd, no compositor): a binding without the session's
// three fds is refused with a clear error and the shell ends, before it ever connects anywhere.
TEST(PoolShellControlChannel, ABindingWithoutTheSessionsThreeFdsIsRefusedAndTheShellEnds) {
  weft::test::TempDir dir("pool-shell");
  fs::create_directories(dir / "cache");
  fs::create_directories(dir / "data");
  auto control = unix_socket_pair();
  auto err = make_pipe();
  ASSERT_TRUE(control.ok() && err.ok());
  SpawnOptions options;
  options.argv = {executable("weft-app-shell"), "--pool"};
  options.env = {"PATH=/usr/bin:/bin", "HOME=" + (dir / "data"), "XDG_RUNTIME_DIR=" + dir.path(),
                 "XDG_CACHE_HOME=" + (dir / "cache"), "XDG_DATA_HOME=" + (dir / "data"), "WEFT_POOL_FD=3"};
  options.fd_map = {{control->second.get(), 3}, {err->second.get(), 2}};
  options.null_stdio = true;
  auto shell = ChildProcess::spawn(options);
  ASSERT_TRUE(shell.ok()) << shell.error().message;
  control->second.reset();
  err->second.reset();

  std::string said;
  char buffer[16];
  while (said.size() < 5) {
    ssize_t n = ::read(control->first.get(), buffer, sizeof buffer);  // blocking: WARM, or EOF if the shell failed
    if (n <= 0) break;
    said.append(buffer, static_cast<size_t>(n));
  }
  ASSERT_EQ(said, "WARM\n") << "the shell never said WARM";

  auto line = ipc::encode_pool_binding({.app_id = kCounter, .session_id = 1, .entry = "/nonexistent/ui/index.html",
                                        .ready_token = "0123456789abcdef0123456789abcdef", .cache_dir = dir / "cache"});
  ASSERT_TRUE(line.ok());
  auto stray = make_pipe();
  ASSERT_TRUE(stray.ok());
  const int one_fd[] = {stray->first.get()};
  ASSERT_TRUE(send_with_fds(control->first.get(), std::span(reinterpret_cast<const uint8_t*>(line->data()), line->size()),
                            one_fd).ok());
  auto status = shell->wait(std::chrono::milliseconds(20000));
  ASSERT_TRUE(status.has_value()) << "the shell did not end";
  EXPECT_EQ(status->code, 1) << status->describe();
  auto text = read_fd(err->first.get(), 1 << 20, "stderr");
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("the binding carried 1 fds, not 3"), std::string::npos) << *text;
}

}  // namespace
}  // namespace weft::appd::test
