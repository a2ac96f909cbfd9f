#pragma once
// appd's end of the compositor⇄appd link (spec §2.4): a Unix-socket client of `compositor.sock` that reconnects on its
// own, sends u32-LE framed MessagePack maps (bind_session with its one fd), and reports what the compositor sends.
// Runs on the GLib default main context; writes never block (a bounded backlog is flushed when the socket is writable).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/ipc/compositor_messages.hpp"
#include "weft/core/ipc/frame.hpp"
#include "weft/core/result.hpp"

namespace weft::appd {

class CompositorLink {
 public:
  struct Options {
    std::string socket_path;                   // WEFT_COMPOSITOR_SOCKET / $XDG_RUNTIME_DIR/weft/compositor.sock
    unsigned retry_ms = 2000;                  // ms between connection attempts (§2.4)
    unsigned retry_after_write_error_ms = 500;  // ms before reconnecting after a write error or overflow (§2.4)
    size_t max_backlog_bytes = ipc::kDefaultMaxFrameBytes;  // unsent bytes above this drop the connection (§2.4)
  };
  /// Called on the main loop. on_disconnected is never called from inside send(): it is deferred to an idle callback
  /// so a caller iterating its sessions while sending is not re-entered.
  struct Callbacks {
    std::function<void()> on_connected;
    std::function<void()> on_disconnected;
    std::function<void(const ipc::compositor::Message&)> on_message;
  };

  CompositorLink(Options options, Callbacks callbacks);
  ~CompositorLink();
  CompositorLink(const CompositorLink&) = delete;
  CompositorLink& operator=(const CompositorLink&) = delete;

  /// Tries to connect now, then every retry_ms until it succeeds (and again after every disconnection).
  void start();
  [[nodiscard]] bool connected() const { return socket_.valid(); }

  /// Queues one message. bind_session MUST come with its fd and nothing else may: the fd is owned from here on and
  /// closed once it was sent, or when the connection drops before that (never sent twice, never without its frame).
  /// Errors: code 503 `compositor not connected` (fd closed), 503 when the backlog overflows (the connection is
  /// dropped), 500 for a missing or stray fd.
  [[nodiscard]] Result<void> send(const ipc::compositor::Message& message, UniqueFd fd = UniqueFd());

  /// Bytes queued but not yet written (for tests and diagnostics).
  [[nodiscard]] size_t backlog_bytes() const { return backlog_bytes_; }

 private:
  struct Pending {
    std::vector<uint8_t> frame;
    size_t sent = 0;  // bytes of `frame` already written
    UniqueFd fd;      // bind_session's fd until it rode on the frame's first byte
  };

  static gboolean on_retry(gpointer data);
  static gboolean on_readable(gint fd, GIOCondition condition, gpointer data);
  static gboolean on_writable(gint fd, GIOCondition condition, gpointer data);
  static gboolean on_notify_disconnected(gpointer data);
  void try_connect();
  void schedule_retry(unsigned ms);
  void read_available();
  void flush();
  void drop(const std::string& reason, unsigned retry_ms);

  Options options_;
  Callbacks callbacks_;
  UniqueFd socket_;
  ipc::FrameDecoder decoder_;
  std::deque<Pending> backlog_;
  size_t backlog_bytes_ = 0;
  bool logged_unreachable_ = false;  // one log line per outage, not one per retry
  glib::SourceId retry_;
  glib::SourceId read_watch_;
  glib::SourceId write_watch_;
  glib::SourceId notify_disconnected_;
};

}  // namespace weft::appd
