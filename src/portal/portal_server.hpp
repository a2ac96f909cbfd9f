#pragma once
// The portal's socket loop: accepts peers of its own uid only (SO_PEERCRED), one thread per connection (bounded),
// one JSON request per line.

#include <string>
#include <vector>

#include "portal_roots.hpp"
#include "weft/core/result.hpp"

namespace weft::portal {

inline constexpr int kMaxConnections = 16;

/// Serves `listen_fd` until the process is terminated.
[[nodiscard]] Result<void> serve(int listen_fd, const std::vector<PortalRoot>& roots);

}  // namespace weft::portal
