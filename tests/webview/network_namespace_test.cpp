// enter_empty_network_namespace and weft-app-shell's policy where the kernel refuses it (spec §6.2). Each case runs in
// a forked child, so the test process keeps its own network.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <fstream>
#include <string>

#include "loopback_listeners.hpp"
#include "network_namespace.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::webview {
namespace {

constexpr uid_t kNobody = 65534;

bool write_file(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  return ok;
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

struct ChildOutcome {
  int status = -1;      // exit status, -1 when it did not exit normally
  std::string output;   // what the child wrote to the report pipe (its stderr in exec cases)
};

// Runs `body(report_fd)` in a forked child and collects its exit status and report. With `refusing`, the child first
// becomes uid/gid 65534 in a user namespace whose limit for further user namespaces is 0: a kernel that refuses.
ChildOutcome run_in_child(bool refusing, const std::function<int(int report_fd)>& body) {
  int report[2], go[2], entered[2];
  if (::pipe2(report, O_CLOEXEC) || ::pipe2(go, O_CLOEXEC) || ::pipe2(entered, O_CLOEXEC)) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    if (refusing) {
      char c = 0;
      if (::unshare(CLONE_NEWUSER) != 0 || ::write(entered[1], "x", 1) != 1 || ::read(go[0], &c, 1) != 1 || c != 'x')
        ::_exit(90);
      if (!write_file("/proc/sys/user/max_user_namespaces", "0")) ::_exit(91);
      if (::setresgid(kNobody, kNobody, kNobody) != 0 || ::setresuid(kNobody, kNobody, kNobody) != 0) ::_exit(92);
    }
    ::_exit(body(report[1]));
  }
  ::close(report[1]);
  ::close(entered[1]);
  ::close(go[0]);
  if (refusing) {
    // Only a process with CAP_SETUID outside the new namespace may map more than its own uid: the test maps root and
    // nobody for the child.
    char c = 0;
    bool mapped = ::read(entered[0], &c, 1) == 1 &&
                  write_file("/proc/" + std::to_string(pid) + "/uid_map", "0 0 1\n65534 65534 1\n") &&
                  write_file("/proc/" + std::to_string(pid) + "/gid_map", "0 0 1\n65534 65534 1\n");
    if (::write(go[1], mapped ? "x" : "n", 1) != 1) mapped = false;
  }
  ::close(entered[0]);
  ::close(go[1]);
  ChildOutcome outcome;
  outcome.output = read_all(report[0]);
  ::close(report[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

void report(int fd, const std::string& text) {
  if (::write(fd, text.data(), text.size()) < 0) ::_exit(93);
}

// What a process sees after entering: its route, uid, whether loopback connects, whether an inherited socket works.
int enter_and_probe(int fd, uint16_t port) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) return 94;
  uid_t uid_before = ::getuid();
  auto route = enter_empty_network_namespace();
  if (!route.ok()) {
    report(fd, "refused: " + route.error().message);
    return 0;
  }
  report(fd, describe(*route));
  report(fd, ::getuid() == uid_before ? "; same uid" : "; uid changed");
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool connected = ::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  report(fd, connected ? "; loopback connects" : std::string("; loopback: ") + std::strerror(errno));
  char byte = 0;
  bool inherited = ::write(pair[0], "x", 1) == 1 && ::recv(pair[1], &byte, 1, 0) == 1 && byte == 'x';
  report(fd, inherited ? "; inherited socket works" : "; inherited socket broken");
  return 0;
}

TEST(NetworkNamespace, EnteringLeavesNoReachableLoopbackAndInheritedSocketsKeepWorking) {
  test::CountingListener listener("127.0.0.1");
  ASSERT_NE(listener.port(), 0);
  auto outcome = run_in_child(false, [&](int fd) { return enter_and_probe(fd, listener.port()); });
  ASSERT_EQ(outcome.status, 0);
  EXPECT_NE(outcome.output.find("; same uid; loopback: Network is unreachable; inherited socket works"),
            std::string::npos)
      << outcome.output;
  EXPECT_EQ(listener.connections(), 0);
}

// Run as root, the child drops to nobody first (and so becomes non-dumpable, as after any uid change).
TEST(NetworkNamespace, AnUnprivilegedProcessGetsItThroughAUserNamespaceKeepingItsUid) {
  test::CountingListener listener("127.0.0.1");
  auto outcome = run_in_child(false, [&](int fd) {
    if (::geteuid() == 0 && (::setresgid(kNobody, kNobody, kNobody) != 0 || ::setresuid(kNobody, kNobody, kNobody) != 0))
      return 95;
    return enter_and_probe(fd, listener.port());
  });
  ASSERT_EQ(outcome.status, 0);
  if (outcome.output.rfind("refused:", 0) == 0) GTEST_SKIP() << "this kernel refuses user namespaces: " << outcome.output;
  EXPECT_EQ(outcome.output,
            "user and network namespace; same uid; loopback: Network is unreachable; inherited socket works");
  EXPECT_EQ(listener.connections(), 0);
}

TEST(NetworkNamespace, WhereTheKernelRefusesTheErrorNamesTheCause) {
  if (::geteuid() != 0) GTEST_SKIP() << "building a refusing namespace needs root";
  auto outcome = run_in_child(true, [](int fd) { return enter_and_probe(fd, 9); });
  ASSERT_EQ(outcome.status, 0) << outcome.output;
  EXPECT_EQ(outcome.output.rfind("refused: cannot create an empty network namespace", 0), 0u) << outcome.output;
  EXPECT_NE(outcome.output.find("user.max_user_namespaces"), std::string::npos) << outcome.output;
}

// weft-app-shell under a refusing kernel: exits 1 naming the cause; with the development override it goes on (and
// here fails later, at WAYLAND_SOCKET, which proves it went past the namespace step).
ChildOutcome app_shell_under_refusal(bool allow) {
  // A real UI directory, so a shell that runs on gets past its UI step to the Wayland one.
  test::TempDir ui("netns-ui");
  std::ofstream(ui / "index.html") << "<!doctype html><title>fixture</title>";
  std::string entry = ui / "index.html";
  return run_in_child(true, [allow, &entry](int fd) {
    if (::dup2(fd, STDERR_FILENO) < 0) return 96;
    int bridge[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, bridge) != 0) return 97;
    std::string bridge_env = "WEFT_BRIDGE_FD=" + std::to_string(bridge[0]);
    std::string exe = test::executable("weft-app-shell");
    std::vector<const char*> argv = {exe.c_str(), "org.weft.test.fixture", "1", "--ui", entry.c_str()};
    if (allow) argv.push_back("--allow-network-namespace-failure");
    argv.push_back(nullptr);
    const char* envp[] = {bridge_env.c_str(), "XDG_RUNTIME_DIR=/tmp", nullptr};
    ::execve(exe.c_str(), const_cast<char* const*>(argv.data()), const_cast<char* const*>(envp));
    return 98;
  });
}

TEST(AppShellNetworkNamespace, RefusesToRunWhereTheKernelRefusesTheNamespace) {
  if (::geteuid() != 0) GTEST_SKIP() << "building a refusing namespace needs root";
  auto outcome = app_shell_under_refusal(false);
  EXPECT_EQ(outcome.status, 1) << outcome.output;
  EXPECT_NE(outcome.output.find("user.max_user_namespaces"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("refusing to run"), std::string::npos) << outcome.output;
}

TEST(AppShellNetworkNamespace, TheDevelopmentOverrideRunsOnWithALoudError) {
  if (::geteuid() != 0) GTEST_SKIP() << "building a refusing namespace needs root";
  auto outcome = app_shell_under_refusal(true);
  EXPECT_NE(outcome.output.find("NOT ISOLATED"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("WAYLAND_SOCKET"), std::string::npos) << "it stopped before the Wayland step: "
                                                                      << outcome.output;
}

}  // namespace
}  // namespace weft::webview
