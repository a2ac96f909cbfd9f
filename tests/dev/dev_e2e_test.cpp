// weft-dev end to end, as an app developer uses it: an app made by weft-new-app, run through a real headless desktop
// (compositor, appd, shell, runtime, app shell). What is asserted is what the developer sees: pixels of the app's
// window, the inspector answering, the component's replies, and no process left behind.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <thread>

#include "appd_client.hpp"
#include "test_control.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/line_reader.hpp"
#include "weft/test/process_tree.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::dev {
namespace {

using namespace std::chrono_literals;
using test::TempDir;
namespace fs = std::filesystem;

constexpr const char* kAppId = "org.example.hello";
constexpr session::Frame::Rgb kPageBackground{0x15, 0x17, 0x1c};  // weft-new-app's page
constexpr session::Frame::Rgb kButton{0x5b, 0x8a, 0xf5};          // its Greet button
constexpr session::Frame::Rgb kEditedBackground{0xc0, 0x30, 0x30};
// The app's window on the 1024x640 output, above the shell's 48 px taskbar; a band clear of the page's centred text.
constexpr int kBandX = 0, kBandY = 0, kBandW = 1024, kBandH = 120;

/// A home of its own: runtime dir (the desktops weft-dev starts live inside it), data home (the development store),
/// and no display, so weft-dev runs headless.
struct DevHome {
  TempDir dir{"dev"};
  std::string run = dir / "run", data = dir / "data";
  DevHome() {
    fs::create_directories(run);
    fs::permissions(run, fs::perms::owner_all);
    fs::create_directories(data);
  }
  [[nodiscard]] std::vector<std::string> env() const {
    std::vector<std::string> vars = {"XDG_RUNTIME_DIR=" + run, "XDG_DATA_HOME=" + data, "HOME=" + dir.path(),
                                     "WEFT_DISABLE_CGROUP=1"};
    for (const char* name : {"PATH", "LANG", "TMPDIR"})
      if (const char* v = std::getenv(name)) vars.push_back(std::string(name) + "=" + v);
    return vars;
  }
  [[nodiscard]] SpawnOptions command(std::vector<std::string> args) const {
    SpawnOptions options;
    options.argv = {test::executable("weft-dev")};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = env();
    return options;
  }
  /// A fresh app from weft-new-app (not built: weft-dev run builds it).
  [[nodiscard]] std::string new_app() const {
    std::string project = dir / "hello";
    SpawnOptions options;
    options.argv = {WEFT_SOURCE_DIR "/sdk/weft-new-app", project, kAppId};
    options.env = env();
    auto created = test::run_child(options, {.merge_stderr = true});
    EXPECT_EQ(created.exit_code, 0) << created.out;
    return project;
  }
  /// Processes whose command line names this home (desktops, apps, WebKit processes started for it).
  [[nodiscard]] std::vector<std::string> survivors() const {
    std::vector<std::string> found;
    for (const auto& process : read_process_table())
      if (process.state != 'Z' && process.pid != ::getpid())
        if (auto line = test::command_line(process.pid); line.find(dir.path()) != std::string::npos)
          found.push_back(std::to_string(process.pid) + " " + line);
    return found;
  }
};

/// `weft-dev run` in the background; its stderr and labelled log read line by line.
class DevRun {
 public:
  DevRun(const DevHome& home, std::vector<std::string> args) {
    auto started = test::CapturedChild::start(home.command(std::move(args)), {.merge_stderr = true});
    if (!started) throw std::runtime_error(started.error().message);
    child_.emplace(std::move(*started));
    reader_.emplace(child_->out_fd());
  }
  /// Reads until a line matches `pattern`; its match groups, or empty after `timeout` (the output so far is kept).
  std::smatch wait_for(const std::string& pattern, std::chrono::milliseconds timeout = 90s) {
    std::regex re(pattern);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto line = reader_->next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!line) break;
      seen_ += *line + "\n";
      lines_.push_back(*line);
      std::smatch match;
      if (std::regex_search(lines_.back(), match, re)) return match;
    }
    return {};
  }
  [[nodiscard]] const std::string& seen() const { return seen_; }
  [[nodiscard]] pid_t pid() { return child_->process().pid(); }
  test::RunResult finish(std::chrono::milliseconds timeout = 60s) { return child_->finish(timeout); }

 private:
  std::optional<test::CapturedChild> child_;
  std::optional<test::LineReader> reader_;
  std::string seen_;
  std::vector<std::string> lines_;
};

std::string http_get(uint16_t port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    (void)!::write(fd, request.data(), request.size());
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0 && answer.size() < 65536) answer.append(buffer, n);
  }
  ::close(fd);
  return answer;
}

/// The pid of the app's `program` (weft-runtime, weft-app-shell) among `root`'s descendants, or -1.
pid_t app_process(pid_t root, const std::string& program) {
  for (const auto& process : test::descendants(root))
    if (auto line = test::command_line(process.pid); line.find(program + " " + kAppId) != std::string::npos)
      return process.pid;
  return -1;
}
pid_t runtime_pid(pid_t root) { return app_process(root, "weft-runtime"); }
pid_t app_shell_pid(pid_t root) { return app_process(root, "weft-app-shell"); }

Result<session::Frame> capture(const std::string& desktop_runtime_dir, const std::string& png) {
  ::setenv("XDG_RUNTIME_DIR", desktop_runtime_dir.c_str(), 1);
  WEFT_TRY(std::string display, read_file(desktop_runtime_dir + "/weft/compositor.display"));
  WEFT_TRY(auto control, session::TestControl::connect(display));
  WEFT_TRY_VOID(control->capture(png));
  return session::read_frame(png);
}

