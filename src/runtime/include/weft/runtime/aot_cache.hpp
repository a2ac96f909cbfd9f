#pragma once
// Ahead-of-time compiled core modules: wasm2c (in process, through libwabt) + the system C compiler, one `.so` per
// core module, kept in a private cache (spec §4.1 `--engine`). Used by the AOT engine (load) and by `weft-pack install`
// (precompile); nothing here runs guest code.
//
// Trust: a cache entry is `<dir>/<key>.so` plus `<dir>/<key>.sha256` (hex SHA-256 of the .so). The key covers the
// module bytes, wabt's version, the compiler's identity, the flags and WEFT_AOT_ABI_VERSION, so any change compiles
// afresh. The directory must be ours and writable by nobody else; files are written to a temporary name and renamed
// (two compilers of one module never see each other's half-written file), and every load re-hashes the .so from the
// very descriptor that is then dlopen'ed, so a corrupt, truncated or swapped entry is rebuilt, never run.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::runtime {

/// A core module this large is a JS engine (componentize-js embeds ≈10 MB): gcc does not finish it on 2 cores
/// (stack.md §5). Neither `weft-pack install` nor the background compile of `--engine auto` compiles one; such apps run
/// on the interpreter.
inline constexpr size_t kAotMaxPrecompiledModuleBytes = size_t(4) << 20;

struct AotCacheOptions {
  std::string dir;  // absolute; created 0700 when missing
  /// `-O2` unless `WEFT_AOT_OPT` (tests: `-O0`/`-O1`) says otherwise; part of the key.
  std::string optimization;
  std::chrono::milliseconds compile_timeout{std::chrono::minutes(10)};
};

class AotCache {
 public:
  /// Checks (or creates) the directory: owned by the effective user, no group/other write bits; finds `cc` in PATH.
  /// An error names the directory and the reason, or says that no C compiler was found.
  [[nodiscard]] static Result<AotCache> open(AotCacheOptions options);

  /// The cache key of a core module (64 hex digits).
  [[nodiscard]] std::string key(std::span<const uint8_t> wasm) const;
  /// The cached `.so` of `key`, verified against its recorded digest; nullopt when missing, corrupt or stale.
  [[nodiscard]] std::optional<UniqueFd> open_cached(const std::string& key) const;
  /// Translates and compiles `wasm` into the cache (replacing whatever was there) and returns the verified entry.
  [[nodiscard]] Result<UniqueFd> compile(std::span<const uint8_t> wasm, std::string_view name) const;
  /// open_cached, else compile under the entry's lock (`<dir>/<key>.lock`, waited for): concurrent callers for one
  /// module (two installs, an install and a background compile) compile it once, the others then load that entry.
  /// `compiled` (optional) says whether this call ran the compiler.
  [[nodiscard]] Result<UniqueFd> ensure(std::span<const uint8_t> wasm, std::string_view name,
                                        bool* compiled = nullptr) const;

  [[nodiscard]] const std::string& dir() const { return options_.dir; }

 private:
  AotCacheOptions options_;
  std::string compiler_;           // absolute path of cc
  std::string compiler_identity_;  // first line of `cc --version`
};

/// `<first store root>/.aot` when that root exists and is ours, else `$XDG_CACHE_HOME/weft/aot` (or
/// `$HOME/.cache/weft/aot`). Store entries that do not start with '.' are app ids, hence the dot.
[[nodiscard]] Result<std::string> default_aot_cache_dir();

/// The cache of the store a package lives in: for a path inside an installed revision
/// (`<root>/.revisions/<id>/<digest>[/…]`, after resolving symbolic links, so `<root>/<id>/app.wasm` too) whose root
/// is ours, `<root>/.aot`. `weft-pack install` precompiles into it and weft-runtime loads from it whatever the
/// environment says (appd starts runtimes without WEFT_APP_STORE). nullopt for any other path.
[[nodiscard]] std::optional<std::string> store_aot_cache_dir(const std::string& path_in_revision);

/// C source of a core module for the AOT engine: wasm2c's output plus the glue of aot_abi.h, as one translation unit
/// (`glue.c` includes `module.c`, which includes `module.h`). An error names the module and the reason (invalid
/// module, a feature the AOT engine does not support).
struct AotSource {
  std::string header, module, glue;
};
[[nodiscard]] Result<AotSource> translate_to_c(std::span<const uint8_t> wasm, std::string_view name);

/// The flags every module is compiled with (besides the optimisation level), for the key and the compile.
[[nodiscard]] std::string aot_compile_flags();

}  // namespace weft::runtime
