// The AOT cache: key, trust checks, compile into the cache (aot_cache.hpp).

#include "weft/runtime/aot_cache.hpp"

#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>
#include <wabt/config.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <vector>

#include "aot_abi.h"
#include "aot_abi_text.hpp"
#include "aot_module_shape.hpp"
#include "weft/core/app_id.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"
#include "weft/core/paths.hpp"
#include "weft/core/tool_run.hpp"

namespace weft::runtime {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxSharedObjectBytes = size_t(1) << 30;
// Explicit-bounds builds (ASan/UBSan, valgrind) count call depth instead of catching SIGSEGV on the stack guard; this
// many guest frames is deep enough for wasi-libc programs and shallow enough for an 8 MiB stack with ASan's frames.
constexpr int kExplicitBoundsMaxCallDepth = 4000;

std::optional<std::string> find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  std::string_view rest(path);
  while (true) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    if (!dir.empty()) {
      std::string candidate = dir + "/" + program;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

/// Cores this process may run on.
unsigned available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return unsigned(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

/// Every compiler run of the process takes a slot: a precompile compiles several modules at once, each of them
/// possibly split, and together they never run more compilers than there are cores.
class CompilerSlots {
 public:
  static CompilerSlots& instance() {
    static CompilerSlots* slots = new CompilerSlots(available_cores());  // never destroyed: threads may outlive exit
    return *slots;
  }
  void acquire() {
    std::unique_lock lock(mutex_);
    free_.wait(lock, [&] { return available_ > 0; });
    --available_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      ++available_;
    }
    free_.notify_one();
  }

 private:
  explicit CompilerSlots(unsigned count) : available_(count) {}
  std::mutex mutex_;
  std::condition_variable free_;
  unsigned available_;
};

/// `argv` with the flags of aot_compile_flags(): all of them for a compile-and-link, the compile half with `-c`.
void add_flags(std::vector<std::string>& argv, bool compile_only) {
  std::string flags = aot_compile_flags();
  for (size_t at = 0; at < flags.size();) {
    size_t space = flags.find(' ', at);
    if (space == std::string::npos) space = flags.size();
    std::string flag = flags.substr(at, space - at);
    at = space + 1;
    if (flag.empty()) continue;
    bool link_flag = flag == "-shared" || flag == "-s" || flag.starts_with("-Wl,");
    if (compile_only && link_flag) continue;
    argv.push_back(std::move(flag));
  }
}

constexpr size_t kDefaultSplitModuleBytes = size_t(1) << 20;
constexpr uint64_t kDefaultMaxEntryBytes = uint64_t(4) << 30;
// A load refreshes its entry's modification time (prune_entries' recency) when it is older than this: recency to the
// hour is enough to keep what is in use, and a load writes at most once an hour.
constexpr time_t kRecencyGrainSeconds = 3600;

/// A positive byte count from the environment variable `name`, or `fallback` when it is unset or empty.
Result<uint64_t> bytes_from_env(const char* name, uint64_t fallback) {
  std::string text = paths::env_or(name, "");
  if (text.empty()) return fallback;
  char* end = nullptr;
  errno = 0;
  unsigned long long bytes = std::strtoull(text.c_str(), &end, 10);
  if (*end != '\0' || bytes == 0 || errno == ERANGE || !std::isdigit(static_cast<unsigned char>(text.front())))
    return fail(std::string(name) + " must be a positive number of bytes, not '" + text + "'");
  return uint64_t(bytes);
}

/// The directory exists (created 0700 when missing), is a real directory, ours, and nobody else can write to it.
Result<void> check_private_dir(const std::string& dir) {
  if (dir.empty() || dir.front() != '/') return fail("AOT cache directory '" + dir + "' is not an absolute path");
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return fail(errno_error("AOT cache directory " + dir));
    std::error_code ec;
    fs::create_directories(fs::path(dir).parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return fail(errno_error("create AOT cache directory " + dir));
    if (::lstat(dir.c_str(), &st) != 0) return fail(errno_error("AOT cache directory " + dir));
  }
  if (!S_ISDIR(st.st_mode)) return fail("AOT cache directory " + dir + " is not a directory");
  if (st.st_uid != ::geteuid()) return fail("AOT cache directory " + dir + " belongs to another user");
  if (st.st_mode & (S_IWGRP | S_IWOTH)) return fail("AOT cache directory " + dir + " is writable by other users");
  return {};
}

// SHA-256 straight from libsodium: weft-store owns the project's crypto adapter, but the runtime does not link the
// store (libarchive, and a sanitizer CI pass that builds core and runtime alone) for one hash function.
class Sha256 {
 public:
  Sha256() { crypto_hash_sha256_init(&state_); }
  void update(std::string_view bytes) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  }
  std::string hex() {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&state_, digest);
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
      out += kDigits[b >> 4];
      out += kDigits[b & 15];
    }
    return out;
  }

 private:
  crypto_hash_sha256_state state_{};
};

