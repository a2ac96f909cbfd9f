#include "app_harness.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <regex>
#include <sstream>

#include "weft/test/child_run.hpp"

namespace weft::test {
namespace {

int remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Waits until fd is readable; false on timeout.
bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string random_token() {
  std::random_device rd;
  std::string token;
  for (int i = 0; i < 32; ++i) token += "0123456789abcdef"[rd() % 16];
  return token;
}

}  // namespace

std::vector<Backend> available_backends() {
  std::vector<Backend> backends{Backend::Jco};
#ifdef WEFT_APP_TESTS_WITH_RUNTIME
  backends.push_back(Backend::WeftRuntime);
#endif
  return backends;
}

std::string backend_name(Backend backend) { return backend == Backend::Jco ? "jco" : "weft_runtime"; }

AppFiles counter_app() { return {"org.weft.demo.counter", COUNTER_WASM, COUNTER_JS}; }
AppFiles counter_near_max_app() { return {"org.weft.demo.counter", COUNTER_NEAR_MAX_WASM, COUNTER_NEAR_MAX_JS}; }
AppFiles counter_near_min_app() { return {"org.weft.demo.counter", COUNTER_NEAR_MIN_WASM, COUNTER_NEAR_MIN_JS}; }
AppFiles notes_app() { return {"org.weft.demo.notes", NOTES_WASM, NOTES_JS}; }
AppFiles todo_app() { return {"org.weft.demo.todo", TODO_WASM, TODO_JS}; }
AppFiles first_write_app() { return {"org.weft.test.firstwrite", FIRST_WRITE_WASM, FIRST_WRITE_JS}; }
AppFiles abi_probe_app() { return {"org.weft.test.abiprobe", ABI_PROBE_WASM, ABI_PROBE_JS}; }

ToolRun run_tool(const std::vector<std::string>& argv, bool merge_stderr) {
  SpawnOptions options;
  options.argv = argv;
  options.inherit_environment = true;
  auto run = run_child(std::move(options), {.merge_stderr = merge_stderr}, kPatience);
  std::cerr << run.err;  // unmerged stderr stays visible in the test's output, as when it was inherited
  if (run.exit_code < 0 && run.out.empty()) return {false, "cannot start " + argv.at(0) + ": " + run.err};
  return {run.status.success(), std::move(run.out)};
}

World world_of(const std::string& component) {
  World w;
  ToolRun run = run_tool({JCO_WRAPPER, "wit", component});
  if (!run.ok) w.error = "jco wit " + component + " failed: " + run.output;
  const std::string& text = run.output;
  static const std::regex line(R"(^\s*(import|export) ([a-z0-9:/.@-]+);\s*$)");
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l);) {
    std::smatch m;
    if (!std::regex_match(l, m, line)) continue;
    std::string name = m[2];
    if (m[1] == "export") w.exports.insert(name);
    else if (name.starts_with("weft:app/")) w.weft_imports.insert(name);
    else if (name.starts_with("wasi:") && std::regex_search(name, std::regex("@0\\.2\\.[0-9]+$")))
      w.wasi_imports.insert(name.substr(0, name.find('@')));
    else w.other_imports.insert(name);
  }
  return w;
}

AppSession AppSession::start(Backend backend, const AppFiles& app, const std::vector<std::string>& extra_args) {
  AppSession s;
  std::string relay_path = s.dir_ / "ipc-1.sock";
  auto listener = listen_unix(relay_path);
  if (!listener) {
    s.error_ = "cannot listen on " + relay_path + ": " + listener.error().message;
    return s;
  }
  auto ready = make_pipe();
  auto out = make_pipe();
  if (!ready || !out) {
    s.error_ = "cannot create pipes";
    return s;
  }

  SpawnOptions options;
  if (backend == Backend::Jco) {
    options.argv = {NODE_BIN, JCO_RUNTIME_MJS, app.app_id, "1", "--module", app.transpiled};
  } else {
#ifdef WEFT_APP_TESTS_WITH_RUNTIME
    options.argv = {executable("weft-runtime"), app.app_id, "1", "--module", app.component};
#endif
  }
  options.argv.insert(options.argv.end(), {"--ipc-socket", relay_path});
  options.argv.insert(options.argv.end(), extra_args.begin(), extra_args.end());
  std::string token = random_token();
  options.inherit_environment = true;  // node needs PATH/HOME; the guest environment is the runtime's business
  options.env = {"WEFT_READY_FD=3", "WEFT_READY_TOKEN=" + token};
  options.fd_map = {{ready->second.get(), 3}, {out->second.get(), 1}};
  auto child = ChildProcess::spawn(options);
  if (!child) {
    s.error_ = "cannot start " + options.argv[0] + ": " + child.error().message;
    return s;
  }
  s.child_ = std::move(*child);
  ready->second.reset();
  out->second.reset();
  s.stdout_ = std::move(out->first);

  auto deadline = std::chrono::steady_clock::now() + kPatience;
  if (!wait_readable(listener->get(), deadline)) {
    s.error_ = backend_name(backend) + " did not connect to the relay socket";
    return s;
  }
  s.relay_ = UniqueFd(::accept4(listener->get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!s.relay_) {
    s.error_ = "accept on the relay socket failed";
    return s;
  }
  s.relay_lines_ = LineReader(s.relay_.get());

  std::string line;
  char c;
  while (line.size() < 64 && wait_readable(ready->first.get(), deadline) && ::read(ready->first.get(), &c, 1) == 1) {
    line += c;
    if (c == '\n') break;
  }
  if (line != "READY " + token + "\n") s.error_ = "readiness pipe said '" + line + "', not 'READY <token>\\n'";
  return s;
}

void AppSession::send(const std::string& line) {
  auto written = write_all(relay_.get(), line + "\n");
  if (!written) error_ = "writing to the component failed: " + written.error().message;
}

std::optional<std::string> AppSession::receive(std::chrono::milliseconds patience) {
  return relay_lines_.next(patience);
}

nlohmann::json AppSession::request(const nlohmann::json& message) {
  send(message);
  auto line = receive();
  if (!line) return nullptr;
  return nlohmann::json::parse(*line, nullptr, false);
}

std::string AppSession::wait_for_output() {
  std::string output;
  auto deadline = std::chrono::steady_clock::now() + kPatience;
  char chunk[4096];
  while (wait_readable(stdout_.get(), deadline)) {
    ssize_t n = ::read(stdout_.get(), chunk, sizeof chunk);
    if (n <= 0) break;
    output.append(chunk, static_cast<size_t>(n));
  }
  return output;
}

}  // namespace weft::test
