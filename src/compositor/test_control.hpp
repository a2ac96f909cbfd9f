#pragma once
// weft_test_v1 (test-only, --test-control): state queries, screenshots and input injection for integration tests.

#include <functional>
#include <string>
#include <utility>

#include "output.hpp"
#include "screenshot.hpp"
#include "seat.hpp"
#include "test_injection.hpp"
#include "window_policy.hpp"
#include "wlr.hpp"
#include "xdg_shell.hpp"
#include "weft/core/result.hpp"

namespace weft::compositor {

/// Renders the target into a PNG at the path; answers its size in px.
using CapturePng = std::function<Result<std::pair<int, int>>(const std::string& path, const CaptureTarget& target)>;

class TestControl {
 public:
  /// `injection` is null where the backend has no virtual devices (injection requests are then a protocol error).
  TestControl(wl_display* display, const XdgShell& xdg, const WindowPolicy& policy, const Seat& seat,
              TestInjection* injection, Outputs& outputs, CapturePng capture);
  TestControl(const TestControl&) = delete;
  TestControl& operator=(const TestControl&) = delete;
  ~TestControl();

  const XdgShell& xdg;
  const WindowPolicy& policy;
  const Seat& seat;
  TestInjection* const injection;
  Outputs& outputs;  // hot-plug and scale (headless outputs only)
  const CapturePng capture;

 private:
  wl_global* global_ = nullptr;
};

}  // namespace weft::compositor
