// weft-shell's system page in a real WPE view, headless, against the stand-in appd: launcher, taskbar, keyboard.
#include <gtest/gtest.h>
#include <wpe/wpe.h>
#include <xkbcommon/xkbcommon-keysyms.h>

#include <filesystem>

#include "appd_endpoint.hpp"
#include "headless_capture.hpp"
#include "standin_appd.hpp"
#include "system_page.hpp"
#include "weft/core/fd.hpp"
#include "weft/test/temp_dir.hpp"
#include "weft/test/pixels.hpp"

namespace weft::webview {
namespace {

namespace fs = std::filesystem;
constexpr int kTimeoutMs = 30000;
using namespace weft::test::desktop;
constexpr int kWidth = 1024, kHeight = 640;

class SystemPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "weft");
    fs::create_directories(dir_ / "cache");
    fs::create_directories(dir_ / "resources" / "text");
    ASSERT_TRUE(write_file_atomic((dir_ / "resources" / "text" / "hello.txt").string(), "hello from weft-system").ok());
    appd_ = std::make_unique<test::StandinAppd>(
        std::vector<test::StandinAppd::App>{{"org.weft.demo.counter", "Counter", "0.1.0"},
                                               {"org.weft.demo.notes", "<b>Notes</b>", "0.1.0"}},
        std::vector<test::StandinAppd::Session>{{1, "org.weft.demo.counter"}});
    auto started = appd_->start((dir_ / "weft").string());
    ASSERT_TRUE(started.ok()) << started.error().message;
    auto page = SystemPage::create({.html_path = std::string(WEFT_UI_DIR) + "/system-ui.html",
                                    .ui_kit_path = std::string(WEFT_UI_DIR) + "/weft-ui-kit.js",
                                    .cache_dir = (dir_ / "cache").string(),
                                    .resources_dir = (dir_ / "resources").string()});
    ASSERT_TRUE(page.ok()) << page.error().message;
    page_ = std::move(page).value();
    auto view = page_->create_view(kWidth, kHeight);
    ASSERT_TRUE(view.ok()) << view.error().message;
    view_ = std::move(view).value();
    capture_ = std::make_unique<HeadlessCapture>(*view_);
    watcher_ = std::make_unique<AppdEndpointWatcher>(*view_, (dir_ / "weft" / "appd.wsport").string(),
                                                     (dir_ / "weft" / "appd.systoken").string());
    auto loaded = view_->load_and_wait(page_->uri().c_str(), kTimeoutMs);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_TRUE(run_until([&] { return eval("return weftShellState().connected && weftShellState().installed.length == 2 "
                                            "&& weftShellState().sessions.length == 1;") == "true"; },
                          kTimeoutMs))
        << eval("return weftShellState();");
  }
  void TearDown() override {
    watcher_.reset();
    capture_.reset();
    view_.reset();
    page_.reset();
    appd_.reset();
  }
  std::string eval(const std::string& body) {
    auto r = view_->evaluate(body.c_str(), kTimeoutMs);
    return r.ok() ? *r : "error: " + r.error().message;
  }
  void key(uint32_t keysym, uint32_t hardware) {
    for (bool pressed : {true, false}) {
      wpe_input_keyboard_event event = {0, keysym, hardware, pressed, 0};
      view_->dispatch_key(&event);
    }
  }
  void click(int x, int y) {
    wpe_input_pointer_event move = {wpe_input_pointer_event_type_motion, 0, x, y, 0, 0, 0};
    view_->dispatch_pointer(&move);
    wpe_input_pointer_event press = {wpe_input_pointer_event_type_button, 0, x, y, 1, 1, wpe_input_pointer_modifier_button1};
    view_->dispatch_pointer(&press);
    wpe_input_pointer_event release = {wpe_input_pointer_event_type_button, 0, x, y, 1, 0, 0};
    view_->dispatch_pointer(&release);
  }
  bool request_seen(const std::string& type) {
    return run_until([&] {
      for (const auto& r : appd_->requests())
        if (r.value("type", "") == type) return true;
      return false;
    }, kTimeoutMs);
  }
  const nlohmann::json* last_request(const std::string& type) {
    const nlohmann::json* found = nullptr;
    for (const auto& r : appd_->requests())
      if (r.value("type", "") == type) found = &r;
    return found;
  }

  weft::test::TempDir temp_{"syspage"};
  fs::path dir_{temp_.path()};
  std::unique_ptr<test::StandinAppd> appd_;
  std::unique_ptr<SystemPage> page_;
  std::unique_ptr<WebView> view_;
  std::unique_ptr<HeadlessCapture> capture_;
  std::unique_ptr<AppdEndpointWatcher> watcher_;
};

