#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "weft/core/ipc/bridge.hpp"

namespace weft::ipc {
namespace {

TEST(BridgeLines, AnAppMessageIsOneAsciiJsonLine) {
  auto line = encode_app_message_line("{\"op\":\"get\"}");
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"op\\\":\\\"get\\\"}\"}\n");
  auto separator = encode_app_message_line("\u2028");
  ASSERT_TRUE(separator.ok());
  EXPECT_NE(separator->find("\\u2028"), std::string::npos) << "U+2028 must be escaped, never raw: " << *separator;
}

TEST(BridgeLines, PayloadsOverTheOneLimitOrWithALineBreakAreRefusedWithTheSpecStrings) {
  auto large = encode_app_message_line(std::string(kMaxPayloadBytes + 1, 'x'));
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().message, kPayloadTooLarge);
  EXPECT_EQ(large.error().code, 400);
  EXPECT_TRUE(encode_app_message_line(std::string(kMaxPayloadBytes, 'x')).ok());
  for (const char* broken : {"a\nb", "a\rb"}) {
    auto line = encode_app_message_line(broken);
    ASSERT_FALSE(line.ok());
    EXPECT_EQ(line.error().message, kPayloadHasLineBreak);
  }
}

TEST(BridgeLines, DecodingNamesAppMessagesAndRendererCrashesAndRefusesMalformedLines) {
  auto message = decode_bridge_line("{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"count\\\":3}\"}\r");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->kind, BridgeLine::Kind::app_message);
  EXPECT_EQ(message->payload, "{\"count\":3}");
  auto crashed = decode_bridge_line(std::string(renderer_crashed_line()).substr(0, renderer_crashed_line().size() - 1));
  ASSERT_TRUE(crashed.ok());
  EXPECT_EQ(crashed->kind, BridgeLine::Kind::renderer_crashed);
  auto other = decode_bridge_line("{\"type\":\"SOMETHING_ELSE\"}");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->kind, BridgeLine::Kind::other);
  EXPECT_EQ(other->type, "SOMETHING_ELSE");
  for (const char* bad : {"not json", "{\"type\":\"APP_MESSAGE\",\"payload\":3}", "[1,2]", "{\"payload\":\"x\"}"})
    EXPECT_FALSE(decode_bridge_line(bad).ok()) << bad;
}

TEST(LineSplitter, JoinsPartialChunksAndRefusesOverlongLines) {
  LineSplitter splitter(8);
  auto first = splitter.feed("ab");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->empty());
  EXPECT_EQ(splitter.pending(), 2u);
  auto second = splitter.feed("c\nde\nf");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, (std::vector<std::string>{"abc", "de"}));
  EXPECT_FALSE(splitter.feed("123456789").ok());
}

}  // namespace
}  // namespace weft::ipc
