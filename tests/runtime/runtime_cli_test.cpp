// weft-runtime end to end: a real C component (clang-19 + wasi-libc + jco's preview1 adapter) run by the binary.

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "runtime_process.hpp"
#include "scripted_http_server.hpp"
#include "weft/core/tool_run.hpp"
#include "weft/core/app_errors.hpp"
#include "weft/core/capability.hpp"
#include "weft/core/fd.hpp"
#include "weft/test/accept_within.hpp"
#include "weft/test/build_dir.hpp"

namespace app_error = weft::app_error;  // spec error strings

namespace weft::runtime {
namespace {

using test::run_runtime;
using test::runtime_binary;
using test::TempDir;

std::string fixture(const std::string& name) { return std::string(WEFT_RT_FIXTURES) + "/" + name; }

void write_text(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The app fixture with an rw preopen at /data and an ro preopen at /ro holding mode.txt.
struct AppRun {
  TempDir dir;
  std::filesystem::path rw = dir / "rw", ro = dir / "ro";
  explicit AppRun(const std::string& mode) {
    std::filesystem::create_directories(rw);
    std::filesystem::create_directories(ro);
    write_text(ro / "mode.txt", mode + "\n");
  }
  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    // `HOST::GUEST` without a mode is rw: the reference appd writes /data that way.
    std::vector<std::string> a = {"org.weft.test", "7", "--module", fixture("app.wasm"),
                                  "--preopen", rw.string() + "::/data", "--preopen", ro.string() + "::/ro::ro"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

/// What the one-shot test servers answer: `text/plain` "hello-body".
constexpr const char* kHelloResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello-body";

/// Every test here runs components the guest SDK builds; without the SDK they are skipped with the reason instead of
/// failing (or waiting for a component that never connects).
class RuntimeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(fixture("app.wasm")))
      GTEST_SKIP() << fixture("app.wasm") << " was not built: the guest SDK is unavailable (run scripts/setup)";
  }
};

TEST_F(RuntimeCli, VersionPrintsTheProgramAndVersion) {
  auto run = run_runtime({"--version"});
  EXPECT_TRUE(run.status.success()) << run.status.describe();
  EXPECT_EQ(run.out, "weft-runtime 0.1.0\n");
}

TEST_F(RuntimeCli, UsageErrorsExitTwoWithTheMessageOnStderr) {
  struct Row {
    std::vector<std::string> args;
    std::string message;
  };
  const Row rows[] = {
      {{"org.weft.a", "1", "--preopen", "/tmp"}, "--preopen expects HOST::GUEST::ro|rw"},
      {{"org.weft.a", "1", "--preopen", "/tmp::/data::"}, "--preopen mode must be ro or rw, not ''"},
      {{"org.weft.a", "1", "--preopen", "/tmp::/data::rx"}, "--preopen mode must be ro or rw, not 'rx'"},
      {{"org.weft.a", "1", "--preopen", "::/data::ro"}, "--preopen needs a host path and an absolute guest path"},
      {{"org.weft.a", "1", "--preopen", "/tmp::data::ro"}, "--preopen needs a host path and an absolute guest path"},
      {{"org.weft.a", "1", "--grant", "fs:rw:app-data"},
       "'fs:rw:app-data' is not granted through --grant; files are given with --preopen HOST::GUEST::ro|rw: "
       "fs:rw:app-data is --preopen <app data dir>::/data::rw, fs:read:xdg-documents is --preopen <documents "
       "dir>::/xdg/documents::ro"},
      {{"org.weft.a", "1", "--grant", "fs:rw:data"},
       "unknown capability 'fs:rw:data'; files are given with --preopen HOST::GUEST::ro|rw: fs:rw:app-data is "
       "--preopen <app data dir>::/data::rw, fs:read:xdg-documents is --preopen <documents dir>::/xdg/documents::ro"},
      {{"org.weft.a", "1", "--grant", "net:teleport"},
       "unknown capability 'net:teleport'" + weft::unknown_capability_hint("net:teleport")},
      {{"org.weft.a", "1", "--grant", "sys:notification"},
       "unknown capability 'sys:notification' (did you mean 'sys:notifications'? valid: fs:read:app-data, "
       "fs:rw:app-data, fs:read:xdg-documents, fs:rw:xdg-documents, net:fetch:*, net:fetch:<host>, sys:notifications, "
       "sys:clipboard:read, sys:clipboard:write, hw:gpu:compute, hw:gpu:render)"},
      {{"org.weft.a", "1", "--max-memory-mib", "0"}, "invalid --max-memory-mib"},
      {{"org.weft.a", "1", "--max-memory-mib", "4097"}, "invalid --max-memory-mib"},
      {{"org.weft.a", "1", "--max-memory-mib", "12x"}, "invalid --max-memory-mib"},
      {{"org.weft.a", "1", "--frobnicate"}, "unknown argument '--frobnicate'"},
      {{"org.weft.a", "1", "--env", "=value"}, "--env expects NAME=VALUE, not '=value'"},
      {{"org.weft.a", "1", "--env", "NAME"}, "--env expects NAME=VALUE, not 'NAME'"},
      {{"org.weft.a", "1", "--env"}, "--env needs a value"},
  };
  for (const auto& row : rows) {
    auto run = run_runtime(row.args);
    EXPECT_TRUE(run.status.exited && run.status.code == 2) << row.message << ": " << run.status.describe();
    EXPECT_TRUE(run.err.starts_with(row.message + "\n")) << "expected '" << row.message << "', got: " << run.err;
  }
}

TEST_F(RuntimeCli, ACComponentWritesStdoutUsesPreopensSignalsReadinessAndTalksOverIpc) {
  AppRun app("full");
  std::string sock_path = app.dir / "ipc.sock";
  auto listener = listen_unix(sock_path);
  ASSERT_TRUE(listener.ok()) << listener.error().message;
  std::string peer_got;
  std::thread peer([&] {
    UniqueFd conn = weft::test::accept_within(listener->get());
    const int fd = conn.get();
    if (fd < 0) return;  // the runtime never connected; the test fails on its output
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n') peer_got += c;
    ASSERT_TRUE(write_all(fd, std::string_view("pong from the test\n")).ok());
    while (::read(fd, &c, 1) == 1) {
    }
  });
  auto run = run_runtime(app.args({"--ipc-socket", sock_path}));
  peer.join();
  EXPECT_TRUE(run.status.success()) << run.status.describe() << "\n" << run.err << run.out;
  EXPECT_EQ(run.ready, "READY 0123456789abcdef0123456789abcdef\n");
  EXPECT_NE(run.out.find("hello from the fixture\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("env WEFT_IPC_SOCKET=" + sock_path + "\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("env HOME=(unset)\n"), std::string::npos) << "the guest sees only WEFT_* variables";
  EXPECT_NE(run.out.find("rw read back: written by the guest\n"), std::string::npos) << run.out;
  EXPECT_EQ(read_text(app.rw / "written.txt"), "written by the guest\n");
  EXPECT_NE(run.out.find("ro write: Read-only file system\n"), std::string::npos) << run.out;
  EXPECT_FALSE(std::filesystem::exists(app.ro / "forbidden.txt"));
  EXPECT_NE(run.out.find("dotdot escape: Operation not permitted\n"), std::string::npos) << run.out;
  EXPECT_EQ(peer_got, "ping from the guest");
  EXPECT_NE(run.out.find("ipc send: ok\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("ipc send newline: err: " + std::string(app_error::kIpcLineBreak) + "\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("ipc recv: pong from the test\n"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("READY"), std::string::npos) << "readiness never goes to the guest's stdout";
}

TEST_F(RuntimeCli, FilesystemAccessStaysBeneathThePreopensAndReadOnlyRefusesMutation) {
  AppRun app("fs");
  write_text(app.rw / "file.txt", "12345");
  std::filesystem::create_symlink("file.txt", app.rw / "inside-link");
  std::filesystem::create_symlink("/etc", app.rw / "outside-link");
  const std::filesystem::path outside_file = app.dir / "outside.txt";
  write_text(outside_file, "not the app's");
  const auto outside_mtime = std::filesystem::last_write_time(outside_file);
  std::filesystem::create_symlink(outside_file, app.rw / "outside-file-link");
  std::filesystem::create_symlink(app.dir / "missing.txt", app.rw / "outside-missing-link");
  auto run = run_runtime(app.args());
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err << run.out;
  // A path under no preopen is refused by wasi-libc itself, before any host call: ENOENT in the current wasi-libc
  // (Debian's 2022 snapshot answered ENOTCAPABLE).
  for (const char* line : {"inside link: opened\n", "outside link: Operation not permitted\n", "rw mkdir: ok\n",
                           "rw rename: ok\n", "rw stat: ok\n", "rw size: 5\n", "preopen lstat: ok\n",
                           "preopen is a directory: yes\n", "trailing dot lstat: ok\n",
                           "trailing dot is a directory: yes\n", "ro mkdir: Read-only file system\n",
                           "ro unlink: Read-only file system\n", "ro rename: Read-only file system\n",
                           "absolute host path: No such file or directory\n",
                           "symlink climbing out: Operation not permitted\n",
                           "symlink to absolute: Operation not permitted\n", "symlink inside: ok\n",
                           "symlink from sub to parent: ok\n",
                           "set times through outside link: Operation not permitted\n",
                           "set times through dangling outside link: Operation not permitted\n",
                           "set times inside: ok\n"})
    EXPECT_NE(run.out.find(line), std::string::npos) << "missing '" << line << "' in:\n" << run.out;
  EXPECT_EQ(std::filesystem::last_write_time(outside_file), outside_mtime) << "a file outside the preopen was touched";
  EXPECT_FALSE(std::filesystem::is_symlink(app.rw / "climbing"));
  EXPECT_NE(run.out.find("listing:"), std::string::npos);
  for (const char* name : {" file.txt", " inside-link", " outside-link"})
    EXPECT_NE(run.out.find(name), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(app.rw / "sub/moved.txt"));
  EXPECT_TRUE(std::filesystem::exists(app.ro / "mode.txt"));
}

TEST_F(RuntimeCli, TheDurableSavePatternReachesTheHostAsFsyncAndFdatasync) {
  // Traced with strace: the guest's fsync/fdatasync of a file must become host calls. (The guest's fsync of its
  // directory stops in the preview-1 adapter, whose fd_sync serves files only: EBADF before any host call.)
  if (::system("strace -V >/dev/null 2>&1") != 0) GTEST_SKIP() << "strace is not installed (scripts/setup installs it)";
  AppRun app("sync");
  std::string trace = app.dir / "trace.txt";
  std::vector<std::string> args = {"strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o", trace,
                                   runtime_binary()};
  for (const auto& arg : app.args()) args.push_back(arg);
  // Without WEFT_READY_FD the readiness line goes to stdout, beside the fixture's report.
  auto traced = run_tool({.argv = args,
                          .timeout = std::chrono::seconds(60),
                          .env = {"PATH=" + std::string(std::getenv("PATH")),
                                  "WEFT_READY_TOKEN=0123456789abcdef0123456789abcdef"}});
  ASSERT_TRUE(traced.ok()) << traced.error().message;
  const ToolResult& run = *traced;
  if (!run.status.success() && run.err.find("ptrace") != std::string::npos)
    GTEST_SKIP() << "ptrace is not permitted here: " << run.err;
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err << run.out;
  for (const char* line : {"write: ok\n", "fsync file: ok\n", "fdatasync file: ok\n", "rename: ok\n"})
    EXPECT_NE(run.out.find(line), std::string::npos) << "missing '" << line << "' in:\n" << run.out;
  std::string calls = read_text(trace);
  auto count = [&](const std::string& call) {
    size_t n = 0;
    for (size_t at = calls.find(call + "("); at != std::string::npos; at = calls.find(call + "(", at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("fsync"), 1u) << calls;
  EXPECT_EQ(count("fdatasync"), 1u) << calls;
  EXPECT_EQ(read_text((app.rw / "note.txt").string()), "saved\n");
}

TEST_F(RuntimeCli, WithoutAnIpcSocketSendAnswersIpcNotConnected) {
  AppRun app("full");
  auto run = run_runtime(app.args());
  EXPECT_NE(run.out.find("ipc send: err: " + std::string(app_error::kIpcNotConnected) + "\n"), std::string::npos) << run.out;
  EXPECT_EQ(run.status.code, 1);  // the fixture's run fails without a reply
}

TEST_F(RuntimeCli, AnUnreachableTrapExitsThreeNamingTheKind) {
  AppRun app("trap");
  auto run = run_runtime(app.args());
  EXPECT_TRUE(run.status.exited && run.status.code == 3) << run.status.describe();
  EXPECT_EQ(run.err, "trap: unreachable: unreachable executed\n");
}

TEST_F(RuntimeCli, AStoreOutsideLinearMemoryTrapsWithMemoryOutOfBounds) {
  AppRun app("oob");
  auto run = run_runtime(app.args());
  EXPECT_TRUE(run.status.exited && run.status.code == 3) << run.status.describe();
  EXPECT_TRUE(run.err.starts_with("trap: memory-out-of-bounds: ")) << run.err;
}

TEST_F(RuntimeCli, ExitAndAFailingRunEndWithStatusOne) {
  // jco's preview1 adapter maps exit(7) onto wasi:cli/exit's result<_, _>: any non-zero code arrives as err.
  for (const char* mode : {"exit7", "fail"}) {
    AppRun app(mode);
    auto run = run_runtime(app.args());
    EXPECT_TRUE(run.status.exited && run.status.code == 1) << mode << ": " << run.status.describe() << run.err;
  }
  // wasi-libc turns main's return value into exit() too, so both report the exit on stderr.
  for (const char* mode : {"exit7", "fail"}) {
    AppRun app(mode);
    EXPECT_EQ(run_runtime(app.args()).err, "weft-runtime: the component exited with status 1\n") << mode;
  }
}

// The fixture reads /ro/mode.txt first; with no preopen that open fails inside the guest (the preview-1 adapter
// matches paths against preopens there), so only the runtime's note can point at the missing preopen.
TEST_F(RuntimeCli, AComponentThatFailsWithoutPreopensGetsANoteNamingTheMissingPreopen) {
  auto run = run_runtime({"org.weft.test", "7", "--module", fixture("app.wasm")});
  EXPECT_TRUE(run.status.exited && run.status.code == 1) << run.status.describe() << run.err;
  EXPECT_NE(run.out.find("no mode: No such file or directory"), std::string::npos) << run.out;
  EXPECT_EQ(run.err,
            "weft-runtime: the component exited with status 1\n"
            "weft-runtime: note: no directory was preopened, so any file the component opened (such as /data/…) failed "
            "inside it with 'No such file or directory'; app data needs --preopen <app data dir>::/data::rw "
            "(capability fs:rw:app-data)\n");
}

TEST_F(RuntimeCli, ARunThatReturnsErrExitsOneAndSaysSo) {
  auto run = run_runtime({"org.weft.test", "1", "--module", fixture("probe.wasm")});
  EXPECT_TRUE(run.status.exited && run.status.code == 1) << run.status.describe() << run.err;
  EXPECT_EQ(run.err, "weft-runtime: wasi:cli/run returned an error\n");
}

TEST_F(RuntimeCli, TheMemoryCapMakesAllocationsFailInsteadOfTrapping) {
  AppRun app("oom");
  auto run = run_runtime(app.args({"--max-memory-mib", "16"}));
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  int mib = -1;
  ASSERT_EQ(std::sscanf(run.out.c_str(), "allocation failed after %d MiB", &mib), 1) << run.out;
  EXPECT_GE(mib, 10);
  EXPECT_LT(mib, 16);
}

TEST_F(RuntimeCli, UngrantedImportsAreRefusedWithTheExactStrings) {
  AppRun app("grants");
  write_text(app.ro / "url.txt", "http://example.com/x\n");
  auto run = run_runtime(app.args());
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  EXPECT_NE(run.out.find("fetch: err: " + app_error::not_granted("net:fetch") + "\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("notify: err: " + app_error::not_granted("sys:notifications") + "\n"), std::string::npos);
  EXPECT_NE(run.out.find("clipboard read: err: " + app_error::not_granted("sys:clipboard:read") + "\n"), std::string::npos);
  EXPECT_NE(run.out.find("clipboard write: err: " + app_error::not_granted("sys:clipboard:write") + "\n"), std::string::npos);

  auto other_host = run_runtime(app.args({"--grant", "net:fetch:weft.example"}));
  EXPECT_NE(other_host.out.find("fetch: err: " + app_error::not_granted("net:fetch:example.com") + "\n"), std::string::npos)
      << other_host.out;
}

TEST_F(RuntimeCli, GrantedServicesThatAreNotRunningAnswerWithAnErrorNeverSuccess) {
  AppRun app("grants");
  auto run = run_runtime(app.args({"--grant", "sys:notifications", "--grant", "sys:clipboard:read", "--grant",
                                   "sys:clipboard:write"}),
                         {"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"});
  EXPECT_NE(run.out.find("notify: err: the notification service is not available"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("notify bad icon: err: " + std::string(app_error::kNotificationIconInvalid) + "\n"), std::string::npos);
  EXPECT_NE(run.out.find("clipboard read: err: the clipboard service is not available"), std::string::npos);
  EXPECT_EQ(run.out.find(": ok\n"), std::string::npos) << run.out;
}

TEST_F(RuntimeCli, FetchReachesAnExactlyGrantedIpv4AddressAndRefusesLoopbackUnderTheWildcard) {
  test::ScriptedHttpServer server(kHelloResponse);
  AppRun app("grants");
  write_text(app.ro / "url.txt", server.url("/hello") + "\n");
  auto wildcard = run_runtime(app.args({"--grant", "net:fetch:*"}));
  EXPECT_NE(wildcard.out.find("fetch: err: '127.0.0.1' has no public address"), std::string::npos) << wildcard.out;
  auto exact = run_runtime(app.args({"--grant", "net:fetch:127.0.0.1"}));
  EXPECT_NE(exact.out.find("fetch: ok 200 text/plain hello-body\n"), std::string::npos) << exact.out << exact.err;
  EXPECT_NE(exact.out.find("fetch host header: err: " + app_error::header_set_by_runtime("Host") + "\n"), std::string::npos);
  const std::string request = server.request();
  EXPECT_NE(request.find("GET /hello HTTP/1.1\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("X-Fixture: yes\r\n"), std::string::npos) << request;
}

TEST_F(RuntimeCli, AResponseWithOverflowingChunkSizesIsAFetchErrorAndTheRuntimeCarriesOn) {
  std::string lines;  // 300 KB of chunk sizes that overflow 64 bits (issue 17: this aborted the runtime)
  while (lines.size() < 300 * 1024) lines += std::string(17, 'f') + "\r\n";
  test::ScriptedHttpServer server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + lines + "0\r\n\r\n");
  AppRun app("grants");
  write_text(app.ro / "url.txt", server.url("/chunked") + "\n");
  auto run = run_runtime(app.args({"--grant", "net:fetch:127.0.0.1"}));
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  EXPECT_NE(run.out.find("fetch: err: receiving the response from 127.0.0.1 failed: "), std::string::npos) << run.out;
}

/// Runs the JavaScript fetch fixture: sends it `url` over IPC and returns its one-line reply.
std::string js_fetch(const std::string& url, std::vector<std::string> grants) {
  TempDir dir;
  std::string sock_path = dir / "ipc.sock";
  auto listener = listen_unix(sock_path);
  EXPECT_TRUE(listener.ok());
  std::string reply;
  std::thread peer([&] {
    UniqueFd conn = weft::test::accept_within(listener->get());
    if (!conn.valid()) return;
    (void)write_all(conn.get(), url + "\n");
    char c;
    while (::read(conn.get(), &c, 1) == 1 && c != '\n') reply += c;
  });
  std::vector<std::string> args = {"org.weft.jsfetch", "1", "--module", fixture("js_fetch.wasm"), "--ipc-socket", sock_path};
  for (auto& g : grants) args.insert(args.end(), {"--grant", g});
  auto run = run_runtime(args);
  peer.join();
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  return reply;
}

TEST_F(RuntimeCli, AJavaScriptComponentFetchesThroughWasiHttpUnderItsGrant) {
  WEFT_SKIP_UNLESS_BUILT(fixture("js_fetch.wasm"));
  test::ScriptedHttpServer server(kHelloResponse);
  EXPECT_EQ(js_fetch(server.url("/js"), {"net:fetch:127.0.0.1"}), "status 200 type text/plain body hello-body");
  const std::string request = server.request();
  EXPECT_NE(request.find("GET /js HTTP/1.1\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("x-from: js\r\n"), std::string::npos) << request;
}

TEST_F(RuntimeCli, AJavaScriptFetchWithoutAGrantFailsAndSendsNothing) {
  WEFT_SKIP_UNLESS_BUILT(fixture("js_fetch.wasm"));
  test::ScriptedHttpServer server(kHelloResponse);
  EXPECT_TRUE(js_fetch(server.url("/js"), {}).starts_with("error TypeError")) << "the fetch must fail without net:fetch";
  EXPECT_FALSE(server.connected()) << server.request();
}

TEST_F(RuntimeCli, HttpsRefusesACertificateOutsideTheSystemTrustStore) {
  if (!std::filesystem::exists("/usr/bin/openssl")) GTEST_SKIP() << "needs /usr/bin/openssl for a test TLS server";
  TempDir tls;
  auto key = tls / "key.pem", cert = tls / "cert.pem";
  SpawnOptions gen;
  gen.argv = {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
              "-subj", "/CN=127.0.0.1", "-days", "1"};
  gen.null_stdio = true;
  ASSERT_TRUE(ChildProcess::spawn(gen)->wait(std::chrono::seconds(60))->success());
  // A free port: bind to 0, read it, release it for the server.
  UniqueFd probe(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(probe.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(probe.get(), reinterpret_cast<sockaddr*>(&a), &len);
  std::string port = std::to_string(ntohs(a.sin_port));
  probe.reset();
  SpawnOptions server;
  server.argv = {"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", cert, "-key", key, "-www"};
  server.null_stdio = true;
  auto s = ChildProcess::spawn(server);
  ASSERT_TRUE(s.ok());
  for (int i = 0; i < 200; ++i) {  // until it listens (≤ 20 s)
    UniqueFd c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  AppRun app("grants");
  write_text(app.ro / "url.txt", "https://127.0.0.1:" + port + "/\n");
  auto run = run_runtime(app.args({"--grant", "net:fetch:127.0.0.1"}));
  EXPECT_NE(run.out.find("fetch: err: TLS handshake with 127.0.0.1 failed: "), std::string::npos) << run.out << run.err;
}

TEST_F(RuntimeCli, WithoutModuleTheInstalledManifestNamesTheComponent) {
  TempDir store;
  std::filesystem::path pkg = store / "org.weft.hello";
  std::filesystem::create_directories(pkg / "ui");
  std::filesystem::copy_file(fixture("hello.wasm"), pkg / "hello.wasm");
  write_text(pkg / "ui/index.html", "<p>hi</p>");
  write_text(pkg / "wapp.toml", "[package]\nid = \"org.weft.hello\"\nname = \"Hello\"\nversion = \"1.0.0\"\n"
                                "[runtime]\nmodule = \"hello.wasm\"\n[ui]\nentry = \"ui/index.html\"\n");
  auto run = run_runtime({"org.weft.hello", "1"}, {"WEFT_APP_STORE=" + store.path()});
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  EXPECT_EQ(run.out, "hello from a component, (unset)\n");

  auto missing = run_runtime({"org.weft.absent", "1"}, {"WEFT_APP_STORE=" + store.path()});
  EXPECT_EQ(missing.status.code, 4);
  EXPECT_NE(missing.err.find("no --module given and package org.weft.absent is not installed"), std::string::npos)
      << missing.err;
}

TEST_F(RuntimeCli, LoadAndConnectFailuresExitFourNamingTheCause) {
  TempDir dir;
  auto missing = run_runtime({"org.weft.test", "1", "--module", (dir / "none.wasm")});
  EXPECT_EQ(missing.status.code, 4);
  EXPECT_NE(missing.err.find("cannot read module"), std::string::npos) << missing.err;

  // A core module runs as a wasm32-wasip1 command (docs/runtime.md); one importing anything but preview 1 is
  // refused at link time.
  auto core = run_runtime({"org.weft.test", "1", "--module", fixture("engine_probe.wasm")});
  EXPECT_EQ(core.status.code, 4);
  EXPECT_NE(core.err.find("import host.twice: only wasi_snapshot_preview1 functions are provided to core modules"),
            std::string::npos)
      << core.err;

  auto ipc = run_runtime({"org.weft.test", "1", "--module", fixture("hello.wasm"), "--ipc-socket",
                          (dir / "no.sock")});
  EXPECT_EQ(ipc.status.code, 4);
  EXPECT_NE(ipc.err.find("cannot connect to IPC socket"), std::string::npos) << ipc.err;

  auto bad_preopen = run_runtime({"org.weft.test", "1", "--module", fixture("hello.wasm"), "--preopen",
                                  (dir / "absent") + "::/data::rw"});
  EXPECT_EQ(bad_preopen.status.code, 4);
  EXPECT_NE(bad_preopen.err.find("preopen"), std::string::npos) << bad_preopen.err;
}

}  // namespace
}  // namespace weft::runtime
