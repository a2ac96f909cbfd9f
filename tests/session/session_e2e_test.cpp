// weft-session end to end (ctest label e2e): the real session with the real compositor (headless), appd, shell,
// runtimes and app shells. Each test owns its user directories and processes; assertions are on what a user sees
// (pixels), what appd answers, files on disk and the process table.
#include <gtest/gtest.h>
#include <linux/input-event-codes.h>
#include <signal.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <thread>
#include <tuple>

#include "session_harness.hpp"
#include "weft/core/fd.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/pixels.hpp"

namespace weft::session::test {
namespace {

using namespace std::chrono_literals;

/// Centres of the launcher's accent icons, left to right (nothing else on an empty desktop is accent-coloured
/// except the Apps button in the taskbar, which is skipped).
std::vector<int> launcher_icons(const Frame& frame) {
  for (int y = 0; y < kHeight - kTaskbar; ++y) {
    if (fraction_near(frame, 0, y, kWidth, 1, kAccent, 12) * kWidth < 30) continue;
    std::vector<int> icons;
    int start = -1;
    for (int x = 0; x <= kWidth; ++x) {
      bool accent = x < kWidth && fraction_near(frame, x, y + 6, 1, 1, kAccent, 12) > 0;
      if (accent && start < 0) start = x;
      if (!accent && start >= 0) {
        if (x - start >= 30) icons.push_back((start + x) / 2);
        start = -1;
      }
    }
    return icons;
  }
  return {};
}

Result<uint64_t> launch(SessionUnderTest& session, const std::string& app_id) {
  WEFT_TRY(auto client, session.appd());
  return client.launch(app_id);
}

/// LAUNCH_APP, then waits for the session to be running; its id.
Result<uint64_t> launch_running(SessionUnderTest& session, const std::string& app_id) {
  WEFT_TRY(uint64_t id, launch(session, app_id));
  if (!session.wait_state(id, "running")) return fail(app_id + " (session " + std::to_string(id) + ") is not running");
  return id;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

std::string names(const std::vector<ProcessInfo>& processes) {
  std::string text;
  for (const auto& p : processes) text += " " + p.comm + "(" + std::to_string(p.pid) + ")";
  return text.empty() ? " (none)" : text;
}

TEST(WeftSession, TheDesktopBootsWithTheTaskbarAtTheBottomAndTheLauncherListsTheInstalledDemos) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto desktop = session.capture();
  ASSERT_TRUE(desktop.ok());
  keep_screenshot(session.last_capture(), "boot-desktop.png");
  EXPECT_GT(fraction_near(*desktop, 0, kHeight - kTaskbar + 2, kWidth, kTaskbar - 2, kTaskbarColour, 4), 0.8)
      << "the taskbar does not fill the bottom 48 px";
  EXPECT_GT(fraction_near(*desktop, 0, 0, kWidth, kHeight - kTaskbar - 1, kDesktopColour, 4), 0.99)
      << "the desktop above the taskbar is not empty";

  auto client = session.appd();
  ASSERT_TRUE(client.ok());
  auto installed = client->installed();
  ASSERT_TRUE(installed.ok()) << installed.error().message;
  std::vector<std::string> ids;
  for (const auto& app : installed->apps) ids.push_back(app.app_id);
  EXPECT_NE(std::find(ids.begin(), ids.end(), kCounter), ids.end()) << "the counter demo was not installed";
  EXPECT_NE(std::find(ids.begin(), ids.end(), kNotes), ids.end()) << "the notes demo was not installed";
  // Installed into the session's own store, with the development key trusted there only.
  EXPECT_TRUE(std::filesystem::exists(session.data_home() + "/weft/dev-session/apps/" + kCounter));
  EXPECT_TRUE(std::filesystem::exists(session.data_home() + "/weft/dev-session/trusted-keys/weft-dev.pub"));

  // Super opens the launcher: one accent icon per installed app.
  Result<Frame> launcher = fail("Super never tapped");
  for (int attempt = 0; attempt < 6; ++attempt) {
    session.control().key(KEY_LEFTMETA);
    launcher = session.capture_until([&](const Frame& f) { return launcher_icons(f).size() == ids.size(); },
                                     std::to_string(ids.size()) + " launcher icons", 5000);
    if (launcher.ok()) break;
  }
  keep_screenshot(session.last_capture(), "boot-launcher.png");
  ASSERT_TRUE(launcher.ok()) << launcher.error().message;
}

TEST(WeftSession, LaunchStartsTheNamedAppOnceTheDesktopIsUp) {
  SessionUnderTest session;
  ASSERT_TRUE(session.spawn({"--headless", "--output", "1024x640", "--launch", kCounter}).ok());
  std::vector<msg::SessionInfo> sessions;
  ASSERT_TRUE(wait_until(
      [&] {
        auto client = session.appd();
        if (!client.ok()) return false;
        auto running = client->running();
        if (running.ok()) sessions = running->sessions;
        return !sessions.empty();
      },
      120s))
      << "no app was launched";
  EXPECT_EQ(sessions[0].app_id, kCounter);
  EXPECT_TRUE(session.wait_state(sessions[0].session_id, "running"));
}

TEST(WeftSession, TheReadyToastShowsAboveTheAppWindowWithoutTakingItsFocusAndGoesAway) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto counter = launch_running(session, kCounter);
  ASSERT_TRUE(counter.ok()) << counter.error().message;
  // The toast sits in the top right corner, over the counter's window (which fills the work area); its 4 px accent
  // edge is the only accent colour there.
  const int x = kWidth - 360, y = 0, w = 360, h = 80;
  auto toast_shown = [&](const Frame& f) { return fraction_near(f, x, y, w, h, kAccent, 12) > 0.003; };
  auto with_toast = session.capture_until(toast_shown, "the \"Counter is ready\" toast above the counter", 10000);
  keep_screenshot(session.last_capture(), "toast-over-app.png");
  ASSERT_TRUE(with_toast.ok()) << with_toast.error().message;
  EXPECT_GT(fraction_near(*with_toast, 0, 100, kWidth, 300, kCard, 4), 0.05) << "the counter's window is not on screen";
  EXPECT_EQ(session.control().focus_state().first, kCounter) << "the toast took the keyboard focus";
  auto gone = session.capture_until([&](const Frame& f) { return !toast_shown(f); }, "the toast to go after 4 s", 15000);
  EXPECT_TRUE(gone.ok()) << gone.error().message;
}

TEST(WeftSession, ASaveOverNotesChangedElsewhereIsShownAsAConflictAndTheOtherTextIsKept) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto notes = launch_running(session, kNotes);
  ASSERT_TRUE(notes.ok()) << notes.error().message;
  const std::string notes_file = session.data_home() + "/weft/app-data/" + kNotes + "/notes.txt";
  auto save = [&] {
    session.control().key_state(KEY_LEFTCTRL, true);
    session.control().key(KEY_S);
    session.control().key_state(KEY_LEFTCTRL, false);
  };
  // Keys typed before the editor is ready are dropped: type until the first save lands on disk.
  ASSERT_TRUE(wait_until([&] {
    auto typed = session.control().type("mine");
    if (!typed.ok()) return false;
    save();
    return wait_until([&] { auto text = read_file(notes_file); return text.ok() && text->ends_with("mine"); }, 2s);
  }, 60s)) << notes_file << " never held the typed text";
  auto saved = read_file(notes_file);
  ASSERT_TRUE(saved.ok());

