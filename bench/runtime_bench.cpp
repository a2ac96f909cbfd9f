// weft-runtime benchmark: component instantiate time, and the same C workload (SHA-256, fib, n-body) natively and
// as a component on the libwabt interpreter, with ratios; plus the host-call round trip through the canonical ABI.
//   runtime_bench [MiB fib-n nbody-steps host-calls]   (defaults: 1 24 20000 20000)
// Numbers go to stdout; nothing here is asserted. Per-workload times are wall clock inside each program (noisy on a
// loaded machine); the whole-run line compares CPU time.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "weft/core/fd.hpp"
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

struct Instantiated {
  std::unique_ptr<CoreEngine> engine;
  std::unique_ptr<WasiHost> wasi;
  std::unique_ptr<WeftAppHost> app;
  HostRegistry registry;
  std::unique_ptr<ComponentInstance> instance;
};

Instantiated instantiate(const Component& c, const std::string& ro_dir, int stdout_fd) {
  Instantiated i;
  i.engine = make_interpreter_engine();
  WasiConfig config;
  config.stdout_fd = stdout_fd;
  if (!ro_dir.empty()) config.preopens.push_back({ro_dir, "/ro", true});
  i.wasi = std::make_unique<WasiHost>(config);
  (void)i.wasi->open_preopens();
  i.app = std::make_unique<WeftAppHost>(WeftAppConfig{"org.weft.bench", {}, {}});
  i.wasi->install(i.registry);
  i.app->install(i.registry);
  auto inst = ComponentInstance::instantiate(c, *i.engine, i.registry);
  if (!inst) {
    std::cerr << inst.error().message << "\n";
    std::exit(1);
  }
  i.instance = std::move(inst).value();
  return i;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mib = "1", fib_n = "24", steps = "20000", calls = "20000";
  if (argc == 5) {
    mib = argv[1];
    fib_n = argv[2];
    steps = argv[3];
    calls = argv[4];
  }
  const std::string dir = WEFT_RT_BENCH_DIR;

  // Instantiate: decode + wabt load/validate of the four core modules + linking, for the hello component.
  auto hello_bytes = read_bytes(dir + "/hello.wasm");
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) {
    auto t0 = Clock::now();
    auto c = decode_component(hello_bytes);
    auto inst = instantiate(*c, "", 1);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("instantiate hello.wasm (%zu KB, 4 core modules): median %.2f ms, min %.2f ms (20 runs)\n",
              hello_bytes.size() / 1024, ms[ms.size() / 2], ms.front());

  // Native run of the same C source.
  std::string cmd = dir + "/runtime_compute_native " + mib + " " + fib_n + " " + steps + " 0";
  std::string native_out;
  double native_cpu = cpu_seconds(RUSAGE_CHILDREN);
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) native_out += buf;
    ::pclose(p);
  }
  native_cpu = cpu_seconds(RUSAGE_CHILDREN) - native_cpu;
  auto native = parse(native_out);

  // Component run on the interpreter; its stdout goes into a pipe.
  auto tmp = std::filesystem::temp_directory_path() / ("weft-runtime-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp);
  std::ofstream(tmp / "bench.txt") << mib << " " << fib_n << " " << steps << " " << calls << "\n";
  auto compute_bytes = read_bytes(dir + "/runtime_compute.wasm");
  auto c = decode_component(compute_bytes);
  auto pipe = make_pipe().value();
  auto inst = instantiate(*c, tmp.string(), pipe.second.get());
  double wasm_cpu = cpu_seconds(RUSAGE_SELF);
  auto outcome = inst.instance->call(*inst.instance->find_export("wasi:cli/run@0.2.0"), "run", {});
  wasm_cpu = cpu_seconds(RUSAGE_SELF) - wasm_cpu;
  pipe.second.reset();
  std::string wasm_out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(pipe.first.get(), buf, sizeof buf)) > 0) wasm_out.append(buf, size_t(n));
  std::filesystem::remove_all(tmp);
  if (!outcome || outcome->trap) {
    std::cerr << "component run failed\n" << wasm_out;
    return 1;
  }
  auto wasm = parse(wasm_out);

  const char* labels[][2] = {{"sha256", "SHA-256 over the buffer"}, {"fib", "fib (recursive calls)"}, {"nbody", "n-body (f64)"}};
  std::printf("workload: %s MiB SHA-256, fib(%s), %s n-body steps\n", mib.c_str(), fib_n.c_str(), steps.c_str());
  for (auto& [key, label] : labels) {
    double a = native[key] / 1e6, b = wasm[key] / 1e6;
    std::printf("%-24s native %9.2f ms   interpreter %10.2f ms   ratio %6.1fx\n", label, a, b, a > 0 ? b / a : 0.0);
  }
  std::printf("whole run, CPU time (buffer fill + the three workloads + host calls): native %.3f s, interpreter %.3f s\n",
              native_cpu, wasm_cpu);
  double per_call = wasm["hostcall"] / std::max(1.0, std::stod(calls));
  std::printf("host call round trip (weft:app/ipc.recv -> option<string>, lowered + lifted): %.0f ns per call (%s calls)\n",
              per_call, calls.c_str());
  return 0;
}
