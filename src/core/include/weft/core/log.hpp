#pragma once
// One logger for every WEFT process. Lines go to stderr as `<process>: <level>: <message>`; the threshold comes from
// WEFT_LOG (error, warn, info, debug, trace; default info). Never log payloads, clipboard text, notes or tokens.

#include <sstream>
#include <string>
#include <string_view>

namespace weft::log {

enum class Level { error = 0, warn = 1, info = 2, debug = 3, trace = 4 };

/// Parses a WEFT_LOG value; unknown or empty values give `info`.
[[nodiscard]] Level parse_level(std::string_view text);

/// Sets the process name shown on each line and reads WEFT_LOG once.
void init(std::string_view process_name);
void set_level(Level level);
[[nodiscard]] Level level();
[[nodiscard]] inline bool enabled(Level l) { return static_cast<int>(l) <= static_cast<int>(level()); }

/// Writes one line atomically (single write(2) call) to stderr.
void write(Level level, std::string_view message);

template <class... Args>
void emit(Level l, const Args&... args) {
  if (!enabled(l)) return;
  std::ostringstream out;
  (out << ... << args);
  write(l, out.str());
}

template <class... Args> void error(const Args&... a) { emit(Level::error, a...); }
template <class... Args> void warn(const Args&... a) { emit(Level::warn, a...); }
template <class... Args> void info(const Args&... a) { emit(Level::info, a...); }
template <class... Args> void debug(const Args&... a) { emit(Level::debug, a...); }
template <class... Args> void trace(const Args&... a) { emit(Level::trace, a...); }

}  // namespace weft::log
