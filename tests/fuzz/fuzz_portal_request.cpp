// Fuzz target: weft-file-portal's request handler (§7.1) answers every line with exactly one response line and never
// creates, changes or reveals anything outside its roots. Requests name the roots as `$RW` (a writable root) and `$RO`
// (a read-only one), replaced by their real paths, so seeds reach past path resolution; beside the roots lies a
// directory that must stay empty.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "portal_requests.hpp"
#include "weft/core/fd.hpp"

namespace {

namespace fs = std::filesystem;

struct Fixture {
  std::string base, rw, ro, outside;
  std::vector<weft::portal::PortalRoot> roots;
  weft::UniqueFd sink;  // /dev/null: the responses' content is not checked here, only that one is written

  Fixture() {
    std::string templ = (fs::temp_directory_path() / "weft-fuzz-portal-XXXXXX").string();
    if (!::mkdtemp(templ.data())) __builtin_trap();
    base = templ;
    rw = base + "/rw";
    ro = base + "/ro";
    outside = base + "/outside";
    for (const auto& dir : {rw, ro + "/docs", outside}) fs::create_directories(dir);
    std::ofstream(ro + "/docs/readme.txt") << "read-only text\n";
    std::ofstream(rw + "/notes.txt") << "notes\n";
    fs::create_symlink(outside, rw + "/escape");  // a symlink out of the root must never be followed
    auto writable = weft::portal::open_root(rw, true);
    auto readable = weft::portal::open_root(ro, false);
    if (!writable.ok() || !readable.ok()) __builtin_trap();
    roots.push_back(std::move(*writable));
    roots.push_back(std::move(*readable));
    sink.reset(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    if (!sink) __builtin_trap();
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
};

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  std::string line(reinterpret_cast<const char*>(data), size);
  replace_all(line, "$RW", fixture.rw);
  replace_all(line, "$RO", fixture.ro);
  replace_all(line, "$OUT", fixture.outside);
  auto answered = weft::portal::handle_request(fixture.roots, line, fixture.sink.get());
  if (!answered.ok()) __builtin_trap();  // writing to /dev/null cannot fail: every request gets its response
  if (!fs::is_empty(fixture.outside)) __builtin_trap();  // something was written outside the roots
  if (!fs::exists(fixture.ro + "/docs/readme.txt") || fs::file_size(fixture.ro + "/docs/readme.txt") != 15)
    __builtin_trap();  // the read-only root changed
  return 0;
}
