#pragma once
// Structural network isolation of weft-app-shell (spec §6.2): the process moves into a new network namespace that
// holds only a loopback interface that is down, before GLib or WebKit start, so WebKit's WebProcess and
// NetworkProcess are born in it. Preconnects, DNS prefetches and any other path the content filter, CSP or navigation
// policy miss then reach nothing. Inherited fds (Wayland, bridge, readiness) are unaffected: they are not addresses.

#include <string>

#include "weft/core/result.hpp"

namespace weft::webview {

/// How the namespace was obtained.
enum class NamespaceRoute {
  network_only,       // the process could create a network namespace itself (CAP_SYS_ADMIN, e.g. root)
  user_and_network,   // an unprivileged user namespace first, mapping only the caller's uid and gid to themselves
};

/// Moves the calling process into an empty network namespace. Must run while the process is single-threaded (the
/// kernel refuses a user namespace to a multithreaded process). In the user-namespace route the uid and gid stay the
/// same, supplementary groups can no longer be changed, and the capabilities the new namespace would grant are dropped.
/// The error names the cause, e.g. that the kernel refuses unprivileged user namespaces.
[[nodiscard]] Result<NamespaceRoute> enter_empty_network_namespace();

[[nodiscard]] const char* describe(NamespaceRoute route);

}  // namespace weft::webview
