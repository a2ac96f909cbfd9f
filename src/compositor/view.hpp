#pragma once
// A toplevel window (xdg_toplevel) and its place in the scene. Popups live inside their parent's scene tree.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "listener.hpp"
#include "signal.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class View;

/// Window roles of zweft_shell_unstable_v1 (§2.1); toplevels without a slot are `normal`.
enum class Role { normal, dialog, panel, overlay };
[[nodiscard]] Role parse_role(std::string_view text);

/// What a zweft slot bound to the toplevel says about it (§2.1). Owned by the view; the shell that bound the slot
/// keeps it current.
struct SlotTraits {
  Role role = Role::normal;
  std::string app_id;  // the session's app id for session clients (§2.4)
  std::string title;
  wlr_box requested{};  // set_geometry / create_window rectangle; only a dialog's size is honoured
};

/// The lifecycle of every view, in one place for the subsystems that follow windows (owned by XdgShell).
struct ViewSignals {
  /// The client's initial commit: the initial configure goes out once this returns, with what the policy set.
  Signal<View&> initially_committed;
  Signal<View&> mapped;
  Signal<View&> unmapped;
  /// The toplevel is going away; the View is destroyed right after.
  Signal<View&> destroying;
};

class View {
 public:
  /// `release` is the owner's: called once the peers have heard `destroying`, it destroys the View.
  View(ViewSignals& signals, wlr_xdg_surface* xdg, wlr_scene_tree* parent, std::optional<uint64_t> session_id,
       std::function<void(View&)> release);
  View(const View&) = delete;
  View& operator=(const View&) = delete;

  [[nodiscard]] Role role() const { return traits_ ? traits_->role : Role::normal; }
  [[nodiscard]] wlr_surface* surface() const { return xdg->surface; }
  [[nodiscard]] wl_client* client() const { return wl_resource_get_client(xdg->resource); }
  [[nodiscard]] bool is_app_window() const { return role() == Role::normal || role() == Role::dialog; }
  [[nodiscard]] std::string app_id() const;
  [[nodiscard]] std::string title() const;
  /// The slot's traits, nullopt while no slot governs the toplevel.
  [[nodiscard]] const std::optional<SlotTraits>& traits() const { return traits_; }
  void set_traits(std::optional<SlotTraits> traits) { traits_ = std::move(traits); }

  /// Sends xdg configure (size, maximized, activated) when it differs from the last one, and places the window.
  void apply_geometry(const wlr_box& box, bool maximized);
  /// Puts the window's top-left at layout point (x, y), keeping its size (see `box`).
  void move_to(int x, int y);
  void set_activated(bool activated);
  /// The window geometry in layout coordinates (popups are positioned relative to its top-left).
  [[nodiscard]] wlr_box window_geometry() const;

  wlr_xdg_surface* const xdg;
  wlr_scene_node* node = nullptr;  // owned by the scene; destroyed with the xdg surface
  const std::optional<uint64_t> session_id;
  bool mapped = false;
  bool ever_mapped = false;
  // Placed geometry, layout coordinates. Its top-left is where the window geometry's top-left goes when the client
  // set one (xdg_surface.set_window_geometry); without one, where the main surface's top-left goes. The implicit
  // geometry is the bounding box of the surface and its sub-surfaces, so anchoring it would move the main surface
  // whenever a sub-surface grows the box up or left; the window stays put instead (as Mir does, and as WLCS expects).
  wlr_box box{};
  bool activated = false;
  bool new_content = false;     // a buffer was committed since the last output commit
  bool content_in_flight = false;  // that content is in a committed frame awaiting presentation
  bool initially_committed = false;  // the client's initial commit has been seen

 private:
  /// Positions the scene tree so that `box` holds (wlroots' scene keeps the window geometry at the tree's origin).
  void place_node();
  /// After wlroots' scene has laid out a commit: where the implicit geometry now starts, then place_node().
  void follow_implicit_geometry();

  // The window geometry's top-left relative to the main surface's (px) as wlroots' scene laid out the surface tree at
  // the latest commit, when the client set no geometry (≤ 0 where sub-surfaces reach up or left); (0, 0) with one.
  int implicit_origin_x_ = 0, implicit_origin_y_ = 0;
  std::optional<SlotTraits> traits_;
  std::function<void(View&)> release_;
  Listener<> map_, unmap_, destroy_, commit_, request_maximize_, request_fullscreen_;
};

}  // namespace weft::compositor
