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
#include <thread>

#include "weft/core/fd.hpp"
#include "weft/core/log.hpp"
#include "weft/runtime/aot_engine.hpp"
#include "precompile_progress.hpp"
#include "weft/runtime/aot_precompile.hpp"

namespace weft::runtime {
namespace {

constexpr int kBackgroundCompileNice = 10;

/// `--aot-cache`, else the cache of the store the module is installed in (where `weft-pack install` precompiled it),
/// else the default.
Result<std::string> cache_dir(const RuntimeOptions& o, const std::string& module_path) {
  if (o.aot_cache) return *o.aot_cache;
  if (auto store = store_aot_cache_dir(module_path)) return *store;
  return default_aot_cache_dir();
}

Result<AotCache> open_cache(const RuntimeOptions& o, const std::string& module_path) {
  AotCacheOptions options;
  WEFT_TRY(options.dir, cache_dir(o, module_path));
  return AotCache::open(std::move(options));
}

/// `WEFT_LOG=debug`: which engine runs and why, the observable of tests and of anyone asking "is this native?".
std::unique_ptr<CoreEngine> chosen(std::unique_ptr<CoreEngine> engine, const std::string& what) {
  log::debug("engine: ", what);
  return engine;
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

std::unique_ptr<CoreEngine> choose_engine(const RuntimeOptions& o, const Component& component,
                                          const std::string& module_path, std::ostream& diag) {
  if (o.engine == EngineChoice::interp) return chosen(make_interpreter_engine(), "interpreter (--engine interp)");
  auto modules = core_modules(component);
  std::string count = std::to_string(modules.size()) + " core modules";
  if (o.engine == EngineChoice::auto_) {
    // `auto` fills a cache that exists (made by `weft-pack install`, an `--engine aot` run or `--aot-cache`); it never
    // creates one, so a launch from a fresh home (every test, a first run) costs no compiler time.
    auto dir = cache_dir(o, module_path);
    if (!dir || !std::filesystem::is_directory(*dir))
      return chosen(make_interpreter_engine(), "interpreter (no AOT cache directory" + (dir ? " " + *dir : "") + ")");
  }
  auto cache = open_cache(o, module_path);
  if (!cache) {
    diag << "weft-runtime: native code unavailable (" << cache.error().message << "); running on the interpreter\n";
    return chosen(make_interpreter_engine(), "interpreter (native code unavailable)");
  }
  std::string dir = cache->dir();
  if (o.engine == EngineChoice::aot)
    return chosen(make_aot_engine(std::move(*cache), AotMissing::compile), "aot (" + count + ", cache " + dir + ")");
  bool all_cached = true;
  for (auto module : modules)
    if (!cache->open_cached(cache->key(module))) {
      all_cached = false;
      break;
    }
  if (all_cached)
    return chosen(make_aot_engine(std::move(*cache), AotMissing::fail),
                  "aot (" + count + " from the cache " + dir + ")");
  start_background_compile(o, module_path, dir, diag);
  return chosen(make_interpreter_engine(), "interpreter (" + count + " not all compiled yet; compiling in the "
                                           "background into " + dir + ")");
}

std::unique_ptr<CoreEngine> choose_core_module_engine(const RuntimeOptions& o, const std::string& module_path,
                                                      std::ostream& diag) {
  if (o.engine != EngineChoice::aot) return chosen(make_interpreter_engine(), "interpreter (a core module)");
  auto cache = open_cache(o, module_path);
  if (!cache) {
    diag << "weft-runtime: native code unavailable (" << cache.error().message << "); running on the interpreter\n";
    return chosen(make_interpreter_engine(), "interpreter (native code unavailable)");
  }
  std::string dir = cache->dir();
  return chosen(make_aot_engine(std::move(*cache), AotMissing::compile), "aot (a core module, cache " + dir + ")");
}

int compile_only(const RuntimeOptions& o, const Component& component, const std::string& module_path,
                 std::ostream& diag) {
  auto cache = open_cache(o, module_path);
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
  PrecompileOptions options;
  options.progress = [&diag](const PrecompileStep& step) {
    using State = PrecompileStep::State;
    if (step.state == State::compiling || step.state == State::failed) return;
    diag << "aot: core module " << step.index + 1 << "/" << step.count << " (" << step.bytes << " bytes) "
         << (step.state == State::compiled ? "compiled in " + std::to_string(step.seconds).substr(0, 5) + " s"
                                           : std::string("already compiled"))
         << "\n";
  };
  if (auto done = precompile_modules(*cache, modules, options); !done) {
    diag << "weft-runtime: " << done.error().message << "\n";
    return kExitLoad;
  }
  return kExitOk;
}

int precompile(const RuntimeOptions& o, const Component& component, const std::string& module_path, std::ostream& out,
               bool terminal, std::ostream& diag) {
  auto modules = core_modules(component);
  if (modules.empty()) return kExitOk;
  auto cache = open_cache(o, module_path);
  if (!cache) {
    diag << "weft-runtime: " << cache.error().message << "\n";
    return kExitLoad;
  }
  PrecompileProgress progress(o.app_id, modules.size(), out, terminal);
  PrecompileOptions options;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  options.progress = [&progress](const PrecompileStep& step) { progress.step(step); };
  auto done = precompile_modules(*cache, modules, options);
  progress.finish();
  if (!done) {
    diag << "weft-runtime: " << done.error().message << "\n";
    return kExitLoad;
  }
  return kExitOk;
}

}  // namespace weft::runtime
