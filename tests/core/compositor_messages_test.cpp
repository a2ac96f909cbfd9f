#include "weft/core/ipc/compositor_messages.hpp"

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include "weft/core/ipc/frame.hpp"

namespace {
using namespace weft::ipc::compositor;

std::vector<Message> every_message() {
  return {BindSession{4, "org.weft.demo.counter"}, CloseSession{4}, AppFocusRequest{4}, AppSurfaceDestroyed{4},
          AppSurfaceCreated{"org.weft.demo.counter", 4, 4242}, SurfaceReady{4}, FocusResult{4, true},
          FocusResult{5, false}, ClientDisconnected{4}, SessionFocused{4}, SessionFocused{0}};
}

std::vector<uint8_t> packed(const auto& build) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(&buf);
  build(pk);
  return {reinterpret_cast<const uint8_t*>(buf.data()), reinterpret_cast<const uint8_t*>(buf.data()) + buf.size()};
}

TEST(CompositorMessages, EveryMessageRoundTripsAsAMsgpackMap) {
  for (const Message& m : every_message()) {
    auto body = to_msgpack(m);
    EXPECT_EQ(body[0] & 0xf0, 0x80) << "not a fixmap: " << type_name(m);
    auto decoded = from_msgpack(body);
    ASSERT_TRUE(decoded.ok()) << type_name(m) << ": " << decoded.error().message;
    ASSERT_TRUE(std::holds_alternative<Message>(*decoded));
    EXPECT_EQ(std::get<Message>(*decoded), m);
  }
}

TEST(CompositorMessages, TagsAreSnakeCase) {
  EXPECT_EQ(type_name(BindSession{}), "bind_session");
  EXPECT_EQ(type_name(AppSurfaceDestroyed{}), "app_surface_destroyed");
  EXPECT_EQ(type_name(ClientDisconnected{}), "client_disconnected");
  EXPECT_EQ(type_name(SessionFocused{}), "session_focused");
  EXPECT_TRUE(carries_fd(BindSession{}));
  EXPECT_FALSE(carries_fd(CloseSession{}));
}

TEST(CompositorMessages, UnknownTypesAreReportedForLoggingNotAsErrors) {
  auto body = packed([](auto& pk) {
    pk.pack_map(2);
    pk.pack(std::string("type"));
    pk.pack(std::string("teleport"));
    pk.pack(std::string("x"));
    pk.pack_uint8(1);
  });
  auto decoded = from_msgpack(body);
  ASSERT_TRUE(decoded.ok());
  ASSERT_TRUE(std::holds_alternative<UnknownType>(*decoded));
  EXPECT_EQ(std::get<UnknownType>(*decoded).type, "teleport");
}

TEST(CompositorMessages, PositionalArraysAreNotAcceptedOnTheLink) {
  auto body = packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(std::string("close_session"));
    pk.pack_uint8(1);
  });
  auto decoded = from_msgpack(body);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message, "message must be a map");
}

TEST(CompositorMessages, MissingFieldsAreNamed) {
  auto body = packed([](auto& pk) {
    pk.pack_map(2);
    pk.pack(std::string("type"));
    pk.pack(std::string("bind_session"));
    pk.pack(std::string("session_id"));
    pk.pack_uint8(1);
  });
  EXPECT_EQ(from_msgpack(body).error().message, "bind_session: missing field app_id");
}

TEST(CompositorMessages, EncodeProducesALengthPrefixedFrame) {
  auto frame = encode(SurfaceReady{3});
  weft::ipc::FrameDecoder decoder;
  decoder.feed(frame);
  auto body = decoder.next();
  ASSERT_TRUE(body.ok());
  ASSERT_TRUE(body->has_value());
  EXPECT_EQ(std::get<Message>(*from_msgpack(**body)), Message(SurfaceReady{3}));
}

TEST(CompositorMessages, SessionFocusedCarriesAnyU64AndNamesABadField) {
  auto focused = from_msgpack(packed([](auto& pk) {
    pk.pack_map(2);
    pk.pack(std::string("type"));
    pk.pack(std::string("session_focused"));
    pk.pack(std::string("session_id"));
    pk.pack_uint64(UINT64_MAX);
  }));
  ASSERT_TRUE(focused.ok()) << focused.error().message;
  EXPECT_EQ(std::get<Message>(*focused), Message(SessionFocused{UINT64_MAX}));
  auto text_id = from_msgpack(packed([](auto& pk) {
    pk.pack_map(2);
    pk.pack(std::string("type"));
    pk.pack(std::string("session_focused"));
    pk.pack(std::string("session_id"));
    pk.pack(std::string("7"));
  }));
  ASSERT_FALSE(text_id.ok());
  EXPECT_NE(text_id.error().message.find("session_id"), std::string::npos) << text_id.error().message;
  auto missing = from_msgpack(packed([](auto& pk) {
    pk.pack_map(1);
    pk.pack(std::string("type"));
    pk.pack(std::string("session_focused"));
  }));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "session_focused: missing field session_id");
}

}  // namespace
