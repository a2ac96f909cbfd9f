#pragma once
// Running the default GLib main context from a test while it waits for something (a connection, a message, an exit):
// for tests of GLib programs, which link GLib themselves.

#include <glib.h>

#include <chrono>
#include <functional>
#include <thread>

namespace weft::test {

/// Runs the default context until `done()` holds or `timeout` passes; false on timeout.
inline bool pump_until(const std::function<bool()>& done,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (!g_main_context_iteration(nullptr, FALSE)) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return true;
}

/// Runs the default context for `duration`.
inline void pump_for(std::chrono::milliseconds duration) {
  (void)pump_until([] { return false; }, duration);
}

}  // namespace weft::test
