#pragma once
// The compositor's own typed signal, beside Listener<T> (which adapts wlroots' wl_signal). A subsystem that changes
// state other subsystems care about owns a Signal<Args...>; peers connect and keep the Connection, which disconnects
// itself when it is destroyed. Either side may go first: a Connection outliving its Signal is inert, and a slot whose
// Connection is gone is skipped. Single-threaded (the Wayland event loop).

#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace weft::compositor {

namespace detail {
/// The part of a connection shared by the signal and its Connection: cleared when the Connection goes away.
struct SlotState {
  bool connected = true;
};
}  // namespace detail

/// Move-only handle of one signal connection; disconnects in its destructor.
class Connection {
 public:
  Connection() = default;
  explicit Connection(std::weak_ptr<detail::SlotState> state) : state_(std::move(state)) {}
  Connection(Connection&& other) noexcept = default;
  Connection& operator=(Connection&& other) noexcept {
    if (this != &other) {
      disconnect();
      state_ = std::move(other.state_);
    }
    return *this;
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { disconnect(); }

  void disconnect() {
    if (auto state = state_.lock()) state->connected = false;
    state_.reset();
  }

 private:
  std::weak_ptr<detail::SlotState> state_;
};

template <class... Args>
class Signal {
 public:
  using Slot = std::function<void(Args...)>;

  Signal() = default;
  Signal(const Signal&) = delete;
  Signal& operator=(const Signal&) = delete;

  /// Slots run in connection order. Keep the Connection for as long as the slot may run.
  [[nodiscard]] Connection connect(Slot slot) {
    std::erase_if(slots_, [](const Entry& e) { return !e.state->connected; });
    auto state = std::make_shared<detail::SlotState>();
    slots_.push_back(Entry{state, std::make_shared<Slot>(std::move(slot))});
    return Connection(state);
  }

  /// Calls every connected slot. A slot may connect or disconnect others, or destroy its own receiver: it works on a
  /// snapshot and skips entries disconnected meanwhile.
  void emit(Args... args) const {
    const std::vector<Entry> snapshot = slots_;
    for (const Entry& entry : snapshot)
      if (entry.state->connected) (*entry.slot)(args...);
  }

 private:
  struct Entry {
    std::shared_ptr<detail::SlotState> state;
    std::shared_ptr<Slot> slot;  // shared so a slot that is running survives its own disconnection
  };
  std::vector<Entry> slots_;
};

}  // namespace weft::compositor
