// weft:app@0.1.0 host: readiness, IPC over the relay socket, and the granted desktop services.

#include "weft/runtime/weft_app_host.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <chrono>

#include "weft/core/app_errors.hpp"
#include "weft/core/bounded_send.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/ready.hpp"
#include "weft/core/tool_run.hpp"
#include "weft/core/utf8.hpp"

namespace weft::runtime {
namespace {

constexpr const char* kVersion = "@0.1.0";
constexpr size_t kMaxNotificationTitle = 256;   // bytes
constexpr size_t kMaxNotificationBody = 4096;   // bytes
constexpr int kNotifyTimeoutMs = 5000;

// The WIT types of weft:app@0.1.0 (spec §4.2): the host functions below are typed with them.
using namespace wit;  // NOLINT: WIT type spelling
using Done = Res<None, std::string>;  // result<_, string>
Done refused(std::string_view why) { return Done::err(std::string(why)); }

/// fetch.response.
struct FetchResponse {
  uint16_t status = 0;
  std::string content_type;
  Bytes body;

  static CTypePtr type() {
    return record({{"status", of<uint16_t>()}, {"content-type", of<std::string>()}, {"body", of<Bytes>()}});
  }
  static FetchResponse from_val(Val v) {  // perform_fetch's record
    return {uint16_t(v.items.at(0).num), std::move(v.items.at(1).str), {std::move(v.items.at(2).str)}};
  }
  Val to_val() && {
    return Val::record({Val::number(status), Val::string(std::move(content_type)), Conv<Bytes>::to(std::move(body))});
  }
};

bool granted(const std::vector<Capability>& grants, CapabilityKind kind) {
  for (const auto& g : grants)
    if (g.kind == kind) return true;
  return false;
}

bool is_icon_name(const std::string& s) {
  if (s.empty() || s.size() > 64 || s.front() == '.') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

/// Delivers a notification to org.freedesktop.Notifications on the session bus; the error string otherwise.
std::optional<std::string> send_notification(const std::string& app, const std::string& title, const std::string& body,
                                             const std::string& icon) {
  GError* raw = nullptr;
  glib::Ptr<GDBusConnection> bus(g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, &raw));
  glib::ErrorPtr error(raw);
  if (!bus) return "the notification service is not available: " + std::string(error ? error->message : "no session bus");
  raw = nullptr;
  GVariantBuilder actions, hints;
  g_variant_builder_init(&actions, G_VARIANT_TYPE("as"));
  g_variant_builder_init(&hints, G_VARIANT_TYPE("a{sv}"));
  glib::VariantPtr reply(g_dbus_connection_call_sync(
      bus.get(), "org.freedesktop.Notifications", "/org/freedesktop/Notifications", "org.freedesktop.Notifications",
      "Notify",
      g_variant_new("(susssasa{sv}i)", app.c_str(), 0u, icon.c_str(), title.c_str(), body.c_str(), &actions, &hints, -1),
      G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, kNotifyTimeoutMs, nullptr, &raw));
  error.reset(raw);
  if (!reply) return "the notification service is not available: " + std::string(error ? error->message : "no reply");
  return std::nullopt;
}

constexpr size_t kMaxClipboardText = 1u << 20;  // bytes
constexpr std::chrono::milliseconds kToolTimeout{5000};
constexpr const char* kWlCopy = "/usr/bin/wl-copy";
constexpr const char* kWlPaste = "/usr/bin/wl-paste";
constexpr const char* kTextType = "text/plain;charset=utf-8";

/// Clipboard tools (wl-clipboard, which speaks the compositor's data-control) need the display; their absence is an
/// error string, never a pretended success.
std::optional<std::string> clipboard_unavailable(const char* tool) {
  if (!std::getenv("WAYLAND_DISPLAY")) return "the clipboard service is not available (no WAYLAND_DISPLAY)";
  if (::access(tool, X_OK) != 0) return std::string("the clipboard service is not available (") + tool + " is not installed)";
  return std::nullopt;
}

/// Runs a clipboard tool by absolute path with a minimal environment (the display only). wl-copy leaves a daemon
/// behind that serves the text, so its output goes to /dev/null rather than to pipes we stop reading.
Result<ToolResult> run_clipboard_tool(const char* tool, std::vector<std::string> args, std::optional<std::string> input) {
  ToolRequest request{.argv = {tool}, .timeout = kToolTimeout};
  request.argv.insert(request.argv.end(), args.begin(), args.end());
  request.max_stdout = kMaxClipboardText;
  request.overflow = ToolOverflow::truncate;
  if (input) {
    request.input = std::move(input);
    request.capture_stdout = request.capture_stderr = false;
  }
  for (const char* var : {"WAYLAND_DISPLAY", "XDG_RUNTIME_DIR"})
    if (const char* v = std::getenv(var)) request.env.push_back(std::string(var) + "=" + v);
  return run_tool(request);
}

}  // namespace

struct WeftAppHost::State {
  WeftAppConfig config;
  bool ready_sent = false;
  bool ipc_closed = false;
  std::string inbox;  // bytes received from the relay, not yet returned by recv

