#pragma once
// The compositor side of the appd link (§2.4): a Unix socket accepting only our own uid, one connection at a time
// (a new one replaces the old), u32-LE + msgpack frames both ways, bind_session carrying one fd.

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "wlr.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/ipc/compositor_messages.hpp"
#include "weft/core/ipc/frame.hpp"
#include "weft/core/result.hpp"

namespace weft::compositor {

/// What appd's messages ask of the compositor (§2.4), once the link has decoded them.
class SessionController {
 public:
  virtual ~SessionController() = default;
  /// bind_session: a new wl_client from `fd`, tagged with the session and its app id.
  [[nodiscard]] virtual Result<void> bind_session(uint64_t session_id, const std::string& app_id, UniqueFd fd) = 0;
  /// close_session: asks the session's toplevels to close; answers how many were asked.
  virtual size_t close_session(uint64_t session_id) = 0;
  /// app_focus_request: raises and focuses the session's topmost window; false when it has none.
  [[nodiscard]] virtual bool focus_session(uint64_t session_id) = 0;
  /// app_surface_destroyed: the session's slots close and its client is dropped.
  virtual void end_session(uint64_t session_id) = 0;
  /// A new appd connection was accepted: state appd needs at once (which session has focus) is sent again.
  virtual void appd_connected() = 0;
};

class AppdLink {
 public:
  static constexpr size_t kMaxBacklogBytes = 4u * 1024 * 1024;  // unsent bytes before the connection is dropped

  explicit AppdLink(SessionController& sessions) : sessions_(sessions) {}
  ~AppdLink();

  /// Binds and listens at `path` (mode 0600).
  [[nodiscard]] Result<void> listen(wl_event_loop* loop, const std::string& path);
  /// Queues a message to appd; dropped silently when no appd is connected.
  void send(const ipc::compositor::Message& message);
  [[nodiscard]] bool connected() const { return conn_.valid(); }
  void close_listener();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  /// A received chunk's position in the stream and the fd that arrived with it (frames starting inside claim it).
  struct FdChunk {
    uint64_t begin, end;  // stream offsets, bytes
    UniqueFd fd;
  };

  static int on_listen_readable(int fd, uint32_t mask, void* data);
  static int on_conn_event(int fd, uint32_t mask, void* data);
  void accept_one();
  void read_available();
  void flush();
  void drop_connection(const std::string& reason);
  void handle_frame(std::vector<uint8_t> body, uint64_t frame_begin);
  void handle(const ipc::compositor::Message& message, UniqueFd fd);

  SessionController& sessions_;
  std::string path_;
  wl_event_loop* loop_ = nullptr;
  UniqueFd listener_;
  wlr::EventSourcePtr listen_source_;
  UniqueFd conn_;
  wlr::EventSourcePtr conn_source_;
  ipc::FrameDecoder decoder_;
  uint64_t received_ = 0;    // stream bytes received on this connection
  uint64_t frame_begin_ = 0; // stream offset of the next frame
  std::deque<FdChunk> fd_chunks_;
  std::vector<uint8_t> backlog_;
};

}  // namespace weft::compositor
