#include "mount_request.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "weft/core/app_id.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/trust.hpp"

namespace weft::mount_helper {
namespace {

constexpr size_t kMaxStoresFileBytes = 64 * 1024;  // bytes
constexpr size_t kMaxSignatureFileBytes = 1024;     // bytes; 128 hex characters and some whitespace
constexpr std::string_view kImageSuffix = ".app.img";
constexpr std::string_view kSignatureSuffix = ".app.roothash.sig";

// Plain components of an absolute path; nullopt for relative paths, empty, `.` or `..` components or a trailing '/'.
std::optional<std::vector<std::string>> strict_components(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/' || path.find("//") != std::string_view::npos)
    return std::nullopt;
  std::vector<std::string> out;
  for (auto part : path_components(path)) {
    if (part == "." || part == ".." || part.find('\0') != std::string_view::npos) return std::nullopt;
    out.emplace_back(part);
  }
  return out;
}

// Opens an absolute directory beneath "/" without following a link at any component.
Result<UniqueFd> open_dir_no_links(const std::string& path) {
  if (!strict_components(path)) return fail("'" + path + "' is not a plain absolute path");
  WEFT_TRY(UniqueFd root, open_dir("/"));
  auto dir = open_beneath(root.get(), std::string_view(path).substr(1), O_RDONLY | O_DIRECTORY);
  if (!dir) {
    int err = dir.error().code;
    if (err == ELOOP || err == ENOTDIR) return fail(path + ": a component is a link or not a directory");
    return fail(Error(path + ": " + std::strerror(err), err));
  }
  return dir;
}

Result<std::string> home_of(const HelperPaths& paths, uid_t uid) {
  if (paths.home_override) return *paths.home_override;
  struct passwd pw {};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found || !pw.pw_dir)
    return fail("no passwd entry for uid " + std::to_string(uid));
  return std::string(pw.pw_dir);
}

// `<dir>/<name>` with `name` = `<id><suffix>`: a regular file owned by `uid` or root, opened without following.
Result<UniqueFd> open_image_file(const std::vector<std::string>& allowed, uid_t uid, const std::string& path,
                                 std::string_view suffix, std::string_view what, std::string& id_out) {
  auto parts = strict_components(path);
  if (!parts) return fail(std::string(what) + " '" + path + "' is not a plain absolute path");
  const std::string& name = parts->back();
  if (name.size() <= suffix.size() || !name.ends_with(suffix))
    return fail(std::string(what) + " '" + path + "' must be named <app id>" + std::string(suffix));
  std::string id = name.substr(0, name.size() - suffix.size());
  if (auto v = validate_app_id(id); !v) return fail(std::string(what) + " '" + path + "': " + v.error().message);
  std::string dir = path.substr(0, path.size() - name.size() - 1);
  if (std::find(allowed.begin(), allowed.end(), dir) == allowed.end())
    return fail(std::string(what) + " '" + path + "' is not directly inside an image store");
  WEFT_TRY(UniqueFd dir_fd, open_dir_no_links(dir));
  int fd = ::openat(dir_fd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) return fail(std::string(what) + " '" + path + "' is a symbolic link");
    return fail(errno_error(std::string(what) + " " + path));
  }
  UniqueFd file(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errno_error(path));
  if (!S_ISREG(st.st_mode)) return fail(std::string(what) + " '" + path + "' is not a regular file");
  if (st.st_uid != uid && st.st_uid != 0)
    return fail(std::string(what) + " '" + path + "' is owned by uid " + std::to_string(st.st_uid) +
                ", neither the caller nor root");
  id_out = id;
  return file;
}

Result<MountPoint> open_mount_point(const HelperPaths& paths, uid_t uid, const std::string& path, bool check_owner) {
  std::string prefix = paths.run_user_base + "/" + std::to_string(uid) + "/weft/mnt/";
  if (path.size() != prefix.size() + 32 || path.compare(0, prefix.size(), prefix) != 0 ||
      !is_mount_token(std::string_view(path).substr(prefix.size())))
    return fail("mount point '" + path + "' is not " + prefix + "<32 lowercase hex>");
  MountPoint mp;
  mp.path = path;
  mp.token = path.substr(prefix.size());
  mp.device_name = "weft-" + std::to_string(uid) + "-" + mp.token;
  WEFT_TRY(UniqueFd parent, open_dir_no_links(prefix.substr(0, prefix.size() - 1)));
  int fd = ::openat(parent.get(), mp.token.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR) return fail("mount point '" + path + "' is a link or not a directory");
    return fail(errno_error("mount point " + path));
  }
  mp.fd.reset(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(errno_error(path));
  if (check_owner && st.st_uid != uid) return fail("mount point '" + path + "' is not owned by uid " + std::to_string(uid));
  return mp;
}