/// What a compiler's `--version` depends on, read without running it: the binary its path resolves to, that file's
/// device, inode, size and modification and change times (a package upgrade replaces the file, so all of them move).
/// nullopt when the path does not resolve: the compiler is then run every time.
std::optional<std::pair<std::string, std::string>> compiler_file_stamp(const std::string& compiler) {
  char resolved[PATH_MAX];
  if (::realpath(compiler.c_str(), resolved) == nullptr) return std::nullopt;
  struct stat st {};
  if (::stat(resolved, &st) != 0) return std::nullopt;
  std::string stamp = std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) +
                      " " + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + " " +
                      std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
  return std::pair{std::string(resolved), std::move(stamp)};
}

/// The first line of `<cc> --version`. Running a compiler driver costs ≈ 100 ms of wall time for clang-19 (≈ 1 ms for
/// gcc's) and every weft-runtime process needs both identities for its cache keys, launch after launch, so the line
/// is kept in the cache directory (`compilers/<digest of the resolved path>`: the stamp, then the line) and in the
/// process, and trusted while the binary's stamp is unchanged. Anything unreadable there just runs the compiler.
Result<std::string> compiler_identity(const std::string& compiler, const std::string& cache_dir) {
  static std::mutex mutex;
  static std::map<std::string, std::string> identities;  // by path and stamp
  std::lock_guard lock(mutex);
  auto file = compiler_file_stamp(compiler);
  std::string memo = compiler + "\n" + (file ? file->second : std::string());
  if (auto it = identities.find(memo); it != identities.end()) return it->second;
  std::string record;
  if (file) {
    Sha256 name;
    name.update(file->first);
    record = cache_dir + "/compilers/" + name.hex();
    if (auto kept = read_file(record, 4096)) {
      size_t nl = kept->find('\n');
      if (nl != std::string::npos && kept->compare(0, nl, file->second) == 0 && kept->size() > nl + 2 &&
          kept->back() == '\n') {
        std::string line = kept->substr(nl + 1, kept->size() - nl - 2);
        if (line.find('\n') == std::string::npos) return identities[memo] = line;
      }
    }
  }
  ToolRequest request;
  request.argv = {compiler, "--version"};
  request.timeout = std::chrono::seconds(10);
  request.inherit_environment = true;
  WEFT_TRY(ToolResult result, run_tool_checked(request));
  std::string line = result.out.substr(0, result.out.find('\n'));
  if (line.empty()) return fail(compiler + " --version printed nothing");
  if (!record.empty() && check_private_dir(cache_dir + "/compilers")) {
    if (auto written = write_file_atomic(record, file->second + "\n" + line + "\n"); !written)
      log::warn("aot: could not keep ", compiler, "'s identity in the cache: ", written.error().message);
  }
  identities[memo] = line;
  return line;
}


