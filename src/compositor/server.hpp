#pragma once
// The composition root of the compositor core: creates the display, backend, renderer and allocator, constructs each
// subsystem with exactly the collaborators it needs (bottom-up, see docs/compositor.md), and wires the signals that
// run between peers. Subsystems never see this object. Tests, the benchmark and the weft-compositor executable all
// drive the core through it.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "options.hpp"
#include "screenshot.hpp"
#include "signal.hpp"
#include "wlr.hpp"
#include "weft/core/result.hpp"

namespace weft::compositor {

class AppdLink;
class Gestures;
class Keyboards;
class LayerShell;
class Output;
class Outputs;
class Pointer;
class Scene;
class Seat;
class Selection;
class SessionControl;
class SessionRegistry;
class ShmChecks;
class SurfaceCommits;
class TestControl;
class TestInjection;
class TextInputRelay;
class WindowPolicy;
class XdgShell;
class ZweftShell;

class Server {
 public:
  explicit Server(Options options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  /// Creates the backend and globals, starts the backend and opens the display socket.
  [[nodiscard]] Result<void> start();
  /// Binds the appd link socket (WEFT_COMPOSITOR_SOCKET or $XDG_RUNTIME_DIR/weft/compositor.sock).
  [[nodiscard]] Result<void> listen_appd_link();
  void run() { wl_display_run(display_.get()); }
  void terminate() { wl_display_terminate(display_.get()); }

  [[nodiscard]] wl_display* display() const { return display_.get(); }
  [[nodiscard]] wl_event_loop* loop() const { return loop_; }
  [[nodiscard]] const std::string& socket_name() const { return socket_name_; }
  [[nodiscard]] const Options& options() const { return options_; }
  [[nodiscard]] Output* primary_output() const;
  [[nodiscard]] size_t mapped_toplevels() const;

  /// Renders the primary output (or the one named, or the whole layout) into a PNG file (pixman or GLES, any
  /// backend); its size in px.
  [[nodiscard]] Result<std::pair<int, int>> capture_png(const std::string& path, const CaptureTarget& target = {});

  // In-process test drivers (the WLCS integration module, tests/compositor/wlcs): event-loop thread only.
  /// The headless backend's virtual input devices; nullptr on other backends.
  [[nodiscard]] TestInjection* injection() const { return injection_.get(); }
  /// Moves the toplevel whose surface is `surface` so its window geometry starts at layout point (x, y), or the layer
  /// surface so its top-left is there (until the layer shell next places it by its anchors).
  [[nodiscard]] Result<void> position_window(wlr_surface* surface, int x, int y);

 private:
  Result<void> create_backend();
  /// Constructs the subsystems in dependency order and connects their signals.
  void compose();
  static bool filter_global(const wl_client* client, const wl_global* global, void* data);

  Options options_;
  std::string socket_name_;

  // Destroyed in reverse order (stack.md §3); ~Server writes the order down.
  wlr::DisplayPtr display_;
  wl_event_loop* loop_ = nullptr;
  wlr::BackendPtr backend_;
  wlr::RendererPtr renderer_;
  wlr::AllocatorPtr allocator_;
  wlr::OutputLayoutPtr layout_;
  std::unique_ptr<Scene> scene_;
  std::unique_ptr<SessionRegistry> sessions_;
  std::unique_ptr<ShmChecks> shm_checks_;
  std::unique_ptr<SurfaceCommits> commits_;
  std::unique_ptr<Outputs> outputs_;
  std::unique_ptr<Seat> seat_;
  std::unique_ptr<Selection> selection_;
  std::unique_ptr<XdgShell> xdg_;
  std::unique_ptr<LayerShell> layers_;
  std::unique_ptr<WindowPolicy> policy_;
  std::unique_ptr<ZweftShell> zweft_;
  std::unique_ptr<Keyboards> keyboards_;
  std::unique_ptr<TextInputRelay> text_input_;
  std::unique_ptr<Pointer> pointer_;
  std::unique_ptr<Gestures> gestures_;
  std::unique_ptr<SessionControl> session_control_;
  std::unique_ptr<AppdLink> link_;
  std::unique_ptr<TestInjection> injection_;
  std::unique_ptr<TestControl> test_control_;
  std::vector<Connection> wiring_;  // the peer-to-peer signal connections compose() makes
  wlr::EventSourcePtr sigusr1_;
};

}  // namespace weft::compositor
