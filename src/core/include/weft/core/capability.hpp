#pragma once
// Capability strings of packages and grants (spec §5.3, compat).

#include <string>
#include <string_view>
#include <vector>

#include "weft/core/result.hpp"

namespace weft {

enum class CapabilityKind {
  fs_read_app_data,
  fs_rw_app_data,
  fs_read_xdg_documents,
  fs_rw_xdg_documents,
  net_fetch_any,   // net:fetch:*
  net_fetch_host,  // net:fetch:<host>  (host in Capability::host)
  sys_notifications,
  sys_clipboard_read,
  sys_clipboard_write,
  hw_gpu_compute,
  hw_gpu_render,
};

struct Capability {
  CapabilityKind kind;
  std::string text;  // the exact capability string
  std::string host;  // for net_fetch_host: lowercase DNS name or dotted IPv4

  /// Every capability except the app-data ones needs a per-user approval (§5.5).
  [[nodiscard]] bool needs_approval() const;
  [[nodiscard]] bool is_filesystem() const;
  [[nodiscard]] bool is_hardware() const;
  friend bool operator==(const Capability&, const Capability&) = default;
};

/// Parses one capability string; anything outside the vocabulary is `unknown capability '<cap>'` (the reference
/// wording, kept exact here; authoring tools add `unknown_capability_hint`).
[[nodiscard]] Result<Capability> parse_capability(std::string_view text);

/// What to write instead of an unknown capability, for people: ` (did you mean 'fs:rw:app-data'? valid: …)` with the
/// closest valid spelling when there is one and always the whole vocabulary (`net:fetch:<host>` as a pattern).
/// Starts with a space so it can follow `unknown capability '<cap>'`.
[[nodiscard]] std::string unknown_capability_hint(std::string_view text);

/// `net:fetch:<host>` host grammar: lowercase DNS name (labels of 1–63 [a-z0-9-], no edge '-', ≤ 253 total, last label
/// not numeric) or dotted IPv4 without leading zeros.
[[nodiscard]] bool is_valid_fetch_host(std::string_view host);
[[nodiscard]] bool is_dotted_ipv4(std::string_view host);

}  // namespace weft
