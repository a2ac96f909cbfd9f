#pragma once
// The privileged half of weft-mount-helper: dm-verity setup through the fixed /usr/sbin/veritysetup (fds passed as
// /proc/self/fd/N) and the EROFS mount/umount syscalls. Any failure undoes every earlier step.

#include "mount_request.hpp"
#include "weft/core/result.hpp"

namespace weft::mount_helper {

inline constexpr const char* kVeritySetup = "/usr/sbin/veritysetup";

/// Why the actual mount cannot happen on this machine (not root, no device-mapper, no veritysetup), or nullopt.
[[nodiscard]] std::optional<std::string> mount_unavailable_reason();

[[nodiscard]] Result<void> mount_verity(const MountRequest& request);
[[nodiscard]] Result<void> umount_verity(const MountPoint& mount_point);

}  // namespace weft::mount_helper
