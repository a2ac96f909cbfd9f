#pragma once
// Ahead-of-time compiled core modules: wasm2c (in process, through libwabt) + the system C compiler, one `.so` per
// core module, kept in a private cache (spec §4.1 `--engine`). Used by the AOT engine (load) and by `weft-pack install`
// (precompile); nothing here runs guest code.
//
// Trust: a cache entry is `<dir>/<key>.so` plus `<dir>/<key>.sha256` (hex SHA-256 of the .so). The key covers the
// module's shape (every byte the compiled code depends on: the module without its data segments' bytes, constant
// segment offsets and constant global initialisers, which the code reads from the module at instantiate;
// aot_module_shape.hpp), wabt's version, the compiler's identity, the flags and WEFT_AOT_ABI_VERSION, so any change
// compiles afresh, and modules of one shape (JS apps of one world) share one entry. The directory must be ours and writable by nobody else; files are written to a temporary name and renamed
// (two compilers of one module never see each other's half-written file), and every load re-hashes the .so from the
// very descriptor that is then dlopen'ed, so a corrupt, truncated or swapped entry is rebuilt, never run.
//
// A split module's files of function bodies also leave their objects in `<dir>/units/<key>.o` (+ `.sha256`: the
// object's digest, and those of the headers and the file it was compiled from), keyed from the wasm before anything
// is translated (translate_to_c: each function's body with its callees' names, what the bodies' C reads from the
// module) with wabt's version, the compiler, the flags and the ABI version. A later compile takes a stored object
// whose digest checks and whose headers are this translation's, and wasm2c does not even write that file: JS apps of
// different worlds share their engine's files (docs/performance.md, "Sharing the engine across worlds"). Each `.so`
// lists its objects in `<dir>/<key>.units`; prune_units removes the ones no entry lists.
//
// The entries together stay within AotCacheOptions::max_entry_bytes: after every compile, prune_entries removes the
// least recently used ones (by the `.so`'s modification time, which a load refreshes when it is over an hour old).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::runtime {

struct AotCacheOptions {
  std::string dir;  // absolute; created 0700 when missing
  /// `-O2` unless `WEFT_AOT_OPT` (tests: `-O0`/`-O1`) says otherwise; part of the key.
  std::string optimization;
  /// A core module over this many bytes (a JS engine: componentize-js embeds ≈12 MB, 150 MiB of C that one compiler
  /// does not finish on 2 cores) is split into translation units of about `unit_bytes` of C, compiled in parallel by
  /// clang when present (cheaper than gcc at the same level, docs/performance.md). 0: `WEFT_AOT_SPLIT_BYTES`, else
  /// 1 MiB (tests lower it to split tiny modules). Both are part of the key.
  size_t split_module_bytes = 0;
  size_t unit_bytes = size_t(4) << 20;
  /// Per compiler run (one translation unit, or the link).
  std::chrono::milliseconds compile_timeout{std::chrono::minutes(10)};
  /// Tests: after a compile that reused stored objects, translate the whole module too and fail unless every reused
  /// file reads exactly as the one its object was compiled from (the keys from the wasm cover what the C reads).
  /// Also set by `WEFT_AOT_VERIFY_UNITS=1`.
  bool verify_unit_keys = false;
  /// Bytes of `.so` entries the cache keeps (prune_entries); 0: `WEFT_AOT_CACHE_MAX_BYTES`, else 4 GiB (a JS app's
  /// engine is 30–55 MB; each JS world has one, every other app a few small ones).
  uint64_t max_entry_bytes = 0;
};

/// What one compile did with a split module's files of function bodies.
struct AotCompileReport {
  size_t units = 0;              // files of bodies (main.c not counted)
  size_t units_reused = 0;       // of them, known by their key from the wasm: not translated, not compiled
  size_t units_compiled = 0;     // of them, compiled
  size_t functions = 0;          // defined functions
  size_t functions_written = 0;  // of them, bodies wasm2c wrote as C
  size_t functions_hidden = 0;   // of them, in files whose objects were at hand and declared to wasm2c as imports
};

