// build-image (mkfs.erofs) and build-verity (veritysetup format), spec §5.8/§5.9.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "weft/core/app_id.hpp"
#include "weft/core/tool_run.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/fs_at.hpp"
#include "weft/store/package_check.hpp"
#include "weft/store/package_tree.hpp"

namespace weft::pack {
namespace {

using namespace weft::store;

// Fixed filesystem UUID and timestamp make the same package give a byte-identical image.
constexpr const char* kImageUuid = "6d3c8f2a-5e1b-4c7d-9a0f-77e5e1f0c0de";
constexpr size_t kMaxToolOutput = 1 << 20;  // bytes kept per stream
constexpr std::chrono::milliseconds kToolTimeout{10 * 60 * 1000};  // an image of a large package takes a while

std::string dirname_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}
std::string basename_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Runs mkfs.erofs or veritysetup; an error carries what it wrote.
Result<std::string> run_image_tool(std::vector<std::string> argv) {
  ToolRequest request{.argv = std::move(argv), .timeout = kToolTimeout, .inherit_environment = true};
  request.max_stdout = request.max_stderr = kMaxToolOutput;
  request.overflow = ToolOverflow::truncate;
  WEFT_TRY(ToolResult run, run_tool_checked(request));
  return std::move(run.out);
}

// Publishes `tmp` as `name` in `dirfd` without ever replacing an existing file.
Result<void> publish_no_replace(int dirfd, const std::string& tmp, const std::string& name, const std::string& shown) {
  int rc = ::linkat(dirfd, tmp.c_str(), dirfd, name.c_str(), 0);
  int err = errno;
  ::unlinkat(dirfd, tmp.c_str(), 0);
  if (rc != 0) {
    errno = err;
    return fail(errno_error(shown));
  }
  return fsync_fd(dirfd, shown);
}

int run_build_image(const std::string& dir, std::string out) {
  auto pkg = open_dir(dir);
  if (!pkg) return refuse(pkg.error().message);
  if (auto tree = list_package_tree(pkg->get()); !tree) return refuse(dir + ": " + tree.error().message);
  auto check = check_package(pkg->get(), dir);
  if (!check.ok()) {
    for (const auto& e : check.errors) std::cerr << e << '\n';
    return kExitRefused;
  }
  if (out.empty()) out = check.manifest->id + ".app.img";
  auto out_dir = open_dir(dirname_of(out));
  if (!out_dir) return refuse(out_dir.error().message);
  std::string name = basename_of(out);
  if (lstat_at(out_dir->get(), name).ok()) return refuse(out + " already exists; not overwriting it");
  std::string tmp = "." + name + ".tmp-" + random_hex(8);
  std::string tmp_path = dirname_of(out) + "/" + tmp;
  // The image holds a normalised copy (modes 0644/0755, links and special files refused), so the same package gives
  // the same image whatever modes or umask the source tree was made with.
  std::string tree = "." + name + ".tree-" + random_hex(8);
  if (::mkdirat(out_dir->get(), tree.c_str(), 0700) != 0) return refuse(errno_error("mkdir " + tree).message);
  auto image_from_copy = [&]() -> Result<void> {
    WEFT_TRY(UniqueFd tree_fd, open_beneath(out_dir->get(), tree, O_RDONLY | O_DIRECTORY));
    if (::fchmod(tree_fd.get(), 0755) != 0) return fail(errno_error("chmod " + tree));
    WEFT_TRY_VOID(copy_package_tree(pkg->get(), tree_fd.get()));
    WEFT_TRY_VOID(run_image_tool({"mkfs.erofs", "--quiet", "-x-1", "-T0", std::string("-U") + kImageUuid, "--all-root",
                            tmp_path, dirname_of(out) + "/" + tree}));
    return ok();
  };
  auto r = image_from_copy();
  (void)remove_tree_at(out_dir->get(), tree);
  if (!r) {
    ::unlinkat(out_dir->get(), tmp.c_str(), 0);
    return refuse(r.error().message);
  }
  if (auto p = publish_no_replace(out_dir->get(), tmp, name, out); !p) return refuse(p.error().message);
  std::cout << "image: " << out << "\n";
  return kExitOk;
}

Result<std::string> sha256_file_hex(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(errno_error(path));
  UniqueFd owned(fd);
  Sha256 h;
  std::vector<uint8_t> buf(1 << 18);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno_error("read " + path));
    if (n == 0) break;
    h.update(std::span<const uint8_t>(buf.data(), static_cast<size_t>(n)));
  }
  auto d = h.finish();
  return to_hex(d);
}

