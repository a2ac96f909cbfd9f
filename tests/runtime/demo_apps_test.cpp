// The SDK's demo apps (C counter, C++ notes, JavaScript todo) run under weft-runtime and answer over the relay socket.
// Built only in the full tree (apps/ with the SDK); elsewhere these tests skip.

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <csignal>
#include <fstream>

#include "runtime_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/test/accept_within.hpp"

namespace weft::runtime {
namespace {

/// weft-runtime running one demo with a test-side relay socket.
class Demo {
 public:
  Demo(const std::string& app_id, const std::string& module, std::vector<std::string> extra = {}) {
    std::string sock = dir / "relay.sock";
    auto l = listen_unix(sock);
    EXPECT_TRUE(l.ok());
    listener = std::move(l).value();
    SpawnOptions o;
    o.argv = {test::runtime_binary(), app_id, "3", "--module", module, "--ipc-socket", sock};
    o.argv.insert(o.argv.end(), extra.begin(), extra.end());
    o.env = {"WEFT_READY_TOKEN=0123456789abcdef0123456789abcdef", "WEFT_READY_FD=3"};
    auto ready = make_pipe().value();
    o.fd_map = {{ready.second.get(), 3}};
    o.null_stdio = true;
    auto c = ChildProcess::spawn(o);
    EXPECT_TRUE(c.ok());
    child = std::move(c).value();
    ready.second.reset();
    ready_fd = std::move(ready.first);
    conn = weft::test::accept_within(listener.get());
  }

  std::string ready_line() {
    std::string line;
    char c;
    while (::read(ready_fd.get(), &c, 1) == 1) line += c;
    return line;
  }

  /// Sends one request line and returns the reply line.
  std::string ask(const std::string& request) {
    EXPECT_TRUE(write_all(conn.get(), request + "\n").ok());
    std::string reply;
    char c;
    while (::read(conn.get(), &c, 1) == 1 && c != '\n') reply += c;
    return reply;
  }

  test::TempDir dir;
  UniqueFd listener, conn, ready_fd;
  ChildProcess child;  // terminated by its destructor: demos serve until killed
};

TEST(DemoApps, TheCCounterAnswersCountRequestsOverTheRelaySocket) {
  if (std::string(WEFT_RT_DEMO_COUNTER).empty()) GTEST_SKIP() << "demo apps are not part of this build";
  Demo demo("org.weft.demo.counter", WEFT_RT_DEMO_COUNTER);
  EXPECT_EQ(demo.ready_line(), "READY 0123456789abcdef0123456789abcdef\n");
  EXPECT_EQ(demo.ask(R"({"op":"get"})"), R"({"op":"count","count":0})");
  EXPECT_EQ(demo.ask("increment"), R"({"op":"count","count":1})");
  EXPECT_EQ(demo.ask(R"({"op":"decrement"})"), R"({"op":"count","count":0})");
  EXPECT_EQ(demo.ask(R"({"op":"fly"})"), R"({"op":"error","message":"unknown op 'fly'"})");
}

TEST(DemoApps, SigtermEndsARuntimeThatIsServingRequests) {
  if (std::string(WEFT_RT_DEMO_COUNTER).empty()) GTEST_SKIP() << "demo apps are not part of this build";
  Demo demo("org.weft.demo.counter", WEFT_RT_DEMO_COUNTER);
  EXPECT_EQ(demo.ask("get"), R"({"op":"count","count":0})");
  demo.child.signal(SIGTERM);
  auto status = demo.child.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value()) << "weft-runtime did not end after SIGTERM";
  EXPECT_FALSE(status->exited);
  EXPECT_EQ(status->signal, SIGTERM);
}

TEST(DemoApps, TheCppNotesSaveThroughAReadWritePreopen) {
  if (std::string(WEFT_RT_DEMO_NOTES).empty()) GTEST_SKIP() << "demo apps are not part of this build";
  test::TempDir data;
  Demo demo("org.weft.demo.notes", WEFT_RT_DEMO_NOTES, {"--preopen", data.path() + "::/data::rw"});
  EXPECT_EQ(demo.ask(R"({"op":"load"})"), R"({"op":"loaded","rev":"cbf29ce484222325","text":""})");
  EXPECT_EQ(demo.ask(R"({"op":"save","seq":1,"base":"cbf29ce484222325","text":"hello notes"})"),
            R"({"op":"saved","seq":1,"rev":"b990395492a9930e"})");
  std::ifstream in(data / "notes.txt");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "hello notes");
}

TEST(DemoApps, TheJavaScriptTodoRunsOnTheInterpreterAndAnswersOverIpc) {
  if (std::string(WEFT_RT_DEMO_TODO).empty()) GTEST_SKIP() << "demo apps are not part of this build";
  test::TempDir data;
  Demo demo("org.weft.demo.todo", WEFT_RT_DEMO_TODO, {"--preopen", data.path() + "::/data::rw"});
  EXPECT_EQ(demo.ask(R"({"op":"list"})"), R"({"op":"items","items":[]})");
  EXPECT_EQ(demo.ask(R"({"op":"add","text":"buy milk"})"),
            R"({"op":"items","items":[{"id":1,"text":"buy milk","done":false}]})");
}

}  // namespace
}  // namespace weft::runtime
