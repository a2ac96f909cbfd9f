#include "bridge_channel.hpp"

#include <glib-unix.h>
#include <unistd.h>

#include <cerrno>

#include "web_view.hpp"
#include "weft/core/log.hpp"

namespace weft::webview {

BridgeChannel::BridgeChannel(WebView& view, WebKitUserContentManager* content_manager, UniqueFd fd,
                             std::function<void()> on_closed)
    : view_(view), content_manager_(glib::ref(content_manager)), fd_(std::move(fd)), on_closed_(std::move(on_closed)) {
  std::string signal = std::string("script-message-received::") + kBridgeHandlerName;
  script_message_ =
      glib::connect(content_manager_.get(), signal.c_str(), G_CALLBACK(&BridgeChannel::on_script_message), this);
  if (fd_) {
    auto nonblocking = set_nonblocking(fd_.get());
    if (!nonblocking.ok()) log::warn("bridge: ", nonblocking.error().message);
    read_source_.reset(g_unix_fd_add(fd_.get(), static_cast<GIOCondition>(G_IO_IN | G_IO_HUP | G_IO_ERR),
                                     &BridgeChannel::on_readable, this));
  }
}

BridgeChannel::~BridgeChannel() = default;

void BridgeChannel::on_script_message(WebKitUserContentManager*, WebKitJavascriptResult* result, gpointer data) {
  auto* self = static_cast<BridgeChannel*>(data);
  JSCValue* value = webkit_javascript_result_get_js_value(result);
  if (!jsc_value_is_string(value)) {
    log::warn("bridge: the page posted a non-string message; dropped");
    return;
  }
  glib::CharPtr text(jsc_value_to_string(value));
  auto line = ipc::encode_app_message_line(text.get());
  if (!line.ok()) {
    log::warn("bridge: page payload dropped: ", line.error().message);
    return;
  }
  if (!self->fd_) {
    log::warn("bridge: no WEFT_BRIDGE_FD; page payload dropped");
    return;
  }
  ++self->sent_;
  self->write_line(std::move(line).value());
}

void BridgeChannel::write_line(std::string line) {
  if (!fd_) return;
  if (queue_.size() >= kMaxQueuedLines || queued_bytes_ + line.size() > kMaxQueuedBytes) {
    log::warn("bridge: outgoing queue full; message dropped");
    return;
  }
  queued_bytes_ += line.size();
  queue_.push_back(std::move(line));
  flush();
}

void BridgeChannel::flush() {
  while (!queue_.empty() && fd_) {
    const std::string& front = queue_.front();
    ssize_t n = ::write(fd_.get(), front.data() + write_offset_, front.size() - write_offset_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!write_source_)
        write_source_.reset(g_unix_fd_add(fd_.get(), G_IO_OUT, &BridgeChannel::on_writable, this));
      return;
    }
    if (n < 0) {
      close("write failed");
      return;
    }
    write_offset_ += static_cast<size_t>(n);
    if (write_offset_ == front.size()) {
      queued_bytes_ -= front.size();
      queue_.pop_front();
      write_offset_ = 0;
    }
  }
  write_source_.reset();
}

gboolean BridgeChannel::on_writable(gint, GIOCondition, gpointer data) {
  auto* self = static_cast<BridgeChannel*>(data);
  self->write_source_.release();  // flush() re-arms it when still needed
  self->flush();
  return G_SOURCE_REMOVE;
}

gboolean BridgeChannel::on_readable(gint fd, GIOCondition, gpointer data) {
  auto* self = static_cast<BridgeChannel*>(data);
  char buffer[64 * 1024];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return G_SOURCE_CONTINUE;
    if (n <= 0) {
      self->read_source_.release();
      self->close(n == 0 ? "end of stream" : "read failed");
      return G_SOURCE_REMOVE;
    }
    auto lines = self->splitter_.feed(std::string_view(buffer, static_cast<size_t>(n)));
    if (!lines.ok()) {
      self->read_source_.release();
      self->close(lines.error().message.c_str());
      return G_SOURCE_REMOVE;
    }
    for (const auto& line : *lines) {
      auto decoded = ipc::decode_bridge_line(line);
      if (!decoded.ok()) {
        log::warn("bridge: ignoring a line from appd: ", decoded.error().message);
        continue;
      }
      if (decoded->kind == ipc::BridgeLine::Kind::dev_reload) {
        if (self->on_dev_reload) self->on_dev_reload(decoded->entry);
        else log::warn("bridge: DEV_RELOAD ignored (not a development launch)");
        continue;
      }
      if (decoded->kind == ipc::BridgeLine::Kind::release_memory) {
        self->view_.release_memory();
        continue;
      }
      if (decoded->kind != ipc::BridgeLine::Kind::app_message) continue;
      std::string call = delivery_call(decoded->payload);
      webkit_web_view_run_javascript(self->view_.web_view(), call.c_str(), nullptr, nullptr, nullptr);
    }
  }
}

void BridgeChannel::close(const char* why) {
  log::info("bridge closed: ", why);
  read_source_.reset();
  write_source_.reset();
  fd_.reset();
  if (on_closed_) {
    auto callback = std::move(on_closed_);
    on_closed_ = nullptr;
    callback();
  }
}

}  // namespace weft::webview
