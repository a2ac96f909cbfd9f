#pragma once
// Window policy of §2.2: panel beneath everything and filling the output, work area = output minus panel zones, app
// windows maximized into it, overlays above, raise/activate/focus rules.

#include <cstdint>
#include <set>

#include "wlr.hpp"

namespace weft::compositor {

class Server;
class View;

/// Which strip of the output a panel reserves (values of zweft_shell_window_v1.edge).
enum class Edge : uint32_t { top = 0, bottom = 1, left = 2, right = 3 };

/// Output box minus the reserved strips; never smaller than 1×1.
[[nodiscard]] wlr_box shrink_by_zone(const wlr_box& area, Edge edge, int size);
/// A dialog rectangle: size clamped to the work area (≥ 1×1), centred in it.
[[nodiscard]] wlr_box centre_in(const wlr_box& area, int width, int height);

class WindowPolicy {
 public:
  explicit WindowPolicy(Server& server) : server_(server) {}

  [[nodiscard]] wlr_box output_box() const;
  [[nodiscard]] wlr_box work_area() const;

  /// Re-places every view and reconfigures zweft slots after an output, zone or role change.
  void arrange();
  /// arrange() from an idle callback: for destruction paths, where lists are being modified.
  void schedule_arrange();
  /// Geometry a view gets from the policy, and whether it is maximized.
  [[nodiscard]] wlr_box geometry_for(const View& view, bool* maximized) const;

  void on_map(View& view);
  void on_unmap(View& view);
  /// Raise (panels are never raised), activate and give keyboard focus.
  void focus(View& view, bool raise = true);
  /// Keyboard focus to the panel without raising it; false when there is no mapped panel.
  bool focus_panel();
  /// The topmost mapped app window, optionally of one session.
  [[nodiscard]] View* topmost_app(const uint64_t* session_id = nullptr) const;
  [[nodiscard]] View* focused() const { return focused_; }
  /// Called by View's destructor so no dangling focus remains.
  void forget(View& view);
  /// Keyboard focus leaves `surface` (a layer surface going away): back to the focused window, else as after unmap.
  void restore_focus(wlr_surface* surface);
  void cancel_scheduled();

 private:
  void place_in_layer(View& view);
  void focus_after_unmap(bool was_overlay);

  Server& server_;
  View* focused_ = nullptr;
  View* overlay_return_ = nullptr;  // focus holder before an overlay took focus
  std::set<uint64_t> mapped_sessions_;
  wl_event_source* idle_arrange_ = nullptr;
  wlr_box layer_usable_{};  // output minus layer-shell exclusive zones, from the last arrange  // pending schedule_arrange, owned by the event loop until it fires  // sessions whose first toplevel has mapped
};

}  // namespace weft::compositor
