// weft-runtime benchmark: component instantiate time (hello and the counter demo, AOT from the cache and the
// interpreter), and the same C workload (SHA-256, fib, n-body, JSON parse) natively (gcc -O2), as a component on AOT
// code (wasm2c + cc -O2, cache in $WEFT_AOT_CACHE or <tmp>/weft-runtime-bench-aot) and on the libwabt interpreter,
// and its core module under Node's V8 (bench/runtime_v8.mjs, when `node` is in PATH), with ratios to native; plus
// the host-call round trip through the canonical ABI on both engines; then the SQLite workload
// (bench/sqlite_workload.c on a data directory, synchronous=FULL) natively and on the interpreter.
//   runtime_bench [MiB fib-n nbody-steps host-calls [sqlite-rows sqlite-txns]]   (defaults: 1 24 20000 20000 5000 100)
// Numbers go to stdout; nothing here is asserted. Per-workload times are wall clock inside each program, the fastest
// of WEFT_BENCH_REPEATS runs (default 5) over WEFT_BENCH_ROUNDS rounds (default 3; the interpreter runs once); the
// whole-run line compares CPU time.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "weft/core/fd.hpp"
#include "weft/runtime/aot_engine.hpp"
#include "weft/runtime/component_instance.hpp"
#include "weft/runtime/wasi_host.hpp"
#include "weft/runtime/weft_app_host.hpp"

using namespace weft;
using namespace weft::runtime;
using Clock = std::chrono::steady_clock;

