#pragma once
// A callback run once from the event loop's idle phase, however often it is scheduled before then: for work that must
// not run inside a destruction path (wlroots is still unlinking the object) and that several changes would repeat.

#include <wayland-server-core.h>

#include <functional>
#include <utility>

namespace weft::compositor {

class IdleTask {
 public:
  IdleTask(wl_event_loop* loop, std::function<void()> run) : loop_(loop), run_(std::move(run)) {}
  IdleTask(const IdleTask&) = delete;
  IdleTask& operator=(const IdleTask&) = delete;
  ~IdleTask() { cancel(); }

  void schedule() {
    if (source_ || !loop_) return;
    source_ = wl_event_loop_add_idle(
        loop_,
        [](void* data) {
          auto* self = static_cast<IdleTask*>(data);
          self->source_ = nullptr;  // the loop frees an idle source once it has fired
          self->run_();
        },
        this);
  }

  void cancel() {
    if (source_) wl_event_source_remove(source_);
    source_ = nullptr;
  }

 private:
  wl_event_loop* loop_;
  std::function<void()> run_;
  wl_event_source* source_ = nullptr;  // pending, owned by the loop until it fires
};

}  // namespace weft::compositor
