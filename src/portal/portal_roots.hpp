#pragma once
// The directories a portal may serve (§7.1): each opened once as a directory fd (a symlinked root is refused), and
// the mapping of a host-absolute request path to (root, remainder) by longest component-prefix match.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::portal {

struct PortalRoot {
  std::string path;  // normalised absolute path without trailing '/'
  UniqueFd fd;
  bool writable = false;
};

/// Opens a root; refuses relative paths, `.`/`..` components, symlinks and non-directories.
[[nodiscard]] Result<PortalRoot> open_root(const std::string& path, bool writable);

struct ResolvedPath {
  const PortalRoot* root = nullptr;
  std::string rest;  // '/'-joined plain components beneath the root; empty = the root itself
};

/// The root serving `path` and the remainder, or nullopt when the path is relative, has `.`/`..` components, or lies
/// beneath no root. A writable root wins a tie with a read-only one of the same path.
[[nodiscard]] std::optional<ResolvedPath> resolve_request_path(const std::vector<PortalRoot>& roots,
                                                               std::string_view path);

}  // namespace weft::portal
