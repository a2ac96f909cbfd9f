// The text-input bridge's byte/character arithmetic: surrounding text that goes to the compositor is bounded (the
// protocol's 4000-byte limit) and cut at UTF-8 character boundaries; the input method's byte counts become WebKit's
// character counts.
#include <gtest/gtest.h>

#include "text_input_bridge.hpp"

using weft::webview::surrounding_window;
using weft::webview::utf8_chars;

TEST(SurroundingWindow, ShortTextIsSentWholeWithItsOffsets) {
  auto w = surrounding_window("Grüße", 6, 2);
  EXPECT_EQ(w.text, "Grüße");
  EXPECT_EQ(w.cursor, 6u);
  EXPECT_EQ(w.anchor, 2u);
}

TEST(SurroundingWindow, OffsetsPastTheTextAreClamped) {
  auto w = surrounding_window("abc", 99, 1000);
  EXPECT_EQ(w.cursor, 3u);
  EXPECT_EQ(w.anchor, 3u);
}

TEST(SurroundingWindow, LongTextIsCutAroundTheCursorAtCharacterBoundaries) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "日";  // 3 bytes each: 15000 bytes
  const size_t cursor = 3 * 2500;
  auto w = surrounding_window(text, cursor, cursor, 4000);
  EXPECT_LE(w.text.size(), 4000u);
  EXPECT_GE(w.text.size(), 3990u);
  EXPECT_EQ(w.text.size() % 3, 0u) << "cut inside a character";
  EXPECT_EQ(w.text.substr(0, 3), "日");
  EXPECT_EQ(w.cursor % 3, 0u);
  EXPECT_NEAR(static_cast<double>(w.cursor), 2000.0, 3.0) << "the cursor is near the middle of the window";
}

TEST(SurroundingWindow, ACursorNearTheEndKeepsTheWindowFull) {
  std::string text(10000, 'a');
  auto w = surrounding_window(text, 9999, 9999, 4000);
  EXPECT_EQ(w.text.size(), 4000u);
  EXPECT_EQ(w.cursor, 3999u);
}

TEST(Utf8Chars, CountsCodePointsInAPrefixOfBytes) {
  const std::string text = "Grüße 日本";
  EXPECT_EQ(utf8_chars(text, text.size()), 8u);
  EXPECT_EQ(utf8_chars(text, 3), 3u);   // "Gr" + the first byte of ü counts ü
  EXPECT_EQ(utf8_chars(text, 4), 3u);
  EXPECT_EQ(utf8_chars(text, 1000), 8u);
}
