#include "weft/core/ipc/compositor_messages.hpp"

#include "schema_codec.hpp"
#include "weft/core/ipc/frame.hpp"

namespace weft::ipc::compositor {

using detail::Presence;
constexpr auto req = Presence::required;

template <class F> void describe(BindSession& m, F&& f) { f("session_id", m.session_id, req); f("app_id", m.app_id, req); }
template <class F> void describe(CloseSession& m, F&& f) { f("session_id", m.session_id, req); }
template <class F> void describe(AppFocusRequest& m, F&& f) { f("session_id", m.session_id, req); }
template <class F> void describe(AppSurfaceDestroyed& m, F&& f) { f("session_id", m.session_id, req); }
template <class F> void describe(AppSurfaceCreated& m, F&& f) {
  f("app_id", m.app_id, req); f("session_id", m.session_id, req); f("pid", m.pid, req);
}
template <class F> void describe(SurfaceReady& m, F&& f) { f("session_id", m.session_id, req); }
template <class F> void describe(FocusResult& m, F&& f) { f("session_id", m.session_id, req); f("ok", m.ok, req); }
template <class F> void describe(ClientDisconnected& m, F&& f) { f("session_id", m.session_id, req); }
template <class F> void describe(SessionFocused& m, F&& f) { f("session_id", m.session_id, req); }

namespace {
constexpr std::string_view kTags[] = {
    "bind_session", "close_session", "app_focus_request", "app_surface_destroyed", "app_surface_created",
    "surface_ready", "focus_result", "client_disconnected", "session_focused",
};
static_assert(std::size(kTags) == std::variant_size_v<Message>);
constexpr std::string_view kUnknownPrefix = "unknown message type '";
}  // namespace

std::string_view type_name(const Message& message) { return kTags[message.index()]; }
bool carries_fd(const Message& message) { return std::holds_alternative<BindSession>(message); }

std::vector<uint8_t> to_msgpack(const Message& message) {
  return std::visit([&](const auto& m) { return detail::to_msgpack(m, type_name(message), false); }, message);
}

Result<Decoded> from_msgpack(std::span<const uint8_t> body) {
  return detail::with_msgpack_object(body, [](const msgpack::object& root) -> Result<Decoded> {
    auto decoded = detail::decode_tagged<detail::MsgpackNode, Message>(root, kTags, /*allow_positional=*/false);
    if (decoded) return Decoded{std::move(*decoded)};
    // An unknown type is not an error on this link: the receiver logs and ignores it.
    const std::string& why = decoded.error().message;
    if (why.rfind(kUnknownPrefix, 0) == 0)
      return Decoded{UnknownType{why.substr(kUnknownPrefix.size(), why.size() - kUnknownPrefix.size() - 1)}};
    return fail(std::move(decoded).error());
  });
}

std::vector<uint8_t> encode(const Message& message) {
  // Every link message is tiny, far below the frame cap, so encoding cannot fail.
  return std::move(*encode_frame(to_msgpack(message)));
}

}  // namespace weft::ipc::compositor
