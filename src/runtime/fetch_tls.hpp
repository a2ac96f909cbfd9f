#pragma once
// Internal to weft-runtime: HTTPS for weft:app/fetch. TLS (GIO + glib-networking, verified against the system trust
// store) runs over a socket the caller already connected to a policy-checked address, so nothing re-resolves the host.

#include <chrono>
#include <string>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::runtime {

/// Sends `request` over TLS on the connected socket `fd` (taken over) with `host` as the verified identity, and
/// returns every byte of the response until the server closes; errors name the host and the TLS or I/O failure.
[[nodiscard]] Result<std::string> tls_exchange(UniqueFd fd, const std::string& host, uint16_t port,
                                               const std::string& request,
                                               std::chrono::steady_clock::time_point deadline, size_t max_bytes);

}  // namespace weft::runtime
