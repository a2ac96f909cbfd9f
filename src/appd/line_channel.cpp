#include "line_channel.hpp"

#include <glib-unix.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "weft/core/log.hpp"

namespace weft::appd {

LineChannel::LineChannel(UniqueFd fd, Limits limits, std::function<void(std::string)> on_line,
                         std::function<void(const std::string&)> on_closed)
    : fd_(std::move(fd)),
      limits_(limits),
      splitter_(limits.max_line_bytes),
      on_line_(std::move(on_line)),
      on_closed_(std::move(on_closed)) {
  (void)set_nonblocking(fd_.get());
  read_source_.reset(g_unix_fd_add(fd_.get(), GIOCondition(G_IO_IN | G_IO_HUP | G_IO_ERR), &on_readable, this));
}

LineChannel::~LineChannel() = default;

gboolean LineChannel::on_readable(gint, GIOCondition, gpointer self) {
  static_cast<LineChannel*>(self)->read_available();
  // The source is removed by finish() when the channel ends; returning TRUE keeps it otherwise.
  return G_SOURCE_CONTINUE;
}

gboolean LineChannel::on_writable(gint, GIOCondition, gpointer self) {
  auto* channel = static_cast<LineChannel*>(self);
  channel->flush();
  return G_SOURCE_CONTINUE;
}

void LineChannel::read_available() {
  char buffer[16384];
  // Bounded work per wakeup (bytes): one busy peer cannot starve the others on the loop.
  for (int round = 0; round < 16 && fd_.valid(); ++round) {
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) return finish(std::string("read failed: ") + std::strerror(errno));
    if (n == 0) return finish("end of stream");
    auto lines = splitter_.feed(std::string_view(buffer, static_cast<size_t>(n)));
    if (!lines.ok()) return finish(lines.error().message);
    for (auto& line : *lines) {
      if (!fd_.valid()) return;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      on_line_(std::move(line));
    }
  }
}

bool LineChannel::write_line(std::string_view line) {
  if (!fd_.valid()) return false;
  if (queue_.size() >= limits_.max_queued_lines || queued_bytes_ + line.size() + 1 > limits_.max_queued_bytes)
    return false;
  std::string framed(line);
  framed.push_back('\n');
  queued_bytes_ += framed.size();
  queue_.push_back(std::move(framed));
  flush();
  return true;
}

void LineChannel::flush() {
  while (fd_.valid() && !queue_.empty()) {
    const std::string& front = queue_.front();
    ssize_t n = ::send(fd_.get(), front.data() + write_offset_, front.size() - write_offset_, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd_.get(), front.data() + write_offset_, front.size() - write_offset_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!write_source_) write_source_.reset(g_unix_fd_add(fd_.get(), G_IO_OUT, &on_writable, this));
      return;
    }
    if (n < 0) return finish(std::string("write failed: ") + std::strerror(errno));
    write_offset_ += static_cast<size_t>(n);
    if (write_offset_ == front.size()) {
      queued_bytes_ -= front.size();
      queue_.pop_front();
      write_offset_ = 0;
    }
  }
  write_source_.reset();
}

void LineChannel::close() {
  read_source_.reset();
  write_source_.reset();
  fd_.reset();
  queue_.clear();
  queued_bytes_ = 0;
}

void LineChannel::finish(const std::string& reason) {
  if (!fd_.valid()) return;
  close();
  if (on_closed_) on_closed_(reason);
}

}  // namespace weft::appd
