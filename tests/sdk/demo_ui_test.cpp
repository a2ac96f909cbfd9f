// The demo apps' pages in a real WPE view (headless), wired through the real JS bridge to the real components, as
// weft-app-shell and appd would wire them: what the user sees after clicks and keys, in pixels and DOM text.
// Screenshots go to $WEFT_DEMO_UI_PNG_DIR when set.
#include <gtest/gtest.h>
#include <xkbcommon/xkbcommon-keysyms.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app_harness.hpp"
#include "app_page.hpp"
#include "bridge_channel.hpp"
#include "bridge_relay.hpp"
#include "headless_capture.hpp"
#include "weft/test/pixels.hpp"

namespace weft::test {
namespace {

namespace fs = std::filesystem;
using webview::Rgba;
constexpr int kTimeoutMs = 60000;
const Rgba kBackground{0x15, 0x17, 0x1c, 255};
using desktop::kAccent;
using desktop::kNegative;

// One demo page in a view whose bridge is relayed, line by line, to the app's component (jco backend).
class DemoUi : public ::testing::Test {
 protected:
  void open(const AppFiles& app, const std::string& package, const std::vector<std::string>& runtime_args = {}) {
    component_.emplace(AppSession::start(Backend::Jco, app, runtime_args));
    ASSERT_TRUE(component_->ok()) << component_->error();
    fs::create_directories(dir_ / "cache");
    auto page = webview::AppPage::create({.app_id = app.app_id,
                                          .session_id = 1,
                                          .entry_path = package + "/ui/index.html",
                                          .ui_kit_path = WEFT_UI_KIT_JS,
                                          .cache_dir = dir_ / "cache"});
    ASSERT_TRUE(page.ok()) << page.error().message;
    page_ = std::move(page).value();
    auto view = page_->create_view(800, 600);
    ASSERT_TRUE(view.ok()) << view.error().message;
    view_ = std::move(view).value();
    view_->set_focused(true);
    capture_ = std::make_unique<webview::HeadlessCapture>(*view_);
    auto pair = unix_socket_pair();
    ASSERT_TRUE(pair.ok());
    appd_end_ = std::move(pair->second);
    ASSERT_TRUE(set_nonblocking(appd_end_.get()).ok());
    relay_.emplace(appd_end_.get(), *component_);
    bridge_ = std::make_unique<webview::BridgeChannel>(*view_, page_->environment().content_manager(),
                                                       std::move(pair->first), [] {});
    auto loaded = view_->load_and_wait(page_->files().entry_uri().c_str(), kTimeoutMs);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  }

  void TearDown() override {
    bridge_.reset();
    capture_.reset();
    view_.reset();
    page_.reset();
  }

  // Moves whatever is waiting between the page's bridge and the component (what appd's relay does).
  void pump() { ASSERT_TRUE(relay_->pump()) << relay_->error(); }

  std::string eval(const std::string& body) {
    auto r = view_->evaluate(body.c_str(), kTimeoutMs);
    return r.ok() ? *r : "error: " + r.error().message;
  }
  // Relays until the JS expression is true; false on timeout.
  bool wait_for(const std::string& expression) {
    return webview::run_until([&] { pump(); return eval("return Boolean(" + expression + ");") == "true"; },
                              kTimeoutMs);
  }
  std::string text_of(const std::string& id) { return eval("return document.getElementById('" + id + "').textContent;"); }

