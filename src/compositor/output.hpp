#pragma once
// One wlr_output: mode setup, per-frame scene commit, presentation bookkeeping.

#include "listener.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class Server;

class Output {
 public:
  Output(Server& server, wlr_output* output);
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();

  [[nodiscard]] wlr_box layout_box() const;
  /// Refresh interval in ns from the current mode, 0 if unknown.
  [[nodiscard]] uint32_t refresh_ns() const;

  Server& server;
  wlr_output* output;
  wlr_scene_output* scene_output = nullptr;

 private:
  void on_frame();
  void on_precommit();
  void on_present(wlr_output_event_present* event);

  Listener<> frame_, destroy_, mode_;
  Listener<> precommit_;
  Listener<wlr_output_event_present> present_;
};

}  // namespace weft::compositor
