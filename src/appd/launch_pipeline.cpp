#include "launch_pipeline.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "weft/core/app_id.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"
#include "weft/core/ready.hpp"
#include "weft/core/tool_run.hpp"
#include "weft/store/app_data.hpp"
#include "weft/store/approvals.hpp"
#include "weft/store/package_check.hpp"
#include "weft/store/trust.hpp"

namespace weft::appd {
namespace {

constexpr int kBadRequest = 400, kRefused = 403, kNotFound = 404, kHostFault = 500;
constexpr std::chrono::milliseconds kMountTimeout{30000};

bool is_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

// Host directories reach the runtime as `HOST::GUEST::mode`: one that is not UTF-8 or holds `::` cannot be granted.
Result<void> check_grantable_host_dir(const std::string& dir) {
  if (!is_utf8(dir) || dir.find("::") != std::string::npos)
    return fail("directory '" + dir + "' cannot be granted (not UTF-8 or contains '::')", kRefused);
  return ok();
}

Result<ExitStatus> run_mount_helper(const std::string& helper, std::vector<std::string> args) {
  ToolRequest request{.argv = {helper}, .timeout = kMountTimeout, .env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.capture_stdout = request.capture_stderr = false;
  WEFT_TRY(ToolResult run, run_tool(request));
  return run.status;
}

// `mnt/` exists only while some session runs from an image.
void remove_mount_dir_if_empty(const std::string& mnt) {
  if (::rmdir(mnt.c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
    log::debug("cannot remove ", mnt, ": ", std::strerror(errno));
}

}  // namespace

ImageMount::~ImageMount() {
  auto status = run_mount_helper(helper_, {"umount", mount_point_});
  if (!status.ok() || !status->success())
    log::warn("unmounting ", mount_point_, " failed: ", status.ok() ? status->describe() : status.error().message);
  if (::rmdir(mount_point_.c_str()) != 0 && errno != ENOENT) log::warn("cannot remove mount point ", mount_point_);
  remove_mount_dir_if_empty(mount_point_.substr(0, mount_point_.rfind('/')));
}

Result<void> check_app_id(const std::string& app_id) {
  if (!validate_app_id(app_id).ok()) return fail("invalid app ID", kBadRequest);
  return ok();
}

Result<void> resolve_and_pin(LaunchPlan& plan, const AppdConfig& config) {
  const std::string& id = plan.app_id;
  auto image = store::find_image(id);
  if (!image.ok()) return fail(image.error().message, image.error().code ? image.error().code : kRefused);
  if (*image) {
    WEFT_TRY(std::string root_hash, store::verify_image_root_hash(**image, id));
    if (!config.mount_helper) return fail("image of " + id + ": no weft-mount-helper is installed", kHostFault);
    std::string mnt = config.weft_dir + "/mnt";
    if (::mkdir(mnt.c_str(), 0700) != 0 && errno != EEXIST) return fail(errno_error(mnt).message, kHostFault);
    std::string point = mnt + "/" + ready::random_token();
    if (::mkdir(point.c_str(), 0700) != 0) return fail(errno_error(point).message, kHostFault);
    auto status = run_mount_helper(*config.mount_helper,
                                   {"mount", (*image)->image, (*image)->hash_tree, root_hash, point});
    if (!status.ok() || !status->success()) {
      ::rmdir(point.c_str());
      remove_mount_dir_if_empty(mnt);
      return fail("image of " + id + " could not be mounted: " +
                      (status.ok() ? "weft-mount-helper " + status->describe() : status.error().message),
                  kHostFault);
    }
    plan.image = std::make_unique<ImageMount>(*config.mount_helper, point);
    plan.package_root = point;
    return ok();
  }
  auto active = store::resolve_installed(id);
  if (!active.ok()) return fail(active.error().message, kRefused);
  if (!*active) return fail("package " + id + " is not installed", kNotFound);
  auto pin = store::pin_package(**active);
  if (!pin.ok()) return fail(pin.error().message, pin.error().code ? pin.error().code : 503);
  plan.package_root = pin->package().path;
  plan.pin.emplace(std::move(pin).value());
  return ok();
}

Result<void> validate(LaunchPlan& plan) {
  int dir_fd = -1;
  UniqueFd opened;
  if (plan.pin) {
    dir_fd = plan.pin->dir_fd();
  } else {
    auto dir = open_dir(plan.package_root);
    if (!dir.ok()) return fail(plan.package_root + ": " + dir.error().message, kRefused);
    opened = std::move(dir).value();
    dir_fd = opened.get();
  }
  auto manifest = store::validate_package(dir_fd, plan.package_root);
  if (!manifest.ok()) return fail(manifest.error().message, kRefused);
  if (manifest->id != plan.app_id)
    return fail("wapp.toml: package.id '" + manifest->id + "' does not match the requested app id " + plan.app_id,
                kRefused);
  plan.manifest = std::move(manifest).value();
  return ok();
}

Result<void> verify_trust(LaunchPlan& plan) {
  UniqueFd opened;
  int dir_fd = -1;
  if (plan.pin) {
    dir_fd = plan.pin->dir_fd();
  } else {
    auto dir = open_dir(plan.package_root);
    if (!dir.ok()) return fail(plan.package_root + ": " + dir.error().message, kRefused);
    opened = std::move(dir).value();
    dir_fd = opened.get();
  }
  std::optional<std::string> revision;
  if (plan.pin) revision = plan.pin->package().revision;
  auto verdict = store::verify_launch_trust(dir_fd, plan.app_id, revision);
  if (!verdict.ok()) return fail(verdict.error().message, kRefused);
  plan.development = verdict->development;
  return ok();
}

bool LaunchPlan::development_launch() const {
  if (!development || !pin) return false;
  std::string marker = pin->package().root + "/" + store::kDevelopmentStoreMarker;
  struct stat st {};
  return ::lstat(marker.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<void> allow_inspector(LaunchPlan& plan, uint32_t port) {
  if (port == 0) return ok();
  if (port > 65535) return fail("inspect_port " + std::to_string(port) + " is not a TCP port", kBadRequest);
  if (!plan.development_launch())
    return fail("the remote inspector is only for development packages in a development store (weft-dev run "
                "--inspect); " + plan.app_id + " is not one",
                kRefused);
  plan.inspect_port = static_cast<uint16_t>(port);
  return ok();
}

Result<void> resolve_grants(LaunchPlan& plan) {
  bool data_read = false, data_rw = false, docs_read = false, docs_rw = false;
  for (const std::string& text : plan.manifest.capabilities) {
    auto cap = parse_capability(text);
    if (!cap.ok()) return fail(cap.error().message, kRefused);
    switch (cap->kind) {
      case CapabilityKind::fs_read_app_data: data_read = true; break;
      case CapabilityKind::fs_rw_app_data: data_rw = true; break;
      case CapabilityKind::fs_read_xdg_documents: docs_read = true; break;
      case CapabilityKind::fs_rw_xdg_documents: docs_rw = true; break;
      case CapabilityKind::hw_gpu_compute:
      case CapabilityKind::hw_gpu_render: return fail(text + " is not supported by this host", kRefused);
      case CapabilityKind::sys_clipboard_read:
      case CapabilityKind::sys_clipboard_write: plan.clipboard = true; plan.grants.push_back(text); break;
      case CapabilityKind::sys_notifications: plan.notifications = true; plan.grants.push_back(text); break;
      case CapabilityKind::net_fetch_any:
      case CapabilityKind::net_fetch_host: plan.grants.push_back(text); break;
    }
  }
  auto approved = store::read_approvals(plan.app_id);
  if (!approved.ok()) return fail(approved.error().message, kRefused);
  auto missing = store::unapproved_capabilities(plan.manifest, *approved);
  if (!missing.empty())
    return fail(store::join_capabilities(missing) + " needs approval; run weft-pack approve " + plan.app_id, kRefused);
  if (docs_read || docs_rw) {
    auto docs = documents_dir();
    if (!docs) return fail("no documents directory: XDG_DOCUMENTS_DIR is unset, equal to $HOME or missing", kRefused);
    WEFT_TRY_VOID(check_grantable_host_dir(*docs));
    plan.preopens.push_back({*docs, "/xdg/documents", docs_rw});
  }
  if (data_read || data_rw) plan.preopens.insert(plan.preopens.begin(), Preopen{"", "/data", data_rw});
  return ok();
}

Result<void> prepare_app_data(LaunchPlan& plan) {
  for (Preopen& p : plan.preopens) {
    if (p.guest != "/data") continue;
    auto dir = store::prepare_app_data_dir(plan.app_id);
    if (!dir.ok()) return fail(dir.error().message, dir.error().code ? dir.error().code : kHostFault);
    WEFT_TRY_VOID(check_grantable_host_dir(*dir));
    p.host = *dir;
  }
  return ok();
}

Result<LaunchPlan> prepare_launch(const std::string& app_id, const AppdConfig& config) {
  LaunchPlan plan;
  plan.app_id = app_id;
  WEFT_TRY_VOID(check_app_id(app_id));
  WEFT_TRY_VOID(resolve_and_pin(plan, config));
  WEFT_TRY_VOID(validate(plan));
  WEFT_TRY_VOID(verify_trust(plan));
  WEFT_TRY_VOID(resolve_grants(plan));
  WEFT_TRY_VOID(prepare_app_data(plan));
  return plan;
}

std::optional<std::string> documents_dir() {
  auto config = paths::config_home();
  auto home = paths::home_dir();
  if (!config.ok() || !home.ok()) return std::nullopt;
  std::ifstream in(*config + "/user-dirs.dirs");
  std::optional<std::string> found;
  std::string line;
  while (std::getline(in, line)) {
    constexpr std::string_view kKey = "XDG_DOCUMENTS_DIR=\"";
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, kKey.size(), kKey) != 0) continue;
    size_t value_start = start + kKey.size();
    size_t end = line.find('"', value_start);
    if (end == std::string::npos) continue;
    std::string value = line.substr(value_start, end - value_start);
    if (value.find('\\') != std::string::npos) continue;  // escapes are unsupported
    if (value.rfind("$HOME", 0) == 0) value = *home + value.substr(5);
    else if (value.empty() || value.front() != '/') continue;
    found = value;  // the last assignment wins
  }
  if (!found) return std::nullopt;
  while (found->size() > 1 && found->back() == '/') found->pop_back();
  if (*found == *home) return std::nullopt;
  struct stat st {};
  if (::stat(found->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return std::nullopt;
  return found;
}

}  // namespace weft::appd