  // Another window saves different text; this window's next save names the conflict and writes nothing.
  const std::string theirs = "written by another window";
  {
    std::ofstream other(notes_file, std::ios::trunc);
    other << theirs;
  }
  // The status line in Notes' footer turns to the error colour.
  const int footer_y = kHeight - kTaskbar - 40;
  auto error_shown = [&](const Frame& f) { return fraction_near(f, 0, footer_y, kWidth, 40, kNegative, 24) > 0.001; };
  auto before = session.capture();
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(error_shown(*before)) << "an error shows before the conflicting save";
  std::this_thread::sleep_for(1600ms);  // the "saved" notice of the first save is cleared after 1.5 s
  ASSERT_TRUE(session.control().type(" more").ok());
  save();
  auto conflict = session.capture_until(error_shown, "the conflict in Notes' status line", 15000);
  keep_screenshot(session.last_capture(), "notes-conflict.png");
  ASSERT_TRUE(conflict.ok()) << conflict.error().message;
  auto on_disk = read_file(notes_file);
  ASSERT_TRUE(on_disk.ok());
  EXPECT_EQ(*on_disk, theirs) << "the conflicting save overwrote the other window's text";
}

TEST(WeftSession, ComposedTextFromAnInputMethodReachesTheNotesEditorAndIsSaved) {
  SessionUnderTest session;
  // An external IME instead of the shell's on-screen keyboard (there is one input method per seat).
  ASSERT_TRUE(session.start_desktop({"WEFT_INPUT_METHOD=external"}).ok());
  auto notes = launch_running(session, kNotes);
  ASSERT_TRUE(notes.ok()) << notes.error().message;
  const std::string composed = "Grüße 日本";
  auto display = read_file(session.weft_dir() + "/compositor.display");
  ASSERT_TRUE(display.ok());
  // The stand-in input method (a system client, like the shell's keyboard): activated once the editor's text input is
  // enabled, it composes "Grü", commits the whole text and exits 0 when the editor's surrounding text holds it.
  weft::SpawnOptions im;
  im.argv = {executable("standin-input-method"), "--preedit", "Grü", "--commit", composed, "--timeout-ms", "60000"};
  im.env = {"XDG_RUNTIME_DIR=" + session.runtime_dir(), "WAYLAND_DISPLAY=" + *display};
  auto typed = weft::test::run_child(im, {}, 90s);
  ASSERT_EQ(typed.exit_code, 0) << typed.err;
  EXPECT_NE(typed.err.find("the field now reads"), std::string::npos) << typed.err;

  // Saved through the app's component: the text on disk is the composed text, byte for byte.
  const std::string notes_file = session.data_home() + "/weft/app-data/" + kNotes + "/notes.txt";
  ASSERT_TRUE(wait_until([&] {
    session.control().key_state(KEY_LEFTCTRL, true);
    session.control().key(KEY_S);
    session.control().key_state(KEY_LEFTCTRL, false);
    return wait_until([&] { auto text = read_file(notes_file); return text.ok() && text->find(composed) != std::string::npos; }, 2s);
  }, 30s)) << notes_file << " never held the composed text";
  // And the editor shows it: the first line holds text-coloured glyphs (the empty editor's placeholder is grey).
  constexpr weft::test::Rgb kEditorText{0xe6, 0xe8, 0xee};
  auto shown = session.capture_until(
      [&](const Frame& f) { return fraction_near(f, 16, 70, 100, 22, kEditorText, 40) > 0.03; },
      "the composed text on the editor's first line", 10000);
  keep_screenshot(session.last_capture(), "notes-composed.png");
  EXPECT_TRUE(shown.ok()) << shown.error().message;
}

