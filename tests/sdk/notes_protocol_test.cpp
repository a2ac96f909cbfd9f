// The notes demo's revisioned protocol and storage (spec §8.2), spoken over the relay socket to the real component
// with a real /data directory.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app_harness.hpp"

namespace weft::test {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string fnv1a_hex(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char b : bytes) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

const std::string kEmptyRev = "cbf29ce484222325";

class NotesProtocol : public ::testing::TestWithParam<Backend> {
 public:
  static json save(const json& seq, const std::string& base, const std::string& text) {
    return {{"op", "save"}, {"seq", seq}, {"base", base}, {"text", text}};
  }

 protected:
  fs::path data() const { return data_.path(); }
  fs::path notes_file() const { return data() / "notes.txt"; }
  fs::path staging_file() const { return data() / ".notes.txt.saving"; }

  AppSession launch() {
    return AppSession::start(GetParam(), notes_app(), {"--preopen", data().string() + "::/data::rw"});
  }

 private:
  TempDir data_;
};

TEST_P(NotesProtocol, AMissingFileLoadsAsEmptyTextWithTheEmptyRevision) {
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  EXPECT_EQ(app.request({{"op", "load"}}), json({{"op", "loaded"}, {"rev", kEmptyRev}, {"text", ""}}));
  EXPECT_FALSE(fs::exists(notes_file()));
}

TEST_P(NotesProtocol, TheRevisionIsFnv1aOfTheStoredBytes) {
  write_bytes(notes_file(), "hello");
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  EXPECT_EQ(app.request({{"op", "load"}}), json({{"op", "loaded"}, {"rev", "a430d84680aabd0b"}, {"text", "hello"}}));
}

TEST_P(NotesProtocol, ASaveStoresTheExactUtf8BytesAndAnswersTheNewRevision) {
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  const std::string text = "héllo\n\"quoted\" \\ tab\t 😀 \u2028 end";
  EXPECT_EQ(app.request(save(1, kEmptyRev, text)), json({{"op", "saved"}, {"seq", 1}, {"rev", fnv1a_hex(text)}}));
  EXPECT_EQ(read_bytes(notes_file()), text);
  EXPECT_FALSE(fs::exists(staging_file()));
  EXPECT_EQ(app.request({{"op", "load"}}), json({{"op", "loaded"}, {"rev", fnv1a_hex(text)}, {"text", text}}));
  EXPECT_EQ(app.request(save(2, fnv1a_hex(text), "")), json({{"op", "saved"}, {"seq", 2}, {"rev", kEmptyRev}}));
  EXPECT_EQ(read_bytes(notes_file()), "");
}

TEST_P(NotesProtocol, TheSeqIsEchoedVerbatimAndIsNullWhenAbsent) {
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  app.send(std::string(R"({"op":"save","seq":"a \"b\"","base":"cbf29ce484222325","text":"x"})"));
  EXPECT_EQ(app.receive().value_or(""), R"({"op":"saved","seq":"a \"b\"","rev":")" + fnv1a_hex("x") + R"("})");
  app.send(R"({"op":"save","seq":{"n":[1,2.50]},"base":")" + fnv1a_hex("x") + R"(","text":"y"})");
  EXPECT_EQ(app.receive().value_or(""), R"({"op":"saved","seq":{"n":[1,2.50]},"rev":")" + fnv1a_hex("y") + R"("})");
  json unseq = {{"op", "save"}, {"base", fnv1a_hex("y")}, {"text", "z"}};
  EXPECT_EQ(app.request(unseq), json({{"op", "saved"}, {"seq", nullptr}, {"rev", fnv1a_hex("z")}}));
}

TEST_P(NotesProtocol, ASaveAgainstAStaleRevisionIsAConflictAndStoresNothing) {
  write_bytes(notes_file(), "original");
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  json loaded = app.request({{"op", "load"}});
  ASSERT_EQ(loaded["rev"], fnv1a_hex("original"));
  write_bytes(notes_file(), "changed by someone else");
  EXPECT_EQ(app.request(save(7, loaded["rev"], "mine")),
            json({{"op", "error"}, {"seq", 7}, {"conflict", true}, {"message", "changed elsewhere"}}));
  EXPECT_EQ(read_bytes(notes_file()), "changed by someone else");
}

