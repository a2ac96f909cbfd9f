#pragma once
// Where weft-session finds the other WEFT programs and the files it hands them: next to itself. Two layouts exist:
// a build tree (everything in `<build>/bin`, demo packages and the development key built beside it, the system page
// in the source tree) and an installation (`<prefix>/bin/weft-session`, helpers in `<prefix>/lib/weft`, the system
// page in `<prefix>/share/weft/system`, demo packages already in the system store `/usr/share/weft/apps`).

#include <string>

namespace weft::session {

/// The build tree this weft-session was compiled in (compile-time paths; used only if the program still runs there).
struct BuildTree {
  std::string bin_dir;       // <build>/bin
  std::string packages_dir;  // <build>/packages/<app id>/
  std::string dev_key_dir;   // <build>/dev-keys (weft-sign.pub)
  std::string ui_dir;        // <source>/ui (system-ui.html, weft-ui-kit.js)
};

struct InstallLayout {
  bool build_tree = false;
  std::string bin_dir;             // the directory weft-session runs from
  std::string helper_dir;          // weft-runtime, weft-app-shell (installed: <prefix>/lib/weft)
  std::string system_ui_html;      // WEFT_SYSTEM_UI_HTML
  std::string system_resources;    // WEFT_SYSTEM_RESOURCES
  std::string ui_kit_js;           // WEFT_UI_KIT_JS
  std::string demo_packages_dir;   // build tree only: packages to install into the session's store
  std::string dev_public_key;      // build tree only: the key those packages are signed with

  /// Path of a WEFT program: `helper_dir/<name>` when that exists, else `bin_dir/<name>`.
  [[nodiscard]] std::string binary(const std::string& name) const;
};

/// The layout for a weft-session whose executable lives in `exe_dir`: the build tree's when `exe_dir` is the same
/// directory as `build.bin_dir`, else an installation whose prefix is the parent of `exe_dir`.
[[nodiscard]] InstallLayout resolve_layout(const std::string& exe_dir, const BuildTree& build);

/// The directory of the running executable (/proc/self/exe).
[[nodiscard]] std::string executable_dir();

}  // namespace weft::session
