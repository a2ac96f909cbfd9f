// Filling the AOT cache for a whole component (aot_precompile.hpp).

#include "weft/runtime/aot_precompile.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

namespace weft::runtime {
namespace {

void collect_modules(const component::Component& component, std::vector<std::span<const uint8_t>>& out) {
  for (const auto& m : component.modules) out.emplace_back(m);
  for (const auto& nested : component.components) collect_modules(*nested, out);
}

}  // namespace

std::vector<std::span<const uint8_t>> core_modules(const component::Component& component) {
  std::vector<std::span<const uint8_t>> out;
  collect_modules(component, out);
  return out;
}

Result<PrecompileTotals> precompile_modules(const AotCache& cache, std::span<const std::span<const uint8_t>> modules,
                                            const PrecompileOptions& options) {
  std::mutex mutex;  // guards totals, first_error and the progress callback
  PrecompileTotals totals;
  std::optional<Error> first_error;
  std::atomic<size_t> next{0};
  auto report = [&](const PrecompileStep& step) {
    if (options.progress) options.progress(step);
  };
  auto work = [&] {
    while (true) {
      size_t i = next.fetch_add(1);
      if (i >= modules.size()) return;
      PrecompileStep step;
      step.index = i;
      step.count = modules.size();
      step.bytes = modules[i].size();
      {
        std::lock_guard lock(mutex);
        if (first_error) return;
        if (cache.open_cached(cache.key(modules[i]))) {
          step.state = PrecompileStep::State::cached;
          ++totals.cached;
          report(step);
          continue;
        }
        report(step);
      }
      auto start = std::chrono::steady_clock::now();
      bool compiled = false;
      // A split module reports each translation unit (the big ones take minutes).
      AotCompileProgress units;
      if (cache.splits(modules[i]))
        units = [&, step](size_t done, size_t total) mutable {
          step.units_done = done;
          step.units_total = total;
          step.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          std::lock_guard lock(mutex);
          report(step);
        };
      auto done = cache.ensure(modules[i], "#" + std::to_string(i), &compiled, units);
      step.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard lock(mutex);
      if (!done) {
        step.state = PrecompileStep::State::failed;
        step.error = done.error().message;
        if (!first_error) first_error = done.error();
      } else {
        step.state = compiled ? PrecompileStep::State::compiled : PrecompileStep::State::cached;
        ++(compiled ? totals.compiled : totals.cached);
      }
      report(step);
    }
  };
  unsigned jobs = std::clamp<unsigned>(options.jobs, 1, std::max<size_t>(modules.size(), 1));
  std::vector<std::thread> workers;
  for (unsigned j = 1; j < jobs; ++j) workers.emplace_back(work);
  work();
  for (auto& w : workers) w.join();
  if (first_error) return fail(*first_error);
  return totals;
}

}  // namespace weft::runtime
