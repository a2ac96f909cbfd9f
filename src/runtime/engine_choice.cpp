// `--engine auto|aot|interp` (spec §4.1): which CoreEngine runs the component, the background compile of `auto`, and
// `--aot-compile-only`, which that background compile runs.

#include "engine_choice.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "weft/core/fd.hpp"
#include "weft/runtime/aot_engine.hpp"

namespace weft::runtime {
namespace {

constexpr int kBackgroundCompileNice = 10;
// A core module this large is a JS engine (componentize-js embeds ≈10 MB): gcc does not finish it on 2 cores
// (stack.md §5). Those run interpreted until the shared engine build of issue 12 exists; `auto` never queues them.
constexpr size_t kMaxBackgroundModuleBytes = size_t(4) << 20;

void collect_modules(const Component& component, std::vector<std::span<const uint8_t>>& out) {
  for (const auto& m : component.modules) out.emplace_back(m);
  for (const auto& nested : component.components) collect_modules(*nested, out);
}

Result<std::string> cache_dir(const RuntimeOptions& o) {
  if (o.aot_cache) return *o.aot_cache;
  return default_aot_cache_dir();
}

Result<AotCache> open_cache(const RuntimeOptions& o) {
  AotCacheOptions options;
  WEFT_TRY(options.dir, cache_dir(o));
  return AotCache::open(std::move(options));
}

/// Starts `weft-runtime … --aot-compile-only` detached (its own session, reparented to init, so it outlives this
/// runtime) at a low priority; it takes the cache's compile lock itself, so at most one runs.
void start_background_compile(const RuntimeOptions& o, const std::string& module_path, const std::string& cache_dir,
                              std::ostream& diag) {
  std::vector<std::string> args = {"/proc/self/exe", o.app_id, o.session_id, "--module", module_path,
                                   "--aot-cache", cache_dir, "--aot-compile-only"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t child = ::fork();
  if (child < 0) {
    diag << "weft-runtime: cannot start the background compile: fork failed\n";
    return;
  }
  if (child == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
    ::setpriority(PRIO_PROCESS, 0, kBackgroundCompileNice);
    ::execv("/proc/self/exe", argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
}

}  // namespace

std::vector<std::span<const uint8_t>> core_modules(const Component& component) {
  std::vector<std::span<const uint8_t>> out;
  collect_modules(component, out);
  return out;
}

std::unique_ptr<CoreEngine> choose_engine(const RuntimeOptions& o, const Component& component,
                                          const std::string& module_path, std::ostream& diag) {
  if (o.engine == EngineChoice::interp) return make_interpreter_engine();
  auto modules = core_modules(component);
  if (o.engine == EngineChoice::auto_) {
    // `auto` fills a cache that exists (made by `weft-pack install`, an `--engine aot` run or `--aot-cache`); it never
    // creates one, so a launch from a fresh home (every test, a first run) costs no compiler time.
    auto dir = cache_dir(o);
    if (!dir || !std::filesystem::is_directory(*dir)) return make_interpreter_engine();
    for (auto module : modules)
      if (module.size() > kMaxBackgroundModuleBytes) return make_interpreter_engine();
  }
  auto cache = open_cache(o);
  if (!cache) {
    diag << "weft-runtime: native code unavailable (" << cache.error().message << "); running on the interpreter\n";
    return make_interpreter_engine();
  }
  if (o.engine == EngineChoice::aot) return make_aot_engine(std::move(*cache), AotMissing::compile);
  bool all_cached = true;
  for (auto module : modules)
    if (!cache->open_cached(cache->key(module))) {
      all_cached = false;
      break;
    }
  if (all_cached) return make_aot_engine(std::move(*cache), AotMissing::fail);
  start_background_compile(o, module_path, cache->dir(), diag);
  return make_interpreter_engine();
}

int compile_only(const RuntimeOptions& o, const Component& component, std::ostream& diag) {
  auto cache = open_cache(o);
  if (!cache) {
    diag << "weft-runtime: " << cache.error().message << "\n";
    return kExitLoad;
  }
  // One compile at a time per cache: a second launch that finds the lock taken leaves the work to the first.
  UniqueFd lock(::open((cache->dir() + "/.compile.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock || ::flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    diag << "weft-runtime: another compile is running in " << cache->dir() << "\n";
    return kExitOk;
  }
  auto modules = core_modules(component);
  for (size_t i = 0; i < modules.size(); ++i) {
    auto start = std::chrono::steady_clock::now();
    std::string name = "#" + std::to_string(i);
    bool cached = cache->open_cached(cache->key(modules[i])).has_value();
    auto done = cached ? Result<UniqueFd>(UniqueFd()) : cache->compile(modules[i], name);
    if (!done) {
      diag << "weft-runtime: " << done.error().message << "\n";
      return kExitLoad;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    diag << "aot: core module " << i + 1 << "/" << modules.size() << " (" << modules[i].size() << " bytes) "
         << (cached ? "already compiled" : "compiled in " + std::to_string(seconds).substr(0, 5) + " s") << "\n";
  }
  return kExitOk;
}

}  // namespace weft::runtime