/// Where a character sits on the on-screen keyboard (system-ui.html's OSK_LAYERS): its layer, row, and the centre of
/// its key as a fraction of the output width; capitals are the letter with ⇧.
struct OskKey {
  std::string layer;  // letters, symbols
  int row;
  double centre;
  bool shifted = false;
};
std::optional<OskKey> osk_key(char c) {
  // Rows of ten keys of a tenth of the width; the letters' second row starts half a key in, the third rows after the
  // 15 % ⇧ (or =\<) key.
  const std::vector<std::tuple<std::string, int, double, std::string>> rows = {
      {"letters", 0, 0.0, "qwertyuiop"}, {"letters", 1, 0.05, "asdfghjkl"}, {"letters", 2, 0.15, "zxcvbnm"},
      {"symbols", 0, 0.0, "1234567890"}, {"symbols", 1, 0.0, "@#$%&-+()/"}, {"symbols", 2, 0.15, "*\"':;!?"}};
  const bool upper = std::isupper(static_cast<unsigned char>(c));
  const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [layer, row, start, keys] : rows)
    if (auto i = keys.find(lower); i != std::string::npos && (layer == "letters" || !upper))
      return OskKey{layer, row, start + (i + 0.5) / 10, upper};
  if (c == ' ') return OskKey{"", 3, 0.45};  // space, ',' and '.' are on every layer's bottom row
  if (c == ',') return OskKey{"", 3, 0.2};
  if (c == '.') return OskKey{"", 3, 0.7};
  return std::nullopt;
}

/// The system UI's on-screen keyboard above the taskbar (system-ui.html: OSK_ROWS rows of OSK_ROW_PX) and the note it
/// types into, tapped as a person taps: pointer clicks at ≈ 6 per second, each of which the shell's page turns into an
/// input-method commit.
class OnScreenKeyboard {
 public:
  static constexpr int kKeyboardHeight = 240, kRow = 60;  // px

  explicit OnScreenKeyboard(SessionUnderTest& session)
      : session_(session), notes_file_(session.data_home() + "/weft/app-data/" + kNotes + "/notes.txt") {}

  int top() const { return kHeight - kTaskbar - kKeyboardHeight; }
  const std::string& notes_file() const { return notes_file_; }
  /// The layer the page shows, as far as type() switched it.
  const std::string& layer() const { return layer_; }

  /// Its first row is keys (--surface-2, the character keys).
  bool shown(const Frame& f) const {
    constexpr weft::test::Rgb kKeyColour{0x2a, 0x2f, 0x3a};
    return fraction_near(f, 0, top(), kWidth, kRow, kKeyColour, 10) > 0.5;
  }
  /// The notes window's editor (its accent border runs down the left edge) ends above the keyboard: the work area
  /// shrank by the keyboard's height, so nothing of the app, and no field, is under it.
  bool editor_ends_above(const Frame& f) const { return editor_border_above(f) && editor_border_in_its_place(f) == 0.0; }
  bool editor_border_above(const Frame& f) const { return fraction_near(f, 0, 80, 4, top() - 160, kAccent, 40) > 0.5; }
  /// How much of the keyboard's left edge the editor's border covers (0 while the keyboard has its place).
  double editor_border_in_its_place(const Frame& f) const {
    return fraction_near(f, 0, top(), 4, kKeyboardHeight, kAccent, 40);
  }

  /// The taskbar's ⌨ button (x = width-136 … width-96): opens it on demand, leaving the focus where it was.
  void press_keyboard_button() { session_.control().pointer_click(kWidth - 116, kHeight - kTaskbar / 2.0); }
  void key_at(int row, double centre_fraction) {
    session_.control().pointer_click(centre_fraction * kWidth, top() + row * kRow + kRow / 2.0);
    std::this_thread::sleep_for(150ms);
  }
  /// Types `text`, switching layers with ?123 / ABC (the bottom left key of every layer) and ⇧ for a capital.
  void type(const std::string& text) {
    for (char c : text) {
      auto key = osk_key(c);
      if (!key) {
        ADD_FAILURE() << "no key for '" << c << "' in this test's map";
        return;
      }
      if (!key->layer.empty() && key->layer != layer_) {
        key_at(3, 0.075);
        layer_ = key->layer;
      }
      if (key->shifted) key_at(2, 0.075);  // ⇧ once: the next letter only
      key_at(key->row, key->centre);
    }
  }
  /// Ctrl+S until the saved note satisfies `holds`: a save while the previous one is still in flight is ignored by
  /// the page, so it saves again until one lands.
  template <class Holds>
  bool save_until(Holds&& holds, std::chrono::milliseconds limit) {
    return wait_until([&] {
      session_.control().key_state(KEY_LEFTCTRL, true);
      session_.control().key(KEY_S);
      session_.control().key_state(KEY_LEFTCTRL, false);
      return wait_until([&] { auto text = read_file(notes_file_); return text.ok() && holds(*text); }, 2s);
    }, limit);
  }
  std::string note() const { return read_file(notes_file_).value_or("<unreadable>"); }
  /// Opens the keyboard with the taskbar's ⌨ button and types `word` until a save holds it at the note's end. The
  /// editor takes text once the page has loaded its note: a word typed before that is lost, so a retry types it again
  /// (a caller judges what follows against whatever the saved note then holds).
  [[nodiscard]] bool open_and_type_until_saved(const std::string& word, std::chrono::milliseconds limit) {
    bool opened = false;
    return wait_until([&] {
      if (!opened) {
        press_keyboard_button();
        if (!session_.capture_until([&](const Frame& f) { return shown(f); }, "the on-screen keyboard", 5000).ok())
          return false;
        opened = true;
      }
      type(word);
      return save_until([&](const std::string& text) { return text.ends_with(word); }, 6s);
    }, limit);
  }

