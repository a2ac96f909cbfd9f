#pragma once
// The privileged half of weft-mount-helper: dm-verity setup through the fixed /usr/sbin/veritysetup (fds passed as
// /proc/self/fd/N) and the EROFS mount/umount syscalls. Any failure undoes every earlier step.

#include <sys/types.h>

#include "mount_request.hpp"
#include "weft/core/result.hpp"

namespace weft::mount_helper {

inline constexpr const char* kVeritySetup = "/usr/sbin/veritysetup";

/// Why the actual mount cannot happen on this machine (not root, no device-mapper, no veritysetup), or nullopt.
[[nodiscard]] std::optional<std::string> mount_unavailable_reason();

[[nodiscard]] Result<void> mount_verity(const MountRequest& request);
/// Unmounts the verity device `weft-R-<token>` from the mount whose root `mount_point.fd` holds, then closes the
/// device. Refused unless that mount's filesystem is on /dev/mapper/weft-R-<token>.
[[nodiscard]] Result<void> umount_verity(MountPoint& mount_point);
/// The unmount step on its own: refused unless the filesystem of `mount_point.fd` is `device` (an st_rdev); then
/// detaches exactly the mount that fd is on (through /proc/self/fd/N, never the path) and closes the fd.
[[nodiscard]] Result<void> unmount_held(MountPoint& mount_point, dev_t device);

}  // namespace weft::mount_helper
