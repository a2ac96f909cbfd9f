// The JavaScript todo on AOT code: `--aot-precompile` (what `weft-pack install` runs) translates its 12 MB engine
// module (componentize-js) into many translation units compiled in parallel, and the app then answers on native code.
// A second JS app of the todo's world (fixtures/js/echo_app.js) then compiles nothing: its engine module differs from
// the todo's only in the snapshot's values, so it has the same shape and cache key (aot_module_shape.hpp). That
// compile takes minutes, so these tests (ctest label `js-aot`) run only when WEFT_TEST_JS_AOT=1 and are skipped with
// that reason otherwise; the split and the shapes are covered cheaply on small modules (aot_cache_test.cpp,
// aot_shape_test.cpp). They use the build tree's AOT test cache, so a second run loads what the first compiled
// (WEFT_AOT_OPT, default -O0, is part of the key). JS apps of other worlds (fixtures/js/ipc_app.js: IPC only;
// fetch_app.js: IPC and wasi:http) share the todo's compiled files of function bodies.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "demo_process.hpp"
#include "scripted_http_server.hpp"

namespace weft::runtime {
namespace {

constexpr size_t kJsCoreModules = 4;  // componentize-js: the engine, and three small adapter modules

/// Skips unless WEFT_TEST_JS_AOT=1 and the todo demo is part of this build.
bool js_aot_wanted() {
  const char* wanted = std::getenv("WEFT_TEST_JS_AOT");
  if (!wanted || std::string(wanted) != "1") return false;
  return !std::string(WEFT_RT_DEMO_TODO).empty();
}
constexpr const char* kSkipReason =
    "compiling the JavaScript engine takes minutes: set WEFT_TEST_JS_AOT=1 (and build the demo apps) to run this test";

std::vector<std::string> test_env() {
  const char* path = std::getenv("PATH");
  const char* opt = std::getenv("WEFT_AOT_OPT");
  return {std::string("PATH=") + (path ? path : "/usr/bin:/bin"),
          std::string("WEFT_AOT_OPT=") + (opt && *opt ? opt : "-O0")};
}

std::string test_cache() { return WEFT_TEST_BUILD_DIR "/aot-test-cache"; }

/// `weft-runtime <app> 0 --module <component> --aot-precompile` into the test cache; its stdout (a line per module).
std::string precompile(const std::string& app_id, const std::string& component) {
  SpawnOptions o;
  o.argv = {test::runtime_binary(), app_id, "0", "--module", component, "--aot-precompile", "--aot-cache",
            test_cache()};
  o.env = test_env();
  o.null_stdio = true;
  auto run = weft::test::run_child(std::move(o), {}, std::chrono::minutes(40));
  EXPECT_TRUE(run.status.success()) << run.status.describe() << "\n" << run.err;
  return run.out;
}

TEST(JsAot, TheJavaScriptTodoIsPrecompiledUnitByUnitAndAnswersOnAotCode) {
  if (!js_aot_wanted()) GTEST_SKIP() << kSkipReason;
  std::string out = precompile("org.weft.demo.todo", WEFT_RT_DEMO_TODO);
  using weft::test::occurrences;
  EXPECT_EQ(occurrences(out, ") compiled in ") + occurrences(out, ") already compiled"), kJsCoreModules) << out;
  // The engine module reports its units unless an earlier run compiled it.
  if (out.find("(11.9 MiB) already compiled") == std::string::npos) {
    EXPECT_NE(out.find("(11.9 MiB): translation unit 1/"), std::string::npos) << out;
  }

  std::string cache = test_cache();
  std::vector<std::string> env = test_env();
  test::TempDir data;
  env.push_back("WEFT_LOG=debug");
  Demo demo("org.weft.demo.todo", WEFT_RT_DEMO_TODO,
            {"--engine", "aot", "--aot-cache", cache, "--preopen", data.path() + "::/data::rw"}, env);
  EXPECT_EQ(demo.ask(R"({"op":"list"})"), R"({"op":"items","items":[]})");
  EXPECT_EQ(demo.ask(R"({"op":"add","text":"buy milk"})"),
            R"({"op":"items","items":[{"id":1,"text":"buy milk","done":false}]})");
  EXPECT_NE(demo.err().find("engine: aot (4 core modules, cache " + cache + ")"), std::string::npos) << demo.err();
}

TEST(JsAot, ASecondJavaScriptAppOfTheTodosWorldCompilesNothingAndAnswersOnAotCode) {
  if (!js_aot_wanted()) GTEST_SKIP() << kSkipReason;
  const std::string echo = WEFT_RT_FIXTURES "/js_echo.wasm";
  if (!std::filesystem::exists(echo)) GTEST_SKIP() << "the JavaScript fixtures are not part of this build";
  precompile("org.weft.demo.todo", WEFT_RT_DEMO_TODO);  // compiles nothing when the test above ran first
  std::string out = precompile("org.weft.test.jsecho", echo);
  using weft::test::occurrences;
  EXPECT_EQ(occurrences(out, ") already compiled"), kJsCoreModules)
      << "the echo app's modules have the todo's shapes, yet something was compiled:\n" << out;
  EXPECT_EQ(occurrences(out, ") compiled in "), 0u) << out;

  std::vector<std::string> env = test_env();
  env.push_back("WEFT_LOG=debug");
  Demo demo("org.weft.test.jsecho", echo, {"--engine", "aot", "--aot-cache", test_cache()}, env);
  EXPECT_EQ(demo.ask("hello"), "echo 1: hello");
  EXPECT_EQ(demo.ask("the todo's engine"), "echo 2: the todo's engine");
  EXPECT_NE(demo.err().find("engine: aot (4 core modules, cache " + test_cache() + ")"), std::string::npos)
      << demo.err();
}

/// The objects in the test cache's unit store: one per distinct file of function bodies compiled.
size_t unit_objects() {
  size_t count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(test_cache() + "/units", ec))
    if (entry.path().extension() == ".o") ++count;
  return count;
}

TEST(JsAot, AJavaScriptAppOfAnotherWorldCompilesOnlyWhatItsWorldChangesAndAnswersOnAotCode) {
  if (!js_aot_wanted()) GTEST_SKIP() << kSkipReason;
  const std::string ipc = WEFT_RT_FIXTURES "/js_ipc.wasm";
  if (!std::filesystem::exists(ipc)) GTEST_SKIP() << "the JavaScript fixtures are not part of this build";
  precompile("org.weft.demo.todo", WEFT_RT_DEMO_TODO);  // compiles nothing when the tests above ran first
  size_t before = unit_objects();
  std::string out = precompile("org.weft.test.jsipc", ipc);
  using weft::test::occurrences;
  // The engine module has one import fewer than the todo's (no readiness), so its shape and key differ and it is
  // compiled (unless an earlier run of this test did); the three adapter modules are the todo's.
  if (out.find("(11.9 MiB) already compiled") == std::string::npos) {
    EXPECT_EQ(occurrences(out, ") already compiled"), kJsCoreModules - 1) << out;
    EXPECT_EQ(occurrences(out, ") compiled in "), 1u) << out;
    // Its engine's functions are the todo's under other indices: only the file holding the world's glue (the last)
    // can be new; the ≈55 others are the todo's objects.
    EXPECT_GE(before, 40u) << "the todo's engine left no files' objects to share";
    EXPECT_LE(unit_objects(), before + 1) << "files of function bodies compiled afresh for the second world:\n"
                                          << out;
  }

  std::vector<std::string> env = test_env();
  env.push_back("WEFT_LOG=debug");
  Demo demo("org.weft.test.jsipc", ipc, {"--engine", "aot", "--aot-cache", test_cache()}, env);
  EXPECT_EQ(demo.ask("hello"), "ipc 1: hello");
  EXPECT_EQ(demo.ask("another world"), "ipc 2: another world");
  EXPECT_NE(demo.err().find("engine: aot (4 core modules, cache " + test_cache() + ")"), std::string::npos)
      << demo.err();
}

/// The names of the objects in the test cache's unit store.
std::set<std::string> unit_object_names() {
  std::set<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(test_cache() + "/units", ec))
    if (entry.path().extension() == ".o") names.insert(entry.path().filename());
  return names;
}