std::string hex_sha256(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

/// What the key says about a core module: the SHA-256 of its shape (aot_module_shape.hpp: what the compiled code
/// depends on), or of all its bytes when they have no shape (malformed: its compile reports why).
std::string shape_digest(std::span<const uint8_t> wasm) {
  Sha256 h;
  auto walked = walk_module_shape(
      wasm, [&](std::span<const uint8_t> piece) { h.update({reinterpret_cast<const char*>(piece.data()), piece.size()}); },
      nullptr);
  if (walked) return "shape " + h.hex();
  return "module " + hex_sha256({reinterpret_cast<const char*>(wasm.data()), wasm.size()});
}

/// The shape digest of a core module's bytes, remembered for the rest of the process: instantiating a component
/// again (tests, benchmarks, a runtime that links twice) hashed every module again (libsodium's SHA-256: ≈ 0.1 ms per
/// 30 KB). A remembered digest is used only for bytes equal in full to the copy kept with it, which is no weaker than
/// hashing them; only modules up to kMaxRememberedModule bytes, kMaxRemembered bytes in all, are kept.
class ModuleDigests {
 public:
  static ModuleDigests& instance() {
    static ModuleDigests* digests = new ModuleDigests;  // never destroyed: loaded modules stay until exit too
    return *digests;
  }

  std::string hex(std::span<const uint8_t> wasm) {
    std::string_view bytes(reinterpret_cast<const char*>(wasm.data()), wasm.size());
    uint64_t print = fingerprint(bytes);
    {
      std::lock_guard lock(mutex_);
      auto [first, last] = entries_.equal_range(print);
      for (auto it = first; it != last; ++it)
        if (it->second.bytes == bytes) return it->second.hex;
    }
    std::string hex = shape_digest(wasm);
    std::lock_guard lock(mutex_);
    if (bytes.size() <= kMaxRememberedModule && kept_ + bytes.size() <= kMaxRemembered) {
      kept_ += bytes.size();
      entries_.emplace(print, Entry{std::string(bytes), hex});
    }
    return hex;
  }

 private:
  static constexpr size_t kMaxRememberedModule = size_t(4) << 20;  // bytes (a JS engine's 12 MB are not kept)
  static constexpr size_t kMaxRemembered = size_t(32) << 20;       // bytes
  struct Entry {
    std::string bytes;
    std::string hex;
  };
  /// Size and 64 sampled words: picks the candidates that are then compared in full.
  static uint64_t fingerprint(std::string_view bytes) {
    uint64_t h = 1469598103934665603ull ^ bytes.size();
    if (bytes.size() < 8) return h;
    for (size_t i = 0; i < 64; ++i) {
      uint64_t word;
      std::memcpy(&word, bytes.data() + (bytes.size() - 8) * i / 63, 8);
      h = (h ^ word) * 1099511628211ull;
    }
    return h;
  }
  std::mutex mutex_;
  std::unordered_multimap<uint64_t, Entry> entries_;
  size_t kept_ = 0;  // bytes
};

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string aot_compile_flags() {
  std::string flags =
      "-fPIC -shared -fvisibility=hidden -fno-optimize-sibling-calls -DNDEBUG -w -s "
      "-Wl,-Bsymbolic -Wl,-z,now -Wl,-z,defs "
      // gcc: sums are reassociated two wide. In SHA-256's round, t1 = h + S1(e) + ch + K[i] + w[i], gcc otherwise
      // adds the two loaded values one after the other into the chain that the next round waits on (gcc's native code
      // of the same source adds K[i] + w[i] first); paired, that sum is off the chain. SHA-256 1.17x -> 1.08-1.13x
      // native (docs/performance.md, seventh pass). clang accepts the option and ignores it.
      "--param=tree-reassoc-width=2";
#ifdef WEFT_AOT_EXPLICIT_BOUNDS
  flags += " -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -DWASM_RT_MAX_CALL_STACK_DEPTH=" +
           std::to_string(kExplicitBoundsMaxCallDepth);
#endif
  return flags;
}

Result<AotCache> AotCache::open(AotCacheOptions options) {
  if (options.optimization.empty()) options.optimization = paths::env_or("WEFT_AOT_OPT", "-O2");
  if (options.optimization != "-O0" && options.optimization != "-O1" && options.optimization != "-O2" &&
      options.optimization != "-O3")
    return fail("WEFT_AOT_OPT must be -O0, -O1, -O2 or -O3, not '" + options.optimization + "'");
  if (options.split_module_bytes == 0) {
    WEFT_TRY(uint64_t bytes, bytes_from_env("WEFT_AOT_SPLIT_BYTES", kDefaultSplitModuleBytes));
    options.split_module_bytes = size_t(bytes);
  }
  if (options.unit_bytes == 0) return fail("the AOT translation unit size must be positive");
  if (paths::env_or("WEFT_AOT_VERIFY_UNITS", "") == "1") options.verify_unit_keys = true;
  if (options.max_entry_bytes == 0) {
    WEFT_TRY(options.max_entry_bytes, bytes_from_env("WEFT_AOT_CACHE_MAX_BYTES", kDefaultMaxEntryBytes));
  }
  WEFT_TRY_VOID(check_private_dir(options.dir));
  auto cc = find_in_path("cc");
  if (!cc) return fail("no C compiler (cc) in PATH");
  AotCache cache;
  cache.small_.path = *cc;
  WEFT_TRY(cache.small_.identity, compiler_identity(*cc, options.dir));
  cache.large_ = cache.small_;
  // Measured on a JS engine's translation unit (docs/performance.md): clang -O2 takes gcc -O1's time with 40 % less
  // memory, and gcc -O2 half as long again.
  for (const char* name : {"clang-19", "clang"}) {
    auto clang = find_in_path(name);
    if (!clang) continue;
    auto identity = compiler_identity(*clang, options.dir);
    if (!identity) continue;  // a broken clang: cc compiles everything
    cache.large_ = {*clang, *identity};
    break;
  }
  cache.options_ = std::move(options);
  return cache;
}

std::string AotCache::key(std::span<const uint8_t> wasm) const {
  std::string material = "weft-aot " + std::to_string(WEFT_AOT_ABI_VERSION) + "\n";
  material += ModuleDigests::instance().hex(wasm);
  material += "\nwabt " WABT_VERSION_STRING "\n";
  material += compiler_for(wasm).identity + "\n" + options_.optimization + " " + aot_compile_flags() + "\n";
  // A split module's `.so` is linked from files cut and keyed from the wasm (translate_to_c); entries linked from
  // files cut by their text (before) are compiled again, so that their unit objects are the ones later worlds share.
  if (splits(wasm))
    material += "split into units of " + std::to_string(options_.unit_bytes) + " bytes, keyed from the wasm\n";
  // The key is SHA-256 over the material and then aot_abi.h's ≈ 5 KB of text, which never changes in a process:
  // hashing that again for every module of every instantiate was 12 % of an instantiate (perf, 2026-12-05). Keys
  // are remembered by their whole material (a few hundred bytes; at most kMaxRememberedKeys of them).
  static std::mutex mutex;
  static auto* remembered = new std::unordered_map<std::string, std::string>;  // never destroyed, as ModuleDigests
  constexpr size_t kMaxRememberedKeys = 4096;
  {
    std::lock_guard lock(mutex);
    if (auto it = remembered->find(material); it != remembered->end()) return it->second;
  }
  Sha256 h;
  h.update(material);
  h.update(kAotAbiText);
  h.update(kAotGeneratorDigest);  // the generator's sources: a change there rebuilds, no version to remember to bump
  std::string key = h.hex();
  std::lock_guard lock(mutex);
  if (remembered->size() < kMaxRememberedKeys) remembered->emplace(std::move(material), key);
  return key;
}

std::optional<UniqueFd> AotCache::open_cached(const std::string& key) const {
  std::string so = options_.dir + "/" + key + ".so";
  auto opened = open_regular_file(so, /*follow_last_link=*/false);
  if (!opened) return std::nullopt;
  UniqueFd fd = std::move(opened->fd);
  const struct stat& st = opened->status;
  if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) return std::nullopt;
  auto bytes = read_fd(fd.get(), kMaxSharedObjectBytes, so);
  auto recorded = read_file(options_.dir + "/" + key + ".sha256", 256);
  if (!bytes || !recorded) return std::nullopt;
  if (trim(*recorded) != hex_sha256(*bytes)) return std::nullopt;
  if (st.st_mtime < ::time(nullptr) - kRecencyGrainSeconds) (void)::futimens(fd.get(), nullptr);  // used now
  return fd;
}

