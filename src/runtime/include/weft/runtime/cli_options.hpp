#pragma once
// Command line of weft-runtime (spec §4.1).

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "weft/core/capability.hpp"
#include "weft/core/result.hpp"
#include "weft/runtime/wasi_host.hpp"

namespace weft::runtime {

constexpr uint64_t kDefaultMaxMemoryMib = 256;

/// `--engine`: AOT-compiled native code, the interpreter, or (default) native code when the cache has it and the
/// interpreter plus a background compile otherwise (spec §4.1).
enum class EngineChoice { auto_, aot, interp };

struct RuntimeOptions {
  bool show_version = false;
  std::string app_id;
  std::string session_id;
  std::optional<std::string> module;
  std::optional<std::string> ipc_socket;
  std::vector<Preopen> preopens;
  std::vector<Capability> grants;
  uint64_t max_memory_mib = kDefaultMaxMemoryMib;
  EngineChoice engine = EngineChoice::auto_;
  /// `--aot-cache DIR` (tests, tools): where compiled core modules are kept instead of the default (aot_cache.hpp).
  std::optional<std::string> aot_cache;
  /// `--aot-compile-only`: fill the cache for the component and exit (what the background compile of `auto` runs).
  bool aot_compile_only = false;
  /// `--aot-precompile`: fill the cache now with every core and progress on stdout, and exit (what `weft-pack
  /// install` runs; it waits for a concurrent compile of the same module rather than skipping the work).
  bool aot_precompile = false;
  /// Development and conformance runs only (appd passes neither): `--env NAME=VALUE` adds to the guest environment,
  /// and everything after `--` follows the app id (argv[0]) in the guest's arguments.
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<std::string> arguments;
};

/// Parses the arguments after argv[0]. Errors carry the spec's exact usage messages.
[[nodiscard]] Result<RuntimeOptions> parse_runtime_options(std::span<const std::string> args);

/// `HOST::GUEST::ro|rw` (or `HOST::GUEST`, meaning rw), split from the right on `::`.
[[nodiscard]] Result<Preopen> parse_preopen(std::string_view spec);

/// One `--env` value, split at its first `=`; the name must not be empty.
[[nodiscard]] Result<std::pair<std::string, std::string>> parse_environment_variable(std::string_view assignment);

/// Said after a component without any `--preopen` failed. The preview-1 adapter resolves a path like `/data/x`
/// against the preopens inside the guest, so an open with no matching preopen fails there (ENOENT) and never reaches
/// the runtime: this note is all the runtime can honestly say about it, naming the preopen that was likely missing.
[[nodiscard]] std::string missing_preopen_note();

/// One `--grant` capability: net:fetch and sys:* only.
[[nodiscard]] Result<Capability> parse_grant(std::string_view text);

}  // namespace weft::runtime
