#pragma once
// Validation of weft-mount-helper requests (§7.2). Every check fails closed with an error naming the argument:
// - image / hash tree: regular non-symlink files `<valid id>.app.img` / `<same id>.app.hash`, owned by the real uid
//   R or root, directly inside `/usr/share/weft/apps/`, `<passwd home of R>/.local/share/weft/apps/` or a root listed
//   in the root-owned `/etc/weft/image-stores`; every directory on the way opened O_NOFOLLOW, the files too, and
//   used only through those fds;
// - root hash: exactly 64 hex characters, signed: `<same id>.app.roothash.sig` beside the image (the file
//   `weft-pack build-verity` writes; same rules as the image) must verify, over the root hash exactly as given, under
//   a key of the system trust directory `/etc/weft/trusted-keys` (never one the caller names: the environment is
//   cleared and the user's own trust directory is not read). Otherwise any local user could have root mount an image
//   with a root hash of their choosing;
// - mount point: exactly `/run/user/R/weft/mnt/<32 lowercase hex>`, an existing empty non-symlink directory owned
//   by R, reached without following links.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::mount_helper {

/// Where the helper looks. The executable uses the defaults; tests point the fields at temporary directories.
struct HelperPaths {
  std::string run_user_base = "/run/user";
  std::vector<std::string> system_image_dirs = {"/usr/share/weft/apps"};
  std::string image_stores_file = "/etc/weft/image-stores";
  std::optional<std::string> home_override;  // else the passwd entry of the real uid
  std::string trusted_keys_dir = "/etc/weft/trusted-keys";  // every `*.pub` in it (§5.5 key files)
};

struct MountPoint {
  std::string path;
  std::string token;        // the 32 hex characters
  std::string device_name;  // `weft-<R>-<token>`
  UniqueFd fd;              // the directory itself (O_RDONLY|O_DIRECTORY|O_NOFOLLOW); once mounted, the mount's root
};

struct MountRequest {
  UniqueFd image;
  UniqueFd hash;
  std::string root_hash;
  MountPoint mount_point;
};

/// Validates `mount <img> <hash> <roothash> <mountpoint>` for real uid `uid`, including the root hash's signature.
[[nodiscard]] Result<MountRequest> validate_mount(const HelperPaths& paths, uid_t uid, const std::string& image,
                                                  const std::string& hash, const std::string& root_hash,
                                                  const std::string& mount_point);

/// Validates the mount point of `umount <mountpoint>` (form and ownership; it need not be empty).
[[nodiscard]] Result<MountPoint> validate_umount(const HelperPaths& paths, uid_t uid, const std::string& mount_point);

/// The image directories R may use: system dirs, R's own store, roots listed in the stores file (if root-owned).
[[nodiscard]] Result<std::vector<std::string>> allowed_image_dirs(const HelperPaths& paths, uid_t uid);

/// Whether `signature_text` (128 hex, §5.4) is a signature over the ASCII `root_hash` by a key in `trusted_keys_dir`;
/// the error says which condition failed (`what` names the signature file). A malformed key file fails closed.
[[nodiscard]] Result<void> verify_root_hash_signature(const std::string& trusted_keys_dir, const std::string& root_hash,
                                                      std::string_view signature_text, std::string_view what);

[[nodiscard]] bool is_root_hash(std::string_view text);
[[nodiscard]] bool is_mount_token(std::string_view text);

}  // namespace weft::mount_helper
