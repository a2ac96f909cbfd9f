#include "weft/core/manifest.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <toml++/toml.h>

#include "weft/core/app_id.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/spelling.hpp"

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

// The tables and keys of §5.1; everything else is unknown (ignored, but reported).
struct KnownTable {
  std::string_view name;
  std::vector<std::string_view> keys;
};
const std::vector<KnownTable>& known_tables() {
  static const std::vector<KnownTable> tables = {
      {"package", {"id", "name", "version", "description", "author", "capabilities"}},
      {"runtime", {"module"}},
      {"ui", {"entry"}},
  };
  return tables;
}

const KnownTable* table_holding(std::string_view key) {
  for (const auto& t : known_tables())
    for (auto k : t.keys)
      if (k == key) return &t;
  return nullptr;
}

std::string join_names(const std::vector<std::string_view>& names, std::string_view before, std::string_view after) {
  std::string out;
  for (auto n : names) {
    if (!out.empty()) out += ", ";
    out += std::string(before) + std::string(n) + std::string(after);
  }
  return out;
}

// Why a key is unknown and what was probably meant. `table` is the known table it sits in, or null at the top level.
struct UnknownKey {
  std::string message;
  bool likely_misspelt = false;  // a close valid name, or a valid key in the wrong place
};

UnknownKey describe_unknown_key(const KnownTable* table, std::string_view key, bool is_table) {
  UnknownKey out;
  std::string what = table ? "unknown key '" + std::string(key) + "' in [" + std::string(table->name) + "]"
                           : (is_table ? "unknown table [" + std::string(key) + "]"
                                       : "unknown top-level key '" + std::string(key) + "'");
  auto hint = [&](std::string text) {
    out.message = what + " (" + text + ")";
    out.likely_misspelt = true;
    return out;
  };
  if (table) {
    if (auto close = closest_spelling(key, table->keys)) return hint("did you mean '" + std::string(*close) + "'?");
    if (const KnownTable* home = table_holding(key))
      return hint("'" + std::string(key) + "' belongs in [" + std::string(home->name) + "]");
    out.message = what + " (valid keys: " + join_names(table->keys, "", "") + ")";
    return out;
  }
  std::vector<std::string_view> table_names;
  for (const auto& t : known_tables()) table_names.push_back(t.name);
  if (auto close = closest_spelling(key, table_names)) return hint("did you mean [" + std::string(*close) + "]?");
  if (const KnownTable* home = table_holding(key))
    return hint("'" + std::string(key) + "' is a key of [" + std::string(home->name) + "]");
  for (const auto& t : known_tables())
    if (auto close = closest_spelling(key, t.keys))
      return hint("did you mean '" + std::string(*close) + "' in [" + std::string(t.name) + "]?");
  out.message = what + " (valid tables: " + join_names(table_names, "[", "]") + ")";
  return out;
}

// Every key outside §5.1 (toml++ keeps keys sorted, so in that order).
std::vector<UnknownKey> find_unknown_keys(const toml::table& doc) {
  std::vector<UnknownKey> out;
  for (const auto& [key, node] : doc) {
    const KnownTable* table = nullptr;
    for (const auto& t : known_tables())
      if (t.name == key.str()) table = &t;
    if (!table) {
      out.push_back(describe_unknown_key(nullptr, key.str(), node.is_table()));
      continue;
    }
    const toml::table* inner = node.as_table();
    if (!inner) continue;  // "[package] must be a table" says it
    for (const auto& [inner_key, inner_node] : *inner) {
      (void)inner_node;
      if (std::find(table->keys.begin(), table->keys.end(), inner_key.str()) == table->keys.end())
        out.push_back(describe_unknown_key(table, inner_key.str(), false));
    }
  }
  return out;
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
          if (auto parsed = parse_capability(cap); !parsed)
            out.add(parsed.error().message + unknown_capability_hint(cap));
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

  auto unknown = find_unknown_keys(doc);
  for (auto& u : unknown) m.unknown_keys.push_back(u.message);
  if (!out.errors.empty()) {
    for (const auto& u : unknown)
      if (u.likely_misspelt) out.add(u.message);
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
  auto opened = open_regular_file(path, /*follow_last_link=*/false);
  if (!opened) return fail(opened.error().message, 403);
  UniqueFd fd = std::move(opened->fd);
  const struct stat& st = opened->status;
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