TEST_P(NotesProtocol, OfTwoWindowsSavingAgainstTheSameRevisionOnlyTheFirstWins) {
  AppSession first = launch();
  ASSERT_TRUE(first.ok()) << first.error();
  AppSession second = launch();
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_EQ(first.request(save(1, kEmptyRev, "from the first")),
            json({{"op", "saved"}, {"seq", 1}, {"rev", fnv1a_hex("from the first")}}));
  EXPECT_EQ(second.request(save(1, kEmptyRev, "from the second")),
            json({{"op", "error"}, {"seq", 1}, {"conflict", true}, {"message", "changed elsewhere"}}));
  EXPECT_EQ(second.request({{"op", "load"}}),
            json({{"op", "loaded"}, {"rev", fnv1a_hex("from the first")}, {"text", "from the first"}}));
}

TEST_P(NotesProtocol, TextOver61440BytesIsRefusedAndExactly61440IsStored) {
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  const std::string too_long(61441, 'x');
  EXPECT_EQ(app.request(save(1, kEmptyRev, too_long)),
            json({{"op", "error"}, {"seq", 1}, {"conflict", false}, {"message", "notes exceed 61440 bytes"}}));
  EXPECT_FALSE(fs::exists(notes_file()));
  // 20480 three-byte characters: 61440 bytes, at the limit.
  std::string at_limit;
  for (int i = 0; i < 20480; ++i) at_limit += "€";
  EXPECT_EQ(app.request(save(2, kEmptyRev, at_limit)),
            json({{"op", "saved"}, {"seq", 2}, {"rev", fnv1a_hex(at_limit)}}));
  EXPECT_EQ(read_bytes(notes_file()), at_limit);
}

TEST_P(NotesProtocol, StoredNotesThatAreNotUtf8AreReportedOnLoad) {
  write_bytes(notes_file(), "ok \xff\xfe not utf-8");
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  EXPECT_EQ(app.request({{"op", "load"}}), json({{"op", "error"}, {"message", "stored notes are not UTF-8"}}));
}

TEST_P(NotesProtocol, StoredNotesTooLargeForOneMessageAreReportedOnLoad) {
  write_bytes(notes_file(), std::string(70000, 'x'));  // written by something else: saves never exceed 61440 bytes
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  EXPECT_EQ(app.request({{"op", "load"}}), json({{"op", "error"}, {"message", "stored notes are too large to send"}}));
}

TEST_P(NotesProtocol, MalformedAndUnknownRequestsGetNoReply) {
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  for (const char* ignored : {"load", "{\"op\":\"load\"", "{\"op\":\"delete\"}", "{\"op\":\"save\"}",
                              "{\"op\":\"save\",\"seq\":1,\"text\":\"no base\"}",
                              "{\"op\":\"save\",\"seq\":1,\"base\":\"cbf29ce484222325\"}",
                              "{\"op\":\"save\",\"seq\":1,\"base\":1,\"text\":\"x\"}", "[]", "{\"op\":null}"}) {
    app.send(std::string(ignored));
  }
  EXPECT_EQ(app.request({{"op", "load"}}), json({{"op", "loaded"}, {"rev", kEmptyRev}, {"text", ""}}));
  EXPECT_FALSE(fs::exists(notes_file())) << "a malformed save wrote something";
}

