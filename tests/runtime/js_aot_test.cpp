// The JavaScript todo on AOT code: `--aot-precompile` (what `weft-pack install` runs) translates its 12 MB engine
// module (componentize-js) into many translation units compiled in parallel, and the app then answers on native code.
// That compile takes minutes, so this test (ctest label `js-aot`) runs only when WEFT_TEST_JS_AOT=1 and is skipped
// with that reason otherwise; the split itself is covered cheaply on a small module (aot_cache_test.cpp). It uses the
// build tree's AOT test cache, so a second run loads what the first compiled (WEFT_AOT_OPT, default -O0, is part of
// the key).

#include <gtest/gtest.h>

#include <cstdlib>

#include "demo_process.hpp"

namespace weft::runtime {
namespace {

TEST(JsAot, TheJavaScriptTodoIsPrecompiledUnitByUnitAndAnswersOnAotCode) {
  const char* wanted = std::getenv("WEFT_TEST_JS_AOT");
  if (!wanted || std::string(wanted) != "1")
    GTEST_SKIP() << "compiling the JavaScript engine takes minutes: set WEFT_TEST_JS_AOT=1 to run this test";
  if (std::string(WEFT_RT_DEMO_TODO).empty()) GTEST_SKIP() << "demo apps are not part of this build";
  const char* path = std::getenv("PATH");
  const char* opt = std::getenv("WEFT_AOT_OPT");
  std::vector<std::string> env = {std::string("PATH=") + (path ? path : "/usr/bin:/bin"),
                                  std::string("WEFT_AOT_OPT=") + (opt && *opt ? opt : "-O0")};
  std::string cache = WEFT_TEST_BUILD_DIR "/aot-test-cache";

  SpawnOptions o;
  o.argv = {test::runtime_binary(), "org.weft.demo.todo", "0", "--module", WEFT_RT_DEMO_TODO, "--aot-precompile",
            "--aot-cache", cache};
  o.env = env;
  o.null_stdio = true;
  auto precompile = weft::test::run_child(std::move(o), {}, std::chrono::minutes(40));
  ASSERT_TRUE(precompile.status.success()) << precompile.status.describe() << "\n" << precompile.err;
  constexpr size_t kTodoCoreModules = 4;
  using weft::test::occurrences;
  EXPECT_EQ(occurrences(precompile.out, ") compiled in ") + occurrences(precompile.out, ") already compiled"),
            kTodoCoreModules)
      << precompile.out;
  // The engine module reports its units unless an earlier run compiled it.
  if (precompile.out.find("(11.9 MiB) already compiled") == std::string::npos) {
    EXPECT_NE(precompile.out.find("(11.9 MiB): translation unit 1/"), std::string::npos) << precompile.out;
  }

  test::TempDir data;
  env.push_back("WEFT_LOG=debug");
  Demo demo("org.weft.demo.todo", WEFT_RT_DEMO_TODO,
            {"--engine", "aot", "--aot-cache", cache, "--preopen", data.path() + "::/data::rw"}, env);
  EXPECT_EQ(demo.ask(R"({"op":"list"})"), R"({"op":"items","items":[]})");
  EXPECT_EQ(demo.ask(R"({"op":"add","text":"buy milk"})"),
            R"({"op":"items","items":[{"id":1,"text":"buy milk","done":false}]})");
  EXPECT_NE(demo.err().find("engine: aot (4 core modules, cache " + cache + ")"), std::string::npos) << demo.err();
}

}  // namespace
}  // namespace weft::runtime
