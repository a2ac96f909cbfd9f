#include "demo_packages.hpp"

#include <unistd.h>

#include <filesystem>

#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"
#include "weft/core/tool_run.hpp"

namespace weft::session {
namespace {

constexpr std::chrono::milliseconds kInstallTimeout{120 * 1000};
constexpr const char* kTrustedKeyName = "weft-dev.pub";  // the development key's name in the session's trust dir

}  // namespace

bool package_outdated(const std::string& built_dir, const std::string& installed_dir) {
  if (::access(installed_dir.c_str(), F_OK) != 0) return true;
  auto built = read_file(built_dir + "/signature.sig");
  if (!built) return false;
  auto installed = read_file(installed_dir + "/signature.sig");
  return !installed || *installed != *built;
}

Result<void> install_demo_packages(const SessionSettings& settings, const Environment& parent) {
  const auto& layout = settings.layout;
  if (layout.demo_packages_dir.empty() || settings.app_store.empty()) return ok();
  std::error_code ec;
  std::filesystem::create_directories(settings.app_store, ec);
  std::filesystem::create_directories(settings.trusted_keys, ec);
  if (ec) return fail("cannot create " + settings.trusted_keys + ": " + ec.message());
  WEFT_TRY(auto key, read_file(layout.dev_public_key));
  std::string trusted = settings.trusted_keys + "/" + kTrustedKeyName;
  if (auto current = read_file(trusted); !current || *current != key) {
    WEFT_TRY_VOID(write_file_atomic(trusted, key, 0644));
    log::info("trusting the build's development key ", layout.dev_public_key, " in ", settings.trusted_keys);
  }
  for (const auto& entry : std::filesystem::directory_iterator(layout.demo_packages_dir, ec)) {
    std::string app_id = entry.path().filename();
    if (!package_outdated(entry.path().string(), settings.app_store + "/" + app_id)) continue;
    log::info("installing ", app_id, " into ", settings.app_store);
    // Not precompiled: compiling counter and notes at -O2 takes ≈ 5 s on 2 cores and would hold the desktop back
    // that long at a fresh store's first start, while native code saves these UI-driven demos ≈ 5 ms of a ≈ 900 ms
    // launch (docs/performance.md, "Runtime engines"). `weft-pack install` without the flag compiles them.
    auto command = pack_command(settings, parent, {"install", entry.path().string(), "--no-precompile"});
    auto run = run_tool({.argv = command.argv, .timeout = kInstallTimeout, .env = command.env});
    if (run)
      for (std::string_view said : {std::string_view(run->out), std::string_view(run->err)})
        if (!said.empty()) log::info("weft-pack: ", said.substr(0, said.find_last_not_of('\n') + 1));
    if (!run || !run->status.success())
      log::warn("weft-pack install ", entry.path().string(), " failed (",
                run ? run->status.describe() : run.error().message, "): ", app_id, " is not available in this session");
  }
  if (ec) return fail("cannot list the demo packages in " + layout.demo_packages_dir + ": " + ec.message());
  return ok();
}

}  // namespace weft::session
