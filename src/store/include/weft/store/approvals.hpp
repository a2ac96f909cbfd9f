#pragma once
// Per-user capability approvals (§5.5): `$XDG_DATA_HOME/weft/approvals/<id>`, one capability per line, written
// atomically. Every capability except the app-data ones needs approval; a signature approves nothing.

#include <string>
#include <vector>

#include "weft/core/manifest.hpp"
#include "weft/core/result.hpp"

namespace weft::store {

/// Approved capabilities of `app_id` (none when there is no record).
[[nodiscard]] Result<std::vector<std::string>> read_approvals(const std::string& app_id);
/// Writes the record (sorted, deduplicated).
[[nodiscard]] Result<void> write_approvals(const std::string& app_id, std::vector<std::string> capabilities);
[[nodiscard]] Result<void> remove_approvals(const std::string& app_id);

/// Declared capabilities of `manifest` that need approval, in manifest order.
[[nodiscard]] std::vector<std::string> capabilities_needing_approval(const Manifest& manifest);
/// Those of them not in `approved`.
[[nodiscard]] std::vector<std::string> unapproved_capabilities(const Manifest& manifest,
                                                               const std::vector<std::string>& approved);

/// Joins capability strings for messages: `a, b, c`.
[[nodiscard]] std::string join_capabilities(const std::vector<std::string>& caps);

}  // namespace weft::store
