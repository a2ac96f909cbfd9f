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

class Server;

class AppdLink {
 public:
  static constexpr size_t kMaxBacklogBytes = 4u * 1024 * 1024;  // unsent bytes before the connection is dropped

  explicit AppdLink(Server& server) : server_(server) {}
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

  Server& server_;
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