bool directory_is_empty(int fd) {
  auto reader = DirectoryReader::open(fd);
  if (!reader) return false;
  auto first = reader->next();
  return first.ok() && !first->has_value();
}

}  // namespace

Result<void> verify_root_hash_signature(const std::string& trusted_keys_dir, const std::string& root_hash,
                                        std::string_view signature_text, std::string_view what) {
  auto signature = store::parse_signature_text(signature_text, what);
  if (!signature) return fail(signature.error().message);
  auto keys = store::load_trusted_keys_from({trusted_keys_dir});
  if (!keys) return fail(keys.error().with_context("refusing to mount"));
  if (keys->empty()) return fail("no trusted keys in " + trusted_keys_dir + ": refusing to mount any image");
  // §5.9: the signature covers the ASCII root hash exactly as written by build-verity (and passed by appd).
  std::span<const uint8_t> message(reinterpret_cast<const uint8_t*>(root_hash.data()), root_hash.size());
  for (const auto& key : *keys)
    if (store::verify_detached(key.key, message, *signature)) return ok();
  return fail("root hash " + root_hash + " is not signed by a key in " + trusted_keys_dir + " (" + std::string(what) +
              ")");
}

bool is_root_hash(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

bool is_mount_token(std::string_view text) {
  return text.size() == 32 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<std::vector<std::string>> allowed_image_dirs(const HelperPaths& paths, uid_t uid) {
  std::vector<std::string> dirs = paths.system_image_dirs;
  if (auto home = home_of(paths, uid); home && strict_components(*home))
    dirs.push_back(*home + "/.local/share/weft/apps");
  // Extra roots count only from a root-owned regular file that is not a link.
  if (auto file = open_regular_file(paths.image_stores_file, /*follow_last_link=*/false)) {
    const int fd = file->fd.get();
    const struct stat& st = file->status;
    if (st.st_uid == 0 && !(st.st_mode & 022)) {
      std::string text;
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd, buf, sizeof buf)) > 0 && text.size() < kMaxStoresFileBytes) text.append(buf, size_t(n));
      size_t i = 0;
      while (i < text.size()) {
        size_t end = text.find('\n', i);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(i, end - i);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.pop_back();
        if (strict_components(line)) dirs.push_back(line);
        i = end + 1;
      }
    }
  }
  return dirs;
}

Result<MountRequest> validate_mount(const HelperPaths& paths, uid_t uid, const std::string& image,
                                    const std::string& hash, const std::string& root_hash,
                                    const std::string& mount_point) {
  if (!is_root_hash(root_hash)) return fail("root hash must be exactly 64 hex characters");
  WEFT_TRY(auto allowed, allowed_image_dirs(paths, uid));
  MountRequest req;
  std::string image_id, hash_id, signature_id;
  WEFT_TRY(req.image, open_image_file(allowed, uid, image, kImageSuffix, "image", image_id));
  WEFT_TRY(req.hash, open_image_file(allowed, uid, hash, ".app.hash", "hash tree", hash_id));
  if (image_id != hash_id) return fail("image and hash tree belong to different apps (" + image_id + ", " + hash_id + ")");
  // The signature lies beside the image. Where it is read from does not matter for safety: it must verify under a
  // system key, and veritysetup then checks the image against the signed root hash.
  const std::string signature = image.substr(0, image.size() - kImageSuffix.size()) + std::string(kSignatureSuffix);
  WEFT_TRY(UniqueFd signature_fd,
           open_image_file(allowed, uid, signature, kSignatureSuffix, "root hash signature", signature_id));
  WEFT_TRY(std::string signature_text, read_fd(signature_fd.get(), kMaxSignatureFileBytes, signature));
  WEFT_TRY_VOID(verify_root_hash_signature(paths.trusted_keys_dir, root_hash, signature_text, signature));
  req.root_hash = root_hash;
  WEFT_TRY(req.mount_point, open_mount_point(paths, uid, mount_point, true));
  if (!directory_is_empty(req.mount_point.fd.get())) return fail("mount point '" + mount_point + "' is not empty");
  return req;
}

Result<MountPoint> validate_umount(const HelperPaths& paths, uid_t uid, const std::string& mount_point) {
  // A mounted point shows the image's root directory (owned by root), so ownership is checked only before mounting;
  // umount instead requires the verity device named for this uid and token to be mounted there.
  return open_mount_point(paths, uid, mount_point, false);
}

}  // namespace weft::mount_helper