 private:
  SessionUnderTest& session_;
  std::string notes_file_;
  std::string layer_ = "letters";
};

TEST(WeftSession, TheOnScreenKeyboardOpensAboveTheTaskbarTypesIntoNotesAndTheWindowEndsAboveIt) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto notes = launch_running(session, kNotes);
  ASSERT_TRUE(notes.ok()) << notes.error().message;
  // The headless desktop has a (test) keyboard, so the keyboard opens on demand: the taskbar's ⌨ button.
  OnScreenKeyboard osk(session);
  ASSERT_TRUE(osk.open_and_type_until_saved("weft", 60s))
      << osk.notes_file() << " never held the text typed on the on-screen keyboard";
  EXPECT_EQ(session.control().focus_state().first, kNotes) << "the keyboard took the focus";
  const std::string typed = read_file(osk.notes_file()).value_or("");
  // ⌫ (third row, right 15 %) deletes the character before the cursor through the input method; then "s".
  osk.key_at(2, 0.925);
  osk.type("s");
  const std::string expected = typed.substr(0, typed.size() - 1) + "s";
  EXPECT_TRUE(osk.save_until([&](const std::string& text) { return text == expected; }, 20s))
      << "after ⌫ and s the note reads '" << osk.note() << "', expected '" << expected << "'";

  auto frame = session.capture();
  ASSERT_TRUE(frame.ok());
  keep_screenshot(session.last_capture(), "osk-notes.png");
  EXPECT_TRUE(osk.shown(*frame)) << "no keyboard in " << session.last_capture();
  EXPECT_TRUE(osk.editor_border_above(*frame)) << "the editor's border is not above";
  EXPECT_EQ(osk.editor_border_in_its_place(*frame), 0.0) << "the app reaches under the keyboard";
}

TEST(WeftSession, WithNoKeyboardPluggedInClickingIntoTheNotesEditorOpensTheOnScreenKeyboardWhichHidesWhenOneIsPluggedIn) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  // A device without a keyboard: the only one is pulled out before Notes starts (pulled out while Notes has the focus:
  // the next test).
  ASSERT_TRUE(session.control().set_keyboard_plugged(false).ok());
  auto notes = launch_running(session, kNotes);
  ASSERT_TRUE(notes.ok()) << notes.error().message;
  OnScreenKeyboard osk(session);
  auto keyboard_shown = [&](const Frame& f) { return osk.shown(f); };
  // The editor's first line holds text-coloured glyphs (the empty editor's placeholder is grey).
  constexpr weft::test::Rgb kEditorText{0xe6, 0xe8, 0xee};
  auto text_on_first_line = [&](const Frame& f) { return fraction_near(f, 16, 70, 100, 22, kEditorText, 40) > 0.03; };

  // The editor is focused by a click (x, y inside the editor, whichever height the window has). Until the page has
  // loaded, a click focuses no field: click again until the keyboard shows.
  const bool opened = wait_until([&] {
    session.control().pointer_click(kWidth / 2.0, 150);
    return session.capture_until(keyboard_shown, "the on-screen keyboard", 5000).ok();
  }, 60s);
  keep_screenshot(session.last_capture(), "osk-opened-by-itself.png");
  ASSERT_TRUE(opened) << "the on-screen keyboard never opened by itself: " << session.last_capture();
  EXPECT_EQ(session.control().focus_state().first, kNotes);

  // Its keys type into the note: "weft" on the first two rows.
  ASSERT_TRUE(wait_until([&] {
    for (double centre : {0.15, 0.25, 0.35, 0.45}) osk.key_at(0, centre);  // w e r t: the second to fifth keys
    return session.capture_until(text_on_first_line, "typed text on the editor's first line", 3000).ok();
  }, 30s)) << "nothing typed on the on-screen keyboard reached the editor: " << session.last_capture();
  auto typing = session.capture();
  ASSERT_TRUE(typing.ok());
  keep_screenshot(session.last_capture(), "osk-without-keyboard.png");
  EXPECT_TRUE(keyboard_shown(*typing)) << "the keyboard went while typing: " << session.last_capture();
  EXPECT_TRUE(osk.editor_ends_above(*typing)) << "the app's work area did not shrink above the keyboard";
  EXPECT_EQ(session.control().focus_state().first, kNotes) << "the keyboard took the focus";

  // A keyboard plugged in: the on-screen one hides, the window takes the height back, and the real keys reach Notes
  // (Ctrl+S saves what the on-screen keyboard typed).
  ASSERT_TRUE(session.control().set_keyboard_plugged(true).ok());
  auto hidden = session.capture_until([&](const Frame& f) { return !keyboard_shown(f); },
                                      "the on-screen keyboard to hide once a keyboard is plugged in", 10000);
  ASSERT_TRUE(hidden.ok()) << hidden.error().message;
  // The window is reconfigured after the panel's zone shrank: it grows back a moment later.
  auto regrown = session.capture_until(
      [&](const Frame& f) { return osk.editor_border_in_its_place(f) > 0.5; },
      "the editor grown back over the keyboard's place", 10000);
  keep_screenshot(session.last_capture(), "osk-keyboard-plugged.png");
  EXPECT_TRUE(regrown.ok()) << regrown.error().message;
  EXPECT_TRUE(osk.save_until([](const std::string& text) { return text.ends_with("wert"); }, 30s))
      << "the note reads '" << osk.note() << "', expected it to end in 'wert'";

  // With a keyboard, it still opens on demand (the taskbar's ⌨).
  osk.press_keyboard_button();
  auto asked = session.capture_until(keyboard_shown, "the on-screen keyboard opened with ⌨", 5000);
  EXPECT_TRUE(asked.ok()) << asked.error().message;
}

