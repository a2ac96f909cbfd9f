// Driver for fuzz targets in ordinary (g++) builds: runs every seed file of a corpus directory, then a fixed number of
// deterministic mutations of them (byte flips, truncations, insertions, splices). Under the `fuzz` preset the same
// targets link against libFuzzer instead. Usage: <target> <corpus-dir> [mutations]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir> [mutations]\n", argv[0]);
    return 2;
  }
  std::vector<std::vector<uint8_t>> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "no seed files in %s\n", argv[1]);
    return 2;
  }
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());
  long mutations = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 20000;
  std::mt19937_64 rng(0x5eed);  // fixed seed: a failure reproduces exactly
  for (long i = 0; i < mutations; ++i) {
    std::vector<uint8_t> input = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 5) {
        case 0:
          if (!input.empty()) input[rng() % input.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
          break;
        case 1:
          if (!input.empty()) input.resize(rng() % input.size());
          break;
        case 2: input.insert(input.begin() + static_cast<long>(rng() % (input.size() + 1)), static_cast<uint8_t>(rng()));
          break;
        case 3:
          if (!input.empty()) input[rng() % input.size()] = static_cast<uint8_t>(rng());
          break;
        case 4: {
          const auto& other = seeds[rng() % seeds.size()];
          if (other.empty()) break;
          size_t from = rng() % other.size();
          size_t at = rng() % (input.size() + 1);
          input.insert(input.begin() + static_cast<long>(at), other.begin() + static_cast<long>(from), other.end());
          break;
        }
      }
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("%zu seeds + %ld mutations ran clean\n", seeds.size(), mutations);
  return 0;
}
