// The translation of a JS app's engine module with and without its files' objects at hand (issue 12, "Sharing the
// engine across worlds"): translate_to_c alone, no compiler, alternating the two cases so both see the same load.
// Prints wall and thread-CPU seconds per run and the bytes of C written; asserts nothing.
//
//   aot_translate_bench <component.wasm> [runs] [dump-dir]   (the component's largest core module is translated;
//   with a dump directory, the last run's C is written there: module.h, shared.h, main.c, part_<k>.c)

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "weft/component/component.hpp"
#include "weft/runtime/aot_cache.hpp"
#include "weft/runtime/aot_precompile.hpp"
#include "weft/test/component_bytes.hpp"

namespace {

double thread_cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace weft;
  if (argc < 2) {
    std::fprintf(stderr, "usage: aot_translate_bench <component.wasm> [runs]\n");
    return 2;
  }
  int runs = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  auto bytes = test::read_file_bytes(argv[1]);
  auto component = component::decode_component(bytes);
  if (!component) {
    std::fprintf(stderr, "%s\n", component.error().message.c_str());
    return 1;
  }
  auto modules = runtime::core_modules(*component);
  auto engine = *std::max_element(modules.begin(), modules.end(),
                                  [](auto a, auto b) { return a.size() < b.size(); });
  constexpr size_t kUnitBytes = size_t(4) << 20;  // AotCacheOptions' default
  std::printf("core module of %zu bytes, files of %zu bytes of C\n", engine.size(), kUnitBytes);
  for (int run = 0; run < runs; ++run) {
    for (bool stored : {false, true}) {
      runtime::AotUnitReuse reuse;
      reuse.key_context = "bench";
      if (stored) reuse.have = [](const std::string&) { return true; };
      auto wall = std::chrono::steady_clock::now();
      double cpu = thread_cpu_seconds();
      auto source = runtime::translate_to_c(engine, "engine", kUnitBytes, reuse);
      double cpu_used = thread_cpu_seconds() - cpu;
      double wall_used = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
      if (!source) {
        std::fprintf(stderr, "%s\n", source.error().message.c_str());
        return 1;
      }
      size_t c_bytes = source->main.size() + source->shared.size() + source->header.size();
      for (const auto& part : source->parts) c_bytes += part.size();
      std::printf("%-28s %6.2f s wall %6.2f s CPU  %zu files, %zu of %zu bodies written, %zu bytes of C\n",
                  stored ? "every file's object stored:" : "nothing stored:", wall_used, cpu_used,
                  source->parts.size(), source->functions_written, source->functions, c_bytes);
      std::fflush(stdout);
      if (argc > 3 && run == runs - 1) {
        std::string dir = std::string(argv[3]) + (stored ? "/stored" : "/nothing-stored");
        std::filesystem::create_directories(dir);
        auto dump = [&](const std::string& file, const std::string& text) { std::ofstream(dir + "/" + file) << text; };
        dump("module.h", source->header);
        dump("shared.h", source->shared);
        dump("main.c", source->main);
        for (size_t k = 0; k < source->parts.size(); ++k) dump("part_" + std::to_string(k) + ".c", source->parts[k]);
      }
    }
  }
  return 0;
}
