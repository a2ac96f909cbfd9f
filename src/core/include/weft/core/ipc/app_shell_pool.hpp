#pragma once
// appd ⇄ pre-started app shell (spec §3.4, last line): the control channel of a pooled weft-app-shell, a socketpair
// given at spawn as WEFT_POOL_FD. The shell says `WARM\n` once its web and network processes run and a blank page is
// loaded; appd then sends exactly one binding line, `{"type":"BIND_SESSION",...}\n`, with the session's three fds
// (SCM_RIGHTS, on the sendmsg holding the line's first byte, in the order of PoolBindingFd). A shell takes one binding
// in its life: it never serves a second app.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "weft/core/result.hpp"

namespace weft::ipc {

inline constexpr std::string_view kPoolWarmLine = "WARM\n";
/// Largest binding line in bytes (paths are bounded by PATH_MAX each; the rest is short).
inline constexpr size_t kMaxPoolBindingBytes = 16 * 1024;

/// The fds riding with the binding line, in this order.
enum PoolBindingFd : int { kPoolWaylandFd = 0, kPoolBridgeFd = 1, kPoolReadyFd = 2, kPoolBindingFdCount = 3 };

/// What makes a pre-started shell one session's app shell: the same values a cold start gets as arguments and
/// environment (the CSP and content rules follow from the app id, computed by the same code as a cold start).
struct PoolBinding {
  std::string app_id;
  uint64_t session_id = 0;
  std::string entry;        // --ui <entry>: absolute path of the UI entry inside the pinned package
  std::string ready_token;  // WEFT_READY_TOKEN: 32 lowercase hex
  std::string cache_dir;    // the session's private cache directory (shell-<sid>/cache)
  friend bool operator==(const PoolBinding&, const PoolBinding&) = default;
};

/// One `BIND_SESSION` line with its trailing newline; an error (400) when a field is invalid.
[[nodiscard]] Result<std::string> encode_pool_binding(const PoolBinding& binding);
/// Parses one line (without or with its newline); every field checked: a valid app id, a session id > 0, absolute
/// paths without NUL, a valid token. Errors (400) say which field is wrong.
[[nodiscard]] Result<PoolBinding> decode_pool_binding(std::string_view line);

}  // namespace weft::ipc
