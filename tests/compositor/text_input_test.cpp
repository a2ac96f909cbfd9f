// Text input (§2.3): the compositor relays the focused client's zwp_text_input_v3 to the system UI's input method
// and the input method's strings back; only non-session clients (the system UI) see the input-method and
// virtual-keyboard globals. The input method here is a scripted stand-in (TestInputMethod) for the on-screen keyboard.

#include <linux/input-event-codes.h>

#include "session_fixture.hpp"
#include "test_text_input.hpp"

using namespace weft::test;

namespace {

constexpr uint64_t kSession = 9;
const std::string kAppId = "org.weft.demo.notes";
const std::string kComposed = "Grüße 日本";

class TextInput : public SessionCompositorTest {
 protected:
  /// The system UI with the input method, and a focused session app whose field enabled text input.
  void start_typing_session() {
    system_ui = connect();
    ASSERT_NE(system_ui, nullptr);
    method = std::make_unique<TestInputMethod>(*system_ui);
    ASSERT_TRUE(method->bound()) << "the system UI was not offered zwp_input_method_manager_v2";
    app = bind(kSession, kAppId);
    ASSERT_NE(app, nullptr) << harness->log();
    field = std::make_unique<TestTextInput>(*app);
    window = make_app(*app, "notes", kRed);
    wait_drawn(*window);
    ASSERT_TRUE(wait_until([&] { return field->entered == window->surface; })) << "the focused app's field got no enter";
    field->enable("Hello ", 6, ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_NORMAL);
    ASSERT_TRUE(wait_until([&] { return method->active; })) << "the input method was not activated";
  }

  std::unique_ptr<TestClient> system_ui, app;
  std::unique_ptr<TestInputMethod> method;
  std::unique_ptr<TestTextInput> field;
  std::unique_ptr<TestWindow> window;
};

}  // namespace

TEST_F(TextInput, SessionClientsSeeNeitherTheInputMethodNorTheVirtualKeyboard) {
  auto app_client = bind(kSession, kAppId);
  ASSERT_NE(app_client, nullptr) << harness->log();
  EXPECT_TRUE(app_client->has_global("zwp_text_input_manager_v3")) << "apps need text input";
  EXPECT_FALSE(app_client->has_global("zwp_input_method_manager_v2"));
  EXPECT_FALSE(app_client->has_global("zwp_virtual_keyboard_manager_v1"));
  TestInputMethod attempt(*app_client);
  EXPECT_FALSE(attempt.bound());

  auto system = connect();
  EXPECT_TRUE(system->has_global("zwp_input_method_manager_v2"));
  EXPECT_TRUE(system->has_global("zwp_virtual_keyboard_manager_v1"));
}

TEST_F(TextInput, EnablingAFieldActivatesTheInputMethodWithItsSurroundingTextAndPurpose) {
  start_typing_session();
  EXPECT_EQ(method->surrounding, "Hello ");
  EXPECT_EQ(method->cursor, 6u);
  EXPECT_EQ(method->purpose, static_cast<uint32_t>(ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_NORMAL));

  // A later commit of the field (the user typed) reaches the input method too.
  field->enable("Hello world", 11, ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_EMAIL);
  ASSERT_TRUE(wait_until([&] { return method->surrounding == "Hello world"; }));
  EXPECT_EQ(method->purpose, static_cast<uint32_t>(ZWP_TEXT_INPUT_V3_CONTENT_PURPOSE_EMAIL));
}

TEST_F(TextInput, PreeditThenCommitStringsReachTheFocusedFieldAsComposedText) {
  start_typing_session();
  method->set_preedit("Grü");
  method->commit();
  ASSERT_TRUE(wait_until([&] { return field->preedit == "Grü"; })) << "preedit: " << field->preedit;
  EXPECT_EQ(field->committed, "");

  method->commit_string(kComposed);
  method->commit();
  ASSERT_TRUE(wait_until([&] { return field->committed == kComposed; })) << "committed: " << field->committed;
  EXPECT_EQ(field->preedit, "") << "a done without a preedit clears it";

  method->delete_surrounding(2, 0);
  method->commit();
  ASSERT_TRUE(wait_until([&] { return field->deleted_before == 2u; }));
}

TEST_F(TextInput, ACommitAnsweringAnOutdatedDoneIsStillAppliedSoNoKeystrokeIsLost) {
  // input-method-v2: a commit whose serial lags the done events is evaluated and applied as normal. Under load the
  // field's own update (a new done) often crosses a key the input method already committed.
  start_typing_session();
  const uint32_t dones_before = field->dones;
  method->commit_string("typed while the field changed");
  method->commit(method->dones + 7);
  ASSERT_TRUE(wait_until([&] { return field->committed == "typed while the field changed"; }))
      << "committed: " << field->committed;
  method->commit_string("fresh");
  method->commit();
  ASSERT_TRUE(wait_until([&] { return field->committed == "typed while the field changedfresh"; }))
      << "committed: " << field->committed;
  EXPECT_EQ(field->dones, dones_before + 2);
}

