// weft-runtime's run sequence.

#include "weft/runtime/runner.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <filesystem>

#include "engine_choice.hpp"
#include "weft/core/manifest.hpp"
#include "weft/core/paths.hpp"
#include "weft/runtime/component_instance.hpp"
#include "weft/runtime/wasi_host.hpp"
#include "weft/runtime/wasi_preview1.hpp"
#include "weft/runtime/weft_app_host.hpp"

namespace weft::runtime {
namespace {

constexpr size_t kMaxModuleBytes = size_t(1) << 30;

/// `--module`, or the manifest's `[runtime] module` of the installed package.
Result<std::string> module_path(const RuntimeOptions& o) {
  if (o.module) return *o.module;
  for (const auto& root : paths::store_roots()) {
    std::string dir = root + "/" + o.app_id;
    if (!std::filesystem::exists(dir + "/wapp.toml")) continue;
    WEFT_TRY(Manifest m, load_manifest(dir));
    return dir + "/" + m.module;
  }
  return fail("no --module given and package " + o.app_id + " is not installed in any store root");
}

std::vector<std::pair<std::string, std::string>> guest_environment(const RuntimeOptions& o) {
  std::vector<std::pair<std::string, std::string>> env;
  const char* ipc = std::getenv("WEFT_IPC_SOCKET");
  if (ipc) env.push_back({"WEFT_IPC_SOCKET", ipc});
  else if (o.ipc_socket) env.push_back({"WEFT_IPC_SOCKET", *o.ipc_socket});
  if (const char* portal = std::getenv("WEFT_FILE_PORTAL_SOCKET")) env.push_back({"WEFT_FILE_PORTAL_SOCKET", portal});
  env.insert(env.end(), o.environment.begin(), o.environment.end());
  return env;
}

/// A wasm32-wasip1 core module with wasi_snapshot_preview1 (development and conformance runs;
/// packages hold components only, spec §5.1): its `_start` is called, proc_exit(n) exits with n.
int run_core_module(const RuntimeOptions& o, const std::string& bytes, const std::string& path, std::ostream& diag) {
  WasiConfig wasi_config;
  wasi_config.environment = guest_environment(o);
  wasi_config.arguments.push_back(o.app_id);
  wasi_config.arguments.insert(wasi_config.arguments.end(), o.arguments.begin(), o.arguments.end());
  wasi_config.preopens = o.preopens;
  WasiHost wasi(std::move(wasi_config));
  if (auto r = wasi.open_preopens(); !r) {
    diag << "weft-runtime: " << r.error().message << "\n";
    return kExitLoad;
  }
  HostRegistry registry;
  wasi.install(registry);
  Preview1Host preview1(registry);

  auto engine = choose_core_module_engine(o, path, diag);
  engine->set_memory_limit(o.max_memory_mib << 20);
  auto module = engine->load(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), path);
  if (!module) {
    diag << "weft-runtime: cannot load " << path << ": " << module.error().message << "\n";
    return kExitLoad;
  }
  auto externs = preview1.link(*engine, engine->imports(*module));
  if (!externs) {
    diag << "weft-runtime: cannot link " << path << ": " << externs.error().message << "\n";
    return kExitLoad;
  }
  auto instance = engine->instantiate(*module, *externs);
  if (!instance) {
    if (auto status = wasi.exit_status()) return *status;  // proc_exit from the start function
    diag << "weft-runtime: cannot link " << path << ": " << instance.error().message << "\n";
    return kExitLoad;
  }
  auto memory = engine->export_of(*instance, "memory");
  auto start = engine->export_of(*instance, "_start");
  if (!memory || memory->kind != CoreExternKind::memory || !start || start->kind != CoreExternKind::func) {
    diag << "weft-runtime: " << path << " does not export the memory and _start function of a WASI command\n";
    return kExitLoad;
  }
  preview1.set_memory(*memory);
  if (engine->func_type(*start) != CoreFuncType{}) {
    diag << "weft-runtime: " << path << ": _start has type " << describe(engine->func_type(*start))
         << ", expected () -> ()\n";
    return kExitLoad;
  }
  std::vector<CoreValue> results;
  auto trap = engine->call(*start, {}, results);
  if (auto status = wasi.exit_status()) {
    if (*status != 0) diag << "weft-runtime: the module exited with status " << *status << "\n";
    return *status;
  }
  if (trap) {
    diag << "trap: " << trap->kind << ": " << trap->message << "\n";
    return kExitTrap;
  }
  return kExitOk;
}

}  // namespace

