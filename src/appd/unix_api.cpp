#include "unix_api.hpp"

#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include "weft/core/ipc/frame.hpp"
#include "weft/core/log.hpp"
#include "weft/core/ipc/errors.hpp"

namespace weft::appd {

namespace {
constexpr size_t kReadChunkBytes = 64 * 1024;  // bytes read per readable event; the loop comes back for more

/// The frame of one response; an unencodable response (over the frame cap) becomes ERROR 500 so the client still
/// gets exactly one answer.
std::vector<uint8_t> response_frame(const msg::Message& message) {
  auto frame = ipc::encode_frame(msg::to_msgpack_array(message));
  if (frame) return std::move(frame).value();
  log::error("unix api: ", msg::type_name(message), " response not sent: ", frame.error().message);
  return ipc::encode_frame(msg::to_msgpack_array(msg::ErrorReply{500, "response too large"})).value();
}
}  // namespace

/// The ApiClient handed to the handler for ONE request: its first send() fills that request's response slot, so
/// responses leave in request order even when a later request is answered first (ACTIVATE_APP waits for the
/// compositor). Owned by its connection until answered, so the handler's weak reference stays valid meanwhile.
class UnixReply final : public ApiClient {
 public:
  UnixReply(std::weak_ptr<UnixApiServer::Connection> connection, uint64_t seq, std::string type, uint64_t client_id)
      : connection_(std::move(connection)), seq_(seq), type_(std::move(type)), client_id_(client_id) {}
  void send(const msg::Message& message) override;
  void close() override;
  [[nodiscard]] bool closed() const override;
  [[nodiscard]] bool receives_broadcasts() const override { return false; }
  [[nodiscard]] bool may_forward_ipc() const override { return true; }
  [[nodiscard]] std::string describe() const override { return "unix#" + std::to_string(client_id_); }

 private:
  std::weak_ptr<UnixApiServer::Connection> connection_;
  uint64_t seq_;
  std::string type_;
  uint64_t client_id_;
  bool answered_ = false;
};

class UnixApiServer::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(UnixApiServer& server, uint64_t id, UniqueFd fd) : server_(server), id_(id), fd_(std::move(fd)) {}

  void start() {
    read_watch_.reset(g_unix_fd_add(fd_.get(), G_IO_IN, &Connection::on_readable, this));
  }

  /// Stores the response of request `seq` and moves every answered response at the head into the write queue.
  void answer(uint64_t seq, const msg::Message& message) {
    if (closed_ || seq < first_seq_ || seq - first_seq_ >= slots_.size()) return;
    Slot& slot = slots_[seq - first_seq_];
    slot.frame = response_frame(message);
    slot.filled = true;
    auto keep = shared_from_this();  // the reply being answered may be the last other owner path
    while (!slots_.empty() && slots_.front().filled) {
      std::vector<uint8_t> frame = std::move(slots_.front().frame);
      slots_.pop_front();
      ++first_seq_;
      if (out_.size() + 1 > server_.limits_.max_queued_messages ||
          out_bytes_ + frame.size() > server_.limits_.max_queued_bytes) {
        close_now("outbound queue full (client is not reading)");
        return;
      }
      out_bytes_ += frame.size();
      out_.push_back(std::move(frame));
    }
    flush();
  }

  /// Writes what is queued (best effort, non-blocking), then closes.
  void close_after_flush() {
    if (closed_) return;
    flush();
    close_now("closed by appd");
  }

  [[nodiscard]] bool closed() const { return closed_; }
  [[nodiscard]] uint64_t id() const { return id_; }

  void close_now(const std::string& reason) {
    if (closed_) return;
    closed_ = true;
    log::debug("unix api: client unix#", id_, " closed (", reason, ")");
    read_watch_.reset();
    write_watch_.reset();
    fd_.reset();
    slots_.clear();  // pending replies die: the handler's weak references expire
    out_.clear();
    server_.forget(id_);  // may destroy *this once the caller's reference goes
  }

 private:
  struct Slot {
    std::shared_ptr<UnixReply> reply;  // keeps the handler's weak reference alive until answered
    std::vector<uint8_t> frame;
    bool filled = false;
  };

  static gboolean on_readable(gint, GIOCondition, gpointer data) {
    auto self = static_cast<Connection*>(data)->shared_from_this();
    self->read_available();
    if (self->closed_) {
      self->read_watch_.release();  // returning G_SOURCE_REMOVE removes it
      return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
  }

  static gboolean on_writable(gint, GIOCondition, gpointer data) {
    auto self = static_cast<Connection*>(data)->shared_from_this();
    self->write_watch_.release();  // flush() re-arms it while bytes remain
    self->flush();
    return G_SOURCE_REMOVE;
  }

  void read_available() {
    std::vector<uint8_t> buffer(kReadChunkBytes);
    const ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      close_now(std::string("read failed: ") + std::strerror(errno));
      return;
    }
    if (n == 0) {
      close_now("end of stream");
      return;
    }
    decoder_.feed(std::span<const uint8_t>(buffer.data(), static_cast<size_t>(n)));
    while (!closed_) {
      auto body = decoder_.next();
      if (!body) {
        log::warn("unix api: client unix#", id_, ": ", body.error().message, "; connection closed");
        close_now("oversize frame");
        return;
      }
      if (!*body) return;
      handle_body(**body);
    }
  }

