#include "verity_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "weft/core/tool_run.hpp"

namespace weft::mount_helper {
namespace {

constexpr int kImageFd = 3, kHashFd = 4;  // fd numbers inside veritysetup's process
// Below appd's deadline for the whole helper, so the helper can still report and clean up.
constexpr std::chrono::milliseconds kVeritySetupTimeout{25000};

Result<void> run_veritysetup(std::vector<std::string> args, const std::vector<std::pair<int, int>>& fds) {
  ToolRequest request{
      .argv = {kVeritySetup}, .timeout = kVeritySetupTimeout, .env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.extra_fds = fds;
  request.overflow = ToolOverflow::truncate;
  auto run = run_tool_checked(request);
  if (!run) return fail(run.error().with_context("veritysetup " + args.front()));
  return ok();
}

// Mount entry at `path` from /proc/self/mountinfo: (source, fstype), if any.
std::optional<std::pair<std::string, std::string>> mount_entry(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::optional<std::pair<std::string, std::string>> found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    fields >> id >> parent >> devno >> root >> mount_point;
    if (mount_point != path) continue;
    std::string tok;
    while (fields >> tok && tok != "-") {
    }
    std::string fstype, source;
    fields >> fstype >> source;
    found = std::make_pair(source, fstype);  // the last entry is the topmost mount
  }
  return found;
}

}  // namespace

std::optional<std::string> mount_unavailable_reason() {
  if (::geteuid() != 0) return "not running as root";
  if (::access(kVeritySetup, X_OK) != 0) return std::string(kVeritySetup) + " is not installed";
  if (::access("/dev/mapper/control", F_OK) != 0) return "device-mapper is not available (/dev/mapper/control missing)";
  return std::nullopt;
}

Result<void> mount_verity(const MountRequest& r) {
  if (auto why = mount_unavailable_reason()) return fail("cannot mount: " + *why);
  const std::string& dev = r.mount_point.device_name;
  WEFT_TRY_VOID(run_veritysetup({"open", "/proc/self/fd/" + std::to_string(kImageFd), dev,
                                 "/proc/self/fd/" + std::to_string(kHashFd), r.root_hash},
                                {{r.image.get(), kImageFd}, {r.hash.get(), kHashFd}}));
  std::string target = "/proc/self/fd/" + std::to_string(r.mount_point.fd.get());
  std::string source = "/dev/mapper/" + dev;
  if (::mount(source.c_str(), target.c_str(), "erofs", MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC, nullptr) != 0) {
    auto e = errno_error("mount " + source + " on " + r.mount_point.path);
    (void)run_veritysetup({"close", dev}, {});
    return fail(e);
  }
  return ok();
}

Result<void> umount_verity(const MountPoint& mp) {
  auto entry = mount_entry(mp.path);
  std::string expected = "/dev/mapper/" + mp.device_name;
  if (!entry || entry->first != expected)
    return fail("'" + mp.path + "' does not carry the verity device " + mp.device_name);
  if (::umount2(mp.path.c_str(), UMOUNT_NOFOLLOW) != 0) return fail(errno_error("umount " + mp.path));
  return run_veritysetup({"close", mp.device_name}, {});
}

}  // namespace weft::mount_helper
