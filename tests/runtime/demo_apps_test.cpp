// The SDK's demo apps (C counter, C++ notes, JavaScript todo) run under weft-runtime and answer over the relay socket.
// Built only in the full tree (apps/ with the SDK); elsewhere these tests skip.

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "demo_process.hpp"

namespace weft::runtime {
namespace {

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