TEST(JsAot, AJavaScriptAppOfTheHttpWorldCompilesNoFileOfItsEngineAndFetchesOnAotCode) {
  if (!js_aot_wanted()) GTEST_SKIP() << kSkipReason;
  const std::string ipc = WEFT_RT_FIXTURES "/js_ipc.wasm", fetch = WEFT_RT_FIXTURES "/js_fetch.wasm";
  if (!std::filesystem::exists(ipc) || !std::filesystem::exists(fetch))
    GTEST_SKIP() << "the JavaScript fixtures are not part of this build";
  precompile("org.weft.demo.todo", WEFT_RT_DEMO_TODO);  // both compile nothing when the tests above ran first
  precompile("org.weft.test.jsipc", ipc);
  auto before = unit_object_names();
  std::string out = precompile("org.weft.test.jsfetch", fetch);
  // Its engine imports wasi:http (36 functions the other worlds stub, called by 33 engine functions) and has its
  // wasi_snapshot_preview1 imports at other indices; its glue is the IPC world's. Imports named by field and type,
  // and stubs by the import they stand for, make every file of bodies one the store has: only main.c is compiled.
  if (out.find("(11.9 MiB) already compiled") == std::string::npos) {
    EXPECT_GE(before.size(), 40u) << "the other worlds' engines left no files' objects to share";
    std::vector<std::string> added;
    for (const auto& name : unit_object_names())
      if (!before.count(name)) added.push_back(name);
    EXPECT_TRUE(added.empty()) << added.size() << " files of function bodies compiled afresh for the wasi:http world:\n"
                               << out;
  }

  test::ScriptedHttpServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhello-body");
  std::vector<std::string> env = test_env();
  env.push_back("WEFT_LOG=debug");
  Demo demo("org.weft.test.jsfetch", fetch,
            {"--engine", "aot", "--aot-cache", test_cache(), "--grant", "net:fetch:127.0.0.1"}, env);
  EXPECT_EQ(demo.ask(server.url("/js")), "status 200 type text/plain body hello-body");
  EXPECT_NE(demo.err().find("engine: aot (4 core modules, cache " + test_cache() + ")"), std::string::npos)
      << demo.err();
}

}  // namespace
}  // namespace weft::runtime
