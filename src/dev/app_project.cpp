#include "app_project.hpp"

#include <unistd.h>

#include <filesystem>

#include "weft/core/manifest.hpp"
#include "weft/core/paths.hpp"
#include "weft/core/tool_run.hpp"

namespace weft::dev {
namespace {

namespace fs = std::filesystem;
constexpr std::chrono::milliseconds kConfigureTimeout{120 * 1000};
constexpr std::chrono::milliseconds kBuildTimeout{300 * 1000};

bool path_exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

Result<void> run_cmake(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  argv.insert(argv.begin(), "cmake");
  auto run = run_tool({.argv = argv, .timeout = timeout, .max_stdout = 4u << 20, .max_stderr = 1u << 20,
                       .overflow = ToolOverflow::truncate, .inherit_environment = true});
  if (!run) return fail(run.error());
  if (!run->status.success()) {
    std::string command;
    for (const auto& arg : argv) command += (command.empty() ? "" : " ") + arg;
    return fail(command + " " + run->status.describe() + ":\n" + run->out + run->err);
  }
  return ok();
}

}  // namespace

std::string AppProject::ui_dir() const {
  if (kind == Kind::build_dir) return "";
  return source_dir + "/ui";
}

std::vector<std::string> AppProject::component_dirs() const {
  if (kind != Kind::cmake_project) return {};
  std::vector<std::string> dirs;
  for (const char* name : {"src", "wit"})
    if (path_exists(source_dir + "/" + name)) dirs.push_back(source_dir + "/" + name);
  return dirs;
}

Result<AppProject> find_project(const std::string& dir) {
  std::error_code ec;
  fs::path path = fs::weakly_canonical(fs::absolute(dir), ec);
  if (ec || !fs::is_directory(path, ec))
    return fail(dir + " is not a directory (give weft-dev run a package, an app project or its build directory)");
  AppProject project;
  if (path_exists(path / "CMakeCache.txt")) {
    project.kind = AppProject::Kind::build_dir;
    project.build_dir = path.string();
  } else if (path_exists(path / "CMakeLists.txt")) {
    project.kind = AppProject::Kind::cmake_project;
    project.source_dir = path.string();
    project.build_dir = (path / "build").string();
  } else if (path_exists(path / "wapp.toml")) {
    project.kind = AppProject::Kind::package;
    project.source_dir = project.package_dir = path.string();
  } else {
    return fail(dir + " holds neither wapp.toml (a package), CMakeLists.txt (an app project, e.g. from weft-new-app) "
                      "nor CMakeCache.txt (a build directory)");
  }
  return project;
}

bool ninja_installed() {
  auto run = run_tool({.argv = {"ninja", "--version"}, .timeout = std::chrono::milliseconds(5000), .inherit_environment = true});
  return run && run->status.success();
}

Result<void> sync_ui(const AppProject& project) {
  if (project.kind != AppProject::Kind::cmake_project || project.package_dir.empty()) return ok();
  std::error_code ec;
  fs::path target = fs::path(project.package_dir) / "ui";
  fs::path staging = fs::path(project.package_dir) / ".ui-sync";
  fs::remove_all(staging, ec);
  fs::copy(project.ui_dir(), staging, fs::copy_options::recursive, ec);
  if (ec) return fail("cannot copy " + project.ui_dir() + " into " + staging.string() + ": " + ec.message());
  fs::remove_all(target, ec);
  fs::rename(staging, target, ec);
  if (ec) return fail("cannot replace " + target.string() + ": " + ec.message());
  return ok();
}

Result<void> build(AppProject& project) {
  if (project.kind == AppProject::Kind::cmake_project && !path_exists(project.build_dir + "/CMakeCache.txt")) {
    std::vector<std::string> configure = {"-S", project.source_dir, "-B", project.build_dir};
    // Generated projects call find_package(WeftSdk): point CMake at this checkout's SDK (a CMAKE_PREFIX_PATH in the
    // environment is searched as well, so a developer's own choice still works).
    std::string sdk = paths::env_or("WEFT_SDK_DIR", WEFT_CHECKOUT_SDK_DIR);
    if (path_exists(fs::path(sdk) / "cmake" / "WeftSdkConfig.cmake")) configure.push_back("-DCMAKE_PREFIX_PATH=" + sdk);
    if (ninja_installed()) configure.insert(configure.end(), {"-G", "Ninja"});
    WEFT_TRY_VOID(run_cmake(configure, kConfigureTimeout));
  }
  if (project.kind != AppProject::Kind::package) {
    WEFT_TRY_VOID(run_cmake({"--build", project.build_dir}, kBuildTimeout));
    std::vector<std::string> packages;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(project.build_dir + "/packages", ec))
      if (entry.is_directory(ec)) packages.push_back(entry.path().string());
    if (packages.size() != 1)
      return fail(project.build_dir + "/packages holds " + std::to_string(packages.size()) +
                  " packages; weft-dev runs a project with exactly one (give it the package directory instead)");
    project.package_dir = packages.front();
  }
  WEFT_TRY(Manifest manifest, load_manifest(project.package_dir));
  project.app_id = manifest.id;
  return ok();
}

}  // namespace weft::dev
