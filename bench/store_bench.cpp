// weft-pack throughput: inventory+sign, verify and install of a package of many files, timed with the real store
// code (weft-store) in a temporary environment. Prints numbers; asserts nothing.
//   build/<dir>/bin/store_bench [files] [bytes-per-file]

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "weft/core/confined_fs.hpp"
#include "weft/store/crypto.hpp"
#include "weft/store/install.hpp"
#include "weft/store/signature.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A minimal component that decodes and exports wasi:cli/run@0.2.0 (as tests/support/include/weft/test/component_bytes.hpp writes it).
std::string minimal_component() {
  const unsigned char bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x10, 0x01, 0x42, 0x02, 0x01,
                                 0x40, 0x00, 0x01, 0x00, 0x04, 0x00, 0x03, 'r',  'u',  'n',  0x01, 0x00, 0x0a, 0x17,
                                 0x01, 0x00, 0x12, 'w',  'a',  's',  'i',  ':',  'c',  'l',  'i',  '/',  'r',  'u',
                                 'n',  '@',  '0',  '.',  '2',  '.',  '0',  0x05, 0x00, 0x0b, 0x18, 0x01, 0x00, 0x12,
                                 'w',  'a',  's',  'i',  ':',  'c',  'l',  'i',  '/',  'r',  'u',  'n',  '@',  '0',
                                 '.',  '2',  '.',  '0',  0x05, 0x00, 0x00};
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

void write(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

}  // namespace

int main(int argc, char** argv) {
  int files = argc > 1 ? std::atoi(argv[1]) : 500;
  size_t bytes = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 64 * 1024;
  char tmpl[] = "/tmp/weft-pack-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  fs::path base = tmpl;
  // Removes the temporary tree on every exit path.
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{base};
  for (const char* v : {"HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "WEFT_APP_STORE", "WEFT_TRUSTED_KEYS"}) {
    fs::path d = base / v;
    fs::create_directories(d);
    ::setenv(v, d.c_str(), 1);
  }
  fs::path pkg = base / "pkg/org.weft.bench.app";
  write(pkg / "wapp.toml",
        "[package]\nid = \"org.weft.bench.app\"\nname = \"Bench\"\nversion = \"1\"\n[runtime]\nmodule = \"app.wasm\"\n"
        "[ui]\nentry = \"ui/index.html\"\n");
  write(pkg / "app.wasm", minimal_component());
  write(pkg / "ui/index.html", "<p>bench</p>");
  std::string blob(bytes, '\0');
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i * 131 + 7);
  for (int i = 0; i < files; ++i) {
    blob[0] = static_cast<char>(i);
    write(pkg / ("assets/d" + std::to_string(i % 16) + "/f" + std::to_string(i) + ".bin"), blob);
  }
  double total_mib = double(files) * double(bytes) / (1024.0 * 1024.0);

  auto kp = weft::store::generate_key_pair();
  write(base / "WEFT_TRUSTED_KEYS/bench.pub", weft::store::to_hex(kp.public_key));
  auto fd = weft::open_dir(pkg.string());
  if (!fd) return 1;

  constexpr int kRounds = 5;
  double sign_s = 1e9, verify_s = 1e9, install_s = 1e9;
  for (int round = 0; round < kRounds; ++round) {
    auto t = Clock::now();
    if (!weft::store::sign_package(fd->get(), kp.seed)) return 1;
    sign_s = std::min(sign_s, seconds_since(t));
    t = Clock::now();
    if (!weft::store::verify_package(fd->get(), kp.public_key)) return 1;
    verify_s = std::min(verify_s, seconds_since(t));
    // Each round installs new content (a changed file) so a real revision is staged, copied, fsynced and swapped.
    write(pkg / "round.txt", std::to_string(round));
    if (!weft::store::sign_package(fd->get(), kp.seed)) return 1;
    t = Clock::now();
    auto r = weft::store::install_package(pkg.string(), {});
    if (!r) {
      std::fprintf(stderr, "install failed: %s\n", r.error().message.c_str());
      return 1;
    }
    install_s = std::min(install_s, seconds_since(t));
  }
  std::printf("package: %d files x %zu bytes = %.1f MiB (best of %d rounds)\n", files, bytes, total_mib, kRounds);
  std::printf("sign    (inventory + SHA-256 + Ed25519): %8.1f ms  %8.1f MiB/s\n", sign_s * 1e3, total_mib / sign_s);
  std::printf("verify  (inventory + SHA-256 + Ed25519): %8.1f ms  %8.1f MiB/s\n", verify_s * 1e3, total_mib / verify_s);
  std::printf("install (stage+fsync+check+verify+swap): %8.1f ms  %8.1f MiB/s\n", install_s * 1e3, total_mib / install_s);
  return 0;
}