int run_component(const RuntimeOptions& o, std::ostream& diag) {
  auto path = module_path(o);
  if (!path) {
    diag << "weft-runtime: " << path.error().message << "\n";
    return kExitLoad;
  }
  auto bytes = read_file(*path, kMaxModuleBytes);
  if (!bytes) {
    diag << "weft-runtime: cannot read module " << *path << ": " << bytes.error().message << "\n";
    return kExitLoad;
  }
  const auto wasm = std::span(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
  // A core module is run as a wasm32-wasip1 command (development and conformance runs; packages refuse them).
  if (component::is_core_module_binary(wasm)) return run_core_module(o, *bytes, *path, diag);
  auto component = decode_component(wasm);
  if (!component) {
    diag << "weft-runtime: cannot load " << *path << ": " << component.error().message << "\n";
    return kExitLoad;
  }

  if (o.aot_compile_only) return compile_only(o, *component, *path, diag);
  if (o.aot_precompile) return precompile(o, *component, *path, std::cout, ::isatty(STDOUT_FILENO) == 1, diag);

  WeftAppConfig app;
  app.app_id = o.app_id;
  app.grants = o.grants;
  if (o.ipc_socket) {
    auto sock = connect_unix(*o.ipc_socket);
    if (!sock) {
      diag << "weft-runtime: cannot connect to IPC socket " << *o.ipc_socket << ": " << sock.error().message << "\n";
      return kExitLoad;
    }
    app.ipc = std::move(sock).value();
  }

  WasiConfig wasi_config;
  wasi_config.environment = guest_environment(o);
  wasi_config.arguments.push_back(o.app_id);
  wasi_config.arguments.insert(wasi_config.arguments.end(), o.arguments.begin(), o.arguments.end());
  wasi_config.preopens = o.preopens;
  wasi_config.http_client = [grants = o.grants](const std::string& url, const std::string& method,
                                                const std::vector<std::pair<std::string, std::string>>& headers,
                                                const std::optional<std::string>& body) {
    return http_request(grants, url, method, headers, body);
  };
  WasiHost wasi(std::move(wasi_config));
  if (auto r = wasi.open_preopens(); !r) {
    diag << "weft-runtime: " << r.error().message << "\n";
    return kExitLoad;
  }
  WeftAppHost weft_app(std::move(app));
  HostRegistry registry;
  wasi.install(registry);
  weft_app.install(registry);

  auto engine = choose_engine(o, *component, *path, diag);
  engine->set_memory_limit(o.max_memory_mib << 20);
  auto instance = ComponentInstance::instantiate(*component, *engine, registry);
  if (!instance) {
    diag << "weft-runtime: cannot link " << *path << ": " << instance.error().message << "\n";
    return kExitLoad;
  }
  auto run = (*instance)->find_export("wasi:cli/run@0.2.0");
  if (!run) {
    diag << "weft-runtime: " << *path << " does not export wasi:cli/run@0.2.x\n";
    return kExitLoad;
  }
  auto outcome = (*instance)->call(*run, "run", {});
  if (auto status = wasi.exit_status()) {
    if (*status != 0) {
      diag << "weft-runtime: the component exited with status " << *status << "\n";
      if (o.preopens.empty()) diag << missing_preopen_note();
    }
    return *status;
  }
  if (!outcome) {
    diag << "weft-runtime: " << outcome.error().message << "\n";
    return kExitLoad;
  }
  if (outcome->trap) {
    diag << "trap: " << outcome->trap->kind << ": " << outcome->trap->message << "\n";
    return kExitTrap;
  }
  if (outcome->value.index != 0) {
    diag << "weft-runtime: wasi:cli/run returned an error\n";
    return kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace weft::runtime
