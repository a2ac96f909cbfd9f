#pragma once
// App data (§5.6): lives only in `$XDG_DATA_HOME/weft/app-data/<id>` (0700). The legacy location
// `$HOME/.local/share/weft/apps/<id>/data` is moved there by one no-replace rename; conflicts are refused with
// code 409 and a message saying what to do.

#include <string>

#include "weft/core/result.hpp"

namespace weft::store {

/// True when the legacy `data` entry exists (any type; a linked or non-directory entry counts as present).
[[nodiscard]] Result<bool> legacy_app_data_present(const std::string& app_id);
/// True when app data exists in the new or the legacy location.
[[nodiscard]] Result<bool> app_data_present(const std::string& app_id);
/// Moves legacy data into place (nothing to do when absent). Errors: code 409 for conflicts.
[[nodiscard]] Result<void> migrate_legacy_app_data(const std::string& app_id);
/// Migrates, then creates the data directory (0700) if missing; returns its path. I/O failures carry code 500.
[[nodiscard]] Result<std::string> prepare_app_data_dir(const std::string& app_id);
/// Removes the app data directory recursively (no link followed).
[[nodiscard]] Result<void> purge_app_data(const std::string& app_id);

}  // namespace weft::store