TEST(WeftSession, UnpluggingTheKeyboardWhileTheNotesEditorHasFocusOpensTheOnScreenKeyboardAndItsTapsTypeIntoTheNote) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto notes = launch_running(session, kNotes);
  ASSERT_TRUE(notes.ok()) << notes.error().message;
  OnScreenKeyboard osk(session);
  auto keyboard_shown = [&](const Frame& f) { return osk.shown(f); };
  // The editor has the focus and takes the plugged-in keyboard's keys: "hi" until a save holds it (the page takes
  // text once it has loaded its note).
  ASSERT_TRUE(wait_until([&] {
    session.control().key(KEY_H);
    session.control().key(KEY_I);
    return osk.save_until([](const std::string& text) { return text.ends_with("hi"); }, 6s);
  }, 60s)) << osk.notes_file() << " never held the keys typed into the editor";
  auto before = session.capture();
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(keyboard_shown(*before)) << "the on-screen keyboard is open with a keyboard plugged in";

  // The keyboard pulled out: the editor keeps the focus and, with no keyboard left, the on-screen one opens by itself.
  ASSERT_TRUE(session.control().set_keyboard_plugged(false).ok());
  auto opened = session.capture_until(keyboard_shown, "the on-screen keyboard after the unplug", 10000);
  keep_screenshot(session.last_capture(), "osk-after-unplug.png");
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(session.control().focus_state().first, kNotes);

  // Its taps type into the note, after what the keyboard typed: seen once a keyboard is plugged back in and saves.
  osk.type("weft");
  auto typed = session.capture();
  ASSERT_TRUE(typed.ok());
  keep_screenshot(session.last_capture(), "osk-after-unplug-typed.png");
  EXPECT_TRUE(keyboard_shown(*typed)) << "the keyboard went while typing: " << session.last_capture();
  ASSERT_TRUE(session.control().set_keyboard_plugged(true).ok());
  EXPECT_TRUE(osk.save_until([](const std::string& text) { return text.ends_with("hiweft"); }, 30s))
      << "the note reads '" << osk.note() << "', expected it to end in 'hiweft'";
}

TEST(WeftSession, TheOnScreenKeyboardsNumberLayerAndShiftTypeDigitsPunctuationAndCapitalsIntoNotes) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto notes = launch_running(session, kNotes);
  ASSERT_TRUE(notes.ok()) << notes.error().message;
  OnScreenKeyboard osk(session);
  auto keyboard_shown = [&](const Frame& f) { return osk.shown(f); };
  ASSERT_TRUE(osk.open_and_type_until_saved("weft", 60s))
      << osk.notes_file() << " never held the text typed on the on-screen keyboard";
  const std::string before = read_file(osk.notes_file()).value_or("");

  // Capitals through ⇧, digits and punctuation through ?123 and back through ABC, '=' from the =\< layer; the text
  // ends on the symbols layer, which the picture below shows.
  const std::string text = " Hi 42, ok? Yes: 7.5 + 3 = (10.5)!";
  osk.type(" Hi 42, ok? Yes: 7.5 + 3 ");
  osk.key_at(2, 0.075);  // =\<: the second symbols layer, where '=' is the sixth key of the first row
  osk.key_at(0, 0.55);
  osk.key_at(2, 0.075);  // ?123 there: back to the first symbols layer
  osk.type(" (10.5)!");
  EXPECT_EQ(osk.layer(), "symbols");
  EXPECT_TRUE(osk.save_until([&](const std::string& t) { return t == before + text; }, 20s))
      << "the note reads '" << osk.note() << "', expected '" << before + text << "'";
  EXPECT_EQ(session.control().focus_state().first, kNotes) << "the keyboard took the focus";
  auto frame = session.capture();
  ASSERT_TRUE(frame.ok());
  keep_screenshot(session.last_capture(), "osk-symbols.png");
  EXPECT_TRUE(keyboard_shown(*frame)) << "the symbols layer's first row is not keys: " << session.last_capture();
}

TEST(WeftSession, APackageSignedByAnotherKeyIsRefusedUntilThatKeyIsTrustedThenItRuns) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  // "Built elsewhere": the counter's files under another id, signed with a key this session has never seen.
  const std::string elsewhere = session.root() + "/elsewhere";
  const std::string id = "org.example.elsewhere.counter";
  const std::string package = elsewhere + "/" + id;
  std::filesystem::create_directories(elsewhere);
  std::filesystem::copy(weft::test::build_dir() + "/packages/" + kCounter, package,
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove(package + "/signature.sig");
  auto manifest = read_file(package + "/wapp.toml");
  ASSERT_TRUE(manifest.ok());
  std::string text = std::regex_replace(*manifest, std::regex("id = \"[^\"]*\""), "id = \"" + id + "\"",
                                        std::regex_constants::format_first_only);
  { std::ofstream(package + "/wapp.toml", std::ios::trunc) << text; }

  // weft-pack runs as the session's own installs do: its store and trusted keys.
  const std::string store = session.data_home() + "/weft/dev-session/apps";
  const std::string trusted = session.data_home() + "/weft/dev-session/trusted-keys";
  auto pack = [&](std::vector<std::string> args) {
    SpawnOptions options;
    options.argv = {executable("weft-pack")};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = {"PATH=/usr/bin:/bin", "HOME=" + session.root() + "/home", "WEFT_APP_STORE=" + store,
                   "WEFT_TRUSTED_KEYS=" + trusted};
    return weft::test::run_child(options, {.merge_stderr = true});
  };
  auto key = pack({"generate-key", elsewhere});
  ASSERT_EQ(key.exit_code, 0) << key.out;
  auto signed_ = pack({"sign", package, "--key", elsewhere + "/weft-sign.key"});
  ASSERT_EQ(signed_.exit_code, 0) << signed_.out;

  auto refused = pack({"install", package});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_FALSE(std::filesystem::exists(store + "/" + id)) << "an untrusted package was installed";
  auto not_installed = launch(session, id);
  EXPECT_FALSE(not_installed.ok()) << "appd launched a package it refused to install";

  std::filesystem::copy_file(elsewhere + "/weft-sign.pub", trusted + "/elsewhere.pub");
  auto installed = pack({"install", package, "--no-precompile"});  // as the session's own installs (no compiler time)
  ASSERT_EQ(installed.exit_code, 0) << installed.out;
  auto running = launch_running(session, id);
  ASSERT_TRUE(running.ok()) << running.error().message;
  EXPECT_EQ(session.control().focus_state().first, id);
}

