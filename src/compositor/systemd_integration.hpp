#pragma once
// Readiness under systemd (§1.1): export WAYLAND_DISPLAY to the user manager, then sd_notify READY=1.

#include <string>

#include "weft/core/result.hpp"

namespace weft::compositor {

/// True when started by systemd with a notify socket.
[[nodiscard]] bool under_systemd();
/// SetEnvironment on the user manager (what `systemctl --user import-environment WAYLAND_DISPLAY` does).
[[nodiscard]] Result<void> export_wayland_display(const std::string& socket_name);
/// READY=1 with a status line naming the socket.
[[nodiscard]] Result<void> notify_ready(const std::string& socket_name);

}  // namespace weft::compositor
