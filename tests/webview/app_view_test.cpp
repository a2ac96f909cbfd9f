// weft-app-shell's page side in a real WPE view, headless: scheme confinement, network denial, CSP and the bridge.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "app_page.hpp"
#include "fixture_page.hpp"
#include "bridge_channel.hpp"
#include "headless_capture.hpp"
#include "weft/test/temp_dir.hpp"
#include "weft/test/pixels.hpp"

namespace weft::webview {
namespace {

namespace fs = std::filesystem;
const std::string kFixtures = WEFT_WEBVIEW_FIXTURES;
constexpr int kTimeoutMs = 30000;

// A copy of the fixture package in a private temp dir, plus a symlink pointing outside the UI root.
class AppViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::copy(kFixtures + "/app", dir_ / "pkg", fs::copy_options::recursive);
    fs::create_symlink(dir_ / "pkg" / "secret.txt", dir_ / "pkg" / "ui" / "link.txt");
    fs::create_directories(dir_ / "cache");
    auto opened = test::open_fixture_page(dir_ / "pkg", dir_ / "cache", 7);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    page_ = std::move(opened->page);
    view_ = std::move(opened->view);
    capture_ = std::make_unique<HeadlessCapture>(*view_);
  }
  void TearDown() override {
    bridge_.reset();
    capture_.reset();
    view_.reset();
    page_.reset();
  }
  void load() {
    auto loaded = view_->load_and_wait(page_->files().entry_uri().c_str(), kTimeoutMs);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  }
  std::string eval(const std::string& body) {
    auto r = view_->evaluate(body.c_str(), kTimeoutMs);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : "";
  }

  weft::test::TempDir temp_{"appview"};
  fs::path dir_{temp_.path()};
  std::unique_ptr<AppPage> page_;
  std::unique_ptr<WebView> view_;
  std::unique_ptr<HeadlessCapture> capture_;
  std::unique_ptr<BridgeChannel> bridge_;
};

TEST_F(AppViewTest, RendersItsOwnPageFromTheAppScheme) {
  load();
  auto image = capture_->settle(kTimeoutMs);
  ASSERT_TRUE(image.ok()) << image.error().message;
  if (const char* out = std::getenv("WEFT_WEBVIEW_APP_PNG")) {
    ASSERT_TRUE(write_png(*image, out).ok());
  }
  // style.css came through weft-app:// too: the background is its green.
  EXPECT_GT(test::fraction_near(*image, 250, 10, 60, 200, Rgba{0, 128, 0, 255}), 0.95);
  EXPECT_EQ(eval("return document.title;"), "\"fixture app\"");
  EXPECT_EQ(eval("return window.weftSessionId;"), "7");
}

TEST_F(AppViewTest, SchemeRefusesDotDotSymlinksAndOtherAppsIds) {
  load();
  EXPECT_EQ(eval("return await probe('weft-app://org.weft.test.fixture/ui/data.txt');"), "\"ok:inside\"");
  for (const char* url : {"weft-app://org.weft.test.fixture/ui/%2e%2e/secret.txt",
                          "weft-app://org.weft.test.fixture/secret.txt", "weft-app://org.weft.test.fixture/ui/link.txt",
                          "weft-app://org.weft.test.other/ui/data.txt"}) {
    std::string result = eval(std::string("return await probe('") + url + "');");
    EXPECT_EQ(result.find("package secret"), std::string::npos) << url << " leaked: " << result;
    EXPECT_EQ(result.find("ok:"), std::string::npos) << url << " was served: " << result;
  }
}

TEST_F(AppViewTest, NoRequestFromThePageEverReachesALocalServer) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string base = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  load();
  std::string script = "const base = '" + base + "';" + R"JS(
    const out = [];
    out.push(await probe(base + '/fetch'));
    out.push(await new Promise(r => { const x = new XMLHttpRequest(); x.onload = () => r('xhr-ok');
      x.onerror = () => r('xhr-error'); x.open('GET', base + '/xhr'); x.send(); }));
    out.push(await new Promise(r => { const i = new Image(); i.onload = () => r('img-ok'); i.onerror = () => r('img-error');
      i.src = base + '/img.png'; }));
    out.push(await new Promise(r => { try { const w = new WebSocket(base.replace('http', 'ws') + '/ws');
      w.onopen = () => r('ws-open'); w.onerror = () => r('ws-error'); } catch (e) { r('ws-throw'); } }));
    navigator.sendBeacon(base + '/beacon', 'x');
    window.open(base + '/popup');
    location.href = base + '/navigate';
    await new Promise(r => setTimeout(r, 500));
    return out;)JS";
  std::string outcome = eval(script);
  EXPECT_EQ(outcome.find("-ok"), std::string::npos) << outcome;
  EXPECT_EQ(outcome.find("ws-open"), std::string::npos) << outcome;
  EXPECT_EQ(outcome.find("ok:"), std::string::npos) << outcome;
  // Give any stray request time to arrive, then count connections: there must be none.
  run_until([] { return false; }, 500);
  int accepted = 0;
  while (true) {
    int c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) break;
    ++accepted;
    close(c);
  }
  close(listener);
  EXPECT_EQ(accepted, 0) << "the local test server saw " << accepted << " connection(s)";
  EXPECT_EQ(eval("return location.href;"), "\"weft-app://org.weft.test.fixture/ui/index.html\"");
}

TEST_F(AppViewTest, CspHeaderRefusesAConnectionTheContentFilterWouldAllow) {
  load();
  // data: passes the content filter but not `connect-src 'self'`: only the CSP header can refuse it.
  EXPECT_EQ(eval("return await probe('data:text/plain,hello');"), "\"error\"");
  EXPECT_EQ(eval("return window.results.violations;"), "[\"connect-src\"]");
}

