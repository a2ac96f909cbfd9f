// weft-runtime runs wasm32-wasip1 core modules (`--module file.wasm`, development and conformance runs) with its own
// wasi_snapshot_preview1: hostile pointers and lengths are answered with errno values, bad imports are refused at
// link time (exit 4), proc_exit(n) is status n and a trap is status 3 (spec §4.1).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "runtime_process.hpp"

namespace weft::runtime::test {
namespace {

std::string fixture(const char* name) { return std::string(WEFT_RT_FIXTURES) + "/hostile/preview1/" + name + ".wasm"; }

TEST(Preview1Module, AnswersEveryHostilePointerAndLengthWithAnErrnoAndKeepsTheMemoryCap) {
  TempDir root;
  auto run = run_runtime({"org.weft.test", "1", "--module", fixture("hostile_pointers"), "--preopen",
                          root.path() + "::/::rw", "--max-memory-mib", "1"});
  // On a wrong answer the module exits with 100 + the number of the case in hostile_pointers.wat.
  EXPECT_TRUE(run.status.exited && run.status.code == 0) << run.status.describe() << "\n" << run.err;
  EXPECT_EQ(run.out, "ok\n");
  EXPECT_EQ(std::filesystem::file_size(std::filesystem::path(root.path()) / "file"), 0u)
      << "the refused pwrite must not have written";
}

TEST(Preview1Module, ProcExitStatusIsTheExitStatusAndATrapIsThree) {
  auto exit33 = run_runtime({"org.weft.test", "1", "--module", fixture("exit_and_trap")});
  EXPECT_TRUE(exit33.status.exited && exit33.status.code == 33) << exit33.status.describe() << "\n" << exit33.err;
  auto beyond = run_runtime({"org.weft.test", "1", "--module", fixture("exit_and_trap"), "--", "x"});
  EXPECT_TRUE(beyond.status.exited && beyond.status.code == 1)
      << "proc_exit(300) does not fit an exit status: " << beyond.status.describe();
  auto trap = run_runtime({"org.weft.test", "1", "--module", fixture("exit_and_trap"), "--", "x", "y"});
  EXPECT_TRUE(trap.status.exited && trap.status.code == 3) << trap.status.describe();
  EXPECT_EQ(trap.err, "trap: unreachable: unreachable executed\n");
}

TEST(Preview1Module, AnUnknownOrMistypedImportIsRefusedAtLinkTimeWithExitFour) {
  auto unknown = run_runtime({"org.weft.test", "1", "--module", fixture("unknown_import")});
  EXPECT_TRUE(unknown.status.exited && unknown.status.code == 4) << unknown.status.describe();
  EXPECT_EQ(unknown.err, "weft-runtime: cannot link " + fixture("unknown_import") +
                             ": import wasi_snapshot_preview1.fd_launch_missiles: no such wasi_snapshot_preview1 "
                             "function\n");
  auto mistyped = run_runtime({"org.weft.test", "1", "--module", fixture("wrong_import_type")});
  EXPECT_TRUE(mistyped.status.exited && mistyped.status.code == 4) << mistyped.status.describe();
  EXPECT_EQ(mistyped.err, "weft-runtime: cannot link " + fixture("wrong_import_type") +
                              ": import wasi_snapshot_preview1.fd_write has type (i64 i32) -> (i32), expected "
                              "(i32 i32 i32 i32) -> (i32)\n");
  EXPECT_EQ(mistyped.out, "");
}

// The same host over AOT-compiled code: every answer, the memory cap and the exit status are engine-independent.
TEST(Preview1Module, AnswersTheSameOnTheAotEngine) {
  TempDir root;
  const std::vector<std::string> aot = {"--engine", "aot", "--aot-cache", WEFT_TEST_BUILD_DIR "/aot-test-cache"};
  std::vector<std::string> args = {"org.weft.test", "1", "--module", fixture("hostile_pointers"), "--preopen",
                                   root.path() + "::/::rw", "--max-memory-mib", "1"};
  args.insert(args.end(), aot.begin(), aot.end());
  auto run = run_runtime(args, {"PATH=/usr/bin:/bin", "WEFT_AOT_OPT=-O0"});
  EXPECT_TRUE(run.status.exited && run.status.code == 0) << run.status.describe() << "\n" << run.err;
  EXPECT_EQ(run.out, "ok\n");
  std::vector<std::string> exit_args = {"org.weft.test", "1", "--module", fixture("exit_and_trap")};
  exit_args.insert(exit_args.end(), aot.begin(), aot.end());
  auto exit33 = run_runtime(exit_args, {"PATH=/usr/bin:/bin", "WEFT_AOT_OPT=-O0"});
  EXPECT_TRUE(exit33.status.exited && exit33.status.code == 33) << exit33.status.describe() << "\n" << exit33.err;
}

}  // namespace
}  // namespace weft::runtime::test
