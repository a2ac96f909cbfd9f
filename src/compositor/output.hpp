#pragma once
// Outputs: each wlr_output's mode, per-frame scene commit and presentation; the set of them in the output layout.
// Peers learn of changes through signals: the layout changed (an output came, went or changed mode), a frame with a
// new buffer is being committed, a frame was presented.

#include <list>
#include <memory>
#include <optional>
#include <string>

#include "listener.hpp"
#include "options.hpp"
#include "signal.hpp"
#include "wlr.hpp"
#include "weft/core/result.hpp"

namespace weft::compositor {

class Outputs;

/// A horizontal step through the output layout (outputs sit left to right, §2.2).
enum class Toward { left, right };

class Output {
 public:
  Output(Outputs& outputs, wlr_output* output);
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  [[nodiscard]] wlr_box layout_box() const;
  /// Refresh interval in ns from the current mode, 0 if unknown.
  [[nodiscard]] uint32_t refresh_ns() const;

  wlr_output* const output;
  wlr_scene_output* scene_output = nullptr;

 private:
  void on_frame();
  /// Frame callbacks of the enabled surfaces under `node` that no output shows.
  static void send_frame_done_off_screen(wlr_scene_node* node, timespec* now);
  void on_present(wlr_output_event_present* event);

  Outputs& outputs_;
  Listener<> frame_, destroy_, mode_;
  Listener<> precommit_;
  Listener<wlr_output_event_present> present_;
};

/// What Output needs to set up a new wlr_output; borrowed from the composition root.
struct OutputContext {
  wlr_backend* backend;
  wlr_allocator* allocator;
  wlr_renderer* renderer;
  wlr_scene* scene;
  wlr_output_layout* layout;
  OutputMode headless_mode;
};

class Outputs {
 public:
  explicit Outputs(const OutputContext& context);
  Outputs(const Outputs&) = delete;
  Outputs& operator=(const Outputs&) = delete;

  /// The first enabled output: the panel's and the work area's (§2.2).
  [[nodiscard]] Output* primary() const;
  /// The primary output's box in layout coordinates; empty without an output.
  [[nodiscard]] wlr_box primary_box() const;
  /// Asks every output for a frame even without damage: a committed frame callback must fire (wl_surface.frame).
  void schedule_frames() const;
  [[nodiscard]] wlr_output_layout* layout() const { return context_.layout; }
  /// The box of every output together (layout coordinates); empty without an output.
  [[nodiscard]] wlr_box layout_box() const;
  /// The output at a layout point, else the primary; nullptr without an output.
  [[nodiscard]] Output* at(double lx, double ly) const;
  [[nodiscard]] Output* find(const std::string& name) const;
  /// The enabled output next to `of` in the layout, on the side `toward`; nullptr at the layout's edge.
  [[nodiscard]] Output* neighbour(const wlr_output* of, Toward toward) const;

  /// Adds an output right of the others (the backend must be started): headless of `mode`, or another window of a
  /// nested (x11, wayland) backend asking for that size (the host's window manager may change it). Its name.
  [[nodiscard]] Result<std::string> add(const OutputMode& mode);
  /// Unplugs headless or nested output `name`: it leaves the layout (the others close the gap) and is destroyed.
  [[nodiscard]] Result<void> remove(const std::string& name);
  /// Sets the scale of output `name` (0.25 to 8); clients hear wl_output.scale and done, the layout box shrinks.
  [[nodiscard]] Result<void> set_scale(const std::string& name, double scale);

  /// An output left the layout and is being destroyed (primary() no longer answers it): whoever keeps its pointer
  /// drops it now. layout_changed follows.
  Signal<wlr_output*> removing;

  /// An output was added or removed, or changed mode.
  Signal<> layout_changed;
  /// A frame carrying a new buffer is about to be committed (precommit, not commit: headless and nested backends
  /// report presentation from inside the commit, before the commit event).
  Signal<> committing_buffer;
  /// A frame reached the screen: when (CLOCK_MONOTONIC) and the refresh interval in ns.
  Signal<const timespec&, uint32_t> presented;

 private:
  friend class Output;
  void remove(Output& output);

  OutputContext context_;
  std::optional<OutputMode> adding_;  // the mode of the headless output add() is creating
  std::list<std::unique_ptr<Output>> outputs_;
  Listener<wlr_output> new_output_;
};

}  // namespace weft::compositor
