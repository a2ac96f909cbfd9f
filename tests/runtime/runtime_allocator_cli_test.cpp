// The weft-runtime binary runs on mimalloc (src/runtime/CMakeLists.txt): the dynamic linker binds malloc, free and
// operator new and delete of the program and of libstdc++ to libmimalloc, not to glibc or libstdc++. Read from the
// dynamic linker's own record of its bindings (LD_DEBUG=bindings, every symbol bound at start with LD_BIND_NOW).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "runtime_process.hpp"

namespace weft::runtime {
namespace {

/// The library each of `object`'s (any object's when empty) references to `symbol` was bound to, from an LD_DEBUG=bindings record:
/// "binding file <object> [0] to <library> [0]: normal symbol `<symbol>' [GLIBC_2.2.5]".
std::set<std::string> bound_to(const std::string& record, const std::string& object, const std::string& symbol) {
  std::set<std::string> libraries;
  std::istringstream lines(record);
  for (std::string line; std::getline(lines, line);) {
    const auto from = line.find("binding file ");
    const auto to = line.find(" to ");
    if (from == std::string::npos || to == std::string::npos) continue;
    if (line.find("symbol `" + symbol + "'") == std::string::npos) continue;
    const std::string file = line.substr(from + 13, line.find(" [", from) - from - 13);
    if (!object.empty() && std::filesystem::path(file).filename() != object) continue;
    const std::string target = line.substr(to + 4, line.find(" [", to) - to - 4);
    libraries.insert(std::filesystem::path(target).filename());
  }
  return libraries;
}

TEST(WeftRuntimeAllocator, MallocAndOperatorNewOfTheProgramAndOfLibstdcxxAreMimallocs) {
#if !WEFT_MIMALLOC
  GTEST_SKIP() << "this build does not link mimalloc (WEFT_MIMALLOC=OFF: a sanitizer build)";
#endif
  test::TempDir dir("runtime-allocator");
  const std::string record_prefix = dir / "bindings";
  auto run = test::run_runtime({"--version"}, {"LD_BIND_NOW=1", "LD_DEBUG=bindings",
                                               "LD_DEBUG_OUTPUT=" + record_prefix});
  ASSERT_TRUE(run.status.success()) << run.status.describe() << run.err;
  std::string record;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    if (entry.path().filename().string().starts_with("bindings")) {
      std::ifstream in(entry.path());
      record += std::string(std::istreambuf_iterator<char>(in), {});
    }
  ASSERT_FALSE(record.empty()) << "the dynamic linker wrote no record under " << record_prefix;
  const std::set<std::string> mimalloc = {"libmimalloc.so.2"};
  EXPECT_EQ(bound_to(record, "weft-runtime", "malloc"), mimalloc);
  EXPECT_EQ(bound_to(record, "weft-runtime", "free"), mimalloc);
  EXPECT_EQ(bound_to(record, "weft-runtime", "_Znwm"), mimalloc);  // operator new(size_t)
  EXPECT_EQ(bound_to(record, "libstdc++.so.6", "malloc"), mimalloc);
  EXPECT_EQ(bound_to(record, "libstdc++.so.6", "_Znwm"), mimalloc);
  // And every other library's (libc's own, GLib's, curl's, …): none is left on glibc's malloc.
  EXPECT_EQ(bound_to(record, "", "malloc"), mimalloc);
  EXPECT_EQ(bound_to(record, "", "free"), mimalloc);
}

}  // namespace
}  // namespace weft::runtime