TEST_P(NotesProtocol, AFailedWriteIsReportedAndKeepsThePreviousText) {
  write_bytes(notes_file(), "keep me");
  fs::create_directory(staging_file());  // the staging file cannot be created: an I/O error mid-save
  AppSession app = launch();
  ASSERT_TRUE(app.ok()) << app.error();
  json reply = app.request(save(3, fnv1a_hex("keep me"), "lost"));
  EXPECT_EQ(reply["op"], "error");
  EXPECT_EQ(reply["seq"], 3);
  EXPECT_EQ(reply["conflict"], false);
  EXPECT_NE(reply["message"].get<std::string>().find("/data/.notes.txt.saving"), std::string::npos) << reply;
  EXPECT_EQ(read_bytes(notes_file()), "keep me");
  fs::remove(staging_file());
  EXPECT_EQ(app.request(save(4, fnv1a_hex("keep me"), "now it works"))["op"], "saved");
}

TEST_P(NotesProtocol, AKillDuringSavesLeavesOneCompleteTextAndTheNextStartCleansUp) {
  // Pipeline saves of large, distinct texts and kill the runtime while they are being written. Whenever the kill
  // lands, the stored file must be one complete text (the last acknowledged one or a later one), never a mixture.
  constexpr int kSaves = 40;
  constexpr int kKillAfterReplies = 5;
  std::vector<std::string> texts;
  for (int i = 0; i < kSaves; ++i) texts.push_back(std::string(60000, static_cast<char>('a' + i % 26)) + std::to_string(i));
  {
    AppSession app = launch();
    ASSERT_TRUE(app.ok()) << app.error();
    std::string base = kEmptyRev;
    for (int i = 0; i < kSaves; ++i) {
      app.send(save(i, base, texts[i]));
      base = fnv1a_hex(texts[i]);
    }
    for (int i = 0; i < kKillAfterReplies; ++i) {
      json reply = json::parse(app.receive().value_or("null"));
      ASSERT_EQ(reply, json({{"op", "saved"}, {"seq", i}, {"rev", fnv1a_hex(texts[i])}}));
    }
    app.process().signal(SIGKILL);
    app.process().wait();
  }
  std::string stored = read_bytes(notes_file());
  auto it = std::find(texts.begin(), texts.end(), stored);
  ASSERT_NE(it, texts.end()) << "notes.txt holds " << stored.size() << " bytes that no save sent";
  EXPECT_GE(it - texts.begin(), kKillAfterReplies - 1) << "an acknowledged save was lost";

  write_bytes(staging_file(), "partial leftover");  // as if the kill had landed mid-write
  AppSession restarted = launch();
  ASSERT_TRUE(restarted.ok()) << restarted.error();
  EXPECT_EQ(restarted.request({{"op", "load"}}), json({{"op", "loaded"}, {"rev", fnv1a_hex(stored)}, {"text", stored}}));
  EXPECT_FALSE(fs::exists(staging_file())) << "the stale staging file survived a restart";
}

#ifdef WEFT_APP_TESTS_WITH_RUNTIME
// A read-only /data (only weft-runtime has real read-only preopens): the save fails with the I/O error, leaves no
// staging file and the stored text as it was.
TEST(NotesOnAReadOnlyPreopen, ASaveFailsWithTheIoErrorAndChangesNothing) {
  TempDir data;
  write_bytes(data / "notes.txt", "read only");
  AppSession app = AppSession::start(Backend::WeftRuntime, notes_app(),
                                     {"--preopen", data.path() + "::/data::ro"});
  ASSERT_TRUE(app.ok()) << app.error();
  EXPECT_EQ(app.request({{"op", "load"}})["text"], "read only");
  json reply = app.request(NotesProtocol::save(1, fnv1a_hex("read only"), "new"));
  EXPECT_EQ(reply["op"], "error");
  EXPECT_EQ(reply["conflict"], false);
  EXPECT_NE(reply["message"].get<std::string>().find("/data/.notes.txt.saving"), std::string::npos) << reply;
  EXPECT_EQ(read_bytes(data / "notes.txt"), "read only");
  EXPECT_FALSE(fs::exists(data / ".notes.txt.saving"));
}
#endif

INSTANTIATE_TEST_SUITE_P(Backends, NotesProtocol, ::testing::ValuesIn(available_backends()),
                         [](const auto& info) { return backend_name(info.param); });

}  // namespace
}  // namespace weft::test