/// What prune_entries did: `.so` entries kept and removed, and the bytes of the kept ones.
struct AotEntryPruning {
  size_t kept = 0, removed = 0;
  uint64_t kept_bytes = 0;
};

/// What prune_units did: unit objects kept and removed; `busy` when a compile held the store (nothing removed).
struct AotUnitPruning {
  size_t kept = 0, removed = 0;
  bool busy = false;
};

/// Progress of one compile: translation units compiled of all (0 of 0 while wasm2c translates); called from the
/// compiling threads, one call at a time.
using AotCompileProgress = std::function<void(size_t units_done, size_t units_total)>;

class AotCache {
 public:
  /// Checks (or creates) the directory: owned by the effective user, no group/other write bits; finds `cc` in PATH.
  /// An error names the directory and the reason, or says that no C compiler was found.
  [[nodiscard]] static Result<AotCache> open(AotCacheOptions options);

  /// The cache key of a core module (64 hex digits); equal for modules of one shape.
  [[nodiscard]] std::string key(std::span<const uint8_t> wasm) const;
  /// The cached `.so` of `key`, verified against its recorded digest; nullopt when missing, corrupt or stale.
  [[nodiscard]] std::optional<UniqueFd> open_cached(const std::string& key) const;
  /// Translates and compiles `wasm` into the cache (replacing whatever was there) and returns the verified entry. The
  /// compilers of all compiles in the process together run at most as many at once as there are cores.
  [[nodiscard]] Result<UniqueFd> compile(std::span<const uint8_t> wasm, std::string_view name,
                                         const AotCompileProgress& progress = {},
                                         AotCompileReport* report = nullptr) const;
  /// open_cached, else compile under the entry's lock (`<dir>/<key>.lock`, waited for): concurrent callers for one
  /// module (two installs, an install and a background compile) compile it once, the others then load that entry.
  /// `compiled` (optional) says whether this call ran the compiler.
  [[nodiscard]] Result<UniqueFd> ensure(std::span<const uint8_t> wasm, std::string_view name,
                                        bool* compiled = nullptr, const AotCompileProgress& progress = {}) const;

  /// Removes the unit objects (`<dir>/units/<key>.o`) that no cached `.so` lists in its `<key>.units` (and the lists
  /// of entries that are gone), keeping the store as large as what the cached modules were linked from. Every split
  /// compile runs it at its end. Never removes an object a running compile may still take: compiles hold
  /// `<dir>/units.lock` shared from before they pick objects (copied into their private build directory) until their
  /// entry lists them; this takes it exclusively without waiting and does nothing (`busy`) when a compile holds it.
  [[nodiscard]] Result<AotUnitPruning> prune_units() const;

  /// Removes the least recently used `.so` entries (with their digest and unit list) until the rest fit in
  /// max_entry_bytes, never `keep` (the entry just compiled) nor an entry whose `<key>.lock` a compile holds. Every
  /// compile runs it before prune_units, so the objects only removed entries used go too. Recency is the `.so`'s
  /// modification time: set when it is compiled, refreshed by open_cached when over an hour old (one write an hour
  /// at most, not one per load).
  [[nodiscard]] Result<AotEntryPruning> prune_entries(const std::string& keep = {}) const;

  /// Whether `wasm` is compiled as several translation units (split_module_bytes).
  [[nodiscard]] bool splits(std::span<const uint8_t> wasm) const { return wasm.size() > options_.split_module_bytes; }
  [[nodiscard]] const std::string& dir() const { return options_.dir; }

 private:
  struct Compiler {
    std::string path;      // absolute
    std::string identity;  // first line of `<path> --version`
  };
  const Compiler& compiler_for(std::span<const uint8_t> wasm) const { return splits(wasm) ? large_ : small_; }

