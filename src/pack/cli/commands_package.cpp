// check, info, generate-key, sign, verify.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/manifest.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/fs_at.hpp"
#include "weft/store/package_check.hpp"
#include "weft/store/signature.hpp"

namespace weft::pack {
namespace {

using namespace weft::store;

constexpr size_t kInfoLabelWidth = 9;  // columns, labels included

void info_line(std::string_view label, std::string_view value) {
  std::string l(label);
  l += ':';
  l.resize(std::max(l.size(), kInfoLabelWidth), ' ');
  std::cout << l << value << '\n';
}

// Unknown manifest keys are errors here, where an author checks a package, although install and launch ignore them
// (§5.1: packages of a later WEFT or of the reference implementation must install); `--allow-unknown-keys` makes
// them warnings for such packages.
int run_check(const std::string& dir, bool allow_unknown_keys) {
  auto fd = open_dir(dir);
  if (!fd) return refuse(fd.error().message);
  auto check = check_package(fd->get(), dir);
  if (check.manifest) {
    for (const auto& unknown : check.manifest->unknown_keys) {
      if (allow_unknown_keys) std::cerr << "warning: wapp.toml: " << unknown << " (ignored)\n";
      else check.errors.push_back(unknown);
    }
  }
  if (!check.ok()) {
    for (const auto& e : check.errors) std::cerr << e << '\n';
    return kExitRefused;
  }
  std::cout << "OK\n";
  return kExitOk;
}

int run_info(const std::string& dir) {
  auto m = load_manifest(dir);
  if (!m) return refuse(m.error().message);
  info_line("id", m->id);
  info_line("name", m->name);
  info_line("version", m->version);
  if (m->description) info_line("desc", *m->description);
  if (m->author) info_line("author", *m->author);
  info_line("module", m->module);
  info_line("ui", m->ui_entry);
  for (const auto& cap : m->capabilities) info_line("cap", cap);
  return kExitOk;
}

int run_generate_key(const std::string& dir) {
  auto fd = open_dir(dir);
  if (!fd) return refuse(fd.error().message);
  const std::string key_name = "weft-sign.key", pub_name = "weft-sign.pub";
  for (const auto& n : {key_name, pub_name}) {
    if (lstat_at(fd->get(), n).ok()) return refuse(dir + "/" + n + " already exists; not overwriting it");
  }
  KeyPair kp = generate_key_pair();
  if (auto w = write_file_exclusive_at(fd->get(), key_name, to_hex(kp.seed), 0600); !w) return refuse(w.error().message);
  if (auto w = write_file_exclusive_at(fd->get(), pub_name, to_hex(kp.public_key), 0644); !w)
    return refuse(w.error().message);
  (void)fsync_fd(fd->get(), dir);
  std::cout << "private key: " << dir << "/" << key_name << '\n';
  std::cout << "public key:  " << dir << "/" << pub_name << '\n';
  return kExitOk;
}

// A public key has the private key's format (64 hex digits), so reading it as a seed would "sign" with a key nobody
// trusts. Refused by name (`.pub`, what generate-key writes) and by content (a copy of the sibling weft-sign.pub).
Result<void> refuse_public_key_as_seed(const std::string& key_path) {
  auto ends_with = [](const std::string& s, std::string_view tail) { return s.ends_with(tail); };
  std::string advice = "; sign with the private key generate-key wrote next to it (weft-sign.key, kept secret) and "
                       "give the .pub to the people who install your package";
  if (ends_with(key_path, ".pub"))
    return fail("weft-pack sign: --key " + key_path + " is a public key (.pub)" + advice);
  auto slash = key_path.rfind('/');
  std::string sibling = (slash == std::string::npos ? std::string() : key_path.substr(0, slash + 1)) + "weft-sign.pub";
  auto given = read_public_key_file(key_path);
  auto pub = read_public_key_file(sibling);
  if (given && pub && *given == *pub)
    return fail("weft-pack sign: --key " + key_path + " holds the same key as " + sibling + ", a public key" + advice);
  return ok();
}

int run_sign(const std::string& dir, const std::string& key_path) {
  if (auto r = refuse_public_key_as_seed(key_path); !r) return refuse(r.error().message);
  auto seed = read_seed_file(key_path);
  if (!seed) return refuse(seed.error().message);
  auto fd = open_dir(dir);
  if (!fd) return refuse(fd.error().message);
  auto signed_digest = sign_package(fd->get(), *seed);
  if (!signed_digest) return refuse("cannot sign " + dir + ": " + signed_digest.error().message);
  std::cout << "signed: " << dir << "/" << kSignatureFileName << '\n';
  return kExitOk;
}

int run_verify(const std::string& dir, const std::string& pub_path) {
  if (pub_path.ends_with(".key"))
    return refuse("weft-pack verify: --key " + pub_path + " is a private key (.key); verify with the public key "
                  "(weft-sign.pub) and never hand the .key file around");
  auto key = read_public_key_file(pub_path);
  if (!key) return refuse(key.error().message);
  auto fd = open_dir(dir);
  if (!fd) return refuse(fd.error().message);
  if (auto v = verify_package(fd->get(), *key); !v) {
    std::cerr << "INVALID signature\nreason: " << v.error().message << " (key " << key_fingerprint(*key) << ", "
              << pub_path << ")\n";
    return kExitRefused;
  }
  std::cout << "OK\n";
  return kExitOk;
}

}  // namespace

void add_package_commands(CLI::App& app, Dispatch& dispatch) {
  auto dir = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();

  auto allow_unknown_keys = std::make_shared<bool>(false);
  auto* check = add_command(app, dispatch, "check", "Validate a package directory (manifest, entries, component)",
                            [dir, allow_unknown_keys] { return run_check(*dir, *allow_unknown_keys); });
  check->add_option("dir", *dir, "package directory")->required();
  check->add_flag("--allow-unknown-keys", *allow_unknown_keys,
                  "warn about wapp.toml keys outside the spec instead of failing (packages for a later WEFT)");
  add_command(app, dispatch, "info", "Show a package's manifest", [dir] { return run_info(*dir); })
      ->add_option("dir", *dir, "package directory")->required();

  auto gen_dir = std::make_shared<std::string>(".");
  add_command(app, dispatch, "generate-key", "Create weft-sign.key (0600) and weft-sign.pub; never overwrites",
              [gen_dir] { return run_generate_key(*gen_dir); })
      ->add_option("dir", *gen_dir, "output directory (default .)");

  auto* sign = add_command(app, dispatch, "sign", "Sign a package directory (writes signature.sig)",
                           [dir, key] { return run_sign(*dir, *key); });
  sign->add_option("dir", *dir, "package directory")->required();
  sign->add_option("--key", *key, "private key file (64 hex seed)")->required();

  auto* verify = add_command(app, dispatch, "verify", "Verify a package's signature against a public key",
                             [dir, key] { return run_verify(*dir, *key); });
  verify->add_option("dir", *dir, "package directory")->required();
  verify->add_option("--key", *key, "public key file (64 hex)")->required();
}

}  // namespace weft::pack
