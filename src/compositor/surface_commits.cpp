#include "surface_commits.hpp"

namespace weft::compositor {

SurfaceCommits::SurfaceCommits(wlr_compositor* compositor) {
  // wl_compositor.create_surface: follow the surface's commits until it is destroyed.
  new_surface_.connect(&compositor->events.new_surface, [this](wlr_surface* surface) {
    auto& watch = watches_[surface];
    watch = std::make_unique<Watch>();
    watch->commit.connect(&surface->events.commit, [this, surface](void*) { committed.emit(surface); });
    watch->destroy.connect(&surface->events.destroy, [this, surface](void*) { watches_.erase(surface); });
  });
}

}  // namespace weft::compositor
