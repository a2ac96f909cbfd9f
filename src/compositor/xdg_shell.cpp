#include "xdg_shell.hpp"

#include "session_registry.hpp"

namespace weft::compositor {

XdgShell::XdgShell(wl_display* display, Scene& scene, Outputs& outputs, const SessionRegistry& sessions)
    : scene_(scene), outputs_(outputs), sessions_(sessions) {
  wlr_xdg_shell* shell = wlr_xdg_shell_create(display);
  // Every xdg_surface: toplevels become views, popups join their parent's scene tree.
  new_surface_.connect(&shell->events.new_surface, [this](wlr_xdg_surface* xdg) { on_new_surface(xdg); });

  wlr_xdg_decoration_manager_v1* decoration = wlr_xdg_decoration_manager_v1_create(display);
  // Server-side mode, and nothing is drawn (§2.2).
  new_decoration_.connect(&decoration->events.new_toplevel_decoration, [](wlr_xdg_toplevel_decoration_v1* deco) {
    wlr_xdg_toplevel_decoration_v1_set_mode(deco, WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
  });

  wlr_xdg_activation_v1* activation = wlr_xdg_activation_v1_create(display);
  // A valid token asks to focus a window; never moves focus for session clients (§2.3).
  request_activate_.connect(&activation->events.request_activate,
                            [this](wlr_xdg_activation_v1_request_activate_event* event) {
                              if (!wlr_surface_is_xdg_surface(event->surface)) return;
                              View* view = view_for_surface(event->surface);
                              if (!view || !view->mapped || view->session_id) return;
                              activation_requested.emit(*view);
                            });

  committing_ = outputs.committing_buffer.connect([this] {
    for (auto& view : views_) {
      if (!view->mapped || !view->new_content) continue;
      view->new_content = false;
      view->content_in_flight = true;
    }
  });
  presented_ = outputs.presented.connect([this](const timespec& when, uint32_t refresh_ns) {
    for (auto& view : views_) {
      if (!view->content_in_flight) continue;
      view->content_in_flight = false;
      presented.emit(*view, when, refresh_ns);
    }
  });
}

XdgShell::~XdgShell() {
  // Views first, while the listeners and connections below still exist: each view's release callback points here.
  // (At teardown the clients, and with them most views, are already gone.)
  views_.clear();
}

void XdgShell::on_new_surface(wlr_xdg_surface* xdg) {
  if (xdg->role == WLR_XDG_SURFACE_ROLE_POPUP) {
    new_popup.emit(xdg->surface);
    place_popup(xdg);
    return;
  }
  if (xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) return;
  std::optional<uint64_t> session_id;
  if (const SessionTag* tag = sessions_.tag_of(wl_resource_get_client(xdg->resource))) session_id = tag->session_id;
  views_.push_back(std::make_unique<View>(view_signals, xdg, scene_.tree(SceneLayer::app), session_id, [this](View& view) {
    views_.remove_if([&](const std::unique_ptr<View>& v) { return v.get() == &view; });
  }));
  new_toplevel.emit(*views_.back());
}

void XdgShell::place_popup(wlr_xdg_surface* xdg) {
  // Layer-surface popups are placed by the layer shell; a popup without an xdg parent (allowed until its parent is
  // set through another protocol) is not shown.
  wlr_surface* parent_surface = xdg->popup->parent;
  if (!parent_surface || !wlr_surface_is_xdg_surface(parent_surface)) return;
  wlr_xdg_surface* parent = wlr_xdg_surface_from_wlr_surface(parent_surface);
  auto* parent_node = parent ? static_cast<wlr_scene_node*>(parent->data) : nullptr;
  if (!parent_node) return;
  xdg->data = wlr_scene_xdg_surface_create(parent_node, xdg);
  // Constrain to the output, in the coordinates of the popup's toplevel (§2.2).
  wlr_xdg_surface* root = parent;
  while (root && root->role == WLR_XDG_SURFACE_ROLE_POPUP && root->popup->parent &&
         wlr_surface_is_xdg_surface(root->popup->parent))
    root = wlr_xdg_surface_from_wlr_surface(root->popup->parent);
  if (View* view = root ? view_for_surface(root->surface) : nullptr) {
    // The output the window is on (its centre's), so a menu opens on that output and not across the layout. The
    // popup's coordinates start at the toplevel's window geometry, which is not `box`'s corner when it is implicit.
    const Output* output = outputs_.at(view->box.x + view->box.width / 2.0, view->box.y + view->box.height / 2.0);
    wlr_box box = output ? output->layout_box() : wlr_box{};
    const wlr_box geometry = view->window_geometry();
    box.x -= geometry.x;
    box.y -= geometry.y;
    wlr_xdg_popup_unconstrain_from_box(xdg->popup, &box);
  }
}

View* XdgShell::view_for_surface(const wlr_surface* surface) const {
  for (const auto& view : views_)
    if (view->surface() == surface) return view.get();
  return nullptr;
}

View* XdgShell::view_at(double lx, double ly) const {
  wlr_scene_node* node = scene_.window_node_at(lx, ly);
  return node ? static_cast<View*>(node->data) : nullptr;
}

size_t XdgShell::mapped_count() const {
  size_t count = 0;
  for (const auto& view : views_) count += view->mapped ? 1 : 0;
  return count;
}

}  // namespace weft::compositor
