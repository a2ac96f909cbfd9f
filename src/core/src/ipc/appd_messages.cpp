#include "weft/core/ipc/appd_messages.hpp"

#include "schema_codec.hpp"

namespace weft::ipc::appd {

using detail::Presence;
constexpr auto req = Presence::required;
constexpr auto opt = Presence::optional;

// Wire order of every record (spec §3.1 tables). Decoders read maps by name and arrays by this order.
template <class F> void describe(LaunchApp& m, F&& f) { f("app_id", m.app_id, req); f("surface_id", m.surface_id, opt); }
template <class F> void describe(TerminateApp& m, F&& f) { f("session_id", m.session_id, req); f("force", m.force, opt); }
template <class F> void describe(ActivateApp& m, F&& f) { f("session_id", m.session_id, req); }
template <class F> void describe(QueryAppState& m, F&& f) { f("session_id", m.session_id, req); }
template <class F> void describe(QueryRunning&, F&&) {}
template <class F> void describe(QueryInstalledApps&, F&&) {}
template <class F> void describe(IpcForward& m, F&& f) { f("session_id", m.session_id, req); f("payload", m.payload, req); }
template <class F> void describe(PanelGesture& m, F&& f) {
  f("gesture_type", m.gesture_type, req); f("fingers", m.fingers, req); f("dx", m.dx, req); f("dy", m.dy, req);
}
template <class F> void describe(Hello& m, F&& f) {
  f("role", m.role, req); f("session_id", m.session_id, opt); f("token", m.token, req);
}
template <class F> void describe(AppMessage& m, F&& f) { f("payload", m.payload, req); }
template <class F> void describe(SessionInfo& m, F&& f) { f("session_id", m.session_id, req); f("app_id", m.app_id, req); }
template <class F> void describe(AppInfo& m, F&& f) {
  f("app_id", m.app_id, req); f("name", m.name, req); f("version", m.version, req);
}
template <class F> void describe(LaunchAck& m, F&& f) { f("session_id", m.session_id, req); f("app_id", m.app_id, req); }
template <class F> void describe(AppReady& m, F&& f) { f("session_id", m.session_id, req); f("app_id", m.app_id, req); }
template <class F> void describe(RunningApps& m, F&& f) { f("sessions", m.sessions, req); }
template <class F> void describe(AppState& m, F&& f) { f("session_id", m.session_id, req); f("state", m.state, req); }
template <class F> void describe(InstalledApps& m, F&& f) { f("apps", m.apps, req); }
template <class F> void describe(IpcMessage& m, F&& f) { f("session_id", m.session_id, req); f("payload", m.payload, req); }
template <class F> void describe(NavigationGesture& m, F&& f) {
  f("gesture_type", m.gesture_type, req); f("fingers", m.fingers, req); f("dx", m.dx, req); f("dy", m.dy, req);
}
template <class F> void describe(DevLaunchApp& m, F&& f) { f("app_id", m.app_id, req); f("inspect_port", m.inspect_port, opt); }
template <class F> void describe(DevReloadUi& m, F&& f) { f("session_id", m.session_id, req); f("restart_runtime", m.restart_runtime, opt); }
template <class F> void describe(DevIpcExchange& m, F&& f) {
  f("session_id", m.session_id, req); f("payload", m.payload, req); f("wait_ms", m.wait_ms, opt);
}
template <class F> void describe(DevIpcReply& m, F&& f) { f("payload", m.payload, req); }
template <class F> void describe(DevIpcReplies& m, F&& f) { f("session_id", m.session_id, req); f("replies", m.replies, req); }
template <class F> void describe(AppClosed& m, F&& f) {
  f("session_id", m.session_id, req); f("app_id", m.app_id, req); f("reason", m.reason, req);
}
template <class F> void describe(ErrorReply& m, F&& f) { f("code", m.code, req); f("message", m.message, req); }

namespace {
// One tag per alternative of Message, in variant order.
constexpr std::string_view kTags[] = {
    "LAUNCH_APP", "TERMINATE_APP", "ACTIVATE_APP", "QUERY_APP_STATE", "QUERY_RUNNING", "QUERY_INSTALLED_APPS",
    "IPC_FORWARD", "PANEL_GESTURE", "HELLO", "APP_MESSAGE", "LAUNCH_ACK", "APP_READY", "RUNNING_APPS",
    "APP_STATE", "INSTALLED_APPS", "IPC_MESSAGE", "NAVIGATION_GESTURE", "ERROR", "DEV_LAUNCH_APP", "DEV_RELOAD_UI",
    "DEV_IPC_EXCHANGE", "DEV_IPC_REPLIES", "APP_CLOSED",
};
static_assert(std::size(kTags) == std::variant_size_v<Message>);
}  // namespace

std::string_view type_name(const Message& message) { return kTags[message.index()]; }

bool is_request(const Message& message) {
  return std::holds_alternative<LaunchApp>(message) || std::holds_alternative<TerminateApp>(message) ||
         std::holds_alternative<ActivateApp>(message) || std::holds_alternative<QueryAppState>(message) ||
         std::holds_alternative<QueryRunning>(message) || std::holds_alternative<QueryInstalledApps>(message) ||
         std::holds_alternative<IpcForward>(message) || std::holds_alternative<PanelGesture>(message) ||
         std::holds_alternative<DevLaunchApp>(message) || std::holds_alternative<DevReloadUi>(message) ||
         std::holds_alternative<DevIpcExchange>(message);
}

std::vector<uint8_t> to_msgpack_map(const Message& message) {
  return std::visit([&](const auto& m) { return detail::to_msgpack(m, type_name(message), false); }, message);
}

std::vector<uint8_t> to_msgpack_array(const Message& message) {
  return std::visit([&](const auto& m) { return detail::to_msgpack(m, type_name(message), true); }, message);
}

Result<Message> from_msgpack(std::span<const uint8_t> body) {
  return detail::with_msgpack_object(body, [](const msgpack::object& root) -> Result<Message> {
    return detail::decode_tagged<detail::MsgpackNode, Message>(root, kTags, /*allow_positional=*/true);
  });
}

nlohmann::json to_json(const Message& message) {
  return std::visit([&](const auto& m) { return detail::to_json(m, type_name(message)); }, message);
}

std::string to_json_text(const Message& message) { return to_json(message).dump(); }

Result<Message> from_json(const nlohmann::json& value) {
  // The WebSocket API carries JSON objects only.
  return detail::decode_tagged<detail::JsonNode, Message>(value, kTags, /*allow_positional=*/false);
}

Result<Message> from_json_text(std::string_view text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return fail("malformed JSON");
  return from_json(value);
}


}  // namespace weft::ipc::appd
