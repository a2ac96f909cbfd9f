#include "portal_roots.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "weft/core/confined_fs.hpp"

namespace weft::portal {
namespace {

// Plain components of an absolute path; nullopt for relative paths and `.`/`..` components. Empty components
// (`//`) carry no meaning and are skipped.
std::optional<std::vector<std::string_view>> components(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  auto parts = path_components(path);
  for (auto part : parts)
    if (part == "." || part == ".." || part.find('\0') != std::string_view::npos) return std::nullopt;
  return parts;
}

std::string join(const std::vector<std::string_view>& parts, size_t from) {
  std::string out;
  for (size_t i = from; i < parts.size(); ++i) {
    if (!out.empty()) out += '/';
    out += parts[i];
  }
  return out;
}

}  // namespace

Result<PortalRoot> open_root(const std::string& path, bool writable) {
  auto parts = components(path);
  if (!parts) return fail("portal root '" + path + "' must be an absolute path without '.' or '..' components");
  PortalRoot root;
  root.path = "/" + join(*parts, 0);
  root.writable = writable;
  struct stat st {};
  if (::lstat(root.path.c_str(), &st) != 0) return fail(errno_error("portal root " + root.path));
  if (S_ISLNK(st.st_mode)) return fail("portal root " + root.path + " is a symbolic link; give the real directory");
  int fd = ::open(root.path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(errno_error("portal root " + root.path));
  root.fd.reset(fd);
  return root;
}

std::optional<ResolvedPath> resolve_request_path(const std::vector<PortalRoot>& roots, std::string_view path) {
  auto parts = components(path);
  if (!parts) return std::nullopt;
  ResolvedPath best;
  size_t best_len = 0;
  for (const auto& root : roots) {
    auto root_parts = components(root.path);
    if (!root_parts || root_parts->size() > parts->size()) continue;
    if (!std::equal(root_parts->begin(), root_parts->end(), parts->begin())) continue;
    size_t len = root_parts->size();
    bool better = !best.root || len > best_len || (len == best_len && root.writable && !best.root->writable);
    if (better) {
      best.root = &root;
      best_len = len;
    }
  }
  if (!best.root) return std::nullopt;
  best.rest = join(*parts, best_len);
  return best;
}

}  // namespace weft::portal
