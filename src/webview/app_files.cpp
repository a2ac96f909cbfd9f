#include "app_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "weft/core/app_id.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/manifest.hpp"

namespace weft::webview {

namespace {

constexpr int kNotFound = 404;
constexpr int kForbidden = 403;
constexpr int kMaxAncestorsSearched = 4;  // how far above the UI root a wapp.toml is looked for

std::string_view extension_of(std::string_view path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return path.substr(dot + 1);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) return fail("malformed percent escape in the path", kNotFound);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (out.find('\0') != std::string::npos) return fail("the path contains a NUL byte", kNotFound);
  return out;
}

}  // namespace

std::string_view mime_type_for(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 21> kTypes = {{
      {"html", "text/html"},          {"js", "text/javascript"},   {"mjs", "text/javascript"},
      {"css", "text/css"},            {"json", "application/json"}, {"svg", "image/svg+xml"},
      {"png", "image/png"},           {"jpg", "image/jpeg"},        {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},           {"webp", "image/webp"},       {"ico", "image/x-icon"},
      {"woff", "font/woff"},          {"woff2", "font/woff2"},      {"ttf", "font/ttf"},
      {"otf", "font/otf"},            {"wasm", "application/wasm"}, {"txt", "text/plain"},
      {"wav", "audio/wav"},           {"ogg", "audio/ogg"},         {"webm", "video/webm"},
  }};
  std::string ext(extension_of(path));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [known, mime] : kTypes)
    if (known == ext) return mime;
  return {};
}

Result<AppFiles> AppFiles::open(std::string app_id, const std::string& entry_path) {
  WEFT_TRY_VOID(validate_app_id(app_id));
  std::error_code ec;
  std::filesystem::path entry = std::filesystem::absolute(entry_path, ec);
  if (ec || entry.filename().empty()) return fail("--ui " + entry_path + ": not a file path");
  std::filesystem::path ui_root = entry.parent_path();

  AppFiles files;
  files.app_id_ = std::move(app_id);
  files.entry_name_ = entry.filename().string();
  files.ui_root_ = UniqueFd(::open(ui_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!files.ui_root_) return fail(errno_error("--ui " + entry_path + ": cannot open the UI directory " + ui_root.string()));

  std::filesystem::path package_root = ui_root.parent_path();
  std::filesystem::path probe = ui_root;
  for (int i = 0; i <= kMaxAncestorsSearched; ++i) {
    if (std::filesystem::is_regular_file(probe / "wapp.toml", ec)) {
      package_root = probe;
      break;
    }
    if (probe == probe.parent_path()) break;
    probe = probe.parent_path();
  }
  std::filesystem::path prefix = ui_root.lexically_relative(package_root);
  files.ui_prefix_ = prefix == "." ? "" : prefix.generic_string();
  return files;
}

Result<void> AppFiles::reopen(const std::string& entry_path) {
  WEFT_TRY(AppFiles next, open(app_id_, entry_path));
  if (next.entry_uri() != entry_uri())
    return fail("reload from " + entry_path + ": entry " + next.entry_uri() + " differs from " + entry_uri());
  ui_root_ = std::move(next.ui_root_);
  return ok();
}

std::string AppFiles::entry_uri() const {
  return std::string(kAppScheme) + "://" + app_id_ + "/" + (ui_prefix_.empty() ? "" : ui_prefix_ + "/") + entry_name_;
}

namespace {

Result<ServedFile> serve_beneath(int root_fd, std::string_view relative) {
  std::string shown(relative);
  if (relative.empty() || relative.front() == '/') return fail("'" + shown + "' names no file", kNotFound);
  // Lexical screening first (clear errors), then the kernel enforces containment on the real tree.
  if (!is_relative_plain_path(relative))
    return fail("'" + shown + "' has an empty, '.' or '..' component", kNotFound);
  std::string_view mime = mime_type_for(relative);
  if (mime.empty()) return fail("'" + shown + "' has a type that is not served", kNotFound);

  auto opened = open_beneath(root_fd, shown, O_RDONLY | O_NOFOLLOW);
  if (!opened)
    return fail("'" + shown + "' cannot be opened beneath its root: " + std::strerror(opened.error().code), kNotFound);
  UniqueFd fd = std::move(*opened);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return fail("'" + shown + "' is not a regular file", kNotFound);
  if (static_cast<size_t>(st.st_size) > kMaxServedFileBytes)
    return fail("'" + shown + "' exceeds " + std::to_string(kMaxServedFileBytes) + " bytes", kNotFound);
  ServedFile served;
  served.mime_type = std::string(mime);
  served.bytes.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < served.bytes.size()) {
    ssize_t n = ::read(fd.get(), served.bytes.data() + got, served.bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(errno_error("reading '" + shown + "'", kNotFound));
    got += static_cast<size_t>(n);
  }
  return served;
}

Result<std::pair<std::string, std::string>> split_uri(std::string_view scheme, std::string_view uri) {
  const std::string prefix = std::string(scheme) + "://";
  if (uri.substr(0, prefix.size()) != prefix) return fail("not a " + std::string(scheme) + " URI", kNotFound);
  std::string_view rest = uri.substr(prefix.size());
  size_t slash = rest.find('/');
  std::string host(rest.substr(0, slash));
  if (slash == std::string_view::npos) return std::pair<std::string, std::string>(host, "");
  std::string_view raw_path = rest.substr(slash + 1);
  raw_path = raw_path.substr(0, raw_path.find_first_of("?#"));
  WEFT_TRY(std::string path, percent_decode(raw_path));
  return std::pair<std::string, std::string>(host, path);
}

}  // namespace

Result<ServedFile> AppFiles::resolve(std::string_view uri) const {
  WEFT_TRY(auto parts, split_uri(kAppScheme, uri));
  const auto& [host, path] = parts;
  if (host != app_id_) return fail("weft-app host '" + host + "' is not this app", kForbidden);
  std::string_view remaining = path;
  if (!ui_prefix_.empty()) {
    if (path.size() <= ui_prefix_.size() || path.compare(0, ui_prefix_.size(), ui_prefix_) != 0 ||
        path[ui_prefix_.size()] != '/')
      return fail("'" + path + "' is outside the UI directory", kNotFound);
    remaining = std::string_view(path).substr(ui_prefix_.size() + 1);
  }
  return serve_beneath(ui_root_.get(), remaining);
}

Result<SystemResources> SystemResources::open(const std::string& root) {
  SystemResources resources;
  resources.root_ = UniqueFd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!resources.root_) return fail(errno_error("system resources " + root + ": cannot open the directory"));
  return resources;
}

Result<ServedFile> SystemResources::resolve(std::string_view uri) const {
  WEFT_TRY(auto parts, split_uri(kSystemScheme, uri));
  const auto& [host, path] = parts;
  if (host.empty() || host == "." || host == ".." || host.find('/') != std::string::npos)
    return fail("weft-system host '" + host + "' is not a resource directory", kNotFound);
  return serve_beneath(root_.get(), host + "/" + path);
}

}  // namespace weft::webview
