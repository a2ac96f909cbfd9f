#pragma once
// zweft_shell_unstable_v1 version 2 (§2.1): window slots whose geometry, stacking and focus the compositor owns.

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "gesture_recognizer.hpp"
#include "listener.hpp"
#include "seat.hpp"
#include "signal.hpp"
#include "view.hpp"
#include "window_policy.hpp"
#include "wlr.hpp"
#include "xdg_shell.hpp"

namespace weft::compositor {

class SessionRegistry;
class ZweftShell;
struct ZweftManager;

/// One zweft_shell_window_v1: a slot whose toplevel, once it exists, is placed by the policy with the slot's role.
class ZweftWindow {
 public:
  ZweftWindow(ZweftShell& shell, wl_resource* resource, ZweftManager* manager, Role role, std::string app_id,
              std::string title, wlr_surface* surface, wlr_box requested);
  ZweftWindow(const ZweftWindow&) = delete;
  ZweftWindow& operator=(const ZweftWindow&) = delete;
  ~ZweftWindow();

  /// Sends configure when geometry/state changed, or always when `force` (set_geometry replies, the first one).
  void configure(bool force = false);
  /// Sends window_closed once and makes the slot inert; later requests other than destroy raise defunct_window.
  void close();
  void send_focus(bool focused);
  void send_presentation(const timespec& when, uint32_t refresh_ns);
  void send_gesture(GestureType kind, uint32_t fingers, double dx, double dy);
  /// Binds the slot to a mapped-or-not toplevel of the same client.
  void attach(View& view);
  void detach_view();
  /// The client's new title and accessibility role (update_metadata).
  void set_metadata(std::string new_title, std::string role_text);
  /// The client's new rectangle (set_geometry): a dialog's size follows it.
  void set_requested(const wlr_box& box);
  /// A panel's exclusive zone (set_exclusive_zone); size 0 frees it.
  void set_exclusive_zone(Edge edge, int size);

  [[nodiscard]] bool closed() const { return closed_; }
  [[nodiscard]] wl_client* client() const { return wl_resource_get_client(resource); }

  ZweftShell& shell;
  wl_resource* resource;
  ZweftManager* manager;  // null once the manager is gone
  Role role;
  std::string app_id;
  std::string title;
  std::string metadata_role;
  wlr_surface* surface = nullptr;  // borrowed; cleared on surface destroy
  View* view = nullptr;            // borrowed; cleared when the view is destroyed (XdgShell::view_signals)
  wlr_box requested{};             // set_geometry / create_window rectangle

 private:
  [[nodiscard]] wlr_box current_geometry(uint32_t* state) const;
  [[nodiscard]] SlotTraits traits() const { return SlotTraits{role, app_id, title, requested}; }

  Listener<> surface_destroy_, surface_commit_;
  bool closed_ = false;
  bool configured_ = false;
  wlr_box last_box_{};
  uint32_t last_state_ = 0;
  std::optional<bool> focused_;
};

/// The zweft_shell_manager_v1 global. Follows views through XdgShell's signals and the policy's, and asks the policy
/// for geometry and zones.
class ZweftShell {
 public:
  static constexpr uint32_t kVersion = 2;

  ZweftShell(wl_display* display, const SessionRegistry& sessions, XdgShell& xdg, WindowPolicy& policy, Seat& seat);
  ZweftShell(const ZweftShell&) = delete;
  ZweftShell& operator=(const ZweftShell&) = delete;

  [[nodiscard]] ZweftWindow* slot_for_surface(const wlr_surface* surface) const;
  [[nodiscard]] ZweftWindow* slot_for_view(const View& view) const;
  void close_session_slots(uint64_t session_id);
  /// A recognised touchpad gesture goes to every panel slot (§2.1).
  void send_navigation_gesture(const NavigationGesture& gesture);

  const SessionRegistry& sessions;
  XdgShell& xdg;
  WindowPolicy& policy;
  std::list<ZweftWindow*> windows;  // owned by their wl_resource

 private:
  /// A new xdg toplevel appeared: binds it to a slot that was waiting for its surface.
  void on_new_toplevel(View& view);
  /// A wl_surface that a waiting slot named took a role other than xdg_toplevel.
  void on_foreign_role(wlr_surface* surface);
  void configure_all();

  wl_global* global_ = nullptr;
  Connection new_toplevel_, new_popup_, view_destroying_, presented_, arranged_, window_changed_;
  Listener<wlr_seat_keyboard_focus_change_event> focus_change_;
};

}  // namespace weft::compositor