TEST_F(TextInput, FocusMovingToAnotherWindowDeactivatesTheInputMethodAndStringsNoLongerReachTheOldField) {
  start_typing_session();
  auto other = connect();
  auto other_window = make_app(*other, "other", kGreen);
  wait_drawn(*other_window);
  ASSERT_EQ(focused_title(), "other");
  ASSERT_TRUE(wait_until([&] { return !method->active && field->leaves == 1; }));

  method->commit_string("lost");
  method->commit();
  settle(*system_ui);
  settle(*app);
  EXPECT_EQ(field->committed, "");
}

TEST_F(TextInput, DisablingTheFieldDeactivatesTheInputMethod) {
  start_typing_session();
  field->disable();
  ASSERT_TRUE(wait_until([&] { return !method->active; }));
}

TEST_F(TextInput, ASecondInputMethodIsToldItIsUnavailable) {
  auto system = connect();
  TestInputMethod first(*system);
  auto other_system = connect();
  TestInputMethod second(*other_system);
  ASSERT_TRUE(wait_until([&] { return second.unavailable; }));
  EXPECT_FALSE(first.unavailable);
}

TEST_F(TextInput, TheVirtualKeyboardsKeysReachTheFocusedClient) {
  start_typing_session();
  ASSERT_TRUE(method->create_virtual_keyboard());
  method->tap_key(KEY_A);
  ASSERT_TRUE(wait_until([&] { return !app->keys_received.empty(); })) << harness->log();
  EXPECT_EQ(app->keys_received.back(), static_cast<uint32_t>(KEY_A));
}

/// Presses and releases `key` on the headless test keyboard.
void tap_test_keyboard(TestClient& driver, uint32_t key) {
  weft_test_v1_key(driver.control, key, 1);
  weft_test_v1_key(driver.control, key, 0);
  wl_display_flush(driver.display);
}

constexpr uint32_t kKeyboardCapability = WL_SEAT_CAPABILITY_KEYBOARD;

TEST_F(TextInput, TheSeatsKeyboardCapabilityGoesWithTheUnpluggedKeyboardAndComesBackWithIt) {
  start_typing_session();
  ASSERT_TRUE(app->seat_capabilities & kKeyboardCapability) << "the test keyboard is plugged in at start";
  ASSERT_TRUE(system_ui->seat_capabilities & kKeyboardCapability);

  ASSERT_TRUE(driver->set_keyboard_plugged(false));
  ASSERT_TRUE(wait_until([&] { return !(app->seat_capabilities & kKeyboardCapability); }))
      << "the app still hears a keyboard after the only one was unplugged";
  ASSERT_TRUE(wait_until([&] { return !(system_ui->seat_capabilities & kKeyboardCapability); }))
      << "the input method still hears a keyboard after the only one was unplugged";
  EXPECT_TRUE(app->seat_capabilities & WL_SEAT_CAPABILITY_POINTER) << "the pointer went with the keyboard";
  // The focused field keeps the input method (the on-screen keyboard types into it now).
  settle(*driver);
  app->roundtrip();
  system_ui->roundtrip();
  EXPECT_TRUE(method->active) << "the field lost the input method with the keyboard";
  EXPECT_EQ(field->leaves, 0) << "the field was left when the keyboard went";
  EXPECT_EQ(focused_title(), "notes");
  // A key pressed on the unplugged keyboard reaches nobody (and is no protocol error).
  tap_test_keyboard(*driver, KEY_B);
  settle(*driver);
  EXPECT_TRUE(app->keys_received.empty());
  EXPECT_EQ(driver->error(), 0);

  ASSERT_TRUE(driver->set_keyboard_plugged(true));
  ASSERT_TRUE(wait_until([&] { return (app->seat_capabilities & kKeyboardCapability) && app->keyboard; }))
      << "the app hears no keyboard after it was plugged back in";
  ASSERT_TRUE(wait_until([&] { return (system_ui->seat_capabilities & kKeyboardCapability) != 0; }))
      << "the input method hears no keyboard after it was plugged back in";
  // The re-plugged keyboard types into the focused app through its new wl_keyboard.
  ASSERT_TRUE(wait_until([&] { return app->keyboard_focus == window->surface; }))
      << "the focused app's new wl_keyboard got no enter";
  tap_test_keyboard(*driver, KEY_C);
  ASSERT_TRUE(wait_until([&] { return !app->keys_received.empty(); })) << harness->log();
  EXPECT_EQ(app->keys_received.back(), static_cast<uint32_t>(KEY_C));
}

