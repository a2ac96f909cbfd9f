#pragma once
// What `weft-dev run <dir>` was given, and how to (re)build it: a package directory (wapp.toml + module + ui/), a CMake
// app project (CMakeLists.txt using the SDK: configured into <dir>/build once, then built), or such a project's build
// directory (CMakeCache.txt: built). A project's package is the one directory in <build>/packages/.

#include <string>

#include <vector>

#include "weft/core/result.hpp"

namespace weft::dev {

struct AppProject {
  enum class Kind { package, cmake_project, build_dir };
  Kind kind = Kind::package;
  std::string source_dir;   // cmake_project: the project; package: the package (edited in place)
  std::string build_dir;    // cmake_project, build_dir
  std::string package_dir;  // after build(): the package to install
  std::string app_id;       // after build()

  /// The directory whose edits reload the page (the project's or the package's `ui/`); empty for a bare build dir.
  [[nodiscard]] std::string ui_dir() const;
  /// The directories whose edits rebuild the component (a project's `src/` and `wit/`); empty for packages.
  [[nodiscard]] std::vector<std::string> component_dirs() const;
};

/// Classifies `dir` (an error names what a usable directory holds).
[[nodiscard]] Result<AppProject> find_project(const std::string& dir);

/// A ui/ edit of a CMake project, without a build: the project's `ui/` replaces the package's (what the SDK's build
/// step does for UI files, in a fraction of its time). Other kinds: nothing to do.
[[nodiscard]] Result<void> sync_ui(const AppProject& project);

/// Configures (once; with Ninja when it is installed: a rebuild then costs milliseconds, not a Makefile scan) and builds a CMake project or build directory with cmake, echoing nothing unless it fails (the
/// error then carries cmake's output); then finds the package and reads its app id.
[[nodiscard]] Result<void> build(AppProject& project);

}  // namespace weft::dev
