#pragma once
// End-to-end harness: the real weft-session from the build tree, started headless with --test-control under a private
// user (XDG_RUNTIME_DIR, HOME), driven like a person (weft_test_v1 keys, clicks and captures) and inspected through
// appd's Unix socket and /proc. The destructor stops the session and removes everything, also when a test fails.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "appd_client.hpp"
#include "test_control.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/result.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/pixels.hpp"
#include "weft/test/process_tree.hpp"
#include "weft/test/temp_dir.hpp"
#include "weft/test/pixels.hpp"

namespace weft::session::test {

constexpr const char* kCounter = "org.weft.demo.counter";
constexpr const char* kNotes = "org.weft.demo.notes";
using namespace weft::test::desktop;
constexpr int kWidth = 1024, kHeight = 640;  // px
// Toasts stack at the top right above app windows (the tour leaves this column out of its comparisons too): which
// toasts are still showing depends on timing, so app-window comparisons stop left of it.
constexpr int kToastColumn = 360;  // px

using weft::test::alive;
using weft::test::command_line;
using weft::test::descendants;
using weft::test::executable;
using weft::test::fraction_different;
using weft::test::fraction_near;
using ProcessInfo = weft::ProcessEntry;

/// Keeps a screenshot of an e2e run: copies the PNG (or a directory of them) to `<build>/screenshots/e2e/<name>`.
void keep_screenshot(const std::string& path, const std::string& name);

class SessionUnderTest {
 public:
  SessionUnderTest();
  ~SessionUnderTest();
  SessionUnderTest(const SessionUnderTest&) = delete;
  SessionUnderTest& operator=(const SessionUnderTest&) = delete;

  /// Runs `weft-session <args>` with the private user's environment plus `extra_env` (NAME=value; no wait).
  [[nodiscard]] Result<void> spawn(std::vector<std::string> args, std::vector<std::string> extra_env = {});
  /// Where spawn() sends weft-session's stderr as well as the test's: `<root>/session.log`.
  [[nodiscard]] std::string log_path() const { return root_ / "session.log"; }
  /// The whole log once weft-session has exited: waits (≤ 10 s) for `tee` to write what is still in the pipe.
  [[nodiscard]] Result<std::string> finished_log();
  /// Starts a headless desktop with test control and waits until appd answers and the taskbar is connected.
  [[nodiscard]] Result<void> start_desktop(std::vector<std::string> extra_env = {});

  [[nodiscard]] pid_t pid() const { return session_.pid(); }
  [[nodiscard]] ChildProcess& process() { return session_; }
  [[nodiscard]] std::string weft_dir() const { return runtime_dir_ + "/weft"; }
  [[nodiscard]] const std::string& runtime_dir() const { return runtime_dir_; }
  [[nodiscard]] const std::string& root() const { return root_.path(); }
  [[nodiscard]] std::string data_home() const { return root_ / "home/.local/share"; }

  [[nodiscard]] TestControl& control() { return *control_; }
  [[nodiscard]] Result<AppdClient> appd() const { return AppdClient::connect(weft_dir() + "/appd.sock"); }
  [[nodiscard]] Result<Frame> capture();
  /// The path the last capture() wrote.
  [[nodiscard]] std::string last_capture() const;
  /// Captures until `accept` holds; the accepted frame, or an error naming `expected`.
  [[nodiscard]] Result<Frame> capture_until(const std::function<bool(const Frame&)>& accept, const std::string& expected,
                                            int timeout_ms = 60000);
  /// The taskbar fills the bottom 48 px and its status dot says the page is connected to appd.
  [[nodiscard]] static bool taskbar_connected(const Frame& frame);
  /// The pid of the session's direct child running `comm`, or -1.
  [[nodiscard]] pid_t child_named(const std::string& comm) const;
  /// Waits until QUERY_APP_STATE says `state`.
  [[nodiscard]] bool wait_state(uint64_t session_id, const std::string& state, int timeout_ms = 60000) const;

 private:
  weft::test::TempDir root_{"session-e2e"};  // the private user: run/ (XDG_RUNTIME_DIR), home/, captures, the log
  std::string runtime_dir_;
  ChildProcess session_;
  ChildProcess log_tee_;  // ends at EOF, once weft-session and everything holding its stderr are gone
  std::unique_ptr<TestControl> control_;
  int captures_ = 0;
};

}  // namespace weft::session::test
