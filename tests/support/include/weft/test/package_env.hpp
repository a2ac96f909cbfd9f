#pragma once
// The weft-pack tests' world: package builders and a runner for the real weft-pack binary in an isolated environment
// (HOME, XDG dirs, store, trust store).

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "weft/core/child_process.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/component_bytes.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::test {

namespace fs = std::filesystem;

inline std::string pack_binary() { return executable("weft-pack"); }

struct PackageSpec {
  std::string id = "org.weft.test.app";
  std::string name = "Test App";
  std::string version = "1.0.0";
  std::vector<std::string> capabilities{};
  std::string extra_file_content{};  // written to `notes/extra.txt` when non-empty
};

inline std::string manifest_text(const PackageSpec& s) {
  std::string caps;
  for (const auto& c : s.capabilities) caps += (caps.empty() ? "\"" : ", \"") + c + "\"";
  return "[package]\nid = \"" + s.id + "\"\nname = \"" + s.name + "\"\nversion = \"" + s.version +
         "\"\ncapabilities = [" + caps + "]\n[runtime]\nmodule = \"app.wasm\"\n[ui]\nentry = \"ui/index.html\"\n";
}

/// Writes an unsigned package directory `<parent>/<id>` and returns its path.
inline std::string make_package(const std::string& parent, const PackageSpec& s = {}) {
  std::string dir = parent + "/" + s.id;
  Bytes wasm = minimal_component();
  write_file(dir + "/app.wasm", std::string_view(reinterpret_cast<const char*>(wasm.data()), wasm.size()));
  write_file(dir + "/ui/index.html", "<!doctype html><title>" + s.name + " " + s.version + "</title>\n");
  write_file(dir + "/ui/app.js", "console.log('" + s.version + "');\n", fs::perms(0755));
  write_file(dir + "/wapp.toml", manifest_text(s));
  if (!s.extra_file_content.empty()) write_file(dir + "/notes/extra.txt", s.extra_file_content);
  return dir;
}

/// An isolated user: HOME, XDG data/config, store root and trust directory all inside one temp dir.
class PackEnv {
 public:
  PackEnv() {
    for (const char* d : {"home", "data", "config", "store", "trust", "work"}) fs::create_directories(dir_ / d);
    env_ = {"HOME=" + (dir_ / "home"), "XDG_DATA_HOME=" + (dir_ / "data"), "XDG_CONFIG_HOME=" + (dir_ / "config"),
            "WEFT_APP_STORE=" + (dir_ / "store"), "WEFT_TRUSTED_KEYS=" + (dir_ / "trust"),
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "WEFT_LOG=warn"};
  }
  [[nodiscard]] std::string path(const std::string& rel = "") const { return rel.empty() ? dir_.path() : dir_ / rel; }
  [[nodiscard]] std::string store() const { return dir_ / "store"; }
  [[nodiscard]] std::string work() const { return dir_ / "work"; }
  [[nodiscard]] std::string data_home() const { return dir_ / "data"; }
  std::vector<std::string>& env() { return env_; }

  /// weft-pack running in the background (for crash and lock tests); finish() collects what it wrote.
  CapturedChild start(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {}) {
    SpawnOptions o;
    o.argv = {pack_binary()};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    o.env = env_;
    o.env.insert(o.env.end(), extra_env.begin(), extra_env.end());
    o.working_dir = work();
    auto child = CapturedChild::start(std::move(o));
    if (!child) throw std::runtime_error(child.error().message);
    return std::move(*child);
  }
  RunResult pack(const std::vector<std::string>& args, const std::vector<std::string>& extra_env = {}) {
    return start(args, extra_env).finish();
  }

  /// Generates a key pair in `<root>/keys/<name>` and optionally trusts it; returns the key directory.
  std::string make_key(const std::string& name, bool trusted) {
    std::string kd = dir_ / ("keys/" + name);
    fs::create_directories(kd);
    auto r = pack({"generate-key", kd});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (trusted) fs::copy_file(kd + "/weft-sign.pub", dir_ / ("trust/" + name + ".pub"));
    return kd;
  }
  /// A signed package `<work>/<name>/<id>` built from `spec` with the key in `key_dir`.
  std::string signed_package(const std::string& name, const PackageSpec& spec, const std::string& key_dir) {
    fs::create_directories(dir_ / ("src/" + name));
    std::string pkg = make_package(dir_ / ("src/" + name), spec);
    auto r = pack({"sign", pkg, "--key", key_dir + "/weft-sign.key"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return pkg;
  }

 private:
  TempDir dir_;
  std::vector<std::string> env_;
};

/// Target of a symbolic link, or "" when `path` is not one.
inline std::string link_target(const std::string& path) {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(path, ec))) return "";
  return fs::read_symlink(path, ec).string();
}

}  // namespace weft::test