std::optional<std::string> parse_root_hash(const std::string& output) {
  size_t at = output.find("Root hash:");
  if (at == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(output).substr(at + 10);
  size_t end = rest.find('\n');
  std::string_view value = trim_ascii(rest.substr(0, end));
  if (value.size() != 64) return std::nullopt;
  for (char c : value)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  return std::string(value);
}

int run_build_verity(const std::string& image, std::string out, const std::string& key_path) {
  constexpr std::string_view kImageSuffix = ".app.img";
  std::string image_name = basename_of(image);
  if (image_name.size() <= kImageSuffix.size() || !image_name.ends_with(kImageSuffix))
    return refuse(image + ": the image must be named <app id>.app.img");
  std::string id = image_name.substr(0, image_name.size() - kImageSuffix.size());
  if (auto v = validate_app_id(id); !v) return refuse(image + ": " + v.error().message);
  auto seed = read_seed_file(key_path);
  if (!seed) return refuse(seed.error().message);
  struct stat st {};
  if (::stat(image.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return refuse(image + " is not a regular file");
  if (out.empty()) out = dirname_of(image) + "/" + id + ".app.hash";
  std::string dir = dirname_of(out);
  auto dir_fd = open_dir(dir);
  if (!dir_fd) return refuse(dir_fd.error().message);
  std::string hash_name = basename_of(out), roothash_name = id + ".app.roothash", sig_name = id + ".app.roothash.sig";
  for (const auto& n : {hash_name, roothash_name, sig_name}) {
    if (lstat_at(dir_fd->get(), n).ok()) return refuse(dir + "/" + n + " already exists; not overwriting it");
  }
  // A salt derived from the image keeps the root hash reproducible for identical images.
  auto salt = sha256_file_hex(image);
  if (!salt) return refuse(salt.error().message);
  std::string tmp = "." + hash_name + ".tmp-" + random_hex(8);
  auto r = run_image_tool({"veritysetup", "format", "--salt=" + *salt, "--uuid=" + std::string(kImageUuid), image,
                     dir + "/" + tmp});
  if (!r) {
    ::unlinkat(dir_fd->get(), tmp.c_str(), 0);
    return refuse(r.error().message);
  }
  auto root_hash = parse_root_hash(*r);
  if (!root_hash) {
    ::unlinkat(dir_fd->get(), tmp.c_str(), 0);
    return refuse("veritysetup format printed no root hash:\n" + *r);
  }
  if (auto p = publish_no_replace(dir_fd->get(), tmp, hash_name, out); !p) return refuse(p.error().message);
  auto sig = sign_detached(*seed, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(root_hash->data()),
                                                             root_hash->size()));
  if (auto w = write_file_exclusive_at(dir_fd->get(), roothash_name, *root_hash, 0644); !w)
    return refuse(w.error().message);
  if (auto w = write_file_exclusive_at(dir_fd->get(), sig_name, to_hex(sig), 0644); !w) return refuse(w.error().message);
  std::cout << "hash image:  " << out << "\n";
  std::cout << "root hash:   " << *root_hash << "\n";
  std::cout << "roothash:    " << dir << "/" << roothash_name << "\n";
  return kExitOk;
}

}  // namespace

void add_image_commands(CLI::App& app, Dispatch& dispatch) {
  auto dir = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto key = std::make_shared<std::string>();
  auto* bi = add_command(app, dispatch, "build-image", "Build an EROFS image of a package (mkfs.erofs)",
                         [dir, out] { return run_build_image(*dir, *out); });
  bi->add_option("dir", *dir, "package directory")->required();
  bi->add_option("--out", *out, "image path (default <id>.app.img; never overwritten)");

  auto* bv = add_command(app, dispatch, "build-verity",
                         "Build the dm-verity hash tree, <id>.app.roothash and its signature (veritysetup format)",
                         [dir, out, key] { return run_build_verity(*dir, *out, *key); });
  bv->add_option("image", *dir, "<id>.app.img")->required();
  bv->add_option("--out", *out, "hash tree path (default <id>.app.hash beside the image)");
  bv->add_option("--key", *key, "private key file signing the root hash")->required();
}

}  // namespace weft::pack
