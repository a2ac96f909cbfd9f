#include "session_harness.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "weft/core/fd.hpp"

namespace weft::session::test {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

void keep_screenshot(const std::string& path, const std::string& name) {
  std::string dir = weft::test::build_dir() + "/screenshots/e2e";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::filesystem::remove_all(dir + "/" + name, ec);
  std::filesystem::copy(path, dir + "/" + name, std::filesystem::copy_options::recursive, ec);
}

SessionUnderTest::SessionUnderTest() {
  runtime_dir_ = root_ / "run";
  std::filesystem::create_directories(runtime_dir_);
  std::filesystem::permissions(runtime_dir_, std::filesystem::perms::owner_all);
  std::filesystem::create_directories(root_ / "home");
  // This process connects to the session's compositor: wl_display_connect resolves names in XDG_RUNTIME_DIR.
  ::setenv("XDG_RUNTIME_DIR", runtime_dir_.c_str(), 1);
}

SessionUnderTest::~SessionUnderTest() {
  control_.reset();
  if (session_.running()) {
    auto tree = descendants(session_.pid());
    session_.terminate(std::chrono::milliseconds(30000));
    for (const auto& p : tree)
      if (alive(p.pid)) ::kill(p.pid, SIGKILL);
  }
}

Result<void> SessionUnderTest::spawn(std::vector<std::string> args, std::vector<std::string> extra_env) {
  SpawnOptions options;
  options.argv = {executable("weft-session")};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + (root_ / "home"), "XDG_RUNTIME_DIR=" + runtime_dir_,
                 "WEFT_LOG=" + std::string(std::getenv("WEFT_LOG") ? std::getenv("WEFT_LOG") : "info")};
  options.env.insert(options.env.end(), extra_env.begin(), extra_env.end());
  // stderr goes to a log a test can read; `tee` keeps it visible in the test's output too.
  WEFT_TRY(auto pipe, make_pipe());
  SpawnOptions tee;
  tee.argv = {"tee", "-a", log_path()};
  tee.env = {"PATH=/usr/bin:/bin"};
  tee.fd_map = {{pipe.first.get(), 0}, {STDERR_FILENO, 1}};
  WEFT_TRY(log_tee_, ChildProcess::spawn(tee));
  options.fd_map = {{pipe.second.get(), STDERR_FILENO}};
  WEFT_TRY(session_, ChildProcess::spawn(options));
  return ok();
}

Result<std::string> SessionUnderTest::finished_log() {
  // tee ends at EOF, when the last process holding weft-session's stderr is gone.
  if (log_tee_.pid() > 0 && !log_tee_.wait(std::chrono::milliseconds(10000)))
    return fail("the session's log is still open 10 s after it exited");
  return read_file(log_path());
}

Result<void> SessionUnderTest::start_desktop(std::vector<std::string> extra_env) {
  WEFT_TRY_VOID(spawn({"--headless", "--output", std::to_string(kWidth) + "x" + std::to_string(kHeight), "--test-control"},
                      std::move(extra_env)));
  auto deadline = Clock::now() + std::chrono::seconds(120);  // the first start installs the demo packages
  while (::access((weft_dir() + "/appd.sock").c_str(), F_OK) != 0 ||
         ::access((weft_dir() + "/compositor.display").c_str(), F_OK) != 0 || child_named("weft-shell") < 0) {
    if (auto status = session_.try_wait()) return fail("weft-session exited at start: " + status->describe());
    if (Clock::now() >= deadline) return fail("weft-session started no desktop within 120 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  WEFT_TRY(auto display, read_file(weft_dir() + "/compositor.display"));
  WEFT_TRY(control_, TestControl::connect(display));
  WEFT_TRY(Frame frame, capture_until(taskbar_connected, "the taskbar connected to appd"));
  return ok();
}

std::string SessionUnderTest::last_capture() const {
  return root_ / ("capture-" + std::to_string(captures_ % 2) + ".png");
}

Result<Frame> SessionUnderTest::capture() {
  std::string path = root_ / ("capture-" + std::to_string(++captures_ % 2) + ".png");
  WEFT_TRY_VOID(control_->capture(path));
  return read_frame(path);
}

Result<Frame> SessionUnderTest::capture_until(const std::function<bool(const Frame&)>& accept,
                                              const std::string& expected, int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    WEFT_TRY(Frame frame, capture());
    if (accept(frame)) return frame;
    if (Clock::now() >= deadline) return fail("expected " + expected + " within " + std::to_string(timeout_ms) + " ms");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool SessionUnderTest::taskbar_connected(const Frame& frame) { return weft::test::desktop::taskbar_connected(frame); }

pid_t SessionUnderTest::child_named(const std::string& comm) const {
  for (const auto& p : descendants(session_.pid()))
    if (p.ppid == session_.pid() && p.comm == comm) return p.pid;
  return -1;
}

bool SessionUnderTest::wait_state(uint64_t session_id, const std::string& state, int timeout_ms) const {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Clock::now() < deadline) {
    auto client = appd();
    if (client.ok()) {
      auto now = client->state(session_id);
      if (now.ok() && *now == state) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace weft::session::test
