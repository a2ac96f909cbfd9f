// The page side of the bridge; the line codec itself is weft-core's (tests/core/bridge_test.cpp).
#include <gtest/gtest.h>

#include "bridge_protocol.hpp"

namespace weft::webview {
namespace {

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
