#include "weft/store/package_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "weft/core/confined_fs.hpp"
#include "weft/store/fs_at.hpp"

#include "weft/component/component.hpp"

namespace weft::store {
namespace {

constexpr size_t kMaxManifestBytes = 256 * 1024;  // bytes

// A manifest entry: no component a link, ending at a regular file beneath the package.
Result<UniqueFd> open_entry(int package_fd, const std::string& rel, std::string_view key) {
  auto fd = open_beneath(package_fd, rel, O_RDONLY);
  if (!fd) {
    int e = fd.error().code;
    if (e == ENOENT || e == ENOTDIR) return fail(std::string(key) + " '" + rel + "' not found");
    if (e == ELOOP) return fail(std::string(key) + " '" + rel + "' passes through a symbolic link");
    return fail(std::string(key) + " '" + rel + "': " + fd.error().message);
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode))
    return fail(std::string(key) + " '" + rel + "' is not a regular file");
  return fd;
}

// WASI 0.2.x and weft:app@0.1.x interfaces are what the runtime provides; anything else cannot be satisfied.
bool import_is_providable(const std::string& name) {
  auto parsed = component::parse_interface_name(name);
  if (!parsed) return false;
  if (parsed->ns == "wasi") return component::interface_names_compatible(name, parsed->unversioned() + "@0.2.0");
  if (parsed->ns == "weft" && parsed->package == "app")
    return component::interface_names_compatible(name, parsed->unversioned() + "@0.1.0");
  return false;
}

}  // namespace

Result<void> check_component(const std::vector<uint8_t>& bytes) {
  if (component::is_core_module_binary(bytes))
    return fail("runtime.module is a core WebAssembly module; WEFT runs only components (wasm-tools component new)");
  if (!component::is_component_binary(bytes)) return fail("runtime.module is not a WebAssembly component");
  auto decoded = component::decode_component(bytes);
  if (!decoded) return fail("runtime.module: " + decoded.error().message);
  auto summary = component::summarize(*decoded);
  if (!summary.cli_run_export) return fail("runtime.module does not export wasi:cli/run@0.2.x");
  std::string problems;
  for (const auto& imp : summary.imports) {
    if (!import_is_providable(imp.name)) {
      if (!problems.empty()) problems += "\n";
      problems += "runtime.module imports '" + imp.name + "', which WEFT does not provide";
    }
  }
  if (!problems.empty()) return fail(problems);
  return ok();
}

PackageCheck check_package(int package_fd, const std::string& path) {
  PackageCheck out;
  auto manifest_fd = open_entry(package_fd, "wapp.toml", "manifest");
  if (!manifest_fd) {
    out.errors.push_back(path + ": no wapp.toml (" + manifest_fd.error().message + ")");
    return out;
  }
  auto text = read_fd(manifest_fd->get(), kMaxManifestBytes, "wapp.toml");
  if (!text) {
    out.errors.push_back(text.error().message);
    return out;
  }
  auto manifest = parse_manifest(*text);
  if (!manifest) {
    size_t i = 0;
    const std::string& msg = manifest.error().message;
    while (i < msg.size()) {
      size_t end = msg.find('\n', i);
      if (end == std::string::npos) end = msg.size();
      out.errors.push_back(msg.substr(i, end - i));
      i = end + 1;
    }
    return out;
  }
  out.manifest = *manifest;
  auto module = open_entry(package_fd, manifest->module, "runtime.module");
  if (!module) {
    out.errors.push_back(module.error().message);
  } else {
    auto bytes = read_fd(module->get(), kMaxModuleBytes, "runtime.module");
    if (!bytes) {
      out.errors.push_back(bytes.error().message);
    } else if (auto c = check_component(std::vector<uint8_t>(bytes->begin(), bytes->end())); !c) {
      out.errors.push_back(c.error().message);
    }
  }
  if (auto ui = open_entry(package_fd, manifest->ui_entry, "ui.entry"); !ui) out.errors.push_back(ui.error().message);
  return out;
}

Result<Manifest> validate_package(int package_fd, const std::string& path) {
  auto check = check_package(package_fd, path);
  if (check.ok()) return *check.manifest;
  std::string joined;
  for (const auto& e : check.errors) {
    if (!joined.empty()) joined += "\n";
    joined += e;
  }
  return fail(joined, 403);
}

}  // namespace weft::store
