#pragma once
// The demo packages of a build tree, kept installed in the session's development store (docs/session.md): the
// build's development key is the trusted key there, and a package is (re)installed with weft-pack when the store
// lacks it or holds another build of it.

#include <string>

#include "child_environment.hpp"
#include "weft/core/result.hpp"

namespace weft::session {

/// True when `installed_dir` (a store entry `<root>/<id>`) is missing or holds another build than `built_dir`:
/// their `signature.sig` differ (Ed25519 signatures are deterministic: same content and key, same bytes). An unsigned
/// build is never taken for outdated.
[[nodiscard]] bool package_outdated(const std::string& built_dir, const std::string& installed_dir);

/// Trusts the build's development key in the session's trust directory (replacing an earlier build's key) and
/// installs every outdated demo package. A package that fails to install is logged and skipped.
[[nodiscard]] Result<void> install_demo_packages(const SessionSettings& settings, const Environment& parent);

}  // namespace weft::session
