// Interface names (`ns:pkg/iface@version`) and the semver compatibility rule used to match imports to host
// implementations, plus the outside-view summary of a component.

#include "weft/component/component.hpp"

namespace weft::component {
namespace {

bool is_label(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

/// The part of a version that must match: `major` when major > 0, `0.minor` when minor > 0, else the whole version.
std::string compatibility_key(std::string_view version) {
  std::string_view core = version.substr(0, version.find_first_of("-+"));
  size_t dot1 = core.find('.');
  if (dot1 == std::string_view::npos) return std::string(version);
  size_t dot2 = core.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return std::string(version);
  std::string_view major = core.substr(0, dot1), minor = core.substr(dot1 + 1, dot2 - dot1 - 1);
  if (version.size() != core.size()) return std::string(version);  // pre-release/build: exact match only
  if (major != "0") return std::string(major);
  if (minor != "0") return "0." + std::string(minor);
  return std::string(version);
}

}  // namespace

std::optional<InterfaceName> parse_interface_name(std::string_view name) {
  size_t colon = name.find(':');
  size_t slash = name.find('/');
  if (colon == std::string_view::npos || slash == std::string_view::npos || slash < colon) return std::nullopt;
  InterfaceName out;
  out.ns = name.substr(0, colon);
  out.package = name.substr(colon + 1, slash - colon - 1);
  std::string_view rest = name.substr(slash + 1);
  size_t at = rest.find('@');
  out.interface = rest.substr(0, at);
  if (at != std::string_view::npos) {
    out.version = rest.substr(at + 1);
    if (out.version.empty()) return std::nullopt;
  }
  if (!is_label(out.ns) || !is_label(out.package) || !is_label(out.interface)) return std::nullopt;
  return out;
}

bool interface_names_compatible(std::string_view a, std::string_view b) {
  if (a == b) return true;
  auto pa = parse_interface_name(a), pb = parse_interface_name(b);
  if (!pa || !pb || pa->unversioned() != pb->unversioned()) return false;
  if (pa->version.empty() || pb->version.empty()) return pa->version == pb->version;
  return compatibility_key(pa->version) == compatibility_key(pb->version);
}

ComponentSummary summarize(const Component& component) {
  ComponentSummary s;
  for (const auto& imp : component.imports) s.imports.push_back({imp.name, imp.desc.sort});
  for (const auto& exp : component.exports) {
    s.exports.push_back({exp.name, exp.sort});
    if (exp.sort == Sort::instance && interface_names_compatible(exp.name, "wasi:cli/run@0.2.0"))
      s.cli_run_export = exp.name;
  }
  return s;
}

}  // namespace weft::component
