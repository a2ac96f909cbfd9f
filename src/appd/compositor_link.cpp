#include "compositor_link.hpp"

#include <glib-unix.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "weft/core/log.hpp"

namespace weft::appd {

namespace comp = ipc::compositor;

namespace {
constexpr size_t kReadChunkBytes = 64 * 1024;  // bytes per recvmsg; the watch comes back for more

}  // namespace

CompositorLink::CompositorLink(Options options, Callbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {}

CompositorLink::~CompositorLink() {
  // Sources first: none may fire into a half-destroyed link. Queued fds close with the backlog.
  retry_.reset();
  read_watch_.reset();
  write_watch_.reset();
  notify_disconnected_.reset();
}

void CompositorLink::start() {
  if (!connected() && !retry_) try_connect();
}

void CompositorLink::schedule_retry(unsigned ms) {
  retry_.reset(g_timeout_add(ms, &CompositorLink::on_retry, this));
}

gboolean CompositorLink::on_retry(gpointer data) {
  auto* self = static_cast<CompositorLink*>(data);
  self->retry_.release();  // G_SOURCE_REMOVE below
  self->try_connect();
  return G_SOURCE_REMOVE;
}

void CompositorLink::try_connect() {
  auto fd = connect_unix(options_.socket_path);
  if (fd) {
    auto nonblocking = set_nonblocking(fd->get());
    if (!nonblocking) fd = fail(nonblocking.error());
  }
  if (!fd) {
    if (!logged_unreachable_) log::info("compositor link: ", fd.error().message, "; retrying every ", options_.retry_ms, " ms");
    logged_unreachable_ = true;
    schedule_retry(options_.retry_ms);
    return;
  }
  logged_unreachable_ = false;
  socket_ = std::move(fd).value();
  decoder_ = ipc::FrameDecoder();
  read_watch_.reset(g_unix_fd_add(socket_.get(), G_IO_IN, &CompositorLink::on_readable, this));
  log::info("compositor link: connected to ", options_.socket_path);
  if (callbacks_.on_connected) callbacks_.on_connected();
}

Result<void> CompositorLink::send(const comp::Message& message, UniqueFd fd) {
  if (comp::carries_fd(message) != fd.valid())
    return fail(std::string(comp::type_name(message)) + (fd.valid() ? " cannot carry an fd" : " needs its fd"), 500);
  if (!connected()) return fail("compositor not connected", 503);
  std::vector<uint8_t> frame = comp::encode(message);
  if (backlog_bytes_ + frame.size() > options_.max_backlog_bytes) {
    drop("more than " + std::to_string(options_.max_backlog_bytes) + " bytes unsent to the compositor",
         options_.retry_after_write_error_ms);
    return fail("compositor not connected (its link backlog overflowed)", 503);
  }
  backlog_bytes_ += frame.size();
  backlog_.push_back(Pending{std::move(frame), 0, std::move(fd)});
  flush();
  return ok();
}

void CompositorLink::flush() {
  while (connected() && !backlog_.empty()) {
    Pending& head = backlog_.front();
    if (head.fd.valid()) {
      // §2.4: the fd rides on the sendmsg holding the frame's first byte. Send that byte alone, and only when the
      // socket has room, so the fd is either sent with it or not at all (a partial sendmsg cannot strand it).
      // A recvmsg may join earlier frames with the fd's byte; the kernel ends that read right after the fd's data,
      // so the receiver gives the fd to the frame reaching the end of the read (see the compositor's appd link).
      pollfd pfd{socket_.get(), POLLOUT, 0};
      if (::poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLOUT)) break;
      auto sent = send_with_fd(socket_.get(), std::span<const uint8_t>(head.frame.data(), 1), head.fd.get());
      if (!sent) {
        drop("write failed: " + sent.error().message, options_.retry_after_write_error_ms);
        return;
      }
      head.fd.reset();  // the compositor holds it now
      head.sent = 1;
      --backlog_bytes_;
      continue;
    }
    const ssize_t n = ::send(socket_.get(), head.frame.data() + head.sent, head.frame.size() - head.sent,
                             MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      drop(std::string("write failed: ") + std::strerror(errno), options_.retry_after_write_error_ms);
      return;
    }
    head.sent += static_cast<size_t>(n);
    backlog_bytes_ -= static_cast<size_t>(n);
    if (head.sent == head.frame.size()) backlog_.pop_front();
  }
  if (connected() && !backlog_.empty() && !write_watch_)
    write_watch_.reset(g_unix_fd_add(socket_.get(), G_IO_OUT, &CompositorLink::on_writable, this));
}

gboolean CompositorLink::on_writable(gint, GIOCondition, gpointer data) {
  auto* self = static_cast<CompositorLink*>(data);
  self->write_watch_.release();  // G_SOURCE_REMOVE below; flush() re-arms while bytes remain
  self->flush();
  return G_SOURCE_REMOVE;
}

gboolean CompositorLink::on_readable(gint, GIOCondition, gpointer data) {
  auto* self = static_cast<CompositorLink*>(data);
  self->read_available();
  if (!self->connected()) {
    self->read_watch_.release();  // drop() could not remove the source it is running in; G_SOURCE_REMOVE does
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

void CompositorLink::read_available() {
  std::vector<uint8_t> buffer(kReadChunkBytes);
  auto chunk = receive_with_fds(socket_.get(), buffer);
  if (!chunk) {
    if (chunk.error().code == EAGAIN || chunk.error().code == EWOULDBLOCK || chunk.error().code == EINTR) return;
    drop(chunk.error().message, options_.retry_ms);
    return;
  }
  if (chunk->bytes == 0) {
    drop("the compositor closed the link", options_.retry_ms);
    return;
  }
  if (!chunk->fds.empty())
    log::warn("compositor link: the compositor sent ", chunk->fds.size(), " fd(s); closed (it never sends any)");
  decoder_.feed(std::span<const uint8_t>(buffer.data(), chunk->bytes));
  while (connected()) {
    auto body = decoder_.next();
    if (!body) {
      drop(body.error().message, options_.retry_ms);
      return;
    }
    if (!*body) return;
    auto decoded = comp::from_msgpack(**body);
    if (!decoded) {
      log::warn("compositor link: undecodable frame ignored: ", decoded.error().message);
      continue;
    }
    if (auto* unknown = std::get_if<comp::UnknownType>(&*decoded)) {
      log::warn("compositor link: unknown message type \"", unknown->type, "\" ignored");
      continue;
    }
    if (callbacks_.on_message) callbacks_.on_message(std::get<comp::Message>(*decoded));
  }
}

void CompositorLink::drop(const std::string& reason, unsigned retry_ms) {
  if (!connected()) return;
  log::warn("compositor link: connection dropped (", reason, "); ", backlog_.size(),
            " unsent message(s) discarded, reconnecting in ", retry_ms, " ms");
  // Unsent bind_session fds close here: the compositor never saw them, so nothing is bound twice.
  backlog_.clear();
  backlog_bytes_ = 0;
  write_watch_.reset();
  read_watch_.reset();  // when called from on_readable, that source is removed by its return value instead
  socket_.reset();
  schedule_retry(retry_ms);
  notify_disconnected_.reset(g_idle_add(&CompositorLink::on_notify_disconnected, this));
}

gboolean CompositorLink::on_notify_disconnected(gpointer data) {
  auto* self = static_cast<CompositorLink*>(data);
  self->notify_disconnected_.release();
  if (self->callbacks_.on_disconnected) self->callbacks_.on_disconnected();
  return G_SOURCE_REMOVE;
}

}  // namespace weft::appd