TEST_F(SystemPageTest, ShowsTheTaskbarWithTheRunningAppInTheBottom48Pixels) {
  auto image = capture_->settle(kTimeoutMs);
  ASSERT_TRUE(image.ok()) << image.error().message;
  if (const char* out = std::getenv("WEFT_WEBVIEW_SHELL_PNG")) {
    ASSERT_TRUE(write_png(*image, out).ok());
  }
  EXPECT_GT(test::fraction_near(*image, 0, 50, kWidth, 400, kDesktopColour), 0.98);
  EXPECT_GT(test::fraction_near(*image, 400, kHeight - kTaskbar + 4, 400, kTaskbar - 8, kTaskbarColour), 0.98);
  EXPECT_GT(test::fraction_near(*image, 12, kHeight - 40, 60, 30, kAccent, 12), 0.5) << "no Apps button";
  EXPECT_EQ(eval("return document.querySelector('#entries .entry .label').textContent;"), "\"Counter\"");
  EXPECT_EQ(eval("return document.querySelector('#entries .entry').getBoundingClientRect().bottom <= innerHeight && "
                 "document.querySelector('#entries .entry').getBoundingClientRect().top >= innerHeight - 48;"),
            "true");
  EXPECT_TRUE(request_seen("QUERY_RUNNING"));
  EXPECT_TRUE(request_seen("QUERY_INSTALLED_APPS"));
}

TEST_F(SystemPageTest, TheKeyboardShowsForAnActiveFieldWithoutAPhysicalKeyboardOrWhenAskedForAndSitsAboveTheTaskbar) {
  const char* shown = "return document.getElementById('osk').classList.contains('shown');";
  EXPECT_EQ(eval(shown), "false") << "shown with no field to type into";
  // The host reports an active field and no physical keyboard: the keyboard appears, 240 px right above the taskbar.
  eval("weftKeyboard({active: true, physicalKeyboard: false, purpose: 0}); return 0;");
  EXPECT_EQ(eval(shown), "true");
  EXPECT_EQ(eval("const r = document.getElementById('osk').getBoundingClientRect(); "
                 "return [r.top, r.bottom, r.width].join(' ');"),
            "\"" + std::to_string(kHeight - kTaskbar - 240) + " " + std::to_string(kHeight - kTaskbar) + " " +
                std::to_string(kWidth) + "\"");
  // The field goes away: hidden.
  eval("weftKeyboard({active: false, physicalKeyboard: false, purpose: 0}); return 0;");
  EXPECT_EQ(eval(shown), "false");
  // With a physical keyboard it stays hidden until the ⌨ button (where the e2e test clicks it) asks for it.
  eval("weftKeyboard({active: true, physicalKeyboard: true, purpose: 0}); return 0;");
  EXPECT_EQ(eval(shown), "false");
  EXPECT_EQ(eval("const r = document.getElementById('osk-button').getBoundingClientRect(); "
                 "return [r.left, r.right].join(' ');"),
            "\"" + std::to_string(kWidth - 136) + " " + std::to_string(kWidth - 96) + "\"");
  click(kWidth - 116, kHeight - kTaskbar / 2);
  EXPECT_TRUE(run_until([&] { return eval(shown) == "true"; }, kTimeoutMs));
  // A key press does not move the page's focus (the keys cancel mousedown).
  const char* focus = "const e = document.activeElement; return e ? e.id + '|' + e.className : '';";
  const std::string focus_before = eval(focus);
  click(kWidth / 20, kHeight - kTaskbar - 240 + 30);  // q
  EXPECT_EQ(eval(focus), focus_before);
  EXPECT_EQ(eval("return document.activeElement.classList.contains('key');"), "false");
}

