#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/ready.hpp"

namespace {
using namespace std::chrono_literals;

std::string read_to_eof(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(ChildProcess, ReportsTheExitStatusOfTheChild) {
  auto child = weft::ChildProcess::spawn({.argv = {"/bin/sh", "-c", "exit 7"}});
  ASSERT_TRUE(child.ok()) << child.error().message;
  auto status = child->wait(10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 7);
  EXPECT_EQ(status->describe(), "exited with status 7");
}

TEST(ChildProcess, ReportsAProgramThatCannotStart) {
  auto child = weft::ChildProcess::spawn({.argv = {"/nonexistent/weft-binary"}});
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(child.error().message, "cannot start /nonexistent/weft-binary: No such file or directory");
}

TEST(ChildProcess, GetsOnlyTheExplicitEnvironment) {
  ::setenv("WEFT_TEST_SECRET", "leak", 1);
  auto pipe = weft::make_pipe();
  ASSERT_TRUE(pipe.ok());
  auto child = weft::ChildProcess::spawn({.argv = {"/usr/bin/env"},
                                          .env = {"ONLY=this"},
                                          .fd_map = {{pipe->second.get(), 1}}});
  ASSERT_TRUE(child.ok()) << child.error().message;
  pipe->second.reset();
  std::string out = read_to_eof(pipe->first.get());
  child->wait();
  EXPECT_EQ(out, "ONLY=this\n");
}

TEST(ChildProcess, MapsParentFdsOntoChosenChildNumbersAndClosesTheRest) {
  auto pipe = weft::make_pipe();
  ASSERT_TRUE(pipe.ok());
  auto stray = weft::make_pipe();  // must not leak into the child
  ASSERT_TRUE(stray.ok());
  ASSERT_TRUE(weft::set_cloexec(stray->first.get(), false).ok());
  std::string script = "ls /proc/self/fd | sort -n | tr '\\n' ' ' >&3";
  auto child = weft::ChildProcess::spawn({.argv = {"/bin/sh", "-c", script},
                                          .env = {"PATH=/usr/bin:/bin"},
                                          .fd_map = {{pipe->second.get(), 3}},
                                          .null_stdio = true});
  ASSERT_TRUE(child.ok()) << child.error().message;
  pipe->second.reset();
  std::string out = read_to_eof(pipe->first.get());
  child->wait();
  // 0-2 (null), 3 (the pipe), and the fd `ls` itself opens for /proc/self/fd.
  EXPECT_EQ(out.rfind("0 1 2 3 ", 0), 0u) << out;
  EXPECT_EQ(out.find(" " + std::to_string(stray->first.get()) + " "), std::string::npos) << out;
}

TEST(ChildProcess, TerminateEscalatesToSigkillForAChildIgnoringSigterm) {
  auto child = weft::ChildProcess::spawn(
      {.argv = {"/bin/sh", "-c", "trap '' TERM; echo up; while :; do sleep 1; done"}, .new_process_group = true});
  ASSERT_TRUE(child.ok());
  std::this_thread::sleep_for(100ms);
  auto status = child->terminate(200ms);
  EXPECT_FALSE(status.exited);
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_FALSE(child->running());
}

TEST(ChildProcess, DestructorReapsARunningChild) {
  pid_t pid;
  {
    auto child = weft::ChildProcess::spawn({.argv = {"/bin/sleep", "30"}});
    ASSERT_TRUE(child.ok());
    pid = child->pid();
  }
  EXPECT_EQ(::kill(pid, 0), -1);  // gone and reaped: no zombie keeps the pid
}

TEST(Ready, TokensAre32LowercaseHexAndUnique) {
  auto a = weft::ready::random_token();
  auto b = weft::ready::random_token();
  EXPECT_TRUE(weft::ready::is_valid_token(a)) << a;
  EXPECT_NE(a, b);
  EXPECT_FALSE(weft::ready::is_valid_token("ABCDEF0123456789abcdef0123456789"));
  EXPECT_FALSE(weft::ready::is_valid_token("abc"));
}

TEST(Ready, AChildReportsReadinessOnItsDedicatedFd) {
  auto pipe = weft::make_pipe();
  ASSERT_TRUE(pipe.ok());
  std::string token = weft::ready::random_token();
  // The child writes exactly what a WEFT child would: READY <token>\n on fd 5.
  auto child = weft::ChildProcess::spawn({.argv = {"/bin/sh", "-c", "printf 'READY %s\\n' \"$WEFT_READY_TOKEN\" >&5"},
                                          .env = {"WEFT_READY_TOKEN=" + token, "WEFT_READY_FD=5"},
                                          .fd_map = {{pipe->second.get(), 5}}});
  ASSERT_TRUE(child.ok());
  pipe->second.reset();
  auto r = weft::ready::wait_for_line(pipe->first.get(), token, 10s);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

TEST(Ready, AWrongTokenEofOrTimeoutIsNotReadiness) {
  {
    auto pipe = weft::make_pipe();
    ASSERT_TRUE(weft::write_all(pipe->second.get(), "READY 00000000000000000000000000000000\n").ok());
    auto r = weft::ready::wait_for_line(pipe->first.get(), weft::ready::random_token(), 5s);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "readiness fd carried something other than the expected READY line");
  }
  {
    auto pipe = weft::make_pipe();
    pipe->second.reset();
    auto r = weft::ready::wait_for_line(pipe->first.get(), "t", 5s);
    EXPECT_EQ(r.error().message, "readiness fd closed before READY");
  }
  {
    auto pipe = weft::make_pipe();
    auto r = weft::ready::wait_for_line(pipe->first.get(), "t", 50ms);
    EXPECT_EQ(r.error().message, "no readiness line within 50 ms");
  }
}

TEST(Ready, ExpectationAcceptsTheLineInPieces) {
  weft::ready::Expectation e("abc");
  EXPECT_EQ(e.feed("REA"), weft::ready::Expectation::State::pending);
  EXPECT_EQ(e.feed("DY ab"), weft::ready::Expectation::State::pending);
  EXPECT_EQ(e.feed("c\n"), weft::ready::Expectation::State::ready);
  weft::ready::Expectation wrong("abc");
  EXPECT_EQ(wrong.feed("READY abd"), weft::ready::Expectation::State::wrong);
}

TEST(Ready, SignalFromEnvironmentWritesToTheFdAndClosesIt) {
  auto pipe = weft::make_pipe();
  ASSERT_TRUE(pipe.ok());
  int write_fd = pipe->second.release();
  ::setenv("WEFT_READY_TOKEN", "0123456789abcdef0123456789abcdef", 1);
  ::setenv("WEFT_READY_FD", std::to_string(write_fd).c_str(), 1);
  ASSERT_TRUE(weft::ready::signal_from_environment().ok());
  ::unsetenv("WEFT_READY_TOKEN");
  ::unsetenv("WEFT_READY_FD");
  char buf[64] = {};
  ssize_t n = ::read(pipe->first.get(), buf, sizeof buf);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "READY 0123456789abcdef0123456789abcdef\n");
  EXPECT_EQ(::read(pipe->first.get(), buf, sizeof buf), 0);  // closed after the one line
}

TEST(Sockets, AnFdTravelsWithTheFirstByteOfAFrame) {
  auto link = weft::unix_socket_pair();
  auto payload_pipe = weft::make_pipe();
  ASSERT_TRUE(link.ok() && payload_pipe.ok());
  std::vector<uint8_t> frame = {4, 0, 0, 0, 'a', 'b', 'c', 'd'};
  ASSERT_TRUE(weft::send_with_fd(link->first.get(), frame, payload_pipe->second.get()).ok());
  uint8_t buf[64];
  auto chunk = weft::receive_with_fds(link->second.get(), buf);
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(chunk->bytes, frame.size());
  ASSERT_EQ(chunk->fds.size(), 1u);
  ASSERT_TRUE(weft::write_all(chunk->fds[0].get(), "via passed fd").ok());
  chunk->fds.clear();
  payload_pipe->second.reset();
  char text[32] = {};
  ssize_t n = ::read(payload_pipe->first.get(), text, sizeof text);
  EXPECT_EQ(std::string(text, static_cast<size_t>(n)), "via passed fd");
}

TEST(Sockets, PeerCredentialsNameOurOwnUid) {
  auto link = weft::unix_socket_pair();
  ASSERT_TRUE(link.ok());
  auto cred = weft::peer_credentials(link->first.get());
  ASSERT_TRUE(cred.ok());
  EXPECT_EQ(cred->uid, ::getuid());
  EXPECT_EQ(cred->pid, ::getpid());
}

TEST(Sockets, ListenAndConnectOnAPrivateUnixSocket) {
  std::string path = "/tmp/weft-sock-test-" + std::to_string(::getpid());
  auto server = weft::listen_unix(path, 0600);
  ASSERT_TRUE(server.ok()) << server.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto client = weft::connect_unix(path);
  ASSERT_TRUE(client.ok()) << client.error().message;
  weft::UniqueFd accepted(::accept4(server->get(), nullptr, nullptr, SOCK_CLOEXEC));
  EXPECT_TRUE(accepted.valid());
  ::unlink(path.c_str());
  auto too_long = weft::connect_unix(std::string(200, 'x'));
  EXPECT_FALSE(too_long.ok());
}

TEST(Sockets, ASocketPathAppearsOnlyOnceItAcceptsConnectionsAndReplacesAStaleOne) {
  std::string dir = "/tmp/weft-sock-dir-" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  std::string path = dir + "/s";
  {
    auto stale = weft::listen_unix(path, 0600);  // closed at once: its file stays behind, refusing connections
    ASSERT_TRUE(stale.ok()) << stale.error().message;
  }
  EXPECT_FALSE(weft::connect_unix(path).ok());
  auto server = weft::listen_unix(path, 0600);
  ASSERT_TRUE(server.ok()) << server.error().message;
  EXPECT_TRUE(weft::connect_unix(path).ok());
  // Nothing but the socket is left in the directory (the staging name was renamed onto it).
  std::vector<std::string> entries;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) entries.push_back(entry.path().filename());
  EXPECT_EQ(entries, std::vector<std::string>{"s"});
  std::filesystem::remove_all(dir);
}

TEST(Sockets, ListeningRefusesToReplaceANonSocketFile) {
  std::string path = "/tmp/weft-sock-file-" + std::to_string(::getpid());
  ASSERT_TRUE(weft::write_file_atomic(path, "data", 0600).ok());
  auto server = weft::listen_unix(path, 0600);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("a non-socket file is in the way"), std::string::npos) << server.error().message;
  EXPECT_EQ(*weft::read_file(path), "data");
  ::unlink(path.c_str());
}

TEST(Files, AtomicWriteReplacesContentAndSetsTheMode) {
  std::string path = "/tmp/weft-atomic-" + std::to_string(::getpid());
  ASSERT_TRUE(weft::write_file_atomic(path, "one", 0600).ok());
  ASSERT_TRUE(weft::write_file_atomic(path, "two", 0644).ok());
  EXPECT_EQ(*weft::read_file(path), "two");
  struct stat st {};
  ::stat(path.c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_FALSE(weft::read_file(path, 2).ok());
  ::unlink(path.c_str());
}

}  // namespace