  AotCacheOptions options_;
  Compiler small_;  // cc
  Compiler large_;  // clang-19 or clang when in PATH, else cc
};

/// `<first store root>/.aot` when that root exists and is ours, else `$XDG_CACHE_HOME/weft/aot` (or
/// `$HOME/.cache/weft/aot`). Store entries that do not start with '.' are app ids, hence the dot.
[[nodiscard]] Result<std::string> default_aot_cache_dir();

/// The cache of the store a package lives in: for a path inside an installed revision
/// (`<root>/.revisions/<id>/<digest>[/…]`, after resolving symbolic links, so `<root>/<id>/app.wasm` too) whose root
/// is ours, `<root>/.aot`. `weft-pack install` precompiles into it and weft-runtime loads from it whatever the
/// environment says (appd starts runtimes without WEFT_APP_STORE). nullopt for any other path.
[[nodiscard]] std::optional<std::string> store_aot_cache_dir(const std::string& path_in_revision);

/// C source of a core module for the AOT engine: wasm2c's output plus the glue of aot_abi.h. `shared.h` (aot_abi.h,
/// wasm2c's prelude, which includes `module.h`) is included by `main.c` (the glue, init functions, exports) and by
/// each `part_<k>.c` (function bodies). With `unit_bytes` 0 everything is in main.c; otherwise the bodies are cut into
/// files of about `unit_bytes` of C (at least two, at most 64), which compile in parallel and link into one object;
/// each file declares the functions (wasm functions, imports) it calls, main.c all of them and the exports. Functions
/// are named by their place after the imports and trap stubs, and files cut where the functions' own text says, so a
/// run of functions two modules share gives the same files in both. What is translated is the module's shape: data segments, constant
/// segment offsets and constant global initialisers are not in the C, the object reads them from the module at
/// instantiate (weft_aot_module_values). An error names the module and the reason (invalid module, a feature the AOT
/// engine does not support).
///
/// A split module's files are cut and keyed from the wasm before wasm2c runs: a file's key (64 hex digits) is the
/// SHA-256 of `AotUnitReuse::key_context`, of everything its bodies' C reads from the module (types, globals,
/// memories, tables and segments as named in the C, wabt's version, aot_abi.h, the generator's version) and of each
/// of its functions' key (the body's bytes with every callee replaced by its name and type in the C). A file whose
/// key `have` accepts is not written (its `parts` text is empty, `part_reused` true): wasm2c is told its functions are
/// imports and only declares them (their C is then rewritten to a defined function's: `functions_hidden`), or, when
/// that rewrite would not cover every mention, writes their bodies as `unreachable`; only main.c and the other files
/// cost a translation. A module whose bodies use SIMD is refused (wabt 1.0.32's wasm2c aborts on them). Modules with something the keys do not
/// cover (threads, exceptions, SIMD) have no `part_keys` and every file written, cut by its C as before.
struct AotSource {
  std::string header, shared, main;
  std::vector<std::string> parts;
  std::vector<std::string> part_keys;  // per part, when keyed from the wasm
  std::vector<bool> part_reused;       // per part: not written, its object is at hand
  size_t functions = 0;                // defined functions
  size_t functions_written = 0;        // of them, bodies written as C
  size_t functions_hidden = 0;         // of them, declared to wasm2c as imports: not even visited (part_reused)
};
struct AotUnitReuse {
  std::string key_context;  // what else the files' objects depend on: compiler, flags, ABI version
  std::function<bool(const std::string& key)> have;
};
[[nodiscard]] Result<AotSource> translate_to_c(std::span<const uint8_t> wasm, std::string_view name,
                                               size_t unit_bytes = 0, const AotUnitReuse& reuse = {});

/// The flags every module is compiled with (besides the optimisation level), for the key and the compile.
[[nodiscard]] std::string aot_compile_flags();

}  // namespace weft::runtime