  void key(uint32_t keysym, uint32_t hardware, uint32_t modifiers = 0) {
    for (bool pressed : {true, false}) {
      wpe_input_keyboard_event event = {0, keysym, hardware, pressed, modifiers};
      view_->dispatch_key(&event);
    }
  }
  // A real pointer click at the centre of the element with this id.
  void click(const std::string& id) {
    auto centre = nlohmann::json::parse(eval("const r = document.getElementById('" + id +
                                             "').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];"));
    int x = static_cast<int>(centre[0].get<double>()), y = static_cast<int>(centre[1].get<double>());
    wpe_input_pointer_event move = {wpe_input_pointer_event_type_motion, 0, x, y, 0, 0, 0};
    view_->dispatch_pointer(&move);
    wpe_input_pointer_event press = {wpe_input_pointer_event_type_button, 0, x, y, 1, 1,
                                     wpe_input_pointer_modifier_button1};
    view_->dispatch_pointer(&press);
    wpe_input_pointer_event release = {wpe_input_pointer_event_type_button, 0, x, y, 1, 0, 0};
    view_->dispatch_pointer(&release);
  }
  // The element's box in view pixels: {x, y, w, h}.
  std::array<int, 4> box_of(const std::string& id) {
    auto r = nlohmann::json::parse(
        eval("const r = document.getElementById('" + id + "').getBoundingClientRect(); return [r.x, r.y, r.width, r.height];"));
    return {int(r[0].get<double>()), int(r[1].get<double>()), int(r[2].get<double>()), int(r[3].get<double>())};
  }
  webview::Image screenshot(const std::string& name) {
    pump();
    auto image = capture_->settle(kTimeoutMs);
    EXPECT_TRUE(image.ok()) << (image.ok() ? "" : image.error().message);
    if (!image.ok()) return {};
    EXPECT_TRUE(keep_png(*image, "WEFT_DEMO_UI_PNG_DIR", name + ".png").ok());
    return *image;
  }