namespace {

/// What a unit object's `.sha256` records besides the object's digest: the SHA-256 of module.h and shared.h it was
/// compiled with (a reused object is linked only with the same headers), and of its file's whole text (checked
/// against a full translation when AotCacheOptions::verify_unit_keys).
struct UnitRecord {
  std::string headers, text;
};

std::string digest_of_texts(std::initializer_list<const std::string*> texts) {
  Sha256 h;
  for (const std::string* text : texts) {
    h.update(std::to_string(text->size()) + "\n");
    h.update(*text);
  }
  return h.hex();
}

bool is_unit_key(std::string_view stem) {
  return stem.size() == 64 && std::all_of(stem.begin(), stem.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

/// The unit store's object of `key` copied to `object` when it is there and matches its recorded digest (a
/// corrupt or swapped one is compiled again and replaced); nullopt otherwise. Once copied into the compile's private
/// build directory the object is this compile's, whatever happens to the store's copy.
std::optional<UnitRecord> reuse_unit(const std::string& store, const std::string& key, const std::string& object) {
  auto opened = open_regular_file(store + "/" + key + ".o", /*follow_last_link=*/false);
  if (!opened) return std::nullopt;
  const struct stat& st = opened->status;
  if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) return std::nullopt;
  auto bytes = read_fd(opened->fd.get(), kMaxSharedObjectBytes, key);
  auto recorded = read_file(store + "/" + key + ".sha256", 1024);
  if (!bytes || !recorded) return std::nullopt;
  // "<object digest>\nheaders <digest>\ntext <digest>\n"
  std::string_view lines(*recorded);
  size_t first = lines.find('\n'), second = lines.find('\n', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return std::nullopt;
  std::string_view headers = trim(lines.substr(first + 1, second - first - 1)), text = trim(lines.substr(second + 1));
  if (trim(lines.substr(0, first)) != hex_sha256(*bytes) || !headers.starts_with("headers ") ||
      !text.starts_with("text "))
    return std::nullopt;
  if (!write_file_atomic(object, *bytes, 0600)) return std::nullopt;
  return UnitRecord{std::string(headers.substr(8)), std::string(text.substr(5))};
}

/// Keeps the object just compiled as the unit store's object of `key` (written to a temporary name and renamed, its
/// digest and record after it).
Result<void> store_unit(const std::string& store, const std::string& key, const std::string& object,
                        const UnitRecord& record) {
  WEFT_TRY(std::string bytes, read_file(object, kMaxSharedObjectBytes));
  WEFT_TRY_VOID(write_file_atomic(store + "/" + key + ".o", bytes, 0644));
  return write_file_atomic(store + "/" + key + ".sha256",
                           hex_sha256(bytes) + "\nheaders " + record.headers + "\ntext " + record.text + "\n", 0644);
}

/// `<dir>/units.lock`, flocked: shared by every split compile from before it picks unit objects until its `.so`
/// lists them (`<key>.units`), exclusive while prune_units removes unlisted ones. Invalid with `nonblocking` when
/// another holds it.
Result<UniqueFd> lock_unit_store(const std::string& dir, int operation) {
  std::string path = dir + "/units.lock";
  UniqueFd lock(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!lock) return fail(errno_error("lock " + path));
  while (::flock(lock.get(), operation) != 0) {
    if (errno == EWOULDBLOCK && (operation & LOCK_NB)) return UniqueFd();
    if (errno != EINTR) return fail(errno_error("lock " + path));
  }
  return lock;
}

}  // namespace

Result<AotEntryPruning> AotCache::prune_entries(const std::string& keep) const {
  struct Entry {
    std::string key;
    uint64_t bytes;
    struct timespec used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(options_.dir, ec)) {
    std::string file = item.path().filename().string();
    if (!file.ends_with(".so") || !is_unit_key(file.substr(0, file.size() - 3))) continue;
    struct stat st {};
    if (::lstat(item.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    entries.push_back({file.substr(0, file.size() - 3), uint64_t(st.st_size), st.st_mtim});
    total += uint64_t(st.st_size);
  }
  if (ec) return fail("list AOT cache directory " + options_.dir + ": " + ec.message());
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.used.tv_sec != b.used.tv_sec ? a.used.tv_sec < b.used.tv_sec : a.used.tv_nsec < b.used.tv_nsec;
  });
  AotEntryPruning pruning;
  for (const Entry& entry : entries) {
    if (total <= options_.max_entry_bytes || entry.key == keep) {
      ++pruning.kept;
      continue;
    }
    // An entry being compiled (ensure holds its lock) is left alone: its compile reads it back once stored.
    std::string lock_path = options_.dir + "/" + entry.key + ".lock";
    UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (lock && ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
      ++pruning.kept;
      continue;
    }
    for (const char* extension : {".so", ".sha256", ".units"}) fs::remove(options_.dir + "/" + entry.key + extension, ec);
    total -= entry.bytes;
    ++pruning.removed;
  }
  pruning.kept_bytes = total;
  return pruning;
}

Result<AotUnitPruning> AotCache::prune_units() const {
  AotUnitPruning pruning;
  WEFT_TRY(UniqueFd lock, lock_unit_store(options_.dir, LOCK_EX | LOCK_NB));
  if (!lock) {
    pruning.busy = true;  // a compile is picking or listing objects: the next compile's prune removes them
    return pruning;
  }
  std::set<std::string> live;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    std::string file = entry.path().filename().string();
    if (!file.ends_with(".units") || !is_unit_key(file.substr(0, file.size() - 6))) continue;
    std::string stem = file.substr(0, file.size() - 6);
    struct stat st {};
    if (::lstat((options_.dir + "/" + stem + ".so").c_str(), &st) != 0) {
      fs::remove(entry.path(), ec);  // its entry is gone
      continue;
    }
    auto listed = read_file(entry.path().string(), size_t(1) << 20);
    if (!listed) return fail(listed.error());
    std::string_view rest(*listed);
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = trim(rest.substr(0, nl));
      if (!line.empty()) live.emplace(line);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
  }
  for (const auto& entry : fs::directory_iterator(options_.dir + "/units", ec)) {
    std::string stem = entry.path().stem().string(), extension = entry.path().extension().string();
    if ((extension != ".o" && extension != ".sha256") || !is_unit_key(stem)) continue;
    bool keep = live.count(stem) > 0;
    if (extension == ".o") ++(keep ? pruning.kept : pruning.removed);
    if (!keep) fs::remove(entry.path(), ec);
  }
  return pruning;
}

Result<UniqueFd> AotCache::compile(std::span<const uint8_t> wasm, std::string_view name,
                                   const AotCompileProgress& progress, AotCompileReport* report) const {
  std::string key = this->key(wasm);
  const Compiler& compiler = compiler_for(wasm);
  if (progress) progress(0, 0);
  // The build directory sits in the cache (same file system, so the result is renamed into place) and is private to
  // this compile: concurrent compiles of the same module each have their own.
  std::string build = options_.dir + "/.build-XXXXXX";
  if (!::mkdtemp(build.data())) return fail(errno_error("create a build directory in " + options_.dir));
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{build};
  std::vector<std::string> units = {"main"};  // file stems; main.c first: it holds the glue and the exports
  // Per file of function bodies, the key of its object in the unit store (empty for main.c, which holds the
  // module's own glue and is always compiled): from the wasm before translating (translate_to_c: its functions'
  // keys, what their C reads from the module, and unit_context — the compiler's identity, the flags, wabt's and the
  // ABI's versions), or, for a module the keys do not cover, SHA-256 over the context and everything the compiler
  // reads (module.h, shared.h, the file). Files of equal key are the same object whichever module they came from:
  // the engine code JS apps of different worlds share (aot_translate.cpp names and cuts functions so that it is).
  std::vector<std::string> unit_keys = {""};
  std::vector<bool> unit_reused = {false}, text_keyed = {false};
  std::string unit_store = options_.dir + "/units";
  const bool split = splits(wasm);
  UniqueFd units_lock;
  if (split) {
    WEFT_TRY_VOID(check_private_dir(unit_store));
    WEFT_TRY(units_lock, lock_unit_store(options_.dir, LOCK_SH));
  }
  std::string context = "weft-aot unit " + std::to_string(WEFT_AOT_ABI_VERSION) + "\nwabt " WABT_VERSION_STRING "\n" +
                        compiler.identity + "\n" + options_.optimization + " " + aot_compile_flags() + "\n";
  std::string headers;  // digest of module.h and shared.h
  std::vector<UnitRecord> records = {{}};
  {
    // Precompiles run several compiles at once; translations (libwabt) run one at a time, large ones (≈1 GiB and
    // 40 s for a JS engine) and small ones (milliseconds) in separate lines, so a small module never waits behind a
    // large one.
    static std::mutex large_translations, small_translations;
    std::unique_lock translating(split ? large_translations : small_translations);
    std::map<std::string, UnitRecord> taken;  // unit key → record of the object copied into the build directory
    AotUnitReuse reuse;
    reuse.key_context = context;
    if (split)
      reuse.have = [&](const std::string& unit) {
        auto record = reuse_unit(unit_store, unit, build + "/unit_" + unit + ".o");
        if (record) taken[unit] = *record;
        return record.has_value();
      };
    WEFT_TRY(AotSource source, translate_to_c(wasm, name, split ? options_.unit_bytes : 0, reuse));
    headers = digest_of_texts({&source.header, &source.shared});
    bool same_headers = std::all_of(taken.begin(), taken.end(), [&](const auto& t) { return t.second.headers == headers; });
    if (!same_headers) {
      // The objects were compiled against other headers (which the keys do not cover): not linked with these.
      log::info("aot: core module ", name, ": stored objects were compiled with other headers; translating all of it");
      taken.clear();
      reuse.have = {};
      WEFT_TRY(source, translate_to_c(wasm, name, split ? options_.unit_bytes : 0, reuse));
      headers = digest_of_texts({&source.header, &source.shared});
    }
    if (options_.verify_unit_keys && !taken.empty()) {
      // Tests: the files whose objects were reused must read exactly as when those objects were compiled.
      reuse.have = {};
      WEFT_TRY(AotSource whole, translate_to_c(wasm, name, options_.unit_bytes, reuse));
      if (whole.part_keys != source.part_keys)
        return fail("core module " + std::string(name) + ": its files were cut differently on a second translation");
      // What was written must read as the full translation's too: the functions wasm2c was told are imports
      // (translate_to_c) leave no trace in main.c, the headers or the files written.
      if (whole.header != source.header || whole.shared != source.shared || whole.main != source.main)
        return fail("core module " + std::string(name) + ": its main.c or headers read differently from a full "
                    "translation's");
      for (size_t k = 0; k < source.parts.size(); ++k) {
        if (!source.part_reused[k] && whole.parts[k] != source.parts[k])
          return fail("core module " + std::string(name) + ": file " + std::to_string(k) +
                      " reads differently from a full translation's");
        if (!source.part_reused[k]) continue;
        if (digest_of_texts({&whole.header, &whole.shared, &whole.parts[k]}) != taken[source.part_keys[k]].text)
          return fail("core module " + std::string(name) + ": file " + std::to_string(k) + " (key " +
                      source.part_keys[k] + ") reads differently from the file its stored object was compiled from");
      }
    }
    translating.unlock();
    if (report) {
      report->units = source.parts.size();
      report->units_reused = std::count(source.part_reused.begin(), source.part_reused.end(), true);
      report->functions = source.functions;
      report->functions_written = source.functions_written;
      report->functions_hidden = source.functions_hidden;
    }
    WEFT_TRY_VOID(write_file_atomic(build + "/module.h", source.header, 0600));
    WEFT_TRY_VOID(write_file_atomic(build + "/shared.h", source.shared, 0600));
    WEFT_TRY_VOID(write_file_atomic(build + "/main.c", source.main, 0600));
    for (size_t k = 0; k < source.parts.size(); ++k) {
      bool reused = k < source.part_reused.size() && source.part_reused[k];
      std::string unit_key = k < source.part_keys.size()
                                 ? source.part_keys[k]
                                 : digest_of_texts({&context, &source.header, &source.shared, &source.parts[k]});
      units.push_back(reused ? "unit_" + unit_key : "part_" + std::to_string(k));
      if (!reused) WEFT_TRY_VOID(write_file_atomic(build + "/" + units.back() + ".c", source.parts[k], 0600));
      unit_keys.push_back(unit_key);
      unit_reused.push_back(reused);
      text_keyed.push_back(k >= source.part_keys.size());
      records.push_back({headers, reused ? std::string() : digest_of_texts({&source.header, &source.shared, &source.parts[k]})});
    }
  }
  auto run = [&](std::vector<std::string> argv) -> Result<void> {
    ToolRequest request;
    request.argv = std::move(argv);
    request.timeout = options_.compile_timeout;
    request.inherit_environment = true;
    request.overflow = ToolOverflow::truncate;
    CompilerSlots::instance().acquire();
    auto r = run_tool_checked(request);
    CompilerSlots::instance().release();
    if (!r) return fail("compiling core module " + std::string(name) + " to native code failed: " + r.error().message);
    return {};
  };
  if (units.size() == 1) {
    std::vector<std::string> argv = {compiler.path, options_.optimization};
    add_flags(argv, false);
    argv.insert(argv.end(), {"-o", build + "/module.so", build + "/main.c", "-lm"});
    WEFT_TRY_VOID(run(std::move(argv)));
    if (progress) progress(1, 1);
  } else {
    // Every unit on its own compiler, as many at once as there are cores, then one link.
    std::mutex mutex;  // guards done, first_error, compiled and the progress calls
    size_t done = 0, compiled = 0;
    std::optional<Error> first_error;
    std::atomic<size_t> next{0};
    if (progress) progress(0, units.size());
    auto work = [&] {
      for (size_t i = next.fetch_add(1); i < units.size(); i = next.fetch_add(1)) {
        {
          std::lock_guard lock(mutex);
          if (first_error) return;
        }
        std::string object = build + "/" + units[i] + ".o";
        Result<void> r;
        bool compiles = false;
        if (unit_reused[i]) {
          // copied from the unit store before the translation
        } else if (text_keyed[i] && reuse_unit(unit_store, unit_keys[i], object)) {
          // keyed by its text (a module the wasm keys do not cover): found after the translation
        } else {
          compiles = true;
          std::vector<std::string> argv = {compiler.path, options_.optimization};
          add_flags(argv, true);
          argv.insert(argv.end(), {"-c", "-o", object, build + "/" + units[i] + ".c"});
          r = run(std::move(argv));
          if (r && !unit_keys[i].empty()) r = store_unit(unit_store, unit_keys[i], object, records[i]);
        }
        std::lock_guard lock(mutex);
        if (!r) {
          if (!first_error) first_error = r.error();
          return;
        }
        if (compiles && i > 0) ++compiled;
        ++done;
        if (progress) progress(done, units.size());
      }
    };
    std::vector<std::thread> workers;
    for (unsigned j = 1; j < std::min<size_t>(available_cores(), units.size()); ++j) workers.emplace_back(work);
    work();
    for (auto& w : workers) w.join();
    if (first_error) return fail(*first_error);
    if (report) report->units_compiled = compiled;
    std::vector<std::string> argv = {compiler.path};
    add_flags(argv, false);
    argv.insert(argv.end(), {"-o", build + "/module.so"});
    for (const auto& unit : units) argv.push_back(build + "/" + unit + ".o");
    argv.push_back("-lm");
    WEFT_TRY_VOID(run(std::move(argv)));
  }
  WEFT_TRY(std::string object, read_file(build + "/module.so", kMaxSharedObjectBytes));
  std::string target = options_.dir + "/" + key + ".so";
  if (::chmod((build + "/module.so").c_str(), 0644) != 0 ||
      ::rename((build + "/module.so").c_str(), target.c_str()) != 0)
    return fail(errno_error("store " + target));
  WEFT_TRY_VOID(write_file_atomic(options_.dir + "/" + key + ".sha256", hex_sha256(object) + "\n", 0644));
  if (units.size() > 1) {
    // The unit objects this entry was linked from stay in the store while the entry is there (prune_units).
    std::string listed;
    for (const auto& unit : unit_keys)
      if (!unit.empty()) listed += unit + "\n";
    WEFT_TRY_VOID(write_file_atomic(options_.dir + "/" + key + ".units", listed, 0644));
  }
  auto fd = open_cached(key);
  // Another compile of the same module may have replaced the .so between our rename and our digest: both are whole
  // files of equal content when the compiler is deterministic; otherwise the entry is rebuilt on the next load.
  if (!fd) return fail("the compiled code of core module " + std::string(name) + " in " + options_.dir +
                       " changed while it was stored");
  if (auto pruned = prune_entries(key); !pruned)
    log::warn("aot: pruning ", options_.dir, " failed: ", pruned.error().message);
  else if (pruned->removed > 0)
    log::info("aot: removed ", pruned->removed, " least recently used compiled modules from ", options_.dir,
              " to stay within ", options_.max_entry_bytes, " bytes");
  if (units_lock) {
    units_lock = UniqueFd();
    // Objects no entry lists any more (their entries were replaced or removed) go; a busy store is pruned by the
    // next compile.
    if (auto pruned = prune_units(); !pruned)
      log::warn("aot: pruning ", options_.dir, "/units failed: ", pruned.error().message);
    else if (pruned->removed > 0)
      log::debug("aot: pruned ", pruned->removed, " unit objects no cached module uses; ", pruned->kept, " kept");
  }
  return std::move(*fd);
}

Result<UniqueFd> AotCache::ensure(std::span<const uint8_t> wasm, std::string_view name, bool* compiled,
                                  const AotCompileProgress& progress) const {
  if (compiled) *compiled = false;
  std::string key = this->key(wasm);
  if (auto fd = open_cached(key)) return std::move(*fd);
  std::string lock_path = options_.dir + "/" + key + ".lock";
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!lock) return fail(errno_error("lock " + lock_path));
  while (::flock(lock.get(), LOCK_EX) != 0)
    if (errno != EINTR) return fail(errno_error("lock " + lock_path));
  if (auto fd = open_cached(key)) return std::move(*fd);  // compiled by whoever held the lock
  if (compiled) *compiled = true;
  return compile(wasm, name, progress);
}

