// Runs a WEFT app component the way appd does (spec §3.4 step 9, §4.1): `<runtime> <app_id> <sid> --module M
// --ipc-socket S [--preopen …]` with a readiness pipe, while the test plays the relay on S — one JSON line each way.
// The runtime is weft-runtime, or jco_runtime.mjs (the component under jco's JS host) where weft-runtime is absent.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/line_reader.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::test {

enum class Backend { Jco, WeftRuntime };

/** The backends this build can run: jco always, weft-runtime when the build enables it. */
std::vector<Backend> available_backends();
std::string backend_name(Backend backend);
/** gtest's name for a Backend parameter. */
inline void PrintTo(Backend backend, std::ostream* os) { *os << backend_name(backend); }

/** A built demo or test component, as each backend wants it. */
struct AppFiles {
  std::string app_id;
  std::string component;   // the component .wasm (weft-runtime)
  std::string transpiled;  // jco transpile output app.js (jco backend)
};
AppFiles counter_app();
/** The counter's source built with COUNTER_INITIAL_VALUE = INT32_MAX - 1 / INT32_MIN + 1. */
AppFiles counter_near_max_app();
AppFiles counter_near_min_app();
AppFiles notes_app();
AppFiles todo_app();
AppFiles abi_probe_app();
AppFiles first_write_app();

/** Result of running a tool to completion: whether it exited 0 and what it wrote to stdout (and stderr, if merged). */
struct ToolRun {
  bool ok = false;
  std::string output;
};
ToolRun run_tool(const std::vector<std::string>& argv, bool merge_stderr = false);

/** A component's world as `jco wit` prints it. */
struct World {
  std::set<std::string> weft_imports;  // e.g. "weft:app/ipc@0.1.0"
  std::set<std::string> wasi_imports;  // WASI 0.2.x, unversioned, e.g. "wasi:io/streams"
  std::set<std::string> other_imports;
  std::set<std::string> exports;
  std::string error;  // non-empty when jco could not read the component
};
World world_of(const std::string& component);

using weft::test::TempDir;

/** How long a test waits for something that should happen promptly before calling it a hang (not a timing check:
 *  generous for a loaded 2-core machine starting node). */
inline constexpr std::chrono::seconds kPatience{60};

class AppSession {
 public:
  /** Starts the app and waits until it connected to the relay socket and reported readiness. On failure the
   *  returned session is not ok() and error() says why. */
  static AppSession start(Backend backend, const AppFiles& app, const std::vector<std::string>& extra_args = {});

  AppSession(AppSession&&) = default;
  AppSession& operator=(AppSession&&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  /** Writes one line (a '\n' is appended) to the component. */
  void send(const std::string& line);
  void send(const nlohmann::json& message) { send(message.dump()); }
  /** The next line from the component, or nullopt on EOF or after `patience`. */
  std::optional<std::string> receive(std::chrono::milliseconds patience = kPatience);
  /** send + receive + parse; a null json if nothing (parseable) came. */
  nlohmann::json request(const nlohmann::json& message);

  ChildProcess& process() { return child_; }
  /** Everything the component printed on stdout so far plus what follows until it exits (jco backend: its stdout). */
  std::string wait_for_output();

 private:
  AppSession() = default;
  std::string error_;
  TempDir dir_{"sdk-test"};
  ChildProcess child_;
  UniqueFd relay_;
  LineReader relay_lines_{-1};  // reads relay_
  UniqueFd stdout_;
};

}  // namespace weft::test