TEST_F(AppViewTest, BridgeCarriesPagePayloadsOutAndHostLinesIn) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  UniqueFd appd_end(fds[1]);
  bool closed = false;
  bridge_ = std::make_unique<BridgeChannel>(*view_, page_->environment().content_manager(), UniqueFd(fds[0]),
                                            [&] { closed = true; });
  load();
  EXPECT_EQ(eval("weftIpc.send({op: 'get'}); weftIpc.send('increment'); return 1;"), "1");
  EXPECT_EQ(eval("try { weftIpc.send('a\\nb'); return 'sent'; } catch (e) { return e.name; }"), "\"RangeError\"");
  EXPECT_EQ(eval("try { weftIpc.send('x'.repeat(65537)); return 'sent'; } catch (e) { return e.name; }"),
            "\"RangeError\"");
  EXPECT_EQ(eval("try { const o = {}; o.o = o; weftIpc.send(o); return 'sent'; } catch (e) { return e.name; }"),
            "\"TypeError\"");
  std::string received;
  ASSERT_TRUE(set_nonblocking(appd_end.get()).ok());
  run_until(
      [&] {
        char buf[4096];
        ssize_t n = read(appd_end.get(), buf, sizeof buf);
        if (n > 0) received.append(buf, static_cast<size_t>(n));
        return std::count(received.begin(), received.end(), '\n') >= 2;
      },
      kTimeoutMs);
  EXPECT_EQ(received,
            "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"op\\\":\\\"get\\\"}\"}\n"
            "{\"type\":\"APP_MESSAGE\",\"payload\":\"increment\"}\n");

  std::string line = "{\"type\":\"APP_MESSAGE\",\"payload\":\"{\\\"op\\\":\\\"count\\\",\\\"count\\\":3}\"}\n"
                     "{\"type\":\"APP_MESSAGE\",\"payload\":\"<b>second</b>\"}\n";
  ASSERT_EQ(write(appd_end.get(), line.data(), line.size()), static_cast<ssize_t>(line.size()));
  run_until([&] { return eval("return window.results.received.length;") == "2"; }, kTimeoutMs);
  EXPECT_EQ(eval("return window.results.received;"), "[\"{\\\"op\\\":\\\"count\\\",\\\"count\\\":3}\",\"<b>second</b>\"]");
  EXPECT_EQ(eval("return document.getElementById('status').children.length;"), "0");  // text, never markup
  EXPECT_FALSE(closed);
  appd_end.reset();
  EXPECT_TRUE(run_until([&] { return closed; }, kTimeoutMs)) << "bridge EOF was not reported";
}

}  // namespace
}  // namespace weft::webview

namespace weft::webview {
namespace {

TEST_F(AppViewTest, UiKitDefinesTheElevenElementsWithTheirBehaviour) {
  // A page of the same app with the kit injected at document start.
  auto page = AppPage::create({.app_id = "org.weft.test.fixture",
                               .session_id = 9,
                               .entry_path = (dir_ / "pkg" / "ui" / "kit.html").string(),
                               .ui_kit_path = std::string(WEFT_UI_DIR) + "/weft-ui-kit.js",
                               .cache_dir = (dir_ / "cache").string()});
  ASSERT_TRUE(page.ok()) << page.error().message;
  auto view = (*page)->create_view(320, 240);
  ASSERT_TRUE(view.ok());
  auto loaded = (*view)->load_and_wait((*page)->files().entry_uri().c_str(), kTimeoutMs);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto eval = [&](const char* body) {
    auto r = (*view)->evaluate(body, kTimeoutMs);
    return r.ok() ? *r : "error: " + r.error().message;
  };
  EXPECT_EQ(eval("return ['weft-button','weft-card','weft-list','weft-list-item','weft-menu','weft-dialog','weft-icon',"
                 "'weft-menu-item','weft-progress','weft-input','weft-label'].filter(n => !customElements.get(n));"),
            "[]");
  EXPECT_EQ(eval("return [...document.querySelectorAll('*')].filter(e => e.localName.startsWith('weft-'))"
                 ".every(e => e.shadowRoot && e.shadowRoot.mode === 'open');"),
            "true");
  EXPECT_EQ(eval("return document.getElementById('disabled').shadowRoot.querySelector('button').disabled;"), "true");
  EXPECT_EQ(eval("return document.getElementById('icon').style.getPropertyValue('--icon-size');"), "\"32px\"");
  EXPECT_EQ(eval("return document.getElementById('progress').shadowRoot.querySelector('.bar').style.width;"), "\"50%\"");
  EXPECT_EQ(eval("const i = document.getElementById('input'); let got = null;"
                 "document.body.addEventListener('weft:input', e => got = e.detail);"
                 "const inner = i.shadowRoot.querySelector('input'); inner.value = 'abc';"
                 "inner.dispatchEvent(new Event('input', {bubbles: true})); return [got, i.value];"),
            "[\"abc\",\"abc\"]");
  EXPECT_EQ(eval("const d = document.getElementById('dialog'); d.shadowRoot.querySelector('.backdrop').click();"
                 "return d.hasAttribute('open');"),
            "false");
  EXPECT_EQ(eval("return getComputedStyle(document.getElementById('button').shadowRoot.querySelector('button'))"
                 ".backgroundColor;"),
            "\"rgb(91, 138, 245)\"");  // accent #5b8af5
}

}  // namespace
}  // namespace weft::webview
