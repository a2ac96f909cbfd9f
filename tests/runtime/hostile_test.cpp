// Hostile components (issue 17): each crafted .wat in tests/runtime/hostile/ carries one defect that a release build
// of the interpreter would otherwise trust (a kind confused by an alias, a core function of the wrong type behind a
// lift, realloc, post-return, destructor or import, a resource built-in forging host handles). weft-runtime refuses
// every one at link time with exit 4 and one line naming the defect; nothing runs.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <string>

#include "runtime_process.hpp"

namespace weft::runtime::test {
namespace {

struct Hostile {
  const char* fixture;
  const char* refusal;  // what stderr must say after "instantiation failed: "
};

class HostileComponent : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileComponent, IsRefusedAtLinkTimeWithExitFourAndTheDefectNamed) {
  std::string module = std::string(WEFT_RT_FIXTURES) + "/hostile/" + GetParam().fixture + ".wasm";
  if (!std::filesystem::exists(module)) GTEST_SKIP() << module << " was not built (the guest SDK's jco is missing)";
  auto run = run_runtime({"org.weft.test", "1", "--module", module});
  EXPECT_TRUE(run.status.exited && run.status.code == 4) << run.status.describe() << "\n" << run.err;
  EXPECT_EQ(run.err, "weft-runtime: cannot link " + module + ": instantiation failed: " + GetParam().refusal + "\n");
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.ready, "") << "a refused component must never report readiness";
}

INSTANTIATE_TEST_SUITE_P(
    Linker, HostileComponent,
    ::testing::Values(
        Hostile{"func_as_memory",
                "canon lift of func 0: memory option: core memory alias of core instance 0 export 'f' names a core "
                "func, not a core memory"},
        Hostile{"memory_as_realloc",
                "core func alias of core instance 0 export 'mem' names a core memory, not a core func"},
        Hostile{"realloc_wrong_type",
                "canon lift of func 0: realloc option: core function of type () -> (i32), expected "
                "(i32 i32 i32 i32) -> (i32)"},
        Hostile{"lift_wrong_type", "canon lift of func 0: core function of type (i32) -> (), expected () -> (i32)"},
        Hostile{"post_return_wrong_type",
                "canon lift of func 0: post-return option: core function of type (i32 i32) -> (), expected "
                "(i32) -> ()"},
        Hostile{"import_kind_mismatch",
                "core instance 2 (module 1): import env.x is a core func but core instance 1 exports a core memory"},
        Hostile{"import_func_type_mismatch",
                "core instance 2 (module 1): import env.x: core function of type () -> (i32), expected (i32) -> ()"},
        Hostile{"resource_new_on_host",
                "canon resource.new on imported resource 'wasi:io/streams/output-stream': only a resource the "
                "component defines has reps to make"},
        Hostile{"destructor_wrong_type",
                "destructor of resource type 0: core function of type () -> (i32), expected (i32) -> ()"}),
    [](const ::testing::TestParamInfo<Hostile>& info) {
      std::string name;  // func_as_memory → FuncAsMemory
      bool upper = true;
      for (const char* c = info.param.fixture; *c; ++c) {
        if (*c == '_') {
          upper = true;
          continue;
        }
        name += upper ? char(std::toupper(static_cast<unsigned char>(*c))) : *c;
        upper = false;
      }
      return name;
    });

}  // namespace
}  // namespace weft::runtime::test