TEST_F(SystemPageTest, TheKeyboardsQuestion123KeyShowsDigitsAndPunctuationShiftGivesCapitalsAndABCGoesBack) {
  eval("weftKeyboard({active: true, physicalKeyboard: false, purpose: 0}); return 0;");
  // The labels of one row of keys, left to right, as JSON.
  auto row = [&](int r) {
    return eval("return [...document.querySelectorAll('#osk .key')].filter((k) => k.style.top === '" +
                std::to_string(r * 60) + "px').map((k) => k.textContent).join(' ');");
  };
  // A click is dispatched to the page asynchronously: wait for the row to read as expected, then compare.
  auto row_reads = [&](int r, const std::string& labels) {
    const std::string json = "\"" + labels + "\"";
    run_until([&] { return row(r) == json; }, 5000);
    return row(r) == json ? ::testing::AssertionSuccess()
                          : ::testing::AssertionFailure() << "row " << r << " reads " << row(r) << ", not " << json;
  };
  auto shift_state = [&] { return eval("return document.getElementById('osk').dataset.shift;"); };
  const int bottom_row = kHeight - kTaskbar - 60 + 30, third_row = kHeight - kTaskbar - 120 + 30;  // px, key centres
  const int q = kHeight - kTaskbar - 240 + 30;
  EXPECT_TRUE(row_reads(0, "q w e r t y u i o p"));
  EXPECT_TRUE(row_reads(3, "?123 , space . ⏎ ⌨×"));
  click(kWidth * 0.075, bottom_row);  // ?123
  EXPECT_TRUE(row_reads(0, "1 2 3 4 5 6 7 8 9 0"));
  EXPECT_TRUE(row_reads(1, "@ # $ % & - + ( ) /"));
  EXPECT_TRUE(row_reads(2, "=\\\\< * \\\" ' : ; ! ? ⌫"));
  EXPECT_TRUE(row_reads(3, "ABC , space . ⏎ ⌨×"));
  click(kWidth * 0.075, third_row);  // =\<
  EXPECT_TRUE(row_reads(0, "~ ` | ^ ° = { } [ ]"));
  EXPECT_TRUE(row_reads(2, "?123 © ® ™ § ¶ ¢ ± ⌫"));
  click(kWidth * 0.075, bottom_row);  // ABC
  EXPECT_TRUE(row_reads(0, "q w e r t y u i o p"));

  // ⇧ once: capitals for the next letter only; twice: locked (⇪) until tapped again.
  click(kWidth * 0.075, third_row);
  EXPECT_TRUE(row_reads(0, "Q W E R T Y U I O P"));
  EXPECT_EQ(shift_state(), "\"once\"");
  click(kWidth / 20, q);
  EXPECT_TRUE(row_reads(0, "q w e r t y u i o p")) << "the capital did not end with the letter";
  click(kWidth * 0.075, third_row);
  EXPECT_TRUE(row_reads(0, "Q W E R T Y U I O P"));
  click(kWidth * 0.075, third_row);
  EXPECT_TRUE(row_reads(2, "⇪ Z X C V B N M ⌫"));
  EXPECT_EQ(shift_state(), "\"locked\"");
  click(kWidth / 20, q);
  click(kWidth / 20, q);
  EXPECT_TRUE(run_until([&] { return shift_state() == "\"locked\""; }, 2000));
  EXPECT_TRUE(row_reads(0, "Q W E R T Y U I O P")) << "capitals lock ended after a letter";
  click(kWidth * 0.075, third_row);
  EXPECT_TRUE(row_reads(0, "q w e r t y u i o p"));

  // Hidden and shown again, it starts on lower-case letters.
  click(kWidth * 0.075, bottom_row);
  EXPECT_TRUE(row_reads(0, "1 2 3 4 5 6 7 8 9 0"));
  eval("weftKeyboard({active: false, physicalKeyboard: false, purpose: 0}); return 0;");
  eval("weftKeyboard({active: true, physicalKeyboard: false, purpose: 0}); return 0;");
  EXPECT_TRUE(row_reads(0, "q w e r t y u i o p"));
  click(kWidth * 0.075, bottom_row);
  EXPECT_TRUE(row_reads(0, "1 2 3 4 5 6 7 8 9 0"));
  auto symbols = capture_->settle(kTimeoutMs);
  ASSERT_TRUE(symbols.ok()) << symbols.error().message;
  if (const char* out = std::getenv("WEFT_WEBVIEW_OSK_SYMBOLS_PNG")) {
    ASSERT_TRUE(write_png(*symbols, out).ok());
  }
}