TEST_F(TextInput, AVirtualKeyboardGivesAppsTheKeyboardCapabilityButTheInputMethodStillHearsNoPhysicalOne) {
  start_typing_session();
  ASSERT_TRUE(driver->set_keyboard_plugged(false));
  ASSERT_TRUE(wait_until([&] { return !(app->seat_capabilities & kKeyboardCapability); }));
  ASSERT_TRUE(method->create_virtual_keyboard());
  // The app gets a wl_keyboard for the virtual keyboard's keys (that they reach it: the next test).
  ASSERT_TRUE(wait_until([&] { return (app->seat_capabilities & kKeyboardCapability) && app->keyboard; }))
      << "a virtual keyboard gave the seat no keyboard capability";
  // The input method (the on-screen keyboard's client) hears of device keyboards only: still none.
  settle(*driver);
  system_ui->roundtrip();
  EXPECT_FALSE(system_ui->seat_capabilities & kKeyboardCapability)
      << "the input method's client believes a physical keyboard is plugged in";
  // A wl_seat it binds now hears the same, once the bind is over.
  struct SeenCapabilities {
    uint32_t latest = 0;
  } seen;
  static const wl_seat_listener kListener = {
      .capabilities = [](void* data, wl_seat*, uint32_t caps) { static_cast<SeenCapabilities*>(data)->latest = caps; },
      .name = [](void*, wl_seat*, const char*) {},
  };
  auto* second_seat = static_cast<wl_seat*>(
      wl_registry_bind(system_ui->registry, system_ui->global_names.at("wl_seat"), &wl_seat_interface, 5));
  wl_seat_add_listener(second_seat, &kListener, &seen);
  system_ui->roundtrip();
  system_ui->roundtrip();
  EXPECT_TRUE(seen.latest & WL_SEAT_CAPABILITY_POINTER) << "the second wl_seat heard no capabilities";
  EXPECT_FALSE(seen.latest & kKeyboardCapability) << "a wl_seat bound later hears the virtual keyboard";

  // A physical keyboard plugged in: the input method hears it on both wl_seats; pulled again, it hears it go while the
  // app keeps the virtual keyboard's capability.
  ASSERT_TRUE(driver->set_keyboard_plugged(true));
  ASSERT_TRUE(wait_until([&] { return (system_ui->seat_capabilities & kKeyboardCapability) != 0; }));
  EXPECT_TRUE(seen.latest & kKeyboardCapability);
  ASSERT_TRUE(driver->set_keyboard_plugged(false));
  ASSERT_TRUE(wait_until([&] { return !(system_ui->seat_capabilities & kKeyboardCapability); }));
  EXPECT_FALSE(seen.latest & kKeyboardCapability);
  EXPECT_TRUE(app->seat_capabilities & kKeyboardCapability) << "the virtual keyboard is still plugged in";
  wl_seat_release(second_seat);
}

TEST_F(TextInput, AVirtualKeyboardOnASeatWithNoKeyboardEntersTheFocusedWindowAndItsKeysReachIt) {
  start_typing_session();
  ASSERT_TRUE(driver->set_keyboard_plugged(false));
  ASSERT_TRUE(wait_until([&] { return !(app->seat_capabilities & kKeyboardCapability) && !app->keyboard; }));
  // A window takes the focus while the seat has no keyboard at all.
  auto other = connect();
  auto other_window = make_app(*other, "other", kGreen);
  wait_drawn(*other_window);
  ASSERT_EQ(focused_title(), "other");
  ASSERT_EQ(other->keyboard, nullptr);

  ASSERT_TRUE(method->create_virtual_keyboard());
  ASSERT_TRUE(wait_until([&] { return other->keyboard && other->keyboard_focus == other_window->surface; }))
      << "the focused window's wl_keyboard got no enter from the virtual keyboard's seat";
  EXPECT_GE(other->keymaps_received, 1) << "its wl_keyboard got no keymap to read the keys with";
  method->tap_key(KEY_A);
  ASSERT_TRUE(wait_until([&] { return !other->keys_received.empty(); })) << harness->log();
  EXPECT_EQ(other->keys_received, std::vector<uint32_t>{KEY_A});
  EXPECT_TRUE(app->keys_received.empty()) << "the unfocused app got the key";

  // The window closed: the focus goes back to the notes window, whose wl_keyboard (created with the virtual keyboard)
  // is entered, and the next key reaches it.
  other_window.reset();
  ASSERT_TRUE(wait_until([&] { return app->keyboard_focus == window->surface; })) << "focus: " << focused_title();
  method->tap_key(KEY_B);
  ASSERT_TRUE(wait_until([&] { return !app->keys_received.empty(); })) << harness->log();
  EXPECT_EQ(app->keys_received, std::vector<uint32_t>{KEY_B});
}

