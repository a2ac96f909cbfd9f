#include "weft/core/paths.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>

#include "weft/core/fd.hpp"

namespace weft::paths {
namespace {
const char* env(const char* name) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : nullptr;
}
bool is_absolute(const char* p) { return p && p[0] == '/'; }

Result<std::string> in_weft_runtime(const char* override_var, const std::string& name) {
  if (override_var) {
    if (const char* v = env(override_var)) return std::string(v);
  }
  WEFT_TRY(std::string dir, weft_runtime_dir());
  return dir + "/" + name;
}
}  // namespace

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = env(name);
  return v ? std::string(v) : fallback;
}

Result<std::string> runtime_dir() {
  const char* v = env("XDG_RUNTIME_DIR");
  if (!v) return fail("XDG_RUNTIME_DIR is not set; WEFT needs a private per-user runtime directory");
  if (!is_absolute(v)) return fail(std::string("XDG_RUNTIME_DIR '") + v + "' is not an absolute path");
  return std::string(v);
}

Result<std::string> weft_runtime_dir() {
  WEFT_TRY(std::string base, runtime_dir());
  return base + "/weft";
}

Result<std::string> ensure_weft_runtime_dir() {
  WEFT_TRY(std::string dir, weft_runtime_dir());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return fail(errno_error("mkdir " + dir));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return fail(errno_error("stat " + dir));
  if (!S_ISDIR(st.st_mode)) return fail(dir + " exists and is not a directory");
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) return fail(errno_error("chmod " + dir));
  return dir;
}

Result<std::string> home_dir() {
  const char* v = env("HOME");
  if (!is_absolute(v)) return fail("HOME is not set to an absolute path");
  return std::string(v);
}

Result<std::string> data_home() {
  const char* v = env("XDG_DATA_HOME");
  if (is_absolute(v)) return std::string(v);
  WEFT_TRY(std::string home, home_dir());
  return home + "/.local/share";
}

Result<std::string> config_home() {
  const char* v = env("XDG_CONFIG_HOME");
  if (is_absolute(v)) return std::string(v);
  WEFT_TRY(std::string home, home_dir());
  return home + "/.config";
}

std::vector<std::string> store_roots() {
  if (const char* v = env("WEFT_APP_STORE")) return {v};
  std::vector<std::string> roots;
  if (auto home = home_dir()) roots.push_back(*home + "/.local/share/weft/apps");
  roots.emplace_back("/usr/share/weft/apps");
  return roots;
}

std::vector<std::string> trusted_key_dirs() {
  if (const char* v = env("WEFT_TRUSTED_KEYS")) return {v};
  std::vector<std::string> dirs;
  if (auto cfg = config_home()) dirs.push_back(*cfg + "/weft/trusted-keys");
  dirs.emplace_back("/etc/weft/trusted-keys");
  return dirs;
}

Result<std::string> app_data_dir(const std::string& app_id) {
  WEFT_TRY(std::string d, data_home());
  return d + "/weft/app-data/" + app_id;
}
Result<std::string> owners_dir() {
  WEFT_TRY(std::string d, data_home());
  return d + "/weft/owners";
}
Result<std::string> approvals_dir() {
  WEFT_TRY(std::string d, data_home());
  return d + "/weft/approvals";
}

Result<std::string> compositor_display_file() { return in_weft_runtime(nullptr, "compositor.display"); }
Result<std::string> compositor_socket() { return in_weft_runtime("WEFT_COMPOSITOR_SOCKET", "compositor.sock"); }
Result<std::string> appd_socket() { return in_weft_runtime("WEFT_APPD_SOCKET", "appd.sock"); }
Result<std::string> appd_wsport_file() { return in_weft_runtime(nullptr, "appd.wsport"); }
Result<std::string> appd_systoken_file() { return in_weft_runtime(nullptr, "appd.systoken"); }
Result<std::string> last_session_file() { return in_weft_runtime(nullptr, "last-session.json"); }
Result<std::string> ipc_socket(unsigned long long sid) {
  return in_weft_runtime(nullptr, "ipc-" + std::to_string(sid) + ".sock");
}
Result<std::string> portal_socket(unsigned long long sid) {
  return in_weft_runtime(nullptr, "portal-" + std::to_string(sid) + ".sock");
}
Result<std::string> shell_dir(unsigned long long sid) { return in_weft_runtime(nullptr, "shell-" + std::to_string(sid)); }
Result<std::string> mount_dir() { return in_weft_runtime(nullptr, "mnt"); }

}  // namespace weft::paths
