#pragma once
// xdg-shell and its companions (xdg-decoration, xdg-activation): owns every View, places popups, and tracks which
// views have new content in a presented frame.

#include <cstdint>
#include <list>
#include <memory>

#include "listener.hpp"
#include "output.hpp"
#include "scene.hpp"
#include "signal.hpp"
#include "view.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class SessionRegistry;

class XdgShell {
 public:
  XdgShell(wl_display* display, Scene& scene, Outputs& outputs, const SessionRegistry& sessions);
  XdgShell(const XdgShell&) = delete;
  XdgShell& operator=(const XdgShell&) = delete;
  ~XdgShell();

  [[nodiscard]] View* view_for_surface(const wlr_surface* surface) const;
  /// The window under a layout point (a click or tap there goes to it).
  [[nodiscard]] View* view_at(double lx, double ly) const;
  [[nodiscard]] size_t mapped_count() const;
  /// Every view in creation order; stacking lives in the scene.
  [[nodiscard]] const std::list<std::unique_ptr<View>>& views() const { return views_; }

  ViewSignals view_signals;
  /// A new toplevel exists (not yet mapped).
  Signal<View&> new_toplevel;
  /// A surface took the xdg_popup role.
  Signal<wlr_surface*> new_popup;
  /// A client holding a valid xdg-activation token asks to focus a mapped desktop (not session) window.
  Signal<View&> activation_requested;
  /// A frame showing new content of `view` was presented: when (CLOCK_MONOTONIC), refresh interval in ns.
  Signal<View&, const timespec&, uint32_t> presented;

 private:
  void on_new_surface(wlr_xdg_surface* xdg);
  void place_popup(wlr_xdg_surface* xdg);

  Scene& scene_;
  Outputs& outputs_;
  const SessionRegistry& sessions_;
  std::list<std::unique_ptr<View>> views_;
  Connection committing_, presented_;
  Listener<wlr_xdg_surface> new_surface_;
  Listener<wlr_xdg_activation_v1_request_activate_event> request_activate_;
  Listener<wlr_xdg_toplevel_decoration_v1> new_decoration_;
};

}  // namespace weft::compositor
