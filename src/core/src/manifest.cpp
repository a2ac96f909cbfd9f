#include "weft/core/manifest.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>

#include "weft/core/app_id.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/fd.hpp"

namespace weft {
namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr size_t kMaxManifestBytes = 256 * 1024;  // bytes; real manifests are a few hundred

struct Collector {
  std::vector<std::string> errors;
  void add(std::string e) { errors.push_back(std::move(e)); }
};

// Reads a string field; missing → error when required; a non-string → type error.
std::optional<std::string> string_field(const toml::table* table, std::string_view table_name, std::string_view key,
                                        bool required, Collector& out) {
  std::string dotted = std::string(table_name) + "." + std::string(key);
  const toml::node* node = table ? table->get(key) : nullptr;
  if (!node) {
    if (required) out.add(dotted + " is missing");
    return std::nullopt;
  }
  if (auto s = node->value<std::string>(); s && node->is_string()) return *s;
  out.add(dotted + " must be a string");
  return std::nullopt;
}

void check_relative_path(const std::optional<std::string>& path, std::string_view dotted, Collector& out) {
  if (path && !is_relative_plain_path(*path))
    out.add(std::string(dotted) + " '" + *path + "' is not a relative path of plain components");
}

}  // namespace

bool is_relative_plain_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/' || path.find("//") != std::string_view::npos)
    return false;
  for (auto part : path_components(path))
    if (part == "." || part == ".." || part.find('\0') != std::string_view::npos) return false;
  return true;
}

Result<Manifest> parse_manifest(std::string_view text) {
  toml::table doc;
  try {
    doc = toml::parse(text, std::string_view("wapp.toml"));
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return fail("wapp.toml is not valid TOML (line " + std::to_string(where.line) + ", column " +
                    std::to_string(where.column) + "): " + std::string(e.description()),
                403);
  }

  Collector out;
  const toml::table* package = doc["package"].as_table();
  const toml::table* runtime = doc["runtime"].as_table();
  const toml::table* ui = doc["ui"].as_table();
  if (!package) out.add(doc.contains("package") ? "[package] must be a table" : "[package] table is missing");
  if (!runtime) out.add(doc.contains("runtime") ? "[runtime] must be a table" : "[runtime] table is missing");
  if (!ui) out.add(doc.contains("ui") ? "[ui] must be a table" : "[ui] table is missing");

  Manifest m;
  auto id = string_field(package, "package", "id", package != nullptr, out);
  if (id) {
    if (auto valid = validate_app_id(*id); !valid) {
      // Keep the reference wording first, then say which segment is wrong.
      std::string why = valid.error().message;
      auto colon = why.find(": ");
      out.add("package.id '" + *id + "' does not match required pattern (" +
              (colon == std::string::npos ? why : why.substr(colon + 2)) + ")");
    }
    m.id = *id;
  }
  auto name = string_field(package, "package", "name", package != nullptr, out);
  if (name) {
    if (name->empty()) out.add("package.name is empty");
    else if (name->size() > kMaxNameBytes)
      out.add("package.name exceeds 64 characters (" + std::to_string(name->size()) + ")");
    m.name = *name;
  }
  if (auto v = string_field(package, "package", "version", package != nullptr, out)) m.version = *v;
  m.description = string_field(package, "package", "description", false, out);
  m.author = string_field(package, "package", "author", false, out);

  if (package) {
    if (const toml::node* caps = package->get("capabilities")) {
      if (const toml::array* arr = caps->as_array()) {
        for (const toml::node& item : *arr) {
          if (!item.is_string()) {
            out.add("package.capabilities must be an array of strings");
            continue;
          }
          std::string cap = *item.value<std::string>();
          if (auto parsed = parse_capability(cap); !parsed) out.add(parsed.error().message);
          m.capabilities.push_back(std::move(cap));
        }
      } else {
        out.add("package.capabilities must be an array of strings");
      }
    }
  }

  auto module = string_field(runtime, "runtime", "module", runtime != nullptr, out);
  check_relative_path(module, "runtime.module", out);
  if (module) m.module = *module;
  auto entry = string_field(ui, "ui", "entry", ui != nullptr, out);
  check_relative_path(entry, "ui.entry", out);
  if (entry) m.ui_entry = *entry;

  if (!out.errors.empty()) {
    std::string joined;
    for (const auto& e : out.errors) {
      if (!joined.empty()) joined += '\n';
      joined += e;
    }
    return fail(joined, 403);
  }
  return m;
}

Result<Manifest> load_manifest(const std::string& package_dir) {
  std::string path = package_dir + "/wapp.toml";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) return fail(errno_error(path, 403));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail(errno_error(path, 403));
  if (!S_ISREG(st.st_mode)) return fail(path + " is not a regular file", 403);
  if (static_cast<size_t>(st.st_size) > kMaxManifestBytes)
    return fail(path + " exceeds " + std::to_string(kMaxManifestBytes) + " bytes", 403);
  std::string text;
  text.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(errno_error("read " + path, 403));
    got += static_cast<size_t>(n);
  }
  auto parsed = parse_manifest(text);
  if (!parsed) return fail(std::move(parsed).error());
  return parsed;
}

std::vector<Capability> manifest_capabilities(const Manifest& manifest) {
  std::vector<Capability> caps;
  for (const auto& text : manifest.capabilities)
    if (auto c = parse_capability(text)) caps.push_back(std::move(*c));
  return caps;
}

}  // namespace weft
