// `weft-pack install` compiles the component to native code into its store's AOT cache, so weft-runtime's default
// engine runs it natively at the next launch; `--no-precompile` and a missing C compiler leave it to the interpreter
// without failing the install; two installs of the same code compile each core module once. The C fixture hello.wasm
// has 4 core modules; compiled at -O0 (WEFT_AOT_OPT, part of the cache key, so the launches below use it too).

#include <algorithm>
#include <filesystem>

#include "weft/test/package_env.hpp"

namespace weft::test {
namespace {

const std::string kHello = std::string(WEFT_RT_FIXTURES) + "/hello.wasm";
constexpr size_t kHelloCoreModules = 4;

struct Precompile : ::testing::Test {
  PackEnv env;
  void SetUp() override {
    WEFT_SKIP_UNLESS_BUILT(kHello);
    set("WEFT_AOT_OPT", "-O0");
  }
  /// Replaces (or adds) one variable of the isolated environment.
  void set(const std::string& name, const std::string& value) {
    auto& e = env.env();
    std::erase_if(e, [&](const std::string& kv) { return kv.starts_with(name + "="); });
    e.push_back(name + "=" + value);
  }
  /// An unsigned package `id` whose component is hello.wasm (installed with --dev).
  std::string hello_package(const std::string& id) {
    fs::create_directories(env.path("src/" + id));
    std::string dir = make_package(env.path("src/" + id), {.id = id});
    fs::copy_file(kHello, dir + "/app.wasm", fs::copy_options::overwrite_existing);
    return dir;
  }
  std::string cache() { return env.store() + "/.aot"; }
  size_t cached_objects() {
    std::error_code ec;
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(cache(), ec)) n += e.path().extension() == ".sha256";
    return n;
  }
  /// weft-runtime's default engine on the installed app, with its engine choice logged.
  RunResult launch(const std::string& id) {
    SpawnOptions o;
    o.argv = {executable("weft-runtime"), id, "1"};
    o.env = env.env();
    o.env.push_back("WEFT_LOG=debug");  // after PackEnv's WEFT_LOG=warn: the last assignment wins in the child
    std::erase_if(o.env, [](const std::string& kv) { return kv == "WEFT_LOG=warn"; });
    return run_child(std::move(o), {}, std::chrono::seconds(30));
  }
};

TEST_F(Precompile, InstallCompilesEveryCoreModuleAndTheNextLaunchRunsNativeCodeFromTheStoresCache) {
  auto install = env.pack({"install", hello_package("org.weft.test.hello"), "--dev"});
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_EQ(install.err, "");
  EXPECT_EQ(occurrences(install.out, "precompile org.weft.test.hello: core module "), kHelloCoreModules) << install.out;
  EXPECT_EQ(occurrences(install.out, ") compiled in "), kHelloCoreModules) << install.out;
  EXPECT_NE(install.out.find("installed org.weft.test.hello -> "), std::string::npos) << install.out;
  EXPECT_EQ(cached_objects(), kHelloCoreModules);

  auto run = launch("org.weft.test.hello");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "hello from a component, (unset)\n");
  EXPECT_NE(run.err.find("engine: aot (4 core modules from the cache " + cache() + ")"), std::string::npos) << run.err;
}

TEST_F(Precompile, AModuleOverTheSplitThresholdIsCompiledUnitByUnitWithAProgressLineForEach) {
  set("WEFT_AOT_SPLIT_BYTES", "20000");  // hello's largest core module (27 KB) only, as a JS engine would be
  auto install = env.pack({"install", hello_package("org.weft.test.hello"), "--dev"});
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_EQ(install.err, "");
  EXPECT_EQ(occurrences(install.out, " KiB): translated to C in "), 1u) << install.out;
  // main.c and two files of function bodies.
  EXPECT_EQ(occurrences(install.out, " KiB): translation unit "), 3u) << install.out;
  EXPECT_NE(install.out.find(" KiB): translation unit 3/3 compiled ("), std::string::npos) << install.out;
  EXPECT_EQ(occurrences(install.out, ") compiled in "), kHelloCoreModules) << install.out;
  auto run = launch("org.weft.test.hello");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "hello from a component, (unset)\n");
  EXPECT_NE(run.err.find("engine: aot (4 core modules from the cache " + cache() + ")"), std::string::npos) << run.err;
}

TEST_F(Precompile, NoPrecompileLeavesTheCacheEmptyAndTheAppRunsOnTheInterpreter) {
  auto install = env.pack({"install", hello_package("org.weft.test.hello"), "--dev", "--no-precompile"});
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_EQ(install.out.find("precompile"), std::string::npos) << install.out;
  EXPECT_EQ(cached_objects(), 0u);
  auto run = launch("org.weft.test.hello");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("engine: interpreter (no AOT cache directory"), std::string::npos) << run.err;
  EXPECT_EQ(cached_objects(), 0u) << "a launch without a cache directory must not start compiling";
}

TEST_F(Precompile, WithoutACCompilerTheInstallSucceedsWithOneWarningLine) {
  set("PATH", "/nonexistent");
  auto install = env.pack({"install", hello_package("org.weft.test.hello"), "--dev"});
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_EQ(install.err, "warning: org.weft.test.hello was not precompiled (no C compiler (cc) in PATH); it runs on "
                         "the interpreter until its code is compiled\n");
  EXPECT_EQ(install.out.substr(0, install.out.find(" -> ")), "installed org.weft.test.hello");
  EXPECT_EQ(cached_objects(), 0u);
}

TEST_F(Precompile, TwoConcurrentInstallsOfTheSameCodeCompileEachCoreModuleOnce) {
  std::string a = hello_package("org.weft.test.first"), b = hello_package("org.weft.test.second");
  auto first = env.start({"install", a, "--dev"});
  auto second = env.start({"install", b, "--dev"});
  auto one = first.finish(), two = second.finish();
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(one.err + two.err, "");
  // Each module is compiled by one of them; the other waits on the entry's lock and loads the result.
  EXPECT_EQ(occurrences(one.out + two.out, ") compiled in "), kHelloCoreModules) << one.out << two.out;
  EXPECT_EQ(occurrences(one.out + two.out, ") already compiled"), kHelloCoreModules) << one.out << two.out;
  EXPECT_EQ(cached_objects(), kHelloCoreModules);
  for (const char* id : {"org.weft.test.first", "org.weft.test.second"}) {
    auto run = launch(id);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("engine: aot ("), std::string::npos) << id << ": " << run.err;
  }
}

}  // namespace
}  // namespace weft::test