TEST_F(SystemPageTest, SuperTogglesTheLauncherAndEnterLaunchesTheFocusedApp) {
  key(XKB_KEY_Super_L, 133);
  ASSERT_TRUE(run_until([&] { return eval("return weftShellState().launcherOpen;") == "true"; }, kTimeoutMs));
  auto image = capture_->settle(kTimeoutMs);
  ASSERT_TRUE(image.ok()) << image.error().message;
  if (const char* out = std::getenv("WEFT_WEBVIEW_LAUNCHER_PNG")) {
    ASSERT_TRUE(write_png(*image, out).ok());
  }
  // Two accent icon tiles in the centred launcher panel.
  EXPECT_GT(test::fraction_near(*image, kWidth / 2 - 250, 200, 500, 200, kAccent, 12), 0.02);
  // App names are text, never markup.
  EXPECT_EQ(eval("return document.querySelectorAll('#grid b').length;"), "0");
  EXPECT_EQ(eval("return [...document.querySelectorAll('#grid .name')].map(n => n.textContent);"),
            "[\"Counter\",\"<b>Notes</b>\"]");
  EXPECT_EQ(eval("return document.activeElement.dataset.appId;"), "\"org.weft.demo.counter\"");
  key(XKB_KEY_Right, 114);
  EXPECT_TRUE(run_until([&] { return eval("return document.activeElement.dataset.appId;") == "\"org.weft.demo.notes\""; }, kTimeoutMs));
  key(XKB_KEY_Return, 36);
  ASSERT_TRUE(request_seen("LAUNCH_APP"));
  EXPECT_EQ(last_request("LAUNCH_APP")->dump(), R"({"app_id":"org.weft.demo.notes","surface_id":0,"type":"LAUNCH_APP"})");
  EXPECT_EQ(eval("return weftShellState().launcherOpen;"), "false");
  key(XKB_KEY_Super_L, 133);
  ASSERT_TRUE(run_until([&] { return eval("return weftShellState().launcherOpen;") == "true"; }, kTimeoutMs));
  key(XKB_KEY_Escape, 9);
  EXPECT_TRUE(run_until([&] { return eval("return weftShellState().launcherOpen;") == "false"; }, kTimeoutMs));
}

