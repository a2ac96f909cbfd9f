#include "appd_link.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "weft/core/log.hpp"

namespace weft::compositor {

namespace msg = ipc::compositor;

AppdLink::~AppdLink() { close_listener(); }

Result<void> AppdLink::listen(wl_event_loop* loop, const std::string& path) {
  loop_ = loop;
  WEFT_TRY(listener_, listen_unix(path, 0600));
  WEFT_TRY_VOID(set_nonblocking(listener_.get()));
  path_ = path;
  listen_source_.reset(wl_event_loop_add_fd(loop, listener_.get(), WL_EVENT_READABLE, &AppdLink::on_listen_readable, this));
  log::info("appd link listening on ", path);
  return ok();
}

void AppdLink::close_listener() {
  conn_source_.reset();
  conn_.reset();
  listen_source_.reset();
  if (listener_.valid()) {
    listener_.reset();
    ::unlink(path_.c_str());
  }
}

int AppdLink::on_listen_readable(int, uint32_t, void* data) {
  static_cast<AppdLink*>(data)->accept_one();
  return 0;
}

void AppdLink::accept_one() {
  UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!fd) return;
  auto creds = peer_credentials(fd.get());
  if (!creds) {
    log::warn("appd link: ", creds.error().message, "; connection refused");
    return;
  }
  if (creds->uid != ::getuid()) {
    log::warn("appd link: peer uid ", creds->uid, " (pid ", creds->pid, ") is not ours (", ::getuid(),
              "); connection refused");
    return;
  }
  if (conn_.valid()) log::info("appd link: new connection replaces the previous one");
  conn_source_.reset();
  conn_ = std::move(fd);
  decoder_ = ipc::FrameDecoder();
  received_ = frame_begin_ = 0;
  fd_chunks_.clear();
  backlog_.clear();
  conn_source_.reset(wl_event_loop_add_fd(loop_, conn_.get(), WL_EVENT_READABLE, &AppdLink::on_conn_event, this));
  log::info("appd link: appd connected (pid ", creds->pid, ")");
  sessions_.appd_connected();
}

int AppdLink::on_conn_event(int, uint32_t mask, void* data) {
  auto* self = static_cast<AppdLink*>(data);
  if (mask & WL_EVENT_WRITABLE) self->flush();
  if (self->conn_.valid() && (mask & WL_EVENT_READABLE)) self->read_available();
  if (self->conn_.valid() && (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) && !(mask & WL_EVENT_READABLE))
    self->drop_connection("hung up");
  return 0;
}

void AppdLink::drop_connection(const std::string& reason) {
  log::info("appd link: connection closed (", reason, ")");
  conn_source_.reset();
  conn_.reset();
  fd_chunks_.clear();
  backlog_.clear();
}

void AppdLink::read_available() {
  uint8_t buffer[64 * 1024];
  for (;;) {
    auto chunk = receive_with_fds(conn_.get(), buffer);
    if (!chunk) {
      if (chunk.error().code == EAGAIN || chunk.error().code == EWOULDBLOCK) return;
      drop_connection(chunk.error().message);
      return;
    }
    if (chunk->bytes == 0) {
      drop_connection("end of stream");
      return;
    }
    const uint64_t begin = received_;
    received_ += chunk->bytes;
    for (size_t i = 0; i < chunk->fds.size(); ++i) {
      if (i > 0) {
        log::warn("appd link: ", chunk->fds.size(), " fds arrived on one sendmsg; extra fd closed");
        break;  // closed with the chunk
      }
      fd_chunks_.push_back(FdChunk{begin, received_, std::move(chunk->fds[0])});
    }
    decoder_.feed(std::span<const uint8_t>(buffer, chunk->bytes));
    for (;;) {
      auto next = decoder_.next();
      if (!next) {
        drop_connection(next.error().message);
        return;
      }
      if (!*next) break;
      const uint64_t frame_begin = frame_begin_;
      frame_begin_ += 4 + (*next)->size();
      handle_frame(std::move(**next), frame_begin);
      if (!conn_.valid()) return;
    }
    // An fd whose chunk holds no frame start still to come is stray: a violation, closed.
    while (!fd_chunks_.empty() && fd_chunks_.front().end <= frame_begin_) {
      log::warn("appd link: stray fd without a bind_session frame; closed");
      fd_chunks_.pop_front();
    }
  }
}

