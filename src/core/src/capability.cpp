#include "weft/core/capability.hpp"

#include <array>
#include <utility>

#include "weft/core/spelling.hpp"

namespace weft {

bool Capability::needs_approval() const {
  return kind != CapabilityKind::fs_read_app_data && kind != CapabilityKind::fs_rw_app_data;
}

bool Capability::is_filesystem() const {
  switch (kind) {
    case CapabilityKind::fs_read_app_data:
    case CapabilityKind::fs_rw_app_data:
    case CapabilityKind::fs_read_xdg_documents:
    case CapabilityKind::fs_rw_xdg_documents: return true;
    default: return false;
  }
}

bool Capability::is_hardware() const {
  return kind == CapabilityKind::hw_gpu_compute || kind == CapabilityKind::hw_gpu_render;
}

bool is_dotted_ipv4(std::string_view host) {
  int parts = 0;
  size_t i = 0;
  while (i <= host.size()) {
    size_t end = host.find('.', i);
    if (end == std::string_view::npos) end = host.size();
    std::string_view part = host.substr(i, end - i);
    if (part.empty() || part.size() > 3) return false;
    if (part.size() > 1 && part[0] == '0') return false;  // no leading zeros (ambiguous octal forms)
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
    ++parts;
    i = end + 1;
    if (end == host.size()) break;
  }
  return parts == 4 && host.back() != '.';
}

bool is_valid_fetch_host(std::string_view host) {
  if (is_dotted_ipv4(host)) return true;
  if (host.empty() || host.size() > 253) return false;
  std::string_view last;
  size_t i = 0;
  for (;;) {
    size_t end = host.find('.', i);
    std::string_view label = host.substr(i, end == std::string_view::npos ? std::string_view::npos : end - i);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    last = label;
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  // A numeric last label would make the name look like an address (e.g. "1.2.3.04"); the grammar forbids it.
  bool numeric = true;
  for (char c : last)
    if (c < '0' || c > '9') numeric = false;
  return !numeric;
}

namespace {
constexpr std::array<std::pair<std::string_view, CapabilityKind>, 10> kFixed{{
      {"fs:read:app-data", CapabilityKind::fs_read_app_data},
      {"fs:rw:app-data", CapabilityKind::fs_rw_app_data},
      {"fs:read:xdg-documents", CapabilityKind::fs_read_xdg_documents},
      {"fs:rw:xdg-documents", CapabilityKind::fs_rw_xdg_documents},
      {"net:fetch:*", CapabilityKind::net_fetch_any},
      {"sys:notifications", CapabilityKind::sys_notifications},
      {"sys:clipboard:read", CapabilityKind::sys_clipboard_read},
      {"sys:clipboard:write", CapabilityKind::sys_clipboard_write},
      {"hw:gpu:compute", CapabilityKind::hw_gpu_compute},
      {"hw:gpu:render", CapabilityKind::hw_gpu_render},
}};
constexpr std::string_view kFetchPrefix = "net:fetch:";
}  // namespace

Result<Capability> parse_capability(std::string_view text) {
  for (const auto& [name, kind] : kFixed)
    if (text == name) return Capability{kind, std::string(text), {}};
  if (text.substr(0, kFetchPrefix.size()) == kFetchPrefix) {
    std::string_view host = text.substr(kFetchPrefix.size());
    if (is_valid_fetch_host(host)) return Capability{CapabilityKind::net_fetch_host, std::string(text), std::string(host)};
  }
  return fail("unknown capability '" + std::string(text) + "'", 403);
}

std::string unknown_capability_hint(std::string_view text) {
  std::vector<std::string_view> names;
  for (const auto& entry : kFixed) names.push_back(entry.first);
  std::string valid;
  for (std::string_view n : names) {
    valid += valid.empty() ? "" : ", ";
    valid += n;
    if (n == "net:fetch:*") valid += ", net:fetch:<host>";
  }
  std::string lowercase(text);  // capabilities are lowercase; `FS:RW:APP-DATA` still finds its match
  for (char& c : lowercase)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  std::string hint = " (";
  if (text.starts_with("net:fetch")) {
    hint += "net:fetch takes a host: net:fetch:<host> with a lowercase DNS name or a dotted IPv4 address without "
            "leading zeros, or net:fetch:* for any host; ";
  } else if (auto close = closest_spelling(lowercase, names)) {
    hint += "did you mean '" + std::string(*close) + "'? ";
  }
  return hint + "valid: " + valid + ")";
}

}  // namespace weft
