#include "weft/core/paths.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

namespace {

// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  void set(const char* name, const char* value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name);
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    for (auto& [name, value] : saved_) {
      if (value) ::setenv(name.c_str(), value->c_str(), 1);
      else ::unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST(Paths, RuntimeDirIsRequiredAndNamedInTheError) {
  ScopedEnv env;
  env.set("XDG_RUNTIME_DIR", nullptr);
  auto r = weft::paths::weft_runtime_dir();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("XDG_RUNTIME_DIR is not set"), std::string::npos);
  env.set("XDG_RUNTIME_DIR", "relative/dir");
  EXPECT_FALSE(weft::paths::runtime_dir().ok());
}

TEST(Paths, RendezvousFilesLiveInTheWeftRuntimeDir) {
  ScopedEnv env;
  env.set("XDG_RUNTIME_DIR", "/run/user/1000");
  env.set("WEFT_APPD_SOCKET", nullptr);
  env.set("WEFT_COMPOSITOR_SOCKET", nullptr);
  EXPECT_EQ(*weft::paths::compositor_display_file(), "/run/user/1000/weft/compositor.display");
  EXPECT_EQ(*weft::paths::compositor_socket(), "/run/user/1000/weft/compositor.sock");
  EXPECT_EQ(*weft::paths::appd_socket(), "/run/user/1000/weft/appd.sock");
  EXPECT_EQ(*weft::paths::appd_wsport_file(), "/run/user/1000/weft/appd.wsport");
  EXPECT_EQ(*weft::paths::appd_systoken_file(), "/run/user/1000/weft/appd.systoken");
  EXPECT_EQ(*weft::paths::ipc_socket(7), "/run/user/1000/weft/ipc-7.sock");
  EXPECT_EQ(*weft::paths::portal_socket(7), "/run/user/1000/weft/portal-7.sock");
  EXPECT_EQ(*weft::paths::shell_dir(7), "/run/user/1000/weft/shell-7");
  EXPECT_EQ(*weft::paths::mount_dir(), "/run/user/1000/weft/mnt");
  EXPECT_EQ(*weft::paths::last_session_file(), "/run/user/1000/weft/last-session.json");
}

TEST(Paths, SocketVariablesOverrideTheDefaults) {
  ScopedEnv env;
  env.set("XDG_RUNTIME_DIR", "/run/user/1000");
  env.set("WEFT_APPD_SOCKET", "/tmp/a.sock");
  env.set("WEFT_COMPOSITOR_SOCKET", "/tmp/c.sock");
  EXPECT_EQ(*weft::paths::appd_socket(), "/tmp/a.sock");
  EXPECT_EQ(*weft::paths::compositor_socket(), "/tmp/c.sock");
}

TEST(Paths, XdgHomesAreUsedOnlyWhenAbsolute) {
  ScopedEnv env;
  env.set("HOME", "/home/u");
  env.set("XDG_DATA_HOME", "relative");
  env.set("XDG_CONFIG_HOME", nullptr);
  EXPECT_EQ(*weft::paths::data_home(), "/home/u/.local/share");
  EXPECT_EQ(*weft::paths::config_home(), "/home/u/.config");
  env.set("XDG_DATA_HOME", "/data");
  EXPECT_EQ(*weft::paths::data_home(), "/data");
  EXPECT_EQ(*weft::paths::app_data_dir("org.a.b"), "/data/weft/app-data/org.a.b");
  EXPECT_EQ(*weft::paths::owners_dir(), "/data/weft/owners");
  EXPECT_EQ(*weft::paths::approvals_dir(), "/data/weft/approvals");
}

TEST(Paths, StoreRootsAreInPriorityOrderUnlessOverridden) {
  ScopedEnv env;
  env.set("HOME", "/home/u");
  env.set("WEFT_APP_STORE", nullptr);
  EXPECT_EQ(weft::paths::store_roots(),
            (std::vector<std::string>{"/home/u/.local/share/weft/apps", "/usr/share/weft/apps"}));
  env.set("WEFT_APP_STORE", "/store");
  EXPECT_EQ(weft::paths::store_roots(), (std::vector<std::string>{"/store"}));
}

TEST(Paths, TrustedKeyDirsFollowConfigHomeUnlessOverridden) {
  ScopedEnv env;
  env.set("HOME", "/home/u");
  env.set("XDG_CONFIG_HOME", "/cfg");
  env.set("WEFT_TRUSTED_KEYS", nullptr);
  EXPECT_EQ(weft::paths::trusted_key_dirs(),
            (std::vector<std::string>{"/cfg/weft/trusted-keys", "/etc/weft/trusted-keys"}));
  env.set("WEFT_TRUSTED_KEYS", "/keys");
  EXPECT_EQ(weft::paths::trusted_key_dirs(), (std::vector<std::string>{"/keys"}));
}

TEST(Paths, EnsureRuntimeDirCreatesItPrivate) {
  namespace fs = std::filesystem;
  ScopedEnv env;
  fs::path base = fs::temp_directory_path() / ("weft-paths-" + std::to_string(::getpid()));
  fs::create_directories(base);
  env.set("XDG_RUNTIME_DIR", base.c_str());
  ::mkdir((base / "weft").c_str(), 0755);  // too open: must be tightened
  auto dir = weft::paths::ensure_weft_runtime_dir();
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(dir->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  fs::remove_all(base);
}

}  // namespace
