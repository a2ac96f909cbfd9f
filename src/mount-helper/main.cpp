// weft-mount-helper mount <img> <hash> <roothash> <mountpoint> | umount <mountpoint>  (spec §7.2)
// Setuid root (or run by root). It acts for the real uid only, trusts nothing from its environment, and exits 1 on
// any refusal or failure.

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "weft/core/version.hpp"
#include "mount_request.hpp"
#include "verity_mount.hpp"

namespace {

int refuse(const std::string& message) {
  std::fprintf(stderr, "weft-mount-helper: %s\n", message.c_str());
  return 1;
}

constexpr const char* kUsage =
    "usage: weft-mount-helper mount <img> <hash> <roothash> <mountpoint>\n"
    "       weft-mount-helper umount <mountpoint>";

}  // namespace

int main(int argc, char** argv) {
  // Nothing from the caller's environment may steer a privileged process (LD_*, PATH, locale, …).
  ::clearenv();
  ::setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
  ::umask(077);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--version") {
    std::printf("%s\n", weft::version_line("weft-mount-helper").c_str());
    return 0;
  }
  bool is_mount = args.size() == 5 && args[0] == "mount";
  bool is_umount = args.size() == 2 && args[0] == "umount";
  if (!is_mount && !is_umount) return refuse(kUsage);
  if (::geteuid() != 0) return refuse("refusing to run: the effective uid is not 0 (install setuid root)");
  const uid_t real_uid = ::getuid();
  weft::mount_helper::HelperPaths paths;  // fixed system locations only
  if (is_mount) {
    auto req = weft::mount_helper::validate_mount(paths, real_uid, args[1], args[2], args[3], args[4]);
    if (!req) return refuse(req.error().message);
    if (auto r = weft::mount_helper::mount_verity(*req); !r) return refuse(r.error().message);
    return 0;
  }
  auto mp = weft::mount_helper::validate_umount(paths, real_uid, args[1]);
  if (!mp) return refuse(mp.error().message);
  if (auto r = weft::mount_helper::umount_verity(*mp); !r) return refuse(r.error().message);
  return 0;
}
