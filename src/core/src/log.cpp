#include "weft/core/log.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

namespace weft::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::string& process_name() {
  static std::string name = "weft";
  return name;
}
constexpr std::string_view kLevelNames[] = {"error", "warn", "info", "debug", "trace"};
}  // namespace

Level parse_level(std::string_view text) {
  for (int i = 0; i < 5; ++i)
    if (text == kLevelNames[i]) return static_cast<Level>(i);
  return Level::info;
}

void init(std::string_view name) {
  process_name() = std::string(name);
  const char* env = std::getenv("WEFT_LOG");
  set_level(parse_level(env ? env : ""));
}

void set_level(Level l) { g_level.store(static_cast<int>(l)); }
Level level() { return static_cast<Level>(g_level.load()); }

void write(Level l, std::string_view message) {
  std::string line;
  line.reserve(message.size() + 32);
  line += process_name();
  line += ": ";
  line += kLevelNames[static_cast<int>(l)];
  line += ": ";
  line += message;
  line += '\n';
  // One write(2) per line so lines from several threads/processes sharing stderr never interleave mid-line.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace weft::log
