#include "weft/store/approvals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "weft/core/capability.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/paths.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/fs_at.hpp"

namespace weft::store {
namespace {

constexpr size_t kMaxApprovalBytes = 64 * 1024;  // bytes

Result<UniqueFd> open_approvals_dir() {
  WEFT_TRY(std::string dir, paths::approvals_dir());
  WEFT_TRY_VOID(ensure_dir_path(dir, 0700));
  return open_dir(dir);
}

}  // namespace

Result<std::vector<std::string>> read_approvals(const std::string& app_id) {
  WEFT_TRY(UniqueFd dir, open_approvals_dir());
  int fd = ::openat(dir.get(), app_id.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::vector<std::string>{};
    return fail(errno_error("approval record of " + app_id));
  }
  UniqueFd owned(fd);
  WEFT_TRY(std::string text, read_fd(fd, kMaxApprovalBytes, "approval record of " + app_id));
  std::vector<std::string> caps;
  size_t i = 0;
  while (i < text.size()) {
    size_t end = text.find('\n', i);
    if (end == std::string::npos) end = text.size();
    std::string_view line = trim_ascii(std::string_view(text).substr(i, end - i));
    if (!line.empty()) caps.emplace_back(line);
    i = end + 1;
  }
  return caps;
}

Result<void> write_approvals(const std::string& app_id, std::vector<std::string> capabilities) {
  std::sort(capabilities.begin(), capabilities.end());
  capabilities.erase(std::unique(capabilities.begin(), capabilities.end()), capabilities.end());
  std::string text;
  for (const auto& c : capabilities) text += c + "\n";
  WEFT_TRY(UniqueFd dir, open_approvals_dir());
  return write_file_atomic_at(dir.get(), app_id, text, 0600);
}

Result<void> remove_approvals(const std::string& app_id) {
  WEFT_TRY(UniqueFd dir, open_approvals_dir());
  if (::unlinkat(dir.get(), app_id.c_str(), 0) != 0 && errno != ENOENT)
    return fail(errno_error("remove approval record of " + app_id));
  return ok();
}

std::vector<std::string> capabilities_needing_approval(const Manifest& manifest) {
  std::vector<std::string> out;
  for (const auto& text : manifest.capabilities) {
    auto cap = parse_capability(text);
    // An unparsable capability never passes validation; treat it as needing approval (fail closed).
    if ((!cap || cap->needs_approval()) && std::find(out.begin(), out.end(), text) == out.end()) out.push_back(text);
  }
  return out;
}

std::vector<std::string> unapproved_capabilities(const Manifest& manifest, const std::vector<std::string>& approved) {
  std::vector<std::string> out;
  for (const auto& c : capabilities_needing_approval(manifest)) {
    if (std::find(approved.begin(), approved.end(), c) == approved.end()) out.push_back(c);
  }
  return out;
}

std::string join_capabilities(const std::vector<std::string>& caps) {
  std::string out;
  for (const auto& c : caps) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

}  // namespace weft::store