  void handle_body(const std::vector<uint8_t>& body) {
    if (slots_.size() >= server_.limits_.max_queued_messages) {
      close_now("too many unanswered requests");
      return;
    }
    const uint64_t seq = first_seq_ + slots_.size();
    auto decoded = msg::from_msgpack(body);
    if (!decoded || !msg::is_request(*decoded)) {
      // §3.1: a frame that is not a known request is answered with 400 and the connection stays.
      const std::string why = decoded ? std::string(msg::type_name(*decoded)) + " is not a request"
                                      : decoded.error().message;
      slots_.push_back(Slot{});
      answer(seq, msg::ErrorReply{ipc::error_code::kBadRequest, ipc::error_message::bad_request(why)});
      return;
    }
    auto reply = std::make_shared<UnixReply>(weak_from_this(), seq, std::string(msg::type_name(*decoded)), id_);
    slots_.push_back(Slot{reply, {}, false});
    server_.handler_.handle_request(reply, std::move(decoded).value());
  }

  void flush() {
    while (!closed_ && !out_.empty()) {
      const std::vector<uint8_t>& head = out_.front();
      const ssize_t n = ::send(fd_.get(), head.data() + out_offset_, head.size() - out_offset_,
                               MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        close_now(std::string("write failed: ") + std::strerror(errno));
        return;
      }
      out_offset_ += static_cast<size_t>(n);
      if (out_offset_ == head.size()) {
        out_bytes_ -= head.size();
        out_.pop_front();
        out_offset_ = 0;
      }
    }
    if (!closed_ && !out_.empty() && !write_watch_)
      write_watch_.reset(g_unix_fd_add(fd_.get(), G_IO_OUT, &Connection::on_writable, this));
  }

  UnixApiServer& server_;
  uint64_t id_;
  UniqueFd fd_;
  ipc::FrameDecoder decoder_;
  glib::SourceId read_watch_;
  glib::SourceId write_watch_;
  std::deque<Slot> slots_;  // one per request not yet moved to out_, in request order
  uint64_t first_seq_ = 0;  // sequence number of slots_.front()
  std::deque<std::vector<uint8_t>> out_;  // encoded frames, in order
  size_t out_offset_ = 0;  // bytes of out_.front() already written
  size_t out_bytes_ = 0;
  bool closed_ = false;
};

void UnixReply::send(const msg::Message& message) {
  if (answered_) {
    // §3.1: one response per request; a second one would shift every later answer.
    log::warn("unix api: second response to ", type_, " on ", describe(), " dropped");
    return;
  }
  answered_ = true;
  if (auto connection = connection_.lock()) connection->answer(seq_, message);
}

void UnixReply::close() {
  if (auto connection = connection_.lock()) connection->close_after_flush();
}

bool UnixReply::closed() const {
  auto connection = connection_.lock();
  return answered_ || !connection || connection->closed();
}

UnixApiServer::UnixApiServer(std::string path, UniqueFd listener, RequestHandler& handler, Limits limits)
    : path_(std::move(path)), listener_(std::move(listener)), handler_(handler), limits_(limits) {}

Result<std::unique_ptr<UnixApiServer>> UnixApiServer::listen(const std::string& path, RequestHandler& handler,
                                                             Limits limits) {
  WEFT_TRY(UniqueFd fd, listen_unix(path, 0600));
  WEFT_TRY_VOID(set_nonblocking(fd.get()));
  std::unique_ptr<UnixApiServer> server(new UnixApiServer(path, std::move(fd), handler, limits));
  server->listen_watch_.reset(
      g_unix_fd_add(server->listener_.get(), G_IO_IN, &UnixApiServer::on_listener_readable, server.get()));
  log::info("unix api listening on ", path);
  return server;
}

UnixApiServer::~UnixApiServer() {
  listen_watch_.reset();
  // close_now() calls forget(), which erases from the map: take the map first.
  auto connections = std::move(connections_);
  connections_.clear();
  for (auto& [id, connection] : connections) connection->close_now("appd stops");
  listener_.reset();
  ::unlink(path_.c_str());
}

gboolean UnixApiServer::on_listener_readable(gint, GIOCondition, gpointer data) {
  static_cast<UnixApiServer*>(data)->accept_pending();
  return G_SOURCE_CONTINUE;
}

void UnixApiServer::accept_pending() {
  for (;;) {
    UniqueFd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        log::warn("unix api: accept on ", path_, " failed: ", std::strerror(errno));
      return;
    }
    auto creds = peer_credentials(fd.get());
    if (!creds) {
      log::warn("unix api: ", creds.error().message, "; connection refused");
      continue;
    }
    if (creds->uid != ::getuid()) {
      log::warn("unix api: peer uid ", creds->uid, " (pid ", creds->pid, ") is not ours (", ::getuid(),
                "); connection refused");
      continue;
    }
    const uint64_t id = next_id_++;
    auto connection = std::make_shared<Connection>(*this, id, std::move(fd));
    connections_.emplace(id, connection);
    connection->start();
    log::debug("unix api: client unix#", id, " connected (pid ", creds->pid, ")");
  }
}

void UnixApiServer::forget(uint64_t id) { connections_.erase(id); }

}  // namespace weft::appd