TEST_F(TextInput, APressOnTheInputMethodsOwnWindowWhileItTypesLeavesTheFocusOnTheField) {
  start_typing_session();
  // The system UI's panel (full output, beneath apps): its bottom strip is where the on-screen keyboard is drawn.
  auto panel = make_panel(*system_ui);
  wait_drawn(*panel);
  ASSERT_EQ(focused_title(), "notes");
  driver->click(kOutputWidth / 2.0, kOutputHeight - kPanelZone / 2.0);
  settle(*driver);
  EXPECT_EQ(focused_title(), "notes") << "the keyboard's press took the focus";
  EXPECT_TRUE(method->active);

  // Without a field to type into, the same press focuses the panel as any window.
  field->disable();
  ASSERT_TRUE(wait_until([&] { return !method->active; }));
  driver->click(kOutputWidth / 2.0, kOutputHeight - kPanelZone / 2.0);
  settle(*driver);
  EXPECT_EQ(focused_title(), "panel");
}

TEST_F(TextInput, TheCursorRectangleReachesTheInputMethodsPopupWhichShowsBelowTheCursor) {
  start_typing_session();  // the field's cursor rectangle: (10, 20) 1×16 in its window, at the output's origin
  method->create_popup(60, 30, kYellow);
  ASSERT_TRUE(wait_until([&] { return method->popup_rectangle.has_value(); })) << "no text_input_rectangle";
  EXPECT_EQ(method->popup_rectangle->x, 10);
  EXPECT_EQ(method->popup_rectangle->y, 20);
  EXPECT_EQ(method->popup_rectangle->height, 16);
  settle(*system_ui);
  auto png = driver->capture("input-popup");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(10 + 30, 36 + 15), kYellow) << "the popup is not below the cursor";
  EXPECT_EQ(png->at(10 + 30, 36 - 4), kRed) << "the popup covers the cursor line";

  // No field to type into: the popup is hidden.
  field->disable();
  ASSERT_TRUE(wait_until([&] { return !method->active; }));
  auto after = driver->capture("input-popup-hidden");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->at(10 + 30, 36 + 15), kRed);
}

TEST_F(TextInput, AKeyboardGrabTakesThePhysicalKeysWhileTheInputMethodsOwnVirtualKeysStillReachTheField) {
  start_typing_session();
  ASSERT_TRUE(method->create_virtual_keyboard());
  method->grab_keyboard();
  ASSERT_TRUE(wait_until([&] { return method->grab_keymap; })) << "the grab got no keymap";
  app->keys_received.clear();
  weft_test_v1_key(driver->control, KEY_A, 1);
  weft_test_v1_key(driver->control, KEY_A, 0);
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return !method->grabbed_keys.empty(); })) << "the grab got no key";
  EXPECT_EQ(method->grabbed_keys.back(), static_cast<uint32_t>(KEY_A));

  // What the input method passes on through its virtual keyboard goes to the field, not back into the grab.
  method->tap_key(KEY_B);
  ASSERT_TRUE(wait_until([&] { return !app->keys_received.empty(); }));
  EXPECT_EQ(app->keys_received, std::vector<uint32_t>{KEY_B}) << "the physical key leaked past the grab";
  EXPECT_EQ(method->grabbed_keys.size(), 1u);

  // Released: physical keys reach the focused client again.
  method->release_keyboard();
  settle(*system_ui);
  weft_test_v1_key(driver->control, KEY_C, 1);
  weft_test_v1_key(driver->control, KEY_C, 0);
  wl_display_flush(driver->display);
  ASSERT_TRUE(wait_until([&] { return app->keys_received.size() == 2; }));
  EXPECT_EQ(app->keys_received.back(), static_cast<uint32_t>(KEY_C));
}

TEST_F(TextInput, ASessionClientBindingTheInputMethodByItsRegistryNameIsDisconnected) {
  auto system = connect();
  ASSERT_EQ(system->global_names.count("zwp_input_method_manager_v2"), 1u);
  const uint32_t name = system->global_names["zwp_input_method_manager_v2"];
  auto app_client = bind(kSession, kAppId);
  ASSERT_NE(app_client, nullptr) << harness->log();
  // Registry names are small integers shared by every client: a hostile app can guess the hidden one.
  wl_registry_bind(app_client->registry, name, &zwp_input_method_manager_v2_interface, 1);
  app_client->roundtrip();
  EXPECT_NE(app_client->error(), 0) << "the bind of a hidden global was accepted";
  // The compositor and the system UI carry on.
  EXPECT_TRUE(system->roundtrip());
}
