#include "verity_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

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

Result<void> unmount_held(MountPoint& mp, dev_t device) {
  struct stat st {};
  if (::fstat(mp.fd.get(), &st) != 0) return fail(errno_error("mount point " + mp.path));
  if (st.st_dev != device) return fail("'" + mp.path + "' does not carry the verity device " + mp.device_name);
  // The held fd names the mount itself; the path string would be resolved again through directories the user owns
  // and can swap for a link after validation. /proc/self/fd/N is a magic link, so UMOUNT_NOFOLLOW would stop at the
  // link. The fd itself keeps the mount busy, so it is detached (MNT_DETACH) and released right after: the
  // filesystem goes when its last user closes it.
  std::string held = "/proc/self/fd/" + std::to_string(mp.fd.get());
  if (::umount2(held.c_str(), MNT_DETACH) != 0) return fail(errno_error("umount " + mp.path));
  mp.fd.reset();
  return ok();
}

Result<void> umount_verity(MountPoint& mp) {
  std::string mapper = "/dev/mapper/" + mp.device_name;
  struct stat dev {};
  if (::stat(mapper.c_str(), &dev) != 0 || !S_ISBLK(dev.st_mode))
    return fail("'" + mp.path + "' does not carry the verity device " + mp.device_name + " (" + mapper +
                " is not a block device)");
  WEFT_TRY_VOID(unmount_held(mp, dev.st_rdev));
  // Deferred: a process still holding a file of the detached filesystem keeps the device until it lets go.
  return run_veritysetup({"close", "--deferred", mp.device_name}, {});
}

}  // namespace weft::mount_helper
