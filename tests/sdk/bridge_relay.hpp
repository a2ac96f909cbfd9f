// What appd's relay does for a session (spec §3.5), for tests that wire a page to a component themselves: page
// payloads from the bridge fd go to the component as lines, component lines go to the page as APP_MESSAGE lines.
#pragma once

#include <functional>
#include <string>

#include "app_harness.hpp"
#include "weft/core/ipc/bridge.hpp"

namespace weft::test {

class BridgeRelay {
 public:
  /** bridge_fd: appd's end of the app view's bridge (non-blocking). Both must outlive the relay. */
  BridgeRelay(int bridge_fd, AppSession& component) : bridge_fd_(bridge_fd), component_(component) {}

  /** Moves everything waiting, both ways, without blocking; `seen` is called with each component line.
   *  Returns false (with `error()`) when a line cannot be decoded or written. */
  bool pump(const std::function<void(const std::string&)>& seen = {});
  const std::string& error() const { return error_; }

 private:
  int bridge_fd_;
  AppSession& component_;
  ipc::LineSplitter splitter_;
  std::string error_;
};

}  // namespace weft::test