TEST(WeftSession, TheTourWritesTwelveNumberedScreenshotsAndAnIndexAndEachStepShowsWhatItsCaptionSays) {
  SessionUnderTest session;
  std::string dir = session.root() + "/tour";
  ASSERT_TRUE(session.spawn({"--tour", "--screenshot-dir", dir}).ok());
  auto status = session.process().wait(std::chrono::milliseconds(300000));
  keep_screenshot(dir, "tour");
  ASSERT_TRUE(status.has_value()) << "the tour did not finish within 300 s";
  ASSERT_TRUE(status->success()) << "weft-session --tour: " << status->describe();

  std::vector<std::string> pngs;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".png") pngs.push_back(entry.path().filename());
  std::sort(pngs.begin(), pngs.end());
  ASSERT_EQ(pngs.size(), 12u);
  for (size_t i = 0; i < pngs.size(); ++i) {
    std::string prefix = (i < 9 ? "0" : "") + std::to_string(i + 1) + "-";
    EXPECT_EQ(pngs[i].rfind(prefix, 0), 0u) << pngs[i];
  }
  // index.html shows them in order, each with a caption.
  auto index = read_file(dir + "/index.html");
  ASSERT_TRUE(index.ok());
  size_t at = 0;
  for (const auto& png : pngs) {
    auto found = index->find("src=\"" + png + "\"", at);
    ASSERT_NE(found, std::string::npos) << png << " missing or out of order in index.html";
    ASSERT_NE(index->find("<figcaption>", found), std::string::npos);
    at = found;
  }

  auto frame = [&](const std::string& prefix) {
    auto it = std::find_if(pngs.begin(), pngs.end(), [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
    auto decoded = read_frame(dir + "/" + *it);
    EXPECT_TRUE(decoded.ok());
    return decoded.ok() ? *decoded : Frame{};
  };
  Frame desktop = frame("01-"), counter_zero = frame("03-"), counter_two = frame("04-");
  Frame notes_empty = frame("05-"), notes_typed = frame("06-"), notes_back = frame("09-"), closed = frame("12-");
  ASSERT_EQ(desktop.width, 1024);
  ASSERT_EQ(desktop.height, 640);
  // The counter's number (centre of its card) shows another image after two + than at 0; the rest is unchanged.
  EXPECT_GT(fraction_different(counter_two, counter_zero, kWidth / 2 - 80, 200, 160, 100), 0.05);
  EXPECT_LT(fraction_different(counter_two, counter_zero, 0, 0, kWidth - kToastColumn, 180), 0.001);
  EXPECT_GT(fraction_near(counter_zero, 0, 0, kWidth, kHeight - kTaskbar, kAccent, 24), 0.002) << "no counter buttons";
  // Notes' editor after the relaunch shows what was typed before the save, not the empty editor.
  EXPECT_GT(fraction_different(notes_typed, notes_empty, 0, 60, kWidth - kToastColumn, 120), 0.004);
  EXPECT_LT(fraction_different(notes_back, notes_typed, 0, 60, kWidth - kToastColumn, 120), 0.002);
  // The end is the empty desktop of the start.
  EXPECT_LT(fraction_different(closed, desktop, 0, 0, kWidth, kHeight - kTaskbar), 0.001);
  EXPECT_FALSE(std::filesystem::exists(dir + "/last-capture.png"));
  // The tour ran in directories of its own, removed afterwards; nothing of it is left running.
  EXPECT_EQ(descendants(session.pid()).size(), 0u);
}

TEST(WeftSession, ATourStepThatDoesNotHappenFailsTheTourNamingTheStepAndKeepsTheLastCapture) {
  SessionUnderTest session;
  std::string dir = session.root() + "/tour";
  // 400x300 is too small for the launcher's grid: step 2 cannot show the icons where a person would find them.
  ASSERT_TRUE(session.spawn({"--tour", "--output", "400x300", "--screenshot-dir", dir},
                            {"WEFT_TOUR_STEP_TIMEOUT_MS=5000"}).ok());
  auto status = session.process().wait(std::chrono::milliseconds(300000));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->exited && status->code == 1) << status->describe();
  auto log = session.finished_log();
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_NE(log->find("tour step 2 (Super opens the launcher): Super did not open a launcher showing"),
            std::string::npos) << "the failure does not name the step";
  EXPECT_NE(log->find("the last capture is " + dir + "/last-capture.png"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir + "/01-desktop.png"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/last-capture.png"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/index.html")) << "a failed tour wrote an index";
  EXPECT_EQ(descendants(session.pid()).size(), 0u);
}

