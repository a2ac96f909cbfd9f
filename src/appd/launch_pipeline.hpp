#pragma once
// §3.4 steps 1–6: everything decided before a session exists. Each step is one function; the whole pipeline either
// yields a LaunchPlan (holding the revision pin and, for images, the mount) or an Error whose code and message are the
// exact §3.3 reply. A refusal leaves nothing behind: the plan's members release themselves when it is dropped.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "appd_config.hpp"
#include "weft/core/manifest.hpp"
#include "weft/core/result.hpp"
#include "weft/store/images.hpp"
#include "weft/store/revisions.hpp"

namespace weft::appd {

/// A verity image mounted through weft-mount-helper (§5.9); unmounted and its mount point removed when destroyed.
class ImageMount {
 public:
  ImageMount(std::string helper, std::string mount_point) : helper_(std::move(helper)), mount_point_(std::move(mount_point)) {}
  ~ImageMount();
  ImageMount(const ImageMount&) = delete;
  ImageMount& operator=(const ImageMount&) = delete;
  [[nodiscard]] const std::string& path() const { return mount_point_; }

 private:
  std::string helper_;
  std::string mount_point_;
};

/// A directory granted to the component: `--preopen HOST::GUEST::ro|rw`.
struct Preopen {
  std::string host;
  std::string guest;  // "/data" or "/xdg/documents"
  bool writable = false;
  [[nodiscard]] std::string argument() const { return host + "::" + guest + (writable ? "::rw" : "::ro"); }
};

struct LaunchPlan {
  std::string app_id;
  Manifest manifest;
  std::string package_root;  // real directory the session runs from (revision, legacy directory or image mount)
  std::optional<store::PinnedPackage> pin;  // directory installs
  std::unique_ptr<ImageMount> image;        // image installs
  std::vector<Preopen> preopens;
  std::vector<std::string> grants;  // `--grant` capabilities (net:fetch:*, sys:*)
  bool clipboard = false;           // a sys:clipboard:* grant: the runtime gets WAYLAND_DISPLAY
  bool notifications = false;       // sys:notifications: the runtime gets the D-Bus session address
  bool development = false;         // owner `development` (unsigned), set by verify_trust
  uint16_t inspect_port = 0;        // development launches only: WebKit's remote inspector on 127.0.0.1:<port>

  /// A `development` package resolved from a store root marked as a development store (store::kDevelopmentStoreMarker):
  /// the only launches that may take development options.
  [[nodiscard]] bool development_launch() const;
};

/// Step 1 (id part): `invalid app ID` (400).
[[nodiscard]] Result<void> check_app_id(const std::string& app_id);

/// Steps 2–6 for a valid id. `mount_dir` is `$XDG_RUNTIME_DIR/weft/mnt`.
[[nodiscard]] Result<LaunchPlan> prepare_launch(const std::string& app_id, const AppdConfig& config);

/// Step 2: the package to run — an image in any root beats a directory install (mounted here), else the first root
/// holding `<root>/<id>`, pinned. 404 `package <id> is not installed`, 503 on contention, 403/500 for images.
[[nodiscard]] Result<void> resolve_and_pin(LaunchPlan& plan, const AppdConfig& config);
/// Step 3: manifest and entries (403).
[[nodiscard]] Result<void> validate(LaunchPlan& plan);
/// Step 4: content digest and owner rule (403).
[[nodiscard]] Result<void> verify_trust(LaunchPlan& plan);
/// DEV_LAUNCH_APP's inspector request: allowed only for development_launch() plans (403 otherwise).
[[nodiscard]] Result<void> allow_inspector(LaunchPlan& plan, uint32_t port);
/// Step 5: capabilities → preopens and grants (403).
[[nodiscard]] Result<void> resolve_grants(LaunchPlan& plan);
/// Step 6: app data migrated and created (409/500).
[[nodiscard]] Result<void> prepare_app_data(LaunchPlan& plan);

/// `XDG_DOCUMENTS_DIR` of `$XDG_CONFIG_HOME/user-dirs.dirs` (`"$HOME/…"` or `"/abs"`, last assignment wins, escapes
/// unsupported); nullopt when unset, equal to $HOME or not an existing directory.
[[nodiscard]] std::optional<std::string> documents_dir();

}  // namespace weft::appd
