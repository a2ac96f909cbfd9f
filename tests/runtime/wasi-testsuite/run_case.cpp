// Runs one test of the official WASI testsuite (preview 1) under weft-runtime twice: the core module natively
// (weft-runtime's wasi_snapshot_preview1) and the component jco's preview1 command adapter made of it. Each run is
// judged as the suite's README says: arguments, environment and a fresh copy of the test's root directory preopened
// read-write at `/`; the exit status and, when given, stdout must match exactly.
//
// A test named in the expectations file's section for a mode is a known failure there: it must still fail (exit 77,
// reported by ctest as skipped with the recorded reason), and one that starts passing fails the run so the list is
// kept honest.
//
// Usage: wasi_testsuite_case <weft-runtime> <component.wasm, or - without the guest SDK> <original test.wasm>
//        <expectations file>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "weft/test/child_run.hpp"
#include "weft/test/temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kSkipped = 77;  // ctest's SKIP_RETURN_CODE for this test
constexpr auto kRunLimit = std::chrono::seconds(120);

struct TestSpec {
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  std::optional<std::string> root;
  int exit_code = 0;
  std::optional<std::string> stdout_text;
};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TestSpec load_spec(const fs::path& json_path) {
  TestSpec spec;
  if (!fs::exists(json_path)) return spec;
  const auto json = nlohmann::json::parse(read_text(json_path));
  if (json.contains("args")) spec.args = json["args"].get<std::vector<std::string>>();
  if (json.contains("env"))
    for (const auto& [name, value] : json["env"].items()) spec.env.emplace_back(name, value.get<std::string>());
  if (json.contains("root")) spec.root = json["root"].get<std::string>();  // a folder beside the test
  if (json.contains("exit_code")) spec.exit_code = json["exit_code"].get<int>();
  if (json.contains("stdout")) spec.stdout_text = json["stdout"].get<std::string>();
  return spec;
}

/// The two ways a test runs: the core module natively (wasi_snapshot_preview1 in weft-runtime), and the component
/// jco's preview1 command adapter made of it (the path apps take).
constexpr const char* kModes[] = {"native", "adapter"};

/// `<mode>` → `<lang>/<name>` → the reason it is expected to fail. The file has one section per mode (`[native]`,
/// `[adapter]`); a line before any section header is an error.
std::map<std::string, std::map<std::string, std::string>> load_expected_failures(const fs::path& path) {
  std::map<std::string, std::map<std::string, std::string>> expected;
  std::istringstream lines(read_text(path));
  std::string mode;
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[' && line.back() == ']') {
      mode = line.substr(1, line.size() - 2);
      expected[mode];
      continue;
    }
    if (mode.empty()) throw std::runtime_error(path.string() + ": an entry before any [mode] section: " + line);
    const size_t space = line.find(' ');
    const std::string id = line.substr(0, space);
    std::string reason = space == std::string::npos ? "" : line.substr(line.find_first_not_of(' ', space));
    expected[mode][id] = reason;
  }
  return expected;
}

struct Verdict {
  enum { pass, known_failure, wrong } outcome = pass;
};

/// Runs `wasm` under weft-runtime as the spec says and prints what happened; the verdict against `expected`.
Verdict run_mode(const std::string& mode, const fs::path& runtime, const fs::path& wasm, const fs::path& original,
                 const TestSpec& spec, const std::map<std::string, std::string>& expected, const std::string& id,
                 const fs::path& expectations) {
  weft::test::TempDir scratch;
  std::vector<std::string> argv_runtime = {runtime, "org.wasi.testsuite", "1", "--module", wasm};
  // WEFT_WASI_TESTSUITE_NATIVE_ENGINE=aot runs the native mode on AOT code (each module compiled once into the build
  // tree's test cache; about a minute cold, so not in CI); unset, the interpreter.
  const char* native_engine = std::getenv("WEFT_WASI_TESTSUITE_NATIVE_ENGINE");
  if (mode == "native" && native_engine && *native_engine)
    argv_runtime.insert(argv_runtime.end(), {"--engine", native_engine, "--aot-cache",
                                             (runtime.parent_path().parent_path() / "aot-test-cache").string()});
  if (spec.root) {
    // Every run gets a fresh copy: the filesystem tests create, rename and delete inside their root.
    const fs::path root = scratch / "root";
    fs::copy(original.parent_path() / *spec.root, root, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    argv_runtime.insert(argv_runtime.end(), {"--preopen", root.string() + "::/::rw"});
  }
  for (const auto& [variable, value] : spec.env)
    argv_runtime.insert(argv_runtime.end(), {"--env", variable + "=" + value});
  argv_runtime.push_back("--");
  argv_runtime.insert(argv_runtime.end(), spec.args.begin(), spec.args.end());

  weft::SpawnOptions options;
  options.argv = argv_runtime;
  options.inherit_environment = true;
  const auto run = weft::test::run_child(options, {}, kRunLimit);

  std::vector<std::string> problems;
  if (run.exit_code != spec.exit_code)
    problems.push_back("exit status " + std::to_string(run.exit_code) + ", expected " + std::to_string(spec.exit_code));
  if (spec.stdout_text && run.out != *spec.stdout_text)
    problems.push_back("stdout differs: expected '" + *spec.stdout_text + "'");

  std::cout << "=== " << mode << " (" << wasm.string() << "): weft-runtime exited " << run.exit_code
            << "\n--- stdout\n" << run.out << "--- stderr\n" << run.err << "---\n";
  const auto known = expected.find(id);
  if (problems.empty()) {
    if (known != expected.end()) {
      std::cout << mode << ": PASSES but " << expectations.filename().string() << " lists it under [" << mode
                << "] as a known failure: remove that line\n";
      return {Verdict::wrong};
    }
    std::cout << mode << ": PASS\n";
    return {Verdict::pass};
  }
  for (const auto& problem : problems) std::cout << mode << ": FAIL: " << problem << "\n";
  if (known != expected.end()) {
    std::cout << mode << ": known failure: " << known->second << "\n";
    return {Verdict::known_failure};
  }
  return {Verdict::wrong};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: wasi_testsuite_case <weft-runtime> <component.wasm> <test.wasm> <expectations file>\n";
    return 2;
  }
  const fs::path runtime = argv[1], component = argv[2], original = argv[3], expectations = argv[4];
  const std::string name = original.stem();
  const std::string lang = original.parent_path().parent_path().parent_path().filename();
  const std::string id = lang + "/" + name;
  const TestSpec spec = load_spec(original.parent_path() / (name + ".json"));
  const auto expected = load_expected_failures(expectations);

  bool wrong = false, known_failure = false;
  for (const char* mode : kModes) {
    if (std::string(mode) == "adapter" && component == "-") {
      std::cout << "adapter: not run: the guest SDK (jco) that makes the component is missing\n";
      continue;
    }
    const auto listed = expected.find(mode);
    const auto verdict = run_mode(mode, runtime, std::string(mode) == "native" ? original : component, original, spec,
                                  listed == expected.end() ? std::map<std::string, std::string>{} : listed->second,
                                  id, expectations);
    wrong |= verdict.outcome == Verdict::wrong;
    known_failure |= verdict.outcome == Verdict::known_failure;
  }
  // A known failure in either mode reports the test as skipped (with its reason above); anything unexpected fails.
  if (wrong) return 1;
  return known_failure ? kSkipped : 0;
}