namespace {

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

/// `name -> ns` from the workload's `<name> <result> <ns>` lines.
std::map<std::string, double> parse(const std::string& out) {
  std::map<std::string, double> m;
  std::istringstream in(out);
  std::string name, result;
  double ns;
  while (in >> name >> result >> ns) m[name] = ns;
  return m;
}

/// CPU seconds (user + system) used so far by `who` (RUSAGE_SELF or RUSAGE_CHILDREN): wall time on a loaded
/// machine says little, CPU time compares the two runs fairly.
double cpu_seconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The AOT cache of this run, when a C compiler is there; g_use_aot picks the engine of the next instantiate().
std::optional<AotCache> g_aot;
bool g_use_aot = false;

struct Instantiated {
  std::unique_ptr<CoreEngine> engine;
  std::unique_ptr<WasiHost> wasi;
  std::unique_ptr<WeftAppHost> app;
  HostRegistry registry;
  std::unique_ptr<ComponentInstance> instance;
};

/// The engine and host interfaces of one instance (the first part of instantiating).
Instantiated make_hosts(const std::string& ro_dir, int stdout_fd, const std::string& data_dir = "") {
  Instantiated i;
  i.engine = g_use_aot ? make_aot_engine(*g_aot) : make_interpreter_engine();
  WasiConfig config;
  config.stdout_fd = stdout_fd;
  if (!ro_dir.empty()) config.preopens.push_back({ro_dir, "/ro", true});
  if (!data_dir.empty()) config.preopens.push_back({data_dir, "/data", false});
  i.wasi = std::make_unique<WasiHost>(config);
  (void)i.wasi->open_preopens();
  i.app = std::make_unique<WeftAppHost>(WeftAppConfig{"org.weft.bench", {}, {}});
  i.wasi->install(i.registry);
  i.app->install(i.registry);
  return i;
}

/// Links `c` against the hosts (the second part): core modules loaded and instantiated, trampolines built.
void link(Instantiated& i, const Component& c) {
  auto inst = ComponentInstance::instantiate(c, *i.engine, i.registry);
  if (!inst) {
    std::cerr << inst.error().message << "\n";
    std::exit(1);
  }
  i.instance = std::move(inst).value();
}

Instantiated instantiate(const Component& c, const std::string& ro_dir, int stdout_fd, const std::string& data_dir = "") {
  Instantiated i = make_hosts(ro_dir, stdout_fd, data_dir);
  link(i, c);
  return i;
}

/// Runs a native command through the shell; its stdout and the CPU seconds it used.
std::pair<std::string, double> run_native(const std::string& command) {
  std::string out;
  const double before = cpu_seconds(RUSAGE_CHILDREN);
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  return {out, cpu_seconds(RUSAGE_CHILDREN) - before};
}

/// Runs `component` on the interpreter with /data = `data_dir` and /ro = `ro_dir`; its stdout, and the CPU seconds
/// the run took, or nullopt when it failed.
std::optional<std::pair<std::string, double>> run_component(const std::string& path, const std::string& ro_dir,
                                                            const std::string& data_dir) {
  auto bytes = read_bytes(path);
  auto c = decode_component(bytes);
  if (!c) return std::nullopt;
  auto pipe = make_pipe().value();
  auto inst = instantiate(*c, ro_dir, pipe.second.get(), data_dir);
  double cpu = cpu_seconds(RUSAGE_SELF);
  auto outcome = inst.instance->call(*inst.instance->find_export("wasi:cli/run@0.2.0"), "run", {});
  cpu = cpu_seconds(RUSAGE_SELF) - cpu;
  pipe.second.reset();
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipe.first.get(), buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  if (!outcome || outcome->trap) {
    std::cerr << "component run failed\n" << out;
    return std::nullopt;
  }
  return std::make_pair(out, cpu);
}

/// The SQLite workload natively and on the interpreter. Wall time includes the host's fsyncs (synchronous=FULL:
/// several per commit), which cost the same both ways; CPU time and the query phase show the engine's cost.
int bench_sqlite(const std::string& dir, const std::string& rows, const std::string& txns) {
  auto tmp = std::filesystem::temp_directory_path() / ("weft-sqlite-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp / "native");
  std::filesystem::create_directories(tmp / "data");
  std::filesystem::create_directories(tmp / "ro");
  std::ofstream(tmp / "ro" / "sqlite.txt") << "workload " << rows << " " << txns << "\n";

  std::string cmd = dir + "/sqlite_workload_native " + (tmp / "native").string() + " workload " + rows + " " + txns;
  const auto [native_out, native_cpu] = run_native(cmd);
  auto wasm_run = run_component(dir + "/sqlite_workload.wasm", (tmp / "ro").string(), (tmp / "data").string());
  std::filesystem::remove_all(tmp);
  if (!wasm_run) return 1;
  auto [wasm_out, wasm_cpu] = *wasm_run;
  auto strip_times = [](const std::string& out) {
    std::string kept;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
      if (!line.starts_with("time ")) kept += line + "\n";
    return kept;
  };
  if (strip_times(native_out) != strip_times(wasm_out)) {
    std::cerr << "the SQLite workload's results differ:\nnative:\n" << native_out << "component:\n" << wasm_out;
    return 1;
  }
  auto times = [](const std::string& out) {  // `time <phase> <ns>` lines
    std::map<std::string, double> m;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      std::istringstream words(line);
      std::string tag, phase;
      double ns;
      if (words >> tag >> phase >> ns && tag == "time") m[phase] = ns;
    }
    return m;
  };
  auto native = times(native_out), wasm = times(wasm_out);
  std::printf("SQLite workload: %s rows + %s small transactions (synchronous=FULL) on a data directory\n", rows.c_str(),
              txns.c_str());
  const char* labels[][2] = {{"bulk", "bulk insert (1 txn)"}, {"txns", "small transactions"}, {"queries", "queries"},
                             {"total", "whole workload (wall)"}};
  for (auto& [key, label] : labels) {
    double a = native[key] / 1e6, b = wasm[key] / 1e6;
    std::printf("%-24s native %9.2f ms   interpreter %10.2f ms   ratio %6.1fx\n", label, a, b, a > 0 ? b / a : 0.0);
  }
  std::printf("%-24s native %9.3f s    interpreter %10.3f s    ratio %6.1fx\n", "whole workload (CPU)", native_cpu,
              wasm_cpu, native_cpu > 0 ? wasm_cpu / native_cpu : 0.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
#ifndef NDEBUG
  std::fprintf(stderr, "runtime_bench: this is a debug build (interpreter unoptimised, native SQLite at -O0); "
                       "measure with the release preset\n");
#endif
  std::string mib = "1", fib_n = "24", steps = "20000", calls = "20000", sqlite_rows = "5000", sqlite_txns = "100";
  if (argc == 5 || argc == 7) {
    mib = argv[1];
    fib_n = argv[2];
    steps = argv[3];
    calls = argv[4];
  }
  if (argc == 7) {
    sqlite_rows = argv[5];
    sqlite_txns = argv[6];
  }
  const std::string dir = WEFT_RT_BENCH_DIR;

  {
    AotCacheOptions options;
    const char* cache_dir = std::getenv("WEFT_AOT_CACHE");
    options.dir = cache_dir ? cache_dir : (std::filesystem::temp_directory_path() / "weft-runtime-bench-aot").string();
    auto cache = AotCache::open(options);
    if (cache) g_aot = std::move(*cache);
    else std::fprintf(stderr, "runtime_bench: no AOT column: %s\n", cache.error().message.c_str());
  }

  // Instantiate: decode of the component (decode_component_shared: decoded once, then the file's bytes compared in
  // full with the remembered copy), the engine and host interfaces, and linking (load of the core modules — AOT: the
  // cache key, digest check and dlopen the first time in the process — their instantiation, trampolines). The
  // teardown after each (not part of the instantiate figure) is printed beside it. AOT's first instantiate compiles
  // into the cache (when needed) and is not timed; the next ones in the same process find the loaded objects.
  std::vector<std::pair<std::string, std::string>> instantiated = {{"hello.wasm", dir + "/hello.wasm"}};
  if (std::string counter = WEFT_RT_BENCH_COUNTER; !counter.empty()) instantiated.push_back({"counter", counter});
  // WEFT_BENCH_INSTANTIATE_RUNS raises the count, e.g. for `perf record` of the instantiate loop.
  const int kInstantiateRuns = std::max(1, std::atoi(std::getenv("WEFT_BENCH_INSTANTIATE_RUNS") ?: "50"));
  for (const auto& [name, path] : instantiated) {
    auto bytes = read_bytes(path);
    for (bool aot : {true, false}) {
      if (aot && !g_aot) continue;
      g_use_aot = aot;
      if (aot) (void)instantiate(*decode_component(bytes), "", 1);
      std::vector<double> total, decode, hosts, linking, teardown;  // us
      for (int i = 0; i < kInstantiateRuns; ++i) {
        auto t0 = Clock::now();
        auto c = decode_component_shared(bytes);  // decoded in the first round, compared in full after
        auto t1 = Clock::now();
        std::optional<Instantiated> inst(make_hosts("", 1));
        auto t2 = Clock::now();
        link(*inst, **c);
        auto t3 = Clock::now();
        inst.reset();  // teardown, in reverse order: instance, hosts, engine (memories back to the AOT engine's pool)
        auto t4 = Clock::now();
        auto us = [](auto d) { return std::chrono::duration<double, std::micro>(d).count(); };
        total.push_back(us(t3 - t0));
        decode.push_back(us(t1 - t0));
        hosts.push_back(us(t2 - t1));
        linking.push_back(us(t3 - t2));
        teardown.push_back(us(t4 - t3));
      }
      for (auto* v : {&total, &decode, &hosts, &linking, &teardown}) std::sort(v->begin(), v->end());
      auto median = [](const std::vector<double>& v) { return v[v.size() / 2]; };
      std::printf("instantiate %s (%zu KB, %zu core modules) on %s: median %.0f us, min %.0f us (%d runs); "
                  "medians: decode %.0f us, engine + hosts %.0f us, link %.0f us (teardown after: %.0f us)\n",
                  name.c_str(), bytes.size() / 1024, decode_component(bytes)->modules.size(),
                  aot ? "AOT (from the cache)" : "the interpreter", median(total), total.front(), kInstantiateRuns,
                  median(decode), median(hosts), median(linking), median(teardown));
    }
  }

  // Each workload's figure is the fastest of `repeats` runs inside the program, over `rounds` rounds of native, AOT
  // and V8 runs one after the other (the interpreter, 100–300× slower, runs once): a burst of load from elsewhere
  // during one run, or one whole program run, does not make the figure. WEFT_BENCH_REPEATS and WEFT_BENCH_ROUNDS
  // change the counts.
  const std::string repeats = std::to_string(std::clamp(std::atoi(std::getenv("WEFT_BENCH_REPEATS") ?: "5"), 1, 1000));
  const int rounds = std::clamp(std::atoi(std::getenv("WEFT_BENCH_ROUNDS") ?: "3"), 1, 100);
  auto keep_fastest = [](std::map<std::string, double>& best, const std::map<std::string, double>& run) {
    for (const auto& [name, ns] : run)
      if (!best.count(name) || ns < best[name]) best[name] = ns;
  };

  auto tmp = std::filesystem::temp_directory_path() / ("weft-runtime-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp);
  auto write_parameters = [&](const std::string& runs) {
    std::ofstream(tmp / "bench.txt") << mib << " " << fib_n << " " << steps << " " << calls << " " << runs << "\n";
  };
  // Component run on the interpreter; its stdout goes into a pipe.
  write_parameters("1");
  g_use_aot = false;
  auto compute_run = run_component(dir + "/runtime_compute.wasm", tmp.string(), "");
  if (!compute_run) return 1;
  const auto& [wasm_out, wasm_cpu] = *compute_run;
  auto wasm = parse(wasm_out);

  write_parameters(repeats);
  const bool have_node = ::system("command -v node >/dev/null 2>&1") == 0;
  if (!have_node) std::fprintf(stderr, "runtime_bench: no V8 column: node is not in PATH\n");
  std::map<std::string, double> native, aot, v8;
  double native_cpu = 0, aot_cpu = 0;  // of the first round
  for (int round = 0; round < rounds; ++round) {
    // Native run of the same C source.
    auto [native_out, cpu] = run_native(dir + "/runtime_compute_native " + mib + " " + fib_n + " " + steps + " 0 " +
                                        repeats);
    if (round == 0) native_cpu = cpu;
    keep_fastest(native, parse(native_out));
    if (g_aot) {
      g_use_aot = true;
      auto aot_run = run_component(dir + "/runtime_compute.wasm", tmp.string(), "");
      g_use_aot = false;
      if (!aot_run) return 1;
      if (round == 0) aot_cpu = aot_run->second;
      keep_fastest(aot, parse(aot_run->first));
    }
    // The same core module under V8.
    if (have_node)
      keep_fastest(v8, parse(run_native(std::string("node --no-warnings ") + WEFT_RT_BENCH_V8 + " " +
                                        WEFT_RT_BENCH_CORE + " " + tmp.string()).first));
  }
  std::filesystem::remove_all(tmp);

  const char* labels[][2] = {{"sha256", "SHA-256 over the buffer"}, {"fib", "fib (recursive calls)"},
                             {"nbody", "n-body (f64)"}, {"json", "JSON parse (strings)"}};
  std::printf("workload: %s MiB SHA-256, fib(%s), %s n-body steps, %s MiB JSON; fastest of %d rounds × %s runs "
              "(interpreter: one run)\n", mib.c_str(), fib_n.c_str(), steps.c_str(), mib.c_str(), rounds,
              repeats.c_str());
  for (auto& [key, label] : labels) {
    double a = native[key] / 1e6, b = wasm[key] / 1e6, c = aot.count(key) ? aot[key] / 1e6 : 0.0,
           d = v8.count(key) ? v8[key] / 1e6 : 0.0;
    std::printf("%-24s native %8.2f ms   AOT %8.2f ms (%5.2fx)   interpreter %9.2f ms (%6.1fx)   V8 %8.2f ms (%5.2fx)\n",
                label, a, c, a > 0 ? c / a : 0.0, b, a > 0 ? b / a : 0.0, d, a > 0 ? d / a : 0.0);
  }
  std::printf("whole run, CPU time (buffer fill + every run of the workloads + host calls; the first round): native "
              "%.3f s, AOT %.3f s, interpreter %.3f s (one run)\n", native_cpu, aot_cpu, wasm_cpu);
  double per_call = wasm["hostcall"] / std::max(1.0, std::stod(calls));
  double aot_per_call = aot.count("hostcall") ? aot["hostcall"] / std::max(1.0, std::stod(calls)) : 0.0;
  std::printf("host call round trip (weft:app/ipc.recv -> option<string>, lowered + lifted): AOT %.0f ns, interpreter "
              "%.0f ns per call (%s calls)\n", aot_per_call, per_call, calls.c_str());
  return bench_sqlite(dir, sqlite_rows, sqlite_txns);
}
