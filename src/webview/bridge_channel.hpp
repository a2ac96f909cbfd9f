#pragma once
// The running JS bridge of an app view (spec §6.3): page → `weft` script message handler → checked payload → one
// APP_MESSAGE line on WEFT_BRIDGE_FD; lines from the fd → payload → window.weftIpc.onmessage. Writes are queued and
// bounded so a stalled appd never blocks the UI thread.

#include <wpe/webkit.h>

#include <deque>
#include <functional>
#include <string>

#include "bridge_protocol.hpp"
#include "weft/core/ipc/bridge.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/fd.hpp"

namespace weft::webview {

class WebView;

class BridgeChannel {
 public:
  /// Listens to the `weft` handler of `content_manager` (the view's; the page environment registered the handler) and
  /// starts reading `fd`.
  /// `on_closed` runs once when the fd reaches EOF or fails (the app shell then exits).
  BridgeChannel(WebView& view, WebKitUserContentManager* content_manager, UniqueFd fd, std::function<void()> on_closed);
  ~BridgeChannel();
  BridgeChannel(const BridgeChannel&) = delete;
  BridgeChannel& operator=(const BridgeChannel&) = delete;

  /// Queues one raw line (already newline-terminated), e.g. renderer_crashed_line().
  void write_line(std::string line);
  [[nodiscard]] uint64_t payloads_sent() const { return sent_; }
  /// Development launches only (weft-app-shell --dev): DEV_RELOAD lines from appd call this with their entry path;
  /// unset, they are ignored.
  std::function<void(const std::string& entry)> on_dev_reload;

  static constexpr size_t kMaxQueuedLines = 256;
  static constexpr size_t kMaxQueuedBytes = 4u << 20;

 private:
  static void on_script_message(WebKitUserContentManager*, WebKitJavascriptResult* result, gpointer self);
  static gboolean on_readable(gint fd, GIOCondition condition, gpointer self);
  static gboolean on_writable(gint fd, GIOCondition condition, gpointer self);
  void flush();
  void close(const char* why);

  WebView& view_;
  glib::Ptr<WebKitUserContentManager> content_manager_;
  glib::SignalConnection script_message_;
  UniqueFd fd_;
  ipc::LineSplitter splitter_;
  glib::SourceId read_source_;
  glib::SourceId write_source_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  size_t write_offset_ = 0;
  uint64_t sent_ = 0;
  std::function<void()> on_closed_;
};

}  // namespace weft::webview
