// The SDK used the way an app author uses it, in fresh build trees outside WEFT's own build: the demo apps on their
// own, a project made by weft-new-app, and a project whose compiler is set by the toolchain file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app_harness.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/child_run.hpp"

namespace weft::test {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kNotifyAndIpc = {"weft:app/notify@0.1.0", "weft:app/ipc@0.1.0"};

// Configures a CMake project as an app author would: the SDK found through CMAKE_PREFIX_PATH, and this build's
// weft-pack for the check every package build runs.
ToolRun configure(const fs::path& source, const fs::path& build, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> configure = {CMAKE_BIN, "-S", source.string(), "-B", build.string(), "-G", CMAKE_GEN,
                                        "-DCMAKE_PREFIX_PATH=" WEFT_SOURCE_DIR "/sdk",
                                        "-DWEFT_PACK=" + weft::test::executable("weft-pack")};
  configure.insert(configure.end(), extra.begin(), extra.end());
  return run_tool(configure, /*merge_stderr=*/true);
}

// Configures and builds a CMake project; the combined output on failure.
ToolRun configure_and_build(const fs::path& source, const fs::path& build, const std::vector<std::string>& extra = {}) {
  ToolRun run = configure(source, build, extra);
  if (!run.ok) return run;
  return run_tool({CMAKE_BIN, "--build", build.string()}, /*merge_stderr=*/true);
}

bool exports_only_wasi_cli_run(const World& w) {
  return w.exports.size() == 1 && w.exports.begin()->starts_with("wasi:cli/run@0.2.");
}

std::string read_file_text(const fs::path& path) {
  std::stringstream text;
  text << std::ifstream(path).rdbuf();
  return text.str();
}

// Every template: a UI built from the UI kit, and a CMakeLists.txt that finds the SDK instead of naming its path.
void expect_template_basics(const fs::path& project) {
  std::string cmake_lists = read_file_text(project / "CMakeLists.txt");
  EXPECT_NE(cmake_lists.find("find_package(WeftSdk REQUIRED)"), std::string::npos) << cmake_lists;
  EXPECT_EQ(cmake_lists.find(WEFT_SOURCE_DIR), std::string::npos) << cmake_lists;
  std::string page = read_file_text(project / "ui/index.html");
  for (const char* element : {"<weft-card>", "<weft-input", "<weft-button", "<weft-label"})
    EXPECT_NE(page.find(element), std::string::npos) << element << " in\n" << page;
}

TEST(SdkProjects, TheDemoAppsBuildFromACleanTreeWithTheSdkAlone) {
  TempDir build;
  ToolRun run = configure_and_build(WEFT_SOURCE_DIR "/apps", build.path());
  ASSERT_TRUE(run.ok) << run.output;
  for (const char* id : {"org.weft.demo.counter", "org.weft.demo.notes"}) {
    fs::path package = fs::path(build / "packages") / id;
    EXPECT_TRUE(fs::is_regular_file(package / "wapp.toml")) << id;
    EXPECT_TRUE(fs::is_regular_file(package / "ui" / "index.html")) << id;
    World w = world_of((package / "app.wasm").string());
    ASSERT_TRUE(w.error.empty()) << w.error;
    EXPECT_EQ(w.weft_imports, kNotifyAndIpc) << id;
    EXPECT_TRUE(exports_only_wasi_cli_run(w)) << id;
  }
}

TEST(SdkProjects, AnAppMadeByWeftNewAppBuildsAndAnswersItsPage) {
  TempDir work;
  fs::path project = work / "hello";
  ToolRun created = run_tool({WEFT_SOURCE_DIR "/sdk/weft-new-app", project.string(), "org.example.hello"}, true);
  ASSERT_TRUE(created.ok) << created.output;
  expect_template_basics(project);
  ToolRun built = configure_and_build(project, project / "build");
  ASSERT_TRUE(built.ok) << built.output;
  fs::path component = project / "build" / "packages" / "org.example.hello" / "app.wasm";
  ToolRun transpiled = run_tool({JCO_WRAPPER, "transpile", component.string(), "-o", work / "js",
                                 "--name", "app", "--instantiation", "async", "--no-typescript", "-q"},
                                true);
  ASSERT_TRUE(transpiled.ok) << transpiled.output;
  fs::copy_file(WEFT_SOURCE_DIR "/tests/sdk/transpiled-package.json", work / "js/package.json");

  AppSession app = AppSession::start(Backend::Jco, {"org.example.hello", component.string(),
                                                    work / "js/app.js"});
  ASSERT_TRUE(app.ok()) << app.error();
  EXPECT_EQ(app.request({{"op", "greet"}, {"name", "Ada \"L\""}}),
            nlohmann::json({{"op", "greeting"}, {"text", "Hello, Ada \"L\"!"}}));
}

TEST(SdkProjects, WeftNewAppMakesACxxAppThatBuildsAndPassesCheck) {
  TempDir work;
  fs::path project = work / "hello";
  ToolRun created =
      run_tool({WEFT_SOURCE_DIR "/sdk/weft-new-app", "--template", "cpp", project.string(), "org.example.hello"}, true);
  ASSERT_TRUE(created.ok) << created.output;
  expect_template_basics(project);
  EXPECT_TRUE(fs::is_regular_file(project / "src/main.cpp"));
  ToolRun built = configure_and_build(project, project / "build");
  ASSERT_TRUE(built.ok) << built.output;
  EXPECT_NE(built.output.find("\nOK\n"), std::string::npos) << "weft-pack check did not run:\n" << built.output;
  World w = world_of((project / "build/packages/org.example.hello/app.wasm").string());
  ASSERT_TRUE(w.error.empty()) << w.error;
  EXPECT_EQ(w.weft_imports, kNotifyAndIpc);
}

// Configure only: componentize-js costs ≈35 s of CPU per component, over this suite's budget; the build itself runs
// when WEFT_SLOW_TESTS is set (below), and the todo demo proves the same weft_add_js_app path on every build.
TEST(SdkProjects, WeftNewAppMakesAJavaScriptAppWhoseProjectConfigures) {
  TempDir work;
  fs::path project = work / "hello";
  ToolRun created =
      run_tool({WEFT_SOURCE_DIR "/sdk/weft-new-app", "--template", "js", project.string(), "org.example.hello"}, true);
  ASSERT_TRUE(created.ok) << created.output;
  expect_template_basics(project);
  EXPECT_NE(read_file_text(project / "wit/world.wit").find("export wasi:cli/run@0.2.12;"), std::string::npos);
  EXPECT_NE(read_file_text(project / "src/app.js").find("export const run"), std::string::npos);
  ToolRun configured = configure(project, project / "build");
  ASSERT_TRUE(configured.ok) << configured.output;
}

TEST(SdkProjects, WeftNewAppMakesAJavaScriptAppThatBuildsAndPassesCheck) {
  if (!std::getenv("WEFT_SLOW_TESTS")) GTEST_SKIP() << "componentize-js build (≈35 s of CPU): set WEFT_SLOW_TESTS=1";
  TempDir work;
  fs::path project = work / "hello";
  ToolRun created =
      run_tool({WEFT_SOURCE_DIR "/sdk/weft-new-app", "--template", "js", project.string(), "org.example.hello"}, true);
  ASSERT_TRUE(created.ok) << created.output;
  ToolRun configured = configure(project, project / "build");
  ASSERT_TRUE(configured.ok) << configured.output;
  // componentize-js alone can outlast run_tool's patience on a busy machine.
  SpawnOptions build;
  build.argv = {CMAKE_BIN, "--build", (project / "build").string()};
  build.inherit_environment = true;
  auto built = weft::test::run_child(std::move(build), {.merge_stderr = true}, std::chrono::minutes(5));
  ASSERT_TRUE(built.status.success()) << built.status.describe() << "\n" << built.out;
  EXPECT_NE(built.out.find("\nOK\n"), std::string::npos) << "weft-pack check did not run:\n" << built.out;
}

TEST(SdkProjects, WeftNewAppRefusesAnUnknownTemplate) {
  TempDir work;
  ToolRun run = run_tool({WEFT_SOURCE_DIR "/sdk/weft-new-app", "--template", "rust", work / "x", "org.example.x"}, true);
  EXPECT_FALSE(run.ok);
  EXPECT_NE(run.output.find("--template must be c, cpp or js, not 'rust'"), std::string::npos) << run.output;
}

TEST(SdkProjects, WeftNewAppRefusesAnInvalidAppId) {
  TempDir work;
  ToolRun run = run_tool({WEFT_SOURCE_DIR "/sdk/weft-new-app", work / "x", "Org.Example"}, true);
  EXPECT_FALSE(run.ok);
  EXPECT_NE(run.output.find("'Org.Example' is not a valid app id"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(work / "x"));
}

// Configures a one-call project around a weft-new-app tree and returns cmake's output (the call is the only change).
ToolRun configure_with_call(const fs::path& work, const std::string& call, const std::string& manifest_capabilities) {
  fs::path project = work / "p";
  ToolRun created = run_tool({WEFT_SOURCE_DIR "/sdk/weft-new-app", project.string(), "org.example.probe"}, true);
  if (!created.ok) return created;
  std::ofstream(project / "CMakeLists.txt", std::ios::trunc)
      << "cmake_minimum_required(VERSION 3.25)\nproject(p LANGUAGES NONE)\ninclude(" WEFT_SOURCE_DIR
         "/sdk/cmake/WeftApp.cmake)\n"
      << call << "\n";
  std::string toml = "[package]\nid = \"org.example.probe\"\nname = \"P\"\nversion = \"1\"\n" + manifest_capabilities +
                     "[runtime]\nmodule = \"app.wasm\"\n[ui]\nentry = \"ui/index.html\"\n";
  std::ofstream(project / "wapp.toml", std::ios::trunc) << toml;
  return configure(project, project / "build");
}

TEST(SdkProjects, ConfigureFailsWithAClearMessageForCapabilitiesTheManifestCannotReceive) {
  TempDir work;
  ToolRun run = configure_with_call(
      work.path(), "weft_add_app(p SOURCES src/main.c WIT wit WORLD app MANIFEST wapp.toml UI ui CAPABILITIES fs:rw:app-data)",
      "");
  EXPECT_FALSE(run.ok);
  EXPECT_NE(run.output.find("CAPABILITIES given but"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("capabilities = @WEFT_APP_CAPABILITIES@"), std::string::npos) << run.output;
}

TEST(SdkProjects, ConfigureFailsOnAMisspeltKeyword) {
  TempDir work;
  ToolRun run = configure_with_call(
      work.path(), "weft_add_app(p SOURCES src/main.c WIT wit WORLD app MANIFEST wapp.toml UI ui CAPABILITY x)",
      "capabilities = @WEFT_APP_CAPABILITIES@\n");
  EXPECT_FALSE(run.ok);
  EXPECT_NE(run.output.find("weft_add_app(p): unexpected arguments: CAPABILITY;x"), std::string::npos) << run.output;
}

TEST(SdkProjects, TheManifestReceivesTheCapabilitiesAsATomlArray) {
  TempDir work;
  ToolRun run = configure_with_call(work.path(),
                                    "weft_add_app(p SOURCES src/main.c WIT wit WORLD app MANIFEST wapp.toml UI ui "
                                    "CAPABILITIES fs:rw:app-data net:fetch:example.org)",
                                    "capabilities = @WEFT_APP_CAPABILITIES@\n");
  ASSERT_TRUE(run.ok) << run.output;
  ToolRun built = run_tool({CMAKE_BIN, "--build", work / "p/build"}, true);
  ASSERT_TRUE(built.ok) << built.output;
  std::ifstream manifest(work / "p/build/packages/org.example.probe/wapp.toml");
  std::stringstream text;
  text << manifest.rdbuf();
  EXPECT_NE(text.str().find("capabilities = [\"fs:rw:app-data\", \"net:fetch:example.org\"]\n"), std::string::npos)
      << text.str();
}

TEST(SdkProjects, AnInvalidAppIdInTheManifestIsExplainedAtConfigure) {
  TempDir work;
  ToolRun run = configure_with_call(work.path(), "weft_add_app(p SOURCES src/main.c WIT wit WORLD app MANIFEST wapp.toml UI ui)",
                                    "capabilities = @WEFT_APP_CAPABILITIES@\n");
  ASSERT_TRUE(run.ok) << run.output;
  std::string toml = read_file_text(work / "p/wapp.toml");
  for (auto [bad, why] : {std::pair<std::string, std::string>{"org.Example.probe", "segment 2 \"Example\" must start with a lowercase letter a-z"},
                          {"org.example", "it needs at least 3 dot-separated segments, has 2"},
                          {"org.my-app.probe", "segment 2 \"my-app\" may contain only a-z and 0-9"}}) {
    std::string text = toml;
    text.replace(text.find("org.example.probe"), std::string("org.example.probe").size(), bad);
    std::ofstream(work / "p/wapp.toml", std::ios::trunc) << text;
    ToolRun again = configure(work / "p", work / "p/build");
    EXPECT_FALSE(again.ok) << bad;
    // CMake wraps long messages: compare with the line breaks and indentation taken out.
    std::string flat;
    for (char c : again.output) {
      if (c == '\n') continue;
      if (c == ' ' && !flat.empty() && flat.back() == ' ') continue;
      flat += c;
    }
    EXPECT_NE(flat.find("[package] id \"" + bad + "\" is not a valid app id: " + why), std::string::npos) << again.output;
    EXPECT_EQ(flat.find("has no [package] id"), std::string::npos) << again.output;
  }
}

TEST(SdkProjects, TheBuildRunsWeftPackCheckSoAMisspeltManifestKeyFailsIt) {
  TempDir work;
  ToolRun run = configure_with_call(work.path(), "weft_add_app(p SOURCES src/main.c WIT wit WORLD app MANIFEST wapp.toml UI ui)",
                                    "capabilites = @WEFT_APP_CAPABILITIES@\n");
  ASSERT_TRUE(run.ok) << run.output;
  ToolRun built = run_tool({CMAKE_BIN, "--build", work / "p/build"}, true);
  EXPECT_FALSE(built.ok) << built.output;
  EXPECT_NE(built.output.find("unknown key 'capabilites' in [package] (did you mean 'capabilities'?)"),
            std::string::npos)
      << built.output;
}

// Configure only: building would compile the SQLite amalgamation once more in this fresh tree (≈25 s of CPU); the
// same LIBRARIES sqlite build is exercised by tests/runtime's SQLite fixture.
TEST(SdkProjects, WeftNewAppWithSqliteMakesAProjectThatLinksSqliteAndGetsItsDataDirectory) {
  TempDir work;
  fs::path project = work / "hello";
  ToolRun created =
      run_tool({WEFT_SOURCE_DIR "/sdk/weft-new-app", "--sqlite", project.string(), "org.example.hello"}, true);
  ASSERT_TRUE(created.ok) << created.output;
  std::stringstream cmake_lists, main_c;
  cmake_lists << std::ifstream(project / "CMakeLists.txt").rdbuf();
  main_c << std::ifstream(project / "src/main.c").rdbuf();
  EXPECT_NE(cmake_lists.str().find("LIBRARIES sqlite"), std::string::npos) << cmake_lists.str();
  EXPECT_NE(cmake_lists.str().find("CAPABILITIES fs:rw:app-data"), std::string::npos) << cmake_lists.str();
  EXPECT_NE(main_c.str().find("sqlite3_open(\"/data/app.db\""), std::string::npos);
  ToolRun configured = configure(project, project / "build");
  ASSERT_TRUE(configured.ok) << configured.output;
  std::stringstream manifest;
  manifest << std::ifstream(project / "build/hello.dir/wapp.toml").rdbuf();
  EXPECT_NE(manifest.str().find("capabilities = [\"fs:rw:app-data\"]"), std::string::npos) << manifest.str();
}

TEST(SdkProjects, AnUnknownLibraryIsRefusedNamingTheOnesTheSdkProvides) {
  TempDir work;
  ToolRun run = configure_with_call(
      work.path(), "weft_add_app(p SOURCES src/main.c WIT wit WORLD app MANIFEST wapp.toml UI ui LIBRARIES zlib)",
      "capabilities = @WEFT_APP_CAPABILITIES@\n");
  EXPECT_FALSE(run.ok);
  // CMake wraps the message; each part stays on one line.
  EXPECT_NE(run.output.find("unknown library 'zlib' in LIBRARIES"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("SDK provides: sqlite"), std::string::npos) << run.output;
}

TEST(SdkProjects, TheToolchainFileBuildsCxxCoreModulesThatBecomeComponents) {
  TempDir build;
  ToolRun run = configure_and_build(WEFT_SOURCE_DIR "/tests/sdk/toolchain_project", build.path(),
                                    {"-DCMAKE_TOOLCHAIN_FILE=" WEFT_SOURCE_DIR "/sdk/cmake/wasm32-wasi-clang19.cmake"});
  ASSERT_TRUE(run.ok) << run.output;
  World w = world_of(build / "probe.component.wasm");
  ASSERT_TRUE(w.error.empty()) << w.error;
  EXPECT_EQ(w.weft_imports, std::set<std::string>{"weft:app/notify@0.1.0"});
  EXPECT_TRUE(exports_only_wasi_cli_run(w));
}

}  // namespace
}  // namespace weft::test
