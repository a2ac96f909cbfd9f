#pragma once
// zweft_shell_unstable_v1 version 2 (§2.1): window slots whose geometry, stacking and focus the compositor owns.

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "gesture_recognizer.hpp"
#include "listener.hpp"
#include "view.hpp"
#include "window_policy.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class Server;
class ZweftShell;
struct ZweftManager;


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
  View* view = nullptr;            // borrowed; cleared by the view
  wlr_box requested{};             // set_geometry / create_window rectangle
  std::optional<std::pair<Edge, int>> zone;  // exclusive zone (panel slots with a surface)

 private:
  [[nodiscard]] wlr_box current_geometry(uint32_t* state) const;

  Listener<> surface_destroy_, surface_commit_;
  bool closed_ = false;
  bool configured_ = false;
  wlr_box last_box_{};
  uint32_t last_state_ = 0;
  std::optional<bool> focused_;
};

class ZweftShell {
 public:
  static constexpr uint32_t kVersion = 2;

  explicit ZweftShell(Server& server) : server(server) {}
  void create_global(wl_display* display);

  /// A new xdg toplevel appeared: binds it to a slot that was waiting for its surface.
  void on_new_toplevel(View& view);
  /// A wl_surface that a waiting slot named took a role other than xdg_toplevel.
  void on_foreign_role(wlr_surface* surface);
  [[nodiscard]] ZweftWindow* slot_for_surface(const wlr_surface* surface) const;
  /// Every live slot, for reconfiguring after a work-area change.
  void configure_all();
  void close_session_slots(uint64_t session_id);
  /// Union of the panel zones over the output box.
  [[nodiscard]] wlr_box work_area(const wlr_box& output) const;
  void send_navigation_gesture(GestureType kind, uint32_t fingers, double dx, double dy);

  Server& server;
  std::list<ZweftWindow*> windows;  // owned by their wl_resource

 private:
  wl_global* global_ = nullptr;
};

}  // namespace weft::compositor
