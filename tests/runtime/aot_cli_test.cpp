// weft-runtime --engine end to end: a real C component (4 core modules: main, preview1 adapter, shim, fixup) on AOT
// code gives what it gives on the interpreter, traps with the same kinds and exit codes, and the engine choice falls
// back to the interpreter when no compiler is there. AOT runs share the build tree's test cache.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engines.hpp"
#include "runtime_process.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::runtime {
namespace {

using test::run_runtime;
using test::RuntimeRun;

std::string fixture(const std::string& name) { return std::string(WEFT_RT_FIXTURES) + "/" + name; }

std::vector<std::string> aot_env() {
  return {"PATH=/usr/bin:/bin", "WEFT_AOT_OPT=" + engines::aot_test_cache_options().optimization};
}

/// The app fixture in `mode` (fixtures/app.c reads it from /ro/mode.txt) on `engine`.
RuntimeRun run_app(const std::string& mode, const std::string& engine, std::vector<std::string> extra = {},
                   std::vector<std::string> env = aot_env()) {
  test::TempDir dir("aot-cli");
  std::filesystem::create_directories(dir / "rw");
  std::filesystem::create_directories(dir / "ro");
  std::ofstream(dir / "ro/mode.txt") << mode << "\n";
  std::vector<std::string> args = {"org.weft.test", "7", "--module", fixture("app.wasm"), "--engine", engine,
                                   "--aot-cache", engines::aot_test_cache_dir(),
                                   "--preopen", (dir / "rw") + "::/data", "--preopen", (dir / "ro") + "::/ro::ro"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_runtime(args, std::move(env));
}

class AotCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(fixture("app.wasm")))
      GTEST_SKIP() << fixture("app.wasm") << " was not built: the guest SDK is unavailable (run scripts/setup)";
  }
};

TEST_F(AotCli, TheCComponentPrintsTheSameOnAotAsOnTheInterpreter) {
  auto interp = run_app("full", "interp");
  auto aot = run_app("full", "aot");
  EXPECT_EQ(aot.out, interp.out);
  EXPECT_EQ(aot.status.code, interp.status.code) << aot.err;
  EXPECT_EQ(aot.err, interp.err);
}

TEST_F(AotCli, GuestTrapsExitThreeWithTheInterpretersKinds) {
  auto unreachable = run_app("trap", "aot");
  EXPECT_TRUE(unreachable.status.exited && unreachable.status.code == 3) << unreachable.status.describe();
  EXPECT_EQ(unreachable.err, "trap: unreachable: unreachable executed\n");
  auto oob = run_app("oob", "aot");
  EXPECT_TRUE(oob.status.exited && oob.status.code == 3) << oob.status.describe();
  EXPECT_TRUE(oob.err.starts_with("trap: memory-out-of-bounds: ")) << oob.err;
}

TEST_F(AotCli, TheMemoryCapMakesAllocationsFailInsteadOfTrappingOnAot) {
  auto run = run_app("oom", "aot", {"--max-memory-mib", "16"});
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  int mib = -1;
  ASSERT_EQ(std::sscanf(run.out.c_str(), "allocation failed after %d MiB", &mib), 1) << run.out;
  EXPECT_GE(mib, 10);
  EXPECT_LT(mib, 16);
}

TEST_F(AotCli, WithoutACCompilerTheInterpreterRunsAndOneLineSaysWhy) {
  auto run = run_app("full", "aot", {}, {"PATH=/nonexistent"});
  auto interp = run_app("full", "interp");
  EXPECT_EQ(run.out, interp.out);
  EXPECT_EQ(run.err, "weft-runtime: native code unavailable (no C compiler (cc) in PATH); running on the "
                     "interpreter\n" + interp.err);
}

TEST_F(AotCli, EachCompilerRunsForItsVersionOnceUntilItsBinaryChanges) {
  // A stand-in `cc` first in PATH: it logs each `--version` it answers and hands everything to the real one, so the
  // cache keys and the code are the real compiler's.
  test::TempDir dir("aot-cc-identity");
  std::string bin = dir / "bin", log = dir / "versions.log", cache = dir / "cache";
  std::filesystem::create_directories(bin);
  std::ofstream(bin + "/cc") << "#!/bin/sh\n[ \"$1\" = --version ] && echo run >> '" << log << "'\nexec /usr/bin/cc \"$@\"\n";
  std::filesystem::permissions(bin + "/cc", std::filesystem::perms::owner_all);
  std::filesystem::create_directory(cache);
  std::filesystem::permissions(cache, std::filesystem::perms::owner_all);
  std::vector<std::string> env = aot_env();
  env[0] = "PATH=" + bin + ":/usr/bin:/bin";
  std::vector<std::string> args = {"org.weft.test", "7", "--module", fixture("hello.wasm"), "--engine", "aot",
                                   "--aot-cache", cache};
  auto version_runs = [&] {
    std::ifstream in(log);
    size_t lines = 0;
    for (std::string line; std::getline(in, line);) ++lines;
    return lines;
  };
  auto first = run_runtime(args, env);
  ASSERT_TRUE(first.status.success()) << first.err;
  auto second = run_runtime(args, env);
  ASSERT_TRUE(second.status.success()) << second.err;
  EXPECT_EQ(second.out, first.out);
  EXPECT_EQ(version_runs(), 1u) << "the second launch asked the compiler for its version again";
  // A changed binary (here: a later modification time) is asked again, once.
  std::filesystem::last_write_time(bin + "/cc",
                                   std::filesystem::last_write_time(bin + "/cc") + std::chrono::seconds(5));
  auto third = run_runtime(args, env);
  ASSERT_TRUE(third.status.success()) << third.err;
  EXPECT_EQ(version_runs(), 2u);
  auto fourth = run_runtime(args, env);
  ASSERT_TRUE(fourth.status.success()) << fourth.err;
  EXPECT_EQ(version_runs(), 2u);
}

TEST_F(AotCli, AnUnknownEngineIsAUsageError) {
  auto run = run_runtime({"org.weft.test", "7", "--module", fixture("app.wasm"), "--engine", "jit"});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_TRUE(run.err.starts_with("--engine must be auto, aot or interp, not 'jit'\n")) << run.err;
}

TEST_F(AotCli, AutoRunsTheInterpreterAndFillsAnExistingCacheInTheBackground) {
  test::TempDir dir("aot-auto");
  std::string cache = dir / "cache";
  std::filesystem::create_directory(cache);
  std::filesystem::permissions(cache, std::filesystem::perms::owner_all);
  std::vector<std::string> args = {"org.weft.test", "7", "--module", fixture("hello.wasm"), "--aot-cache", cache};
  auto first = run_runtime(args, aot_env());
  EXPECT_TRUE(first.status.success()) << first.err;
  EXPECT_EQ(first.err, "");
  // hello.wasm has 4 core modules: 4 objects and 4 digests once the detached compile is done.
  auto objects = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(cache)) n += e.path().extension() == ".sha256";
    return n;
  };
  // The compile runs detached at low priority (nice): under a loaded machine (six tests at a time beside a niced
  // sanitizer build) its four modules took over 60 s, so the bound is well inside ctest's 300 s instead.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  while (objects() < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(objects(), 4u) << "the background compile did not fill the cache";
  auto second = run_runtime(args, aot_env());
  EXPECT_TRUE(second.status.success()) << second.err;
  EXPECT_EQ(second.out, first.out);
}

}  // namespace
}  // namespace weft::runtime