TEST(WeftDevRun, ShowsAFreshAppInAHeadlessScreenshotAndLeavesNoProcessBehind) {
  DevHome home;
  std::string project = home.new_app();
  std::string png = home.dir / "hello.png";
  auto run = test::run_child(home.command({"run", project, "--screenshot", png, "--click", "10,10"}),
                             {.merge_stderr = true}, 240s);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("org.example.hello is running as session"), std::string::npos) << run.out;
  auto frame = session::read_frame(png);
  ASSERT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_GT(frame->fraction_near(kBandX, kBandY, kBandW, kBandH, kPageBackground), 0.9) << "the app's page fills its window";
  EXPECT_GT(frame->fraction_near(0, 0, 1024, 592, kButton, 10), 0.001) << "its Greet button shows";
  EXPECT_EQ(home.survivors(), std::vector<std::string>{});
}

TEST(WeftDevRun, WatchReloadsThePageOrRestartsOnlyTheRuntimeTheInspectorAnswersAndIpcReachesTheComponent) {
  DevHome home;
  std::string project = home.new_app();
  DevRun run(home, {"run", project, "--watch", "--inspect", "--headless"});
  auto desktop = run.wait_for(R"(appd (\S+)/weft/appd\.sock\))");
  ASSERT_FALSE(desktop.empty()) << run.seen();
  std::string desktop_dir = desktop[1];
  auto inspector = run.wait_for(R"(inspector: http://127\.0\.0\.1:(\d+)/)");
  ASSERT_FALSE(inspector.empty()) << run.seen();

  // The inspector serves its front end on the printed port, for this development app.
  std::string answer = http_get(static_cast<uint16_t>(std::stoi(inspector[1])), "/");
  EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer.substr(0, 300);

  // A production launch cannot have it: the signed demo app in the same desktop is refused the inspector.
  {
    auto client = session::AppdClient::connect(desktop_dir + "/weft/appd.sock");
    ASSERT_TRUE(client.ok()) << client.error().message;
    auto reply = client->request(ipc::appd::DevLaunchApp{"org.weft.demo.counter", 9});
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    auto* error = std::get_if<ipc::appd::ErrorReply>(&*reply);
    ASSERT_NE(error, nullptr) << ipc::appd::type_name(*reply);
    EXPECT_EQ(error->code, 403u) << error->message;
  }

  // weft-dev ipc: one line to the component, its reply printed.
  auto ipc = test::run_child(home.command({"ipc", kAppId, R"({"op":"greet","name":"Ada"})"}), {}, 30s);
  EXPECT_EQ(ipc.exit_code, 0) << ipc.err;
  EXPECT_EQ(ipc.out, "{\"op\":\"greeting\",\"text\":\"Hello, Ada!\"}\n") << ipc.err;

  // --watch: an edit of ui/index.html reloads the page in the same window; the runtime keeps running.
  pid_t runtime = runtime_pid(run.pid());
  ASSERT_GT(runtime, 0);
  auto before = capture(desktop_dir, home.dir / "before.png");
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_GT(before->fraction_near(kBandX, kBandY, kBandW, kBandH, kPageBackground), 0.9);
  std::string page = test::read_text(project + "/ui/index.html");
  auto at = page.find("background: #15171c");
  ASSERT_NE(at, std::string::npos);
  page.replace(at, std::string("background: #15171c").size(), "background: #c03030");
  test::write_file(project + "/ui/index.html", page);
  ASSERT_FALSE(run.wait_for(R"(page reloaded in \d+ ms)", 30s).empty()) << run.seen();
  auto after = capture(desktop_dir, home.dir / "after.png");
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_GT(after->fraction_near(kBandX, kBandY, kBandW, kBandH, kEditedBackground), 0.9) << "the edited page shows";
  EXPECT_EQ(runtime_pid(run.pid()), runtime) << "the runtime was not restarted";

  // --watch: an edit of the C source rebuilds the component and restarts only the runtime; the window stays.
  pid_t shell = app_shell_pid(run.pid());
  ASSERT_GT(shell, 0);
  std::string source = test::read_text(project + "/src/main.c");
  at = source.find("\"Hello, \"");
  ASSERT_NE(at, std::string::npos);
  source.replace(at, std::string("\"Hello, \"").size(), "\"Howdy, \"");
  test::write_file(project + "/src/main.c", source);
  ASSERT_FALSE(run.wait_for(R"(runtime restarted and page reloaded in \d+ ms)", 60s).empty()) << run.seen();
  EXPECT_NE(runtime_pid(run.pid()), runtime) << "a new runtime runs the rebuilt component";
  EXPECT_EQ(app_shell_pid(run.pid()), shell) << "the window's app shell was kept";
  auto howdy = test::run_child(home.command({"ipc", kAppId, R"({"op":"greet","name":"Ada"})"}), {}, 30s);
  EXPECT_EQ(howdy.out, "{\"op\":\"greeting\",\"text\":\"Howdy, Ada!\"}\n") << howdy.err;

  ::kill(run.pid(), SIGINT);
  auto ended = run.finish();
  EXPECT_EQ(ended.exit_code, 130) << run.seen() << ended.out;
  EXPECT_EQ(home.survivors(), std::vector<std::string>{});
}

}  // namespace
}  // namespace weft::dev
