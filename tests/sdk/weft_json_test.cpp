// sdk/include/weft_json.h, the JSON reader/writer apps use for IPC payloads, compiled natively.
#include <gtest/gtest.h>

#include <string>

#include "weft_json.h"

namespace {

bool valid(const std::string& s) { return weft_json_valid(s.data(), s.size()); }

std::string get(const std::string& text, const char* key) {
  weft_json_span v;
  if (!weft_json_object_get(text.data(), text.size(), key, &v)) return "<none>";
  return {v.ptr, v.len};
}

std::string decode(const std::string& literal) {
  size_t len = 0;
  char* s = weft_json_string_decode({literal.data(), literal.size()}, &len);
  if (s == nullptr) return "<invalid>";
  std::string out(s, len);
  free(s);
  return out;
}

std::string encode(const std::string& text) {
  weft_buf b{};
  weft_buf_put_json_string(&b, text.data(), text.size());
  std::string out(b.ptr, b.len);
  weft_buf_free(&b);
  return out;
}

TEST(WeftJson, AcceptsWellFormedValuesWithSurroundingWhitespace) {
  for (const char* s : {"{}", "[]", " {\"a\" : [1, -2.5e+3, true, false, null, \"x\"]}\n", "0", "-0.0", "\"\"",
                        "{\"a\":{\"b\":{\"c\":[[]]}}}", "\"\\u00e9\\n\\\"\"", "\"é😀\""}) {
    EXPECT_TRUE(valid(s)) << s;
  }
}

TEST(WeftJson, RefusesMalformedText) {
  for (const char* s : {"", "{", "{\"a\"}", "{\"a\":}", "{a:1}", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "1e", "+1",
                        "tru", "nul", "\"unterminated", "\"bad \\x escape\"", "\"\\u12G4\"", "{} {}", "[1] x",
                        "\"raw\nnewline\"", "\"\xff\"", "\"\xc0\xaf\"", "'single'"}) {
    EXPECT_FALSE(valid(s)) << s;
  }
}

TEST(WeftJson, RefusesNestingDeeperThanTheLimit) {
  std::string deep(WEFT_JSON_MAX_DEPTH + 2, '[');
  deep += std::string(WEFT_JSON_MAX_DEPTH + 2, ']');
  EXPECT_FALSE(valid(deep));
  std::string ok(WEFT_JSON_MAX_DEPTH, '[');
  ok += std::string(WEFT_JSON_MAX_DEPTH, ']');
  EXPECT_TRUE(valid(ok));
}

TEST(WeftJson, ObjectGetReturnsTheRawValueAndTheLastOfRepeatedKeys) {
  EXPECT_EQ(get(R"({"op":"save","seq":{"n":[1,2.50]},"text":"a\"b"})", "seq"), R"({"n":[1,2.50]})");
  EXPECT_EQ(get(R"({"op":"save","text":"a\"b"})", "text"), R"("a\"b")");
  EXPECT_EQ(get(R"({"op":1,"op":"second"})", "op"), R"("second")");
  EXPECT_EQ(get(R"({"o\u0070":"escaped key"})", "op"), R"("escaped key")");
  EXPECT_EQ(get(R"({"nested":{"op":"inner"}})", "op"), "<none>");
  EXPECT_EQ(get(R"(["op"])", "op"), "<none>");
  EXPECT_EQ(get(R"({"op":"x"} trailing)", "op"), "<none>") << "the whole payload must be well-formed";
}

TEST(WeftJson, StringDecodeHandlesEscapesSurrogatePairsAndLoneSurrogates) {
  EXPECT_EQ(decode(R"("a\"b\\c\/d\b\f\n\r\t")"), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(decode(R"("\u00e9\u20ac\ud83d\ude00")"), "é€😀");
  EXPECT_EQ(decode(R"("\ud800x")"), "\xEF\xBF\xBDx") << "a lone high surrogate becomes U+FFFD";
  EXPECT_EQ(decode(R"("\udc00")"), "\xEF\xBF\xBD");
  EXPECT_EQ(decode("\"\\u0000\""), std::string(1, '\0'));
  EXPECT_EQ(decode("42"), "<invalid>");
}

TEST(WeftJson, EncodedStringsAreOneLineValidJsonAndRoundTrip) {
  std::string text = std::string("line1\nline2\r\t\"q\" \\ \x01 é😀 \u2028", 31);
  std::string encoded = encode(text);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  EXPECT_EQ(encoded.find('\r'), std::string::npos);
  EXPECT_TRUE(valid(encoded)) << encoded;
  EXPECT_EQ(decode(encoded), text);
  EXPECT_EQ(encode("\x01"), "\"\\u0001\"");
  EXPECT_EQ(encode("bad \xff byte"), "\"bad \xEF\xBF\xBD byte\"") << "invalid UTF-8 becomes U+FFFD";
}

TEST(WeftJson, Utf8ValidationRefusesOverlongsSurrogatesAndTruncation) {
  auto ok = [](const std::string& s) { return weft_utf8_valid(s.data(), s.size()); };
  EXPECT_TRUE(ok("plain é € 😀"));
  EXPECT_FALSE(ok("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(ok("\xe0\x80\xaf"));      // overlong
  EXPECT_FALSE(ok("\xed\xa0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(ok("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(ok("\xe2\x82"));          // truncated
  EXPECT_FALSE(ok("\x80"));              // stray continuation
}

}  // namespace
