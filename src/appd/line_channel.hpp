#pragma once
// A non-blocking, line-oriented stream on the GLib main loop: appd's side of a session's relay connection (component
// lines, §3.5) and of its bridge fd (APP_MESSAGE lines, §6.3). Reads are split into lines of a bounded length; writes
// go through a bounded queue so a peer that stops reading can never make appd block or grow without bound.

#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "weft/core/fd.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/ipc/bridge.hpp"

namespace weft::appd {

class LineChannel {
 public:
  struct Limits {
    size_t max_line_bytes;    // without the newline
    size_t max_queued_lines;  // outbound
    size_t max_queued_bytes;  // outbound
  };
  /// `on_line` gets each complete line (a trailing `\r` stripped); `on_closed` runs once with the reason (EOF, read
  /// error, overlong line) and nothing is read afterwards. Neither may destroy the channel synchronously.
  LineChannel(UniqueFd fd, Limits limits, std::function<void(std::string)> on_line,
              std::function<void(const std::string& reason)> on_closed);
  ~LineChannel();
  LineChannel(const LineChannel&) = delete;
  LineChannel& operator=(const LineChannel&) = delete;

  /// Queues one line (the newline is added). False when the queue is full (the line is dropped) or closed.
  bool write_line(std::string_view line);
  /// Stops reading and writing and closes the fd.
  void close();
  [[nodiscard]] bool open() const { return fd_.valid(); }
  [[nodiscard]] size_t queued_lines() const { return queue_.size(); }

 private:
  static gboolean on_readable(gint fd, GIOCondition condition, gpointer self);
  static gboolean on_writable(gint fd, GIOCondition condition, gpointer self);
  void read_available();
  void flush();
  void finish(const std::string& reason);

  UniqueFd fd_;
  Limits limits_;
  ipc::LineSplitter splitter_;
  std::function<void(std::string)> on_line_;
  std::function<void(const std::string&)> on_closed_;
  glib::SourceId read_source_;
  glib::SourceId write_source_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  size_t write_offset_ = 0;
};

}  // namespace weft::appd
