#pragma once
// A toplevel window (xdg_toplevel) and its place in the scene. Popups live inside their parent's scene tree.

#include <cstdint>
#include <optional>
#include <string>

#include "listener.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class Server;
class ZweftWindow;

/// Window roles of zweft_shell_unstable_v1 (§2.1); toplevels without a slot are `normal`.
enum class Role { normal, dialog, panel, overlay };
[[nodiscard]] Role parse_role(std::string_view text);

class View {
 public:
  View(Server& server, wlr_xdg_surface* xdg);
  View(const View&) = delete;
  View& operator=(const View&) = delete;
  ~View();

  [[nodiscard]] Role role() const;
  [[nodiscard]] wlr_surface* surface() const { return xdg->surface; }
  [[nodiscard]] wl_client* client() const { return wl_resource_get_client(xdg->resource); }
  [[nodiscard]] bool is_app_window() const { return role() == Role::normal || role() == Role::dialog; }
  [[nodiscard]] std::string app_id() const;
  [[nodiscard]] std::string title() const;

  /// Sends xdg configure (size, maximized, activated) when it differs from the last one, and places the node.
  void apply_geometry(const wlr_box& box, bool maximized);
  void set_activated(bool activated);

  Server& server;
  wlr_xdg_surface* xdg;
  wlr_scene_node* node = nullptr;  // owned by the scene; destroyed with the xdg surface
  ZweftWindow* slot = nullptr;     // borrowed; the slot clears it when it goes away
  std::optional<uint64_t> session_id;
  bool mapped = false;
  bool ever_mapped = false;
  wlr_box box{};                // placed geometry, layout coordinates
  bool activated = false;
  bool new_content = false;     // a buffer was committed since the last output commit
  bool content_in_flight = false;  // that content is in a committed frame awaiting presentation

 private:
  Listener<> map_, unmap_, destroy_, commit_, request_maximize_, request_fullscreen_;
};

}  // namespace weft::compositor
