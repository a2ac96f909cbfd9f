#include <gtest/gtest.h>

#include "bridge_protocol.hpp"

namespace weft::webview {
namespace {

TEST(BridgeProtocol, EncodesAnAppMessageAsOneJsonLine) {
  auto line = encode_app_message("{\"op\":\"get\"}");
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"op\\\":\\\"get\\\"}\"}\n");
}

TEST(BridgeProtocol, RefusesOversizedPayloadsAndLineBreaks) {
  EXPECT_FALSE(encode_app_message(std::string(kMaxBridgePayloadBytes + 1, 'x')).ok());
  EXPECT_TRUE(encode_app_message(std::string(kMaxBridgePayloadBytes, 'x')).ok());
  auto newline = encode_app_message("a\nb");
  ASSERT_FALSE(newline.ok());
  EXPECT_EQ(newline.error().message, "payload contains a line break");
  EXPECT_FALSE(encode_app_message("a\rb").ok());
}

TEST(BridgeProtocol, DecodesAppMessagesAndIgnoresOtherTypes) {
  auto payload = decode_bridge_line("{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"count\\\":3}\"}");
  ASSERT_TRUE(payload.ok());
  ASSERT_TRUE(payload->has_value());
  EXPECT_EQ(**payload, "{\"count\":3}");
  auto other = decode_bridge_line("{\"type\":\"SOMETHING_ELSE\"}");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
  EXPECT_FALSE(decode_bridge_line("not json").ok());
  EXPECT_FALSE(decode_bridge_line("{\"type\":\"APP_MESSAGE\",\"payload\":3}").ok());
  EXPECT_FALSE(decode_bridge_line("[1,2]").ok());
}

TEST(LineSplitter, JoinsPartialChunksAndRefusesOverlongLines) {
  LineSplitter splitter(8);
  auto first = splitter.feed("ab");
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->empty());
  auto second = splitter.feed("c\nde\nf");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, (std::vector<std::string>{"abc", "de"}));
  EXPECT_FALSE(splitter.feed("123456789").ok());
}

TEST(BridgeScript, CarriesTheSessionIdAndEscapesDeliveredPayloads) {
  std::string script = bridge_script(42);
  EXPECT_NE(script.find("value: 42"), std::string::npos);
  EXPECT_NE(script.find("window.webkit.messageHandlers.weft"), std::string::npos);
  std::string call = delivery_call("</script>\"\u2028");
  EXPECT_EQ(call.find('\n'), std::string::npos);
  EXPECT_NE(call.find("\\\""), std::string::npos);
  EXPECT_NE(call.find("\\u2028"), std::string::npos);
}

}  // namespace
}  // namespace weft::webview
