#include "install_layout.hpp"

#include <unistd.h>

#include <filesystem>

namespace weft::session {
namespace {

bool same_directory(const std::string& a, const std::string& b) {
  std::error_code ec;
  return !a.empty() && !b.empty() && std::filesystem::equivalent(a, b, ec);
}

}  // namespace

std::string InstallLayout::binary(const std::string& name) const {
  if (!helper_dir.empty() && ::access((helper_dir + "/" + name).c_str(), X_OK) == 0) return helper_dir + "/" + name;
  return bin_dir + "/" + name;
}

InstallLayout resolve_layout(const std::string& exe_dir, const BuildTree& build) {
  InstallLayout layout;
  layout.bin_dir = exe_dir;
  if (same_directory(exe_dir, build.bin_dir)) {
    layout.build_tree = true;
    layout.helper_dir = exe_dir;
    layout.system_ui_html = build.ui_dir + "/system-ui.html";
    layout.system_resources = build.ui_dir;
    layout.ui_kit_js = build.ui_dir + "/weft-ui-kit.js";
    layout.demo_packages_dir = build.packages_dir;
    layout.dev_public_key = build.dev_key_dir + "/weft-sign.pub";
    return layout;
  }
  std::string prefix = std::filesystem::path(exe_dir).parent_path().string();
  layout.helper_dir = prefix + "/lib/weft";
  layout.system_resources = prefix + "/share/weft/system";
  layout.system_ui_html = layout.system_resources + "/system-ui.html";
  layout.ui_kit_js = layout.system_resources + "/weft-ui-kit.js";
  return layout;
}

std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

}  // namespace weft::session