  void close_ipc() {
    ipc_closed = true;
    config.ipc.reset();
  }

  /// Reads what the relay has sent, without blocking, until the inbox holds more than one whole message: the rest
  /// waits in the socket (a relay sending faster than the guest calls recv fills the socket, not this process).
  /// Without a connection (none given, or closed) there is nothing to read: decided inline, since recv is what a
  /// guest polls in its loop (a host call's whole budget is a few nanoseconds, docs/performance.md).
  void drain() {
    if (config.ipc.valid()) drain_socket();
  }
  [[gnu::noinline]] void drain_socket() {
    char buf[16384];
    while (config.ipc.valid() && inbox.size() <= kMaxIpcMessage) {
      ssize_t n = ::recv(config.ipc.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        inbox.append(buf, size_t(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) close_ipc();
      break;
    }
  }

  /// The first line of a non-empty inbox, if it holds a whole one; an overlong line ends the connection (spec §4.4).
  [[gnu::noinline]] std::optional<std::string> take_line() {
    size_t nl = inbox.find('\n');
    if (nl == std::string::npos) {
      if (inbox.size() > kMaxIpcMessage) {
        inbox.clear();
        close_ipc();
      }
      return std::nullopt;
    }
    if (nl > kMaxIpcMessage) {
      inbox.clear();
      close_ipc();
      return std::nullopt;
    }
    std::string line = inbox.substr(0, nl);
    inbox.erase(0, nl + 1);
    return line;
  }
};

WeftAppHost::WeftAppHost(WeftAppConfig config) : state_(std::make_unique<State>()) {
  state_->config = std::move(config);
}
WeftAppHost::~WeftAppHost() = default;

std::string fetch_refusal(const std::vector<Capability>& grants, const std::string& host) {
  bool any = false;
  for (const auto& g : grants) {
    if (g.kind == CapabilityKind::net_fetch_any) return {};
    if (g.kind == CapabilityKind::net_fetch_host) {
      any = true;
      if (g.host == host) return {};
    }
  }
  return app_error::not_granted(any ? "net:fetch:" + host : "net:fetch");
}

void WeftAppHost::install(HostRegistry& registry) {
  State* s = state_.get();

  auto& notify = registry.add(std::string("weft:app/notify") + kVersion);
  notify.wrap("ready", [s]() {
    if (s->ready_sent) return;
    s->ready_sent = true;
    // A missing token is the parent's mistake, not the guest's: report it and let the app run.
    if (auto r = ready::signal_from_environment(); !r)
      std::fprintf(stderr, "weft-runtime: notify.ready: %s\n", r.error().message.c_str());
  });

  auto& ipc = registry.add(std::string("weft:app/ipc") + kVersion);
  ipc.wrap("send", [s](std::string payload) -> Done {
    if (payload.size() > kMaxIpcMessage) return refused(app_error::kIpcMessageTooLong);
    if (payload.find_first_of("\r\n") != std::string::npos) return refused(app_error::kIpcLineBreak);
    if (s->ipc_closed) return refused(app_error::kIpcClosed);
    if (!s->config.ipc.valid()) return refused(app_error::kIpcNotConnected);
    // A relay that stops reading may hold the app up for a bounded time only; a line sent in part leaves the
    // stream broken, so any failure closes the connection.
    if (auto sent = send_all_within(s->config.ipc.get(), payload + "\n", s->config.ipc_send_limit); !sent) {
      std::fprintf(stderr, "weft-runtime: ipc.send: %s; closing the IPC connection\n", sent.error().message.c_str());
      s->close_ipc();
      return refused(app_error::kIpcClosed);
    }
    return Done::ok();
  });
  // A guest polls recv in its loop: the empty case is decided inline, the rest (State::take_line) out of line.
  ipc.wrap("recv", [s]() -> std::optional<std::string> {
    s->drain();
    if (s->inbox.empty()) return std::nullopt;
    return s->take_line();
  });

  auto& fetch = registry.add(std::string("weft:app/fetch") + kVersion);
  fetch.wrap("fetch", [s](std::string url, std::string method, std::vector<std::pair<std::string, std::string>> headers,
                          std::optional<Bytes> body) -> Res<FetchResponse, std::string> {
    std::optional<std::string> data;
    if (body) data = std::move(body->data);
    auto r = perform_fetch(s->config.grants, url, method, headers, data);
    if (!r) return Res<FetchResponse, std::string>::err(r.error().message);
    return Res<FetchResponse, std::string>::ok(FetchResponse::from_val(std::move(r).value()));
  });

  auto& notifications = registry.add(std::string("weft:app/notifications") + kVersion);
  notifications.wrap("notify", [s](std::string title, std::string body, std::optional<std::string> icon) -> Done {
    if (!granted(s->config.grants, CapabilityKind::sys_notifications))
      return refused(app_error::not_granted("sys:notifications"));
    if (title.size() > kMaxNotificationTitle) return refused(app_error::kNotificationTitleTooLong);
    if (body.size() > kMaxNotificationBody) return refused(app_error::kNotificationBodyTooLong);
    if (icon && !is_icon_name(*icon)) return refused(app_error::kNotificationIconInvalid);
    if (auto e = send_notification(s->config.app_id, title, body, icon.value_or(""))) return refused(*e);
    return Done::ok();
  });

  auto& clipboard = registry.add(std::string("weft:app/clipboard") + kVersion);
  clipboard.wrap("read", [s]() -> Res<std::string, std::string> {
    using Text = Res<std::string, std::string>;
    if (!granted(s->config.grants, CapabilityKind::sys_clipboard_read))
      return Text::err(app_error::not_granted("sys:clipboard:read"));
    if (auto e = clipboard_unavailable(kWlPaste)) return Text::err(*e);
    auto run = run_clipboard_tool(kWlPaste, {"--no-newline", "--type", kTextType}, std::nullopt);
    if (!run) return Text::err(run.error().message);
    if (run->out_truncated) return Text::err(std::string(app_error::kClipboardTooLong));
    // wl-paste fails when nothing, or nothing of our type, is offered.
    if (!run->status.success() || !is_valid_utf8(run->out)) return Text::err(std::string(app_error::kClipboardNotText));
    return Text::ok(std::move(run->out));
  });
  clipboard.wrap("write", [s](std::string text) -> Done {
    if (!granted(s->config.grants, CapabilityKind::sys_clipboard_write))
      return refused(app_error::not_granted("sys:clipboard:write"));
    if (text.size() > kMaxClipboardText) return refused(app_error::kClipboardTooLong);
    if (auto e = clipboard_unavailable(kWlCopy)) return refused(*e);
    auto run = run_clipboard_tool(kWlCopy, {"--type", kTextType}, text);
    if (!run) return refused(run.error().message);
    if (!run->status.success())
      return refused("the clipboard service is not available (wl-copy " + run->status.describe() + ")");
    return Done::ok();
  });
}

}  // namespace weft::runtime
