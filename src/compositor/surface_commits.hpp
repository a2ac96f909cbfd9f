#pragma once
// Every wl_surface commit of every client, as one typed signal, for the subsystems that react to surface state
// rather than to a role: frame callbacks that must fire without damage, pointer focus that follows content moving
// under a still pointer.

#include <map>
#include <memory>

#include "listener.hpp"
#include "signal.hpp"
#include "wlr.hpp"

namespace weft::compositor {

class SurfaceCommits {
 public:
  explicit SurfaceCommits(wlr_compositor* compositor);
  SurfaceCommits(const SurfaceCommits&) = delete;
  SurfaceCommits& operator=(const SurfaceCommits&) = delete;

  /// A surface's pending state became current (after its role has handled the commit).
  Signal<wlr_surface*> committed;

 private:
  struct Watch {
    Listener<> commit, destroy;
  };

  Listener<wlr_surface> new_surface_;
  std::map<wlr_surface*, std::unique_ptr<Watch>> watches_;
};

}  // namespace weft::compositor