  TempDir dir_;
  std::optional<AppSession> component_;
  std::unique_ptr<webview::AppPage> page_;
  std::unique_ptr<webview::WebView> view_;
  std::unique_ptr<webview::HeadlessCapture> capture_;
  std::unique_ptr<webview::BridgeChannel> bridge_;
  UniqueFd appd_end_;
  std::optional<BridgeRelay> relay_;
};

TEST_F(DemoUi, TheCounterShowsTheComponentsNumberAndFollowsButtonsAndKeys) {
  open(counter_app(), WEFT_PACKAGES_DIR "/org.weft.demo.counter");
  ASSERT_TRUE(wait_for("document.getElementById('count').textContent === '0'")) << text_of("count");
  EXPECT_EQ(eval("return document.getElementById('increment').getAttribute('aria-label');"), "\"Increment\"");
  EXPECT_EQ(eval("return document.getElementById('decrement').getAttribute('aria-label');"), "\"Decrement\"");
  webview::Image zero = screenshot("counter-zero");
  EXPECT_TRUE(weft::test::near(zero.at(5, 5), kBackground)) << "page background";
  auto plus = box_of("increment");
  EXPECT_GT(weft::test::fraction_near(zero, plus[0] + 2, plus[1] + 2, plus[2] - 4, plus[3] - 4, kAccent), 0.5)
      << "the + button is drawn in the accent colour";

  key(XKB_KEY_Up, 111);
  ASSERT_TRUE(wait_for("document.getElementById('count').textContent === '1'")) << text_of("count");
  key(XKB_KEY_plus, 21);
  ASSERT_TRUE(wait_for("document.getElementById('count').textContent === '2'")) << text_of("count");
  click("decrement");
  ASSERT_TRUE(wait_for("document.getElementById('count').textContent === '1'")) << text_of("count");
  for (int i = 0; i < 3; ++i) key(XKB_KEY_Down, 116);
  ASSERT_TRUE(wait_for("document.getElementById('count').textContent === '-2'")) << text_of("count");

  webview::Image negative = screenshot("counter-negative");
  auto number = box_of("count");
  EXPECT_GT(weft::test::fraction_near(negative, number[0], number[1], number[2], number[3], kNegative, 24), 0.03)
      << "a negative number is drawn in red";
  EXPECT_EQ(weft::test::fraction_near(zero, number[0], number[1], number[2], number[3], kNegative, 24), 0.0);

  click("reset");
  ASSERT_TRUE(wait_for("document.getElementById('count').textContent === '0'")) << text_of("count");
  key(XKB_KEY_r, 27);  // resetting at 0 still answers: the page shows 0 from that reply
  key(XKB_KEY_Up, 111);
  ASSERT_TRUE(wait_for("document.getElementById('count').textContent === '1'")) << text_of("count");
}

TEST_F(DemoUi, NotesSavesWithCtrlSCountsUtf16CharsAndReportsAConflict) {
  TempDir data;
  open(notes_app(), WEFT_PACKAGES_DIR "/org.weft.demo.notes", {"--preopen", data.path() + "::/data::rw"});
  ASSERT_TRUE(wait_for("!document.getElementById('editor').readOnly")) << text_of("status");
  EXPECT_EQ(text_of("chars"), "\"0 chars\"");

  // Typing: the value as an input method would leave it, then the input event the page listens to.
  eval("const e = document.getElementById('editor'); e.value = 'héllo 😀'; e.dispatchEvent(new Event('input')); return 1;");
  EXPECT_EQ(text_of("chars"), "\"8 chars\"") << "😀 is two UTF-16 code units";
  key(XKB_KEY_s, 39, wpe_input_keyboard_modifier_control);
  ASSERT_TRUE(wait_for("document.getElementById('status').textContent === 'saved'")) << text_of("status");
  std::ifstream stored(data / "notes.txt", std::ios::binary);
  std::stringstream bytes;
  bytes << stored.rdbuf();
  EXPECT_EQ(bytes.str(), "héllo 😀");
  screenshot("notes-saved");

  // Another window changes the notes: this one's save must not overwrite them.
  std::ofstream(data / "notes.txt", std::ios::binary | std::ios::trunc) << "from elsewhere";
  eval("const e = document.getElementById('editor'); e.value += '!'; e.dispatchEvent(new Event('input')); return 1;");
  click("save");
  ASSERT_TRUE(wait_for("document.getElementById('status').classList.contains('error')")) << text_of("status");
  EXPECT_NE(text_of("status").find("another window changed the notes"), std::string::npos) << text_of("status");
  screenshot("notes-conflict");

  click("discard");
  ASSERT_TRUE(wait_for("document.getElementById('editor').value === 'from elsewhere'"))
      << eval("return document.getElementById('editor').value;");
  EXPECT_EQ(text_of("chars"), "\"14 chars\"");
}

TEST_F(DemoUi, TheTodoListAddsTogglesAndShowsItemTextAsText) {
  open(todo_app(), WEFT_PACKAGES_DIR "/org.weft.demo.todo");
  ASSERT_TRUE(wait_for("document.getElementById('status').textContent === 'nothing to do'")) << text_of("status");

  // Type into the focused input and press Enter: the form submits, the component adds the item.
  for (char c : std::string("milk")) key(static_cast<uint32_t>(c), 0);
  key(XKB_KEY_Return, 36);
  ASSERT_TRUE(wait_for("document.querySelectorAll('#items li').length === 1")) << text_of("status");
  eval("document.getElementById('text').value = '<b>bold</b>'; return 1;");
  key(XKB_KEY_Return, 36);
  ASSERT_TRUE(wait_for("document.querySelectorAll('#items li').length === 2")) << text_of("status");
  EXPECT_EQ(eval("return [...document.querySelectorAll('#items label')].map(l => l.textContent);"),
            "[\"milk\",\"<b>bold</b>\"]");
  EXPECT_EQ(eval("return document.querySelectorAll('#items b').length;"), "0") << "item text became markup";
  EXPECT_EQ(text_of("status"), "\"2 of 2 open\"");

  auto box = box_of("item-1");
  double label_x = std::stod(eval("return document.querySelector('#items label').getBoundingClientRect().x;"));
  EXPECT_LT(label_x, box[0] + box[2] + 24) << "the item text sits right next to its checkbox";
  EXPECT_LT(box[0], 200) << "the checkbox starts the row";
  click("item-1");
  ASSERT_TRUE(wait_for("document.querySelector('#items li').classList.contains('done')"));
  EXPECT_EQ(text_of("status"), "\"1 of 2 open\"");
  screenshot("todo");
  click("clear");
  ASSERT_TRUE(wait_for("document.querySelectorAll('#items li').length === 1"));
  EXPECT_EQ(eval("return document.querySelector('#items label').textContent;"), "\"<b>bold</b>\"");
}

}  // namespace
}  // namespace weft::test
