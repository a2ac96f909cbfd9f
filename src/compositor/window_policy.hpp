#pragma once
// Window policy of §2.2: panel beneath everything and filling the output, work area = output minus the layer shell's
// and the panels' exclusive zones, app windows maximized into it, overlays above, raise/activate/focus rules. The
// policy owns the work area, the zones and keyboard focus among windows; it hears of views through XdgShell's
// signals and tells shells of changes through its own.

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "idle_task.hpp"
#include "output.hpp"
#include "scene.hpp"
#include "seat.hpp"
#include "signal.hpp"
#include "wlr.hpp"
#include "xdg_shell.hpp"

namespace weft::compositor {

/// Which strip of the output a panel reserves (values of zweft_shell_window_v1.edge).
enum class Edge : uint32_t { top = 0, bottom = 1, left = 2, right = 3 };

/// An exclusive zone: `size` px along `edge` of the primary output.
struct Zone {
  Edge edge;
  int size;  // px
};

/// Output box minus the reserved strips; never smaller than 1×1.
[[nodiscard]] wlr_box shrink_by_zone(const wlr_box& area, Edge edge, int size);
/// A dialog rectangle: size clamped to the work area (≥ 1×1), centred in it.
[[nodiscard]] wlr_box centre_in(const wlr_box& area, int width, int height);

class WindowPolicy {
 public:
  WindowPolicy(wl_event_loop* loop, Scene& scene, Outputs& outputs, XdgShell& xdg, Seat& seat);
  WindowPolicy(const WindowPolicy&) = delete;
  WindowPolicy& operator=(const WindowPolicy&) = delete;

  [[nodiscard]] wlr_box output_box() const { return outputs_.primary_box(); }
  /// The work area of the primary output (the panels' and layer surfaces' output).
  [[nodiscard]] wlr_box work_area() const;
  /// Where app windows on `output` go: the work area on the primary, the whole output box elsewhere.
  [[nodiscard]] wlr_box work_area_of(const wlr_output* output) const;
  /// The output a view was placed on (the one holding the pointer when it was created), else the primary.
  [[nodiscard]] wlr_output* output_of(const View& view) const;
  /// New app windows go to the output under this cursor (the composition root hands in the pointer's).
  void follow_cursor(const wlr_cursor* cursor) { cursor_ = cursor; }
  /// Geometry a view gets from the policy, and whether it is maximized.
  [[nodiscard]] wlr_box geometry_for(const View& view, bool* maximized) const;

  /// Re-places every view after an output, zone or role change, then emits `arranged`.
  void arrange();
  /// arrange() from an idle callback: for destruction paths, where lists are being modified.
  void schedule_arrange() { idle_arrange_.schedule(); }
  /// Re-places one view (its slot's requested size changed).
  void place(View& view);
  /// Moves the focused app window to the output next to its own on the side `toward` (Super+Shift+Left/Right): it is
  /// maximized into that output's work area, configured with its size, and its surface enters that output and leaves
  /// the old one. Panels and overlays stay on the primary; at the layout's edge nothing moves. Whether it moved.
  bool move_focused_window(Toward toward);
  /// Moves an app window to `output` and re-places every window (slots hear `arranged`).
  void move_to_output(View& view, wlr_output* output);
  /// Moves a view's top-left to layout point (x, y), keeping its size: a test harness placing windows (WLCS's
  /// position_window_absolute; no client can ask for it). The view keeps that position when it maps again and on
  /// every arrange, as a harness expects of a window it placed; size and state stay the policy's.
  void move_to(View& view, int x, int y);

  /// The output box minus the layer shell's exclusive zones (LayerShell::arranged); re-arranges.
  void set_layer_area(const wlr_box& usable);
  /// The zone `owner` (a panel slot) reserves, replacing its earlier one (nullopt: none); re-arranges at once.
  void set_exclusive_zone(const void* owner, std::optional<Zone> zone);
  /// Frees the zone of `owner`, if any; re-arranges from the idle phase (owners go away in destruction paths).
  void drop_exclusive_zone(const void* owner);

  /// Raise (panels are never raised), activate and give keyboard focus.
  void focus(View& view, bool raise = true);
  /// Keyboard focus to the panel without raising it; false when there is no mapped panel.
  bool focus_panel();
  /// The topmost mapped app window, optionally of one session.
  [[nodiscard]] View* topmost_app(const uint64_t* session_id = nullptr) const;
  [[nodiscard]] View* focused() const { return focused_; }
  /// Keyboard focus leaves `surface` (a layer surface going away): back to the focused window, else as after unmap.
  void restore_focus(wlr_surface* surface);

  /// Every view was placed again: slots recompute their configure.
  Signal<> arranged;
  /// A view's activation changed (focus moved): its slot recomputes its configure.
  Signal<View&> window_changed;

 private:
  void on_map(View& view);
  void on_unmap(View& view);
  void forget(View& view);
  void place_in_layer(View& view);
  void focus_after_unmap(bool was_overlay);

  Scene& scene_;
  const Outputs& outputs_;
  XdgShell& xdg_;
  Seat& seat_;
  View* focused_ = nullptr;
  View* overlay_return_ = nullptr;  // focus holder before an overlay took focus
  std::set<uint64_t> mapped_sessions_;  // sessions whose first toplevel has mapped
  wlr_box layer_usable_{};  // output minus layer-shell exclusive zones, from the layer shell's last arrange
  std::vector<std::pair<const void*, Zone>> zones_;  // panel zones in the order they were first set
  const wlr_cursor* cursor_ = nullptr;
  // App windows' outputs other than the primary; an output's removal drops its entries (windows go to the primary).
  std::unordered_map<const View*, wlr_output*> homes_;
  // Top-left corners (layout px) a test harness gave views through move_to, in place of the policy's.
  std::unordered_map<const View*, std::pair<int, int>> harness_positions_;
  IdleTask idle_arrange_;
  Connection created_, output_removing_;
  Connection initially_committed_, mapped_, unmapped_, destroying_, activation_;
};

}  // namespace weft::compositor
