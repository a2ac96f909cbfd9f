#pragma once
// Bundles (§5.7, compat): `<id>.app.tar.zst`, a zstd-compressed tar with one top directory `<id>/` holding the
// package, `signature.sig` included. Readers accept ustar, pax and GNU long names; extraction refuses absolute
// paths, `..`, entries outside `<id>/`, links, devices, more than kMaxPackageEntries entries or kMaxPackageBytes, and
// (in unbundle/install) a top directory differing from the manifest id. Writers emit sorted entries, pax headers,
// mtime 0, uid/gid 0, modes 0644/0755.

#include <string>

#include "weft/core/result.hpp"

namespace weft::store {

inline constexpr const char* kBundleSuffix = ".app.tar.zst";

/// Writes `<out_dir>/<id>.app.tar.zst` from the package directory (never overwrites); returns its path.
[[nodiscard]] Result<std::string> write_bundle(const std::string& package_dir, const std::string& out_dir);

/// Extracts the contents of the archive's single top directory into `dest_fd` (an empty directory, written with
/// O_NOFOLLOW|O_EXCL only beneath it; files fsynced). Returns the top directory name.
[[nodiscard]] Result<std::string> extract_bundle(const std::string& archive_path, int dest_fd);

/// Extracts into `<out_dir>/<id>` (which must not exist) after checking the top directory equals the manifest id;
/// returns that path.
[[nodiscard]] Result<std::string> unbundle(const std::string& archive_path, const std::string& out_dir);

}  // namespace weft::store
