// Fuzz target: bundle extraction (§5.7) takes any bytes as a `.app.tar.zst` (or plain tar) and either extracts a
// package beneath its destination or refuses with a named error; it never writes outside the destination, never
// creates a link, and never leaves a partial tree behind a refusal it reports as success.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "weft/core/fd.hpp"
#include "weft/store/bundle.hpp"

namespace {

namespace fs = std::filesystem;

struct Fixture {
  std::string base, archive, dest, outside;
  Fixture() {
    std::string templ = (fs::temp_directory_path() / "weft-fuzz-bundle-XXXXXX").string();
    if (!::mkdtemp(templ.data())) __builtin_trap();
    base = templ;
    archive = base + "/input.app.tar.zst";
    dest = base + "/dest";
    outside = base + "/outside";
    fs::create_directories(outside);
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  {
    std::ofstream out(fixture.archive, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  std::error_code ec;
  fs::remove_all(fixture.dest, ec);
  fs::create_directory(fixture.dest);
  weft::UniqueFd dest(::open(fixture.dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dest) __builtin_trap();
  auto extracted = weft::store::extract_bundle(fixture.archive, dest.get());
  if (!extracted.ok() && extracted.error().message.empty()) __builtin_trap();  // every refusal names its reason
  if (!fs::is_empty(fixture.outside)) __builtin_trap();                        // written outside the destination
  for (const auto& entry : fs::recursive_directory_iterator(fixture.dest, ec))
    if (entry.is_symlink() || !(entry.is_regular_file() || entry.is_directory())) __builtin_trap();  // links, devices
  return 0;
}