TEST_F(SystemPageTest, ClickingAnEntryActivatesItAndItsCloseButtonTerminatesIt) {
  ASSERT_TRUE(capture_->settle(kTimeoutMs).ok());
  auto centre = [&](const char* selector) {
    std::string json = eval(std::string("const r = document.querySelector('") + selector +
                            "').getBoundingClientRect(); return [Math.round(r.x + r.width / 2), Math.round(r.y + r.height / 2)];");
    auto value = nlohmann::json::parse(json, nullptr, false);
    return value.is_array() ? std::pair<int, int>{value[0], value[1]} : std::pair<int, int>{-1, -1};
  };
  auto [lx, ly] = centre("#entries .entry .label");
  click(lx, ly);
  ASSERT_TRUE(request_seen("ACTIVATE_APP"));
  EXPECT_EQ(last_request("ACTIVATE_APP")->value("session_id", 0), 1);
  auto [cx, cy] = centre("#entries .entry .close");
  click(cx, cy);
  ASSERT_TRUE(request_seen("TERMINATE_APP"));
  EXPECT_EQ(last_request("TERMINATE_APP")->value("session_id", 0), 1);
  // appd's APP_STATE transitions drive the entry: stopping dims it, stopped removes it.
  appd_->broadcast({{"type", "APP_STATE"}, {"session_id", 1}, {"state", "stopping"}});
  EXPECT_TRUE(run_until([&] { return eval("return document.querySelector('#entries .entry.stopping') !== null;") == "true"; }, kTimeoutMs));
  appd_->broadcast({{"type", "APP_STATE"}, {"session_id", 1}, {"state", "stopped"}});
  EXPECT_TRUE(run_until([&] { return eval("return document.querySelectorAll('#entries .entry').length;") == "0"; }, kTimeoutMs));
  appd_->broadcast({{"type", "ERROR"}, {"code", 404}, {"message", "<i>package</i> missing"}});
  EXPECT_TRUE(run_until([&] { return eval("return document.querySelector('.toast')?.textContent ?? '';") == "\"Cannot open: <i>package</i> missing\""; }, kTimeoutMs));
}

TEST_F(SystemPageTest, SystemResourcesAreServedAndNothingOutsideThem) {
  EXPECT_EQ(eval("return await (await fetch('weft-system://text/hello.txt')).text();"), "\"hello from weft-system\"");
  EXPECT_EQ(eval("const r = await fetch('weft-system://text/%2e%2e/%2e%2e/resources/text/hello.txt'); return r.status;"),
            "404");
  EXPECT_EQ(eval("try { const r = await fetch('weft-system://text/missing.txt'); return r.status; } catch (e) { return 'refused'; }"),
            "404");
}

TEST(AppdEndpoint, ReadsPortAndTokenAndRejectsMalformedFiles) {
  weft::test::TempDir temp("endpoint");
  const std::string& dir = temp.path();
  ASSERT_TRUE(write_file_atomic(dir + "/p", " 7410\n").ok());
  ASSERT_TRUE(write_file_atomic(dir + "/t", "0123456789abcdef0123456789abcdef\n").ok());
  auto endpoint = read_appd_endpoint(dir + "/p", dir + "/t");
  ASSERT_TRUE(endpoint.ok()) << endpoint.error().message;
  EXPECT_EQ(endpoint->port, 7410);
  EXPECT_EQ(endpoint_call(*endpoint), "window.weftAppdEndpoint && window.weftAppdEndpoint(7410, \"0123456789abcdef0123456789abcdef\");");
  ASSERT_TRUE(write_file_atomic(dir + "/t", "\"); alert(1); (\"").ok());
  EXPECT_FALSE(read_appd_endpoint(dir + "/p", dir + "/t").ok());
  ASSERT_TRUE(write_file_atomic(dir + "/t", "0123456789abcdef0123456789abcdef").ok());
  ASSERT_TRUE(write_file_atomic(dir + "/p", "70000").ok());
  auto bad_port = read_appd_endpoint(dir + "/p", dir + "/t");
  ASSERT_FALSE(bad_port.ok());
  EXPECT_NE(bad_port.error().message.find("not a TCP port"), std::string::npos);
  EXPECT_FALSE(read_appd_endpoint(dir + "/missing", dir + "/t").ok());
}

}  // namespace
}  // namespace weft::webview
