#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "content_rules.hpp"

namespace weft::webview {
namespace {

TEST(ContentRules, AppRulesBlockEverythingThenAllowOnlyTheAppsOwnOrigin) {
  auto rules = nlohmann::json::parse(app_content_rules("org.weft.demo.counter"));
  ASSERT_TRUE(rules.is_array());
  EXPECT_EQ(rules[0]["action"]["type"], "block");
  EXPECT_EQ(rules[0]["trigger"]["url-filter"], ".*");
  EXPECT_EQ(rules[1]["trigger"]["url-filter"], "^weft-app://org\\.weft\\.demo\\.counter/");
  for (size_t i = 1; i < rules.size(); ++i) EXPECT_EQ(rules[i]["action"]["type"], "ignore-previous-rules");
  EXPECT_EQ(app_content_rules("org.a.b").find("http"), std::string::npos);
}

TEST(ContentRules, AppNavigationStaysWithinTheAppsOrigin) {
  EXPECT_TRUE(app_navigation_allowed("org.a.b", "weft-app://org.a.b/ui/x.html"));
  EXPECT_TRUE(app_navigation_allowed("org.a.b", "about:blank"));
  EXPECT_FALSE(app_navigation_allowed("org.a.b", "weft-app://org.a.bc/ui/x.html"));
  EXPECT_FALSE(app_navigation_allowed("org.a.b", "weft-app://org.a.b.evil/"));
  EXPECT_FALSE(app_navigation_allowed("org.a.b", "http://127.0.0.1/"));
  EXPECT_FALSE(app_navigation_allowed("org.a.b", "file:///etc/passwd"));
}

TEST(ContentRules, SystemPageMayReachOnlyItsDirectoryAndLocalWebSockets) {
  std::string rules = system_content_rules("/usr/share/weft/system");
  EXPECT_NE(rules.find("^file:///usr/share/weft/system/"), std::string::npos);
  EXPECT_NE(rules.find("^ws://127\\\\.0\\\\.0\\\\.1:[0-9]+/"), std::string::npos) << rules;
  EXPECT_TRUE(system_navigation_allowed("/usr/share/weft/system", "file:///usr/share/weft/system/system-ui.html"));
  EXPECT_FALSE(system_navigation_allowed("/usr/share/weft/system", "file:///usr/share/weft/system/../x.html"));
  EXPECT_FALSE(system_navigation_allowed("/usr/share/weft/system", "file:///usr/share/weft/systemx/a.html"));
  EXPECT_FALSE(system_navigation_allowed("/usr/share/weft/system", "https://example.org/"));
}

}  // namespace
}  // namespace weft::webview
