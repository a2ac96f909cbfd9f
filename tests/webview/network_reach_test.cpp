// What an app page can make WebKit's NetworkProcess do outside the app shell's network namespace: the control for
// tests/webview/host_session_test.cpp (which runs the real weft-app-shell and sees nothing arrive), and the proxy
// setting (spec §6.1: no proxy, whatever the environment says).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "app_page.hpp"
#include "fixture_page.hpp"
#include "loopback_listeners.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::webview {
namespace {

namespace fs = std::filesystem;
const std::string kFixtures = WEFT_WEBVIEW_FIXTURES;
constexpr int kTimeoutMs = 30000;
constexpr const char* kProxyVariables[] = {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                                           "ALL_PROXY"};

class AppViewNetwork : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(kFixtures + "/app", dir_ / "pkg", fs::copy_options::recursive);
    fs::create_directories(dir_ / "cache");
  }
  void TearDown() override {
    view_.reset();
    page_.reset();
    for (const char* name : kProxyVariables) ::unsetenv(name);
  }
  // The NetworkProcess starts with the first load and takes the environment of that moment.
  void load() {
    auto opened = test::open_fixture_page(dir_ / "pkg", dir_ / "cache", 5);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    page_ = std::move(opened->page);
    view_ = std::move(opened->view);
    auto loaded = view_->load_and_wait(page_->files().entry_uri().c_str(), kTimeoutMs);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  }
  std::string reach_out(const std::vector<std::string>& authorities) {
    std::string list;
    for (const auto& a : authorities) list += (list.empty() ? "'" : ",'") + a + "'";
    auto r = view_->evaluate(("return await reachOut([" + list + "]);").c_str(), kTimeoutMs);
    return r.ok() ? *r : "error: " + r.error().message;
  }

  weft::test::TempDir temp_{"netreach"};
  fs::path dir_{temp_.path()};
  std::unique_ptr<AppPage> page_;
  std::unique_ptr<WebView> view_;
};

// Proves the namespace test can see a preconnect: without the namespace, WebKit connects where the page says, past
// the content filter, the CSP and the navigation policy.
TEST_F(AppViewNetwork, OutsideTheAppShellsNamespaceWebKitPreconnectsToWhereThePageSays) {
  test::CountingListener v4("127.0.0.1"), v6("::1");
  ASSERT_NE(v4.port(), 0);
  load();
  std::vector<std::string> targets = {v4.authority()};
  if (v6.port()) targets.push_back(v6.authority());
  EXPECT_EQ(reach_out(targets), "\"reached out\"");
  run_until([&] { return v4.connections() > 0 && (!v6.port() || v6.connections() > 0); }, 3000);
  EXPECT_GT(v4.connections(), 0) << "no preconnect reached 127.0.0.1: the namespace test would prove nothing";
  if (v6.port()) EXPECT_GT(v6.connections(), 0) << "no preconnect reached ::1";
}

TEST_F(AppViewNetwork, AProxyNamedInTheEnvironmentNeverSeesAConnection) {
  test::CountingListener proxy("127.0.0.1");
  ASSERT_NE(proxy.port(), 0);
  for (const char* name : kProxyVariables) ::setenv(name, ("http://" + proxy.authority()).c_str(), 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  load();
  // TEST-NET-1 (RFC 5737): never routed, so only a proxy could make these connections succeed.
  EXPECT_EQ(reach_out({"192.0.2.1:80", "192.0.2.1:8080"}), "\"reached out\"");
  run_until([] { return false; }, 500);
  EXPECT_EQ(proxy.connections(), 0) << "the NetworkProcess used the proxy from the environment";
}

}  // namespace
}  // namespace weft::webview
