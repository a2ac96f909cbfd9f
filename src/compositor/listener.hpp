#pragma once
// One typed, self-disconnecting wrapper around wl_listener. The wl_listener lives in a standard-layout Slot so
// wl_container_of is well defined; the callback is a std::function. Not copyable or movable: wayland keeps a pointer
// to the slot inside the signal's list.

#include <wayland-server-core.h>

#include <functional>
#include <utility>

namespace weft::compositor {

template <class Data = void>
class Listener {
 public:
  using Callback = std::function<void(Data*)>;

  Listener() { wl_list_init(&slot_.listener.link); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener() { disconnect(); }

  /// Connects to `signal`; an earlier connection is dropped first.
  void connect(wl_signal* signal, Callback callback) {
    arm(std::move(callback));
    wl_signal_add(signal, &slot_.listener);
  }

  /// Registers as a client destroy listener (wl_client_add_destroy_listener).
  void connect_client_destroy(wl_client* client, Callback callback) {
    arm(std::move(callback));
    wl_client_add_destroy_listener(client, &slot_.listener);
  }

  /// Registers as a client's resource-created listener (wl_client_add_resource_created_listener); the data is the
  /// new wl_resource, before its implementation is set.
  void connect_resource_created(wl_client* client, Callback callback) {
    arm(std::move(callback));
    wl_client_add_resource_created_listener(client, &slot_.listener);
  }

  void disconnect() {
    wl_list_remove(&slot_.listener.link);
    wl_list_init(&slot_.listener.link);
  }

  [[nodiscard]] bool connected() const { return !wl_list_empty(&slot_.listener.link); }

 private:
  struct Slot {
    wl_listener listener;
    Listener* self;
  };

  void arm(Callback callback) {
    disconnect();
    callback_ = std::move(callback);
    slot_.self = this;
    slot_.listener.notify = &Listener::dispatch;
  }

  static void dispatch(wl_listener* listener, void* data) {
    Slot* slot = wl_container_of(listener, slot, listener);
    // Copy: the callback may destroy this listener (e.g. a destroy signal deleting its owner).
    auto callback = slot->self->callback_;
    callback(static_cast<Data*>(data));
  }

  Slot slot_{};
  Callback callback_;
};

}  // namespace weft::compositor
