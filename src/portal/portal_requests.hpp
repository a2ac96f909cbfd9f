#pragma once
// One portal request (§7.1, compat shapes): read → {"data_b64":B}, write → null, list → {"entries":[…]} sorted
// bytewise; errors {"error":"access denied: <P>"}, {"error":"bad request: <why>"}, {"error":"<system error text>"}.

#include <string_view>
#include <vector>

#include "portal_roots.hpp"
#include "weft/core/result.hpp"

namespace weft::portal {

inline constexpr size_t kMaxLineBytes = 24u << 20;     // bytes per JSON line, each way
inline constexpr size_t kMaxPayloadBytes = 16u << 20;  // bytes of file data read or written

/// Handles one request line and writes exactly one response line to `out_fd` (a read response is streamed in
/// chunks, so a 16 MiB file never needs a 22 MiB string). Fails only when the response cannot be written.
[[nodiscard]] Result<void> handle_request(const std::vector<PortalRoot>& roots, std::string_view line, int out_fd);

}  // namespace weft::portal