TEST(WeftSession, TwoPlusKeysInTheCounterShowTheSameTwoAsTwoIncrementsSentThroughTheBridge) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto counter = launch_running(session, kCounter);
  ASSERT_TRUE(counter.ok()) << counter.error().message;
  ASSERT_EQ(session.control().focus_state().first, kCounter);
  // The number sits in the centre of the counter's card.
  const int x = kWidth / 2 - 80, y = 200, w = 160, h = 100;
  auto number_shown = [&](const Frame& f) {
    return fraction_near(f, x, y, w, h, Frame::Rgb{230, 232, 238}, 40) > 0.02;
  };
  auto zero = session.capture_until(number_shown, "the counter's number");
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  std::this_thread::sleep_for(500ms);
  zero = session.capture();
  ASSERT_TRUE(zero.ok());

  ASSERT_TRUE(session.control().type("++").ok());
  auto by_keys = session.capture_until([&](const Frame& f) { return fraction_different(f, *zero, x, y, w, h) > 0.05; },
                                       "the number to change after two +");
  ASSERT_TRUE(by_keys.ok()) << by_keys.error().message;
  std::this_thread::sleep_for(500ms);  // both replies drawn
  by_keys = session.capture();
  ASSERT_TRUE(by_keys.ok());
  keep_screenshot(session.last_capture(), "counter-two-by-keys.png");

  // Through appd's diagnostics path the component gets reset + two increments; its replies reach the page as 0, 1, 2.
  auto client = session.appd();
  ASSERT_TRUE(client.ok());
  for (const char* op : {"{\"op\":\"reset\"}", "{\"op\":\"increment\"}", "{\"op\":\"increment\"}"}) {
    auto reply = client->request(msg::IpcForward{*counter, op});
    ASSERT_TRUE(reply.ok()) << reply.error().message;
    ASSERT_TRUE(std::holds_alternative<msg::AppState>(*reply)) << msg::type_name(*reply);
  }
  std::this_thread::sleep_for(1s);
  auto by_bridge = session.capture();
  ASSERT_TRUE(by_bridge.ok());
  EXPECT_GT(fraction_different(*by_keys, *zero, x, y, w, h), 0.05) << "two + did not change the 0";
  EXPECT_LT(fraction_different(*by_bridge, *by_keys, x, y, w, h), 0.002)
      << "the number after two + differs from the number after reset + two increments";
}

TEST(WeftSession, AKilledShellIsRestartedAndTheDesktopRecovers) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  pid_t shell = session.child_named("weft-shell");
  ASSERT_GT(shell, 0);
  ::kill(shell, SIGKILL);
  ASSERT_TRUE(wait_until([&] { pid_t now = session.child_named("weft-shell"); return now > 0 && now != shell; }, 15s))
      << "weft-shell was not restarted";
  auto frame = session.capture_until(SessionUnderTest::taskbar_connected, "the restarted shell's taskbar", 60000);
  keep_screenshot(session.last_capture(), "shell-restarted.png");
  EXPECT_TRUE(frame.ok()) << frame.error().message;
}

TEST(WeftSession, AKilledAppdIsRestartedItsOrphanedAppsEndAndTheDesktopRecovers) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto counter = launch_running(session, kCounter);
  ASSERT_TRUE(counter.ok()) << counter.error().message;
  pid_t appd = session.child_named("weft-appd");
  ASSERT_GT(appd, 0);
  std::vector<ProcessInfo> app_processes = descendants(appd);
  ASSERT_FALSE(app_processes.empty());

  ::kill(appd, SIGKILL);
  ASSERT_TRUE(wait_until([&] { pid_t now = session.child_named("weft-appd"); return now > 0 && now != appd; }, 15s))
      << "weft-appd was not restarted";
  // The old appd's sessions cannot be managed by the new one: weft-session (their subreaper) ends them.
  EXPECT_TRUE(wait_until([&] {
    return std::none_of(app_processes.begin(), app_processes.end(), [](const ProcessInfo& p) { return alive(p.pid); });
  }, 15s)) << "orphaned app processes survive";
  // The shell reconnects to the new appd (green dot), which answers and launches again.
  auto frame = session.capture_until(SessionUnderTest::taskbar_connected, "the taskbar reconnected to the new appd");
  keep_screenshot(session.last_capture(), "appd-restarted.png");
  EXPECT_TRUE(frame.ok()) << frame.error().message;
  EXPECT_TRUE(wait_until([&] { return launch(session, kCounter).ok(); }, 30s)) << "the new appd launches nothing";
}

TEST(WeftSession, SigtermStopsAppdShellAndCompositorAndNoProcessSurvives) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto counter = launch_running(session, kCounter);
  ASSERT_TRUE(counter.ok()) << counter.error().message;
  auto tree = descendants(session.pid());
  for (const char* comm : {"weft-compositor", "weft-appd", "weft-shell", "weft-runtime", "weft-app-shell"})
    EXPECT_TRUE(std::any_of(tree.begin(), tree.end(), [&](const ProcessInfo& p) { return p.comm == comm; }))
        << comm << " is not running under the session:" << names(tree);

  session.process().signal(SIGTERM);
  auto status = session.process().wait(std::chrono::milliseconds(60000));
  ASSERT_TRUE(status.has_value()) << "weft-session did not exit within 60 s of SIGTERM";
  EXPECT_TRUE(status->success()) << status->describe();
  std::vector<ProcessInfo> survivors;
  for (const auto& p : tree)
    if (alive(p.pid)) survivors.push_back(p);
  EXPECT_TRUE(survivors.empty()) << "still running after weft-session exited:" << names(survivors);
  // appd saved the running app for the next start (§3.7) and the compositor removed its rendezvous files.
  auto saved = read_file(session.weft_dir() + "/last-session.json");
  EXPECT_TRUE(saved.ok() && saved->find(kCounter) != std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(session.weft_dir() + "/compositor.display"));
}