Result<std::string> default_aot_cache_dir() {
  auto roots = paths::store_roots();
  if (!roots.empty()) {
    struct stat st {};
    if (::stat(roots.front().c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid())
      return roots.front() + "/.aot";
  }
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && xdg[0] == '/') return std::string(xdg) + "/weft/aot";
  WEFT_TRY(std::string home, paths::home_dir());
  return home + "/.cache/weft/aot";
}

std::optional<std::string> store_aot_cache_dir(const std::string& path_in_revision) {
  char resolved[PATH_MAX];
  if (!::realpath(path_in_revision.c_str(), resolved)) return std::nullopt;
  std::string_view path(resolved);
  constexpr std::string_view kMarker = "/.revisions/";
  for (size_t at = path.find(kMarker); at != std::string_view::npos; at = path.find(kMarker, at + 1)) {
    std::string_view rest = path.substr(at + kMarker.size());
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) continue;
    std::string_view id = rest.substr(0, slash), digest = rest.substr(slash + 1);
    digest = digest.substr(0, digest.find('/'));
    bool hex = digest.size() == 64 && std::all_of(digest.begin(), digest.end(), [](char c) {
                 return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
               });
    if (!hex || !is_valid_app_id(id)) continue;
    std::string root(path.substr(0, at));
    if (root.empty()) root = "/";
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) return std::nullopt;
    return (root == "/" ? "" : root) + "/.aot";
  }
  return std::nullopt;
}

}  // namespace weft::runtime
