#pragma once
// weft-dev's private development store: `<data home>/weft/dev/` holds the store root `apps/` (marked with
// store::kDevelopmentStoreMarker, so appd grants development options there and nowhere else), `trusted-keys/`, and
// `data/`, the XDG_DATA_HOME of the desktops weft-dev starts (owner records and app data live there, kept between
// runs). weft-dev's own process points WEFT_APP_STORE, WEFT_TRUSTED_KEYS and XDG_DATA_HOME at them, so weft-store's
// calls and the desktop agree on every path.

#include <string>

#include "weft/core/result.hpp"

namespace weft::dev {

struct DevStore {
  std::string root;          // <data home>/weft/dev
  std::string apps;          // store root
  std::string trusted_keys;  // trusted-key directory of dev desktops (the build's key for the demo apps)
  std::string data_home;     // XDG_DATA_HOME of dev desktops
};

/// Creates the store (once) and switches this process's store variables to it.
[[nodiscard]] Result<DevStore> open_dev_store();

/// `weft-pack install <package> --dev` through weft-store: the revision id (digest).
[[nodiscard]] Result<std::string> install_dev(const std::string& package_dir);

}  // namespace weft::dev