TEST(WeftSession, KillingOneAppsRuntimeEndsOnlyThatSession) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto counter = launch_running(session, kCounter);
  ASSERT_TRUE(counter.ok()) << counter.error().message;
  auto notes = launch_running(session, kNotes);
  ASSERT_TRUE(notes.ok()) << notes.error().message;
  pid_t compositor = session.child_named("weft-compositor"), appd = session.child_named("weft-appd"),
        shell = session.child_named("weft-shell");

  pid_t runtime = -1;
  for (const auto& p : descendants(session.pid()))
    if (p.comm == "weft-runtime" && command_line(p.pid).find(kCounter) != std::string::npos) runtime = p.pid;
  ASSERT_GT(runtime, 0) << "no weft-runtime for the counter";
  ::kill(runtime, SIGKILL);

  EXPECT_TRUE(session.wait_state(*counter, "stopped", 30000)) << "the counter's session did not end";
  auto client = session.appd();
  ASSERT_TRUE(client.ok());
  auto notes_state = client->state(*notes);
  ASSERT_TRUE(notes_state.ok());
  EXPECT_EQ(*notes_state, "running") << "the notes session was affected";
  EXPECT_EQ(session.child_named("weft-compositor"), compositor);
  EXPECT_EQ(session.child_named("weft-appd"), appd);
  EXPECT_EQ(session.child_named("weft-shell"), shell);
  EXPECT_EQ(session.control().focus_state().first, kNotes) << "the notes window should hold focus";
}

TEST(WeftSession, WhenTheCompositorDiesTheSessionEndsWithItsStatusAndLeavesNothingBehind) {
  SessionUnderTest session;
  ASSERT_TRUE(session.start_desktop().ok());
  auto tree = descendants(session.pid());
  pid_t compositor = session.child_named("weft-compositor");
  ASSERT_GT(compositor, 0);
  ::kill(compositor, SIGKILL);
  auto status = session.process().wait(std::chrono::milliseconds(60000));
  ASSERT_TRUE(status.has_value()) << "weft-session outlived its compositor by 60 s";
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 128 + SIGKILL) << status->describe();
  std::vector<ProcessInfo> survivors;
  for (const auto& p : tree)
    if (alive(p.pid)) survivors.push_back(p);
  EXPECT_TRUE(survivors.empty()) << "still running:" << names(survivors);
}

TEST(WeftSession, WithAWaylandDisplayTheDesktopOpensNestedInAWindowOfThatDisplay) {
  SessionUnderTest session;
  // The "user's display": another headless weft-compositor with its own runtime directory, reached by absolute path.
  std::string outer_dir = session.root() + "/outer";
  std::filesystem::create_directories(outer_dir);
  std::filesystem::permissions(outer_dir, std::filesystem::perms::owner_all);
  SpawnOptions outer_options;
  outer_options.argv = {executable("weft-compositor"), "--backend=headless", "--output", "1280x800", "--test-control"};
  outer_options.env = {"XDG_RUNTIME_DIR=" + outer_dir, "WLR_RENDERER=pixman", "HOME=" + outer_dir};
  outer_options.null_stdio = true;
  auto outer = ChildProcess::spawn(outer_options);
  ASSERT_TRUE(outer.ok()) << outer.error().message;
  std::string outer_display = outer_dir + "/wayland-0";
  ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(outer_dir + "/weft/compositor.display"); }, 20s));
  auto name = read_file(outer_dir + "/weft/compositor.display");
  ASSERT_TRUE(name.ok());
  outer_display = outer_dir + "/" + *name;
  auto control = TestControl::connect(outer_display);
  ASSERT_TRUE(control.ok()) << control.error().message;

  ASSERT_TRUE(session.spawn({}, {"WAYLAND_DISPLAY=" + outer_display}).ok());
  // The nested desktop's window fills the outer output; its taskbar (a 48 px strip of the taskbar colour, with the
  // page connected to appd) shows inside it.
  std::string path = session.root() + "/outer.png";
  bool shown = wait_until([&] {
    if (!(*control)->capture(path).ok()) return false;
    auto frame = read_frame(path);
    if (!frame.ok()) return false;
    for (int y = 0; y + 40 < frame->height; y += 4)
      if (fraction_near(*frame, 100, y, 800, 40, kTaskbarColour, 4) > 0.95 &&
          fraction_near(*frame, frame->width - 110, y, 110, 40, kOnline, 16) > 0)
        return true;
    return false;
  }, 90s);
  keep_screenshot(path, "nested-in-a-wayland-display.png");
  EXPECT_TRUE(shown) << "no WEFT taskbar in the outer display (kept as screenshots/e2e/nested-in-a-wayland-display.png)";
  auto tree = descendants(session.pid());
  EXPECT_TRUE(std::any_of(tree.begin(), tree.end(), [](const ProcessInfo& p) {
    return p.comm == "weft-compositor" && command_line(p.pid).find("--backend=wayland") != std::string::npos;
  })) << "the compositor was not started nested";

  session.process().signal(SIGTERM);
  auto status = session.process().wait(std::chrono::milliseconds(60000));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->success()) << status->describe();
  for (const auto& p : tree) EXPECT_FALSE(alive(p.pid)) << p.comm << " survived";
  control->reset();
  outer->terminate(std::chrono::milliseconds(5000));
}

}  // namespace
}  // namespace weft::session::test