void AppdLink::handle_frame(std::vector<uint8_t> body, uint64_t frame_begin) {
  // The fd rides on the sendmsg holding the frame's first byte.
  UniqueFd fd;
  while (!fd_chunks_.empty() && fd_chunks_.front().end <= frame_begin) {
    log::warn("appd link: stray fd without a bind_session frame; closed");
    fd_chunks_.pop_front();
  }
  // A read of a Unix stream stops right after the data that carried fds, so the sendmsg holding the fd is the tail of
  // its chunk: the fd belongs to the frame that starts in the chunk and reaches its end. Frames that started earlier in
  // the same read ended before it and own nothing.
  const uint64_t frame_end = frame_begin + 4 + body.size();
  const bool fd_here =
      !fd_chunks_.empty() && fd_chunks_.front().begin <= frame_begin && frame_end >= fd_chunks_.front().end;

  auto decoded = msg::from_msgpack(body);
  if (!decoded) {
    log::warn("appd link: undecodable frame ignored: ", decoded.error().message);
    return;
  }
  if (auto* unknown = std::get_if<msg::UnknownType>(&*decoded)) {
    log::warn("appd link: unknown message type \"", unknown->type, "\" ignored");
    return;
  }
  const msg::Message& message = std::get<msg::Message>(*decoded);
  if (msg::carries_fd(message)) {
    if (!fd_here) {
      log::warn("appd link: bind_session without its fd ignored");
      return;
    }
    fd = std::move(fd_chunks_.front().fd);
    fd_chunks_.pop_front();
  } else if (fd_here) {
    log::warn("appd link: fd sent with ", msg::type_name(message), " is a violation; fd closed, frame ignored");
    fd_chunks_.pop_front();
    return;
  }
  handle(message, std::move(fd));
}

void AppdLink::handle(const msg::Message& message, UniqueFd fd) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, msg::BindSession>) {
          if (auto bound = sessions_.bind_session(m.session_id, m.app_id, std::move(fd)); !bound)
            log::warn("appd link: ", bound.error().message);
        } else if constexpr (std::is_same_v<T, msg::CloseSession>) {
          const size_t windows = sessions_.close_session(m.session_id);
          log::info("session asked to close session_id=", m.session_id, " windows=", windows);
        } else if constexpr (std::is_same_v<T, msg::AppFocusRequest>) {
          send(msg::FocusResult{m.session_id, sessions_.focus_session(m.session_id)});
        } else if constexpr (std::is_same_v<T, msg::AppSurfaceDestroyed>) {
          sessions_.end_session(m.session_id);
          log::info("session surfaces destroyed session_id=", m.session_id);
        } else if constexpr (std::is_same_v<T, msg::AppSurfaceCreated>) {
          // Informational only: confers nothing (§2.4).
          log::info("appd reports surface created session_id=", m.session_id, " app_id=", m.app_id, " pid=", m.pid);
        } else {
          log::warn("appd link: ", msg::type_name(message), " is a compositor-to-appd message; ignored");
        }
      },
      message);
}

void AppdLink::send(const msg::Message& message) {
  if (!conn_.valid()) return;
  const std::vector<uint8_t> frame = msg::encode(message);
  if (backlog_.size() + frame.size() > kMaxBacklogBytes) {
    drop_connection("more than 4 MiB unsent to appd");
    return;
  }
  backlog_.insert(backlog_.end(), frame.begin(), frame.end());
  flush();
}

void AppdLink::flush() {
  while (!backlog_.empty()) {
    const ssize_t n = ::send(conn_.get(), backlog_.data(), backlog_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      drop_connection(std::string("write failed: ") + std::strerror(errno));
      return;
    }
    backlog_.erase(backlog_.begin(), backlog_.begin() + n);
  }
  wl_event_source_fd_update(conn_source_.get(), WL_EVENT_READABLE | (backlog_.empty() ? 0 : WL_EVENT_WRITABLE));
}

}  // namespace weft::compositor
