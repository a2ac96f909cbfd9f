#include "dev_store.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "weft/core/fd.hpp"
#include "weft/core/paths.hpp"
#include "weft/store/install.hpp"
#include "weft/store/revisions.hpp"

namespace weft::dev {

Result<DevStore> open_dev_store() {
  WEFT_TRY(std::string data_home, paths::data_home());
  DevStore store;
  store.root = data_home + "/weft/dev";
  store.apps = store.root + "/apps";
  store.trusted_keys = store.root + "/trusted-keys";
  store.data_home = store.root + "/data";
  std::error_code ec;
  for (const auto& dir : {store.apps, store.trusted_keys, store.data_home}) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail("cannot create " + dir + ": " + ec.message());
  }
  std::string marker = store.apps + "/" + store::kDevelopmentStoreMarker;
  if (::access(marker.c_str(), F_OK) != 0)
    WEFT_TRY_VOID(write_file_atomic(marker, "weft-dev development store: unsigned packages, inspector allowed\n", 0644));
  ::setenv("WEFT_APP_STORE", store.apps.c_str(), 1);
  ::setenv("WEFT_TRUSTED_KEYS", store.trusted_keys.c_str(), 1);
  ::setenv("XDG_DATA_HOME", store.data_home.c_str(), 1);
  return store;
}

Result<std::string> install_dev(const std::string& package_dir) {
  store::InstallOptions options;
  options.dev = true;
  options.claim_data = true;  // the development store's data home: the app id may have been installed signed before
  WEFT_TRY(auto outcome, store::install_package(package_dir, options));
  return outcome.revision;
}

}  // namespace weft::dev
