// The JavaScript todo demo's protocol (apps/todo/app.js), spoken over the relay socket to the real component.
#include <gtest/gtest.h>

#include "app_harness.hpp"

namespace weft::test {
namespace {

using nlohmann::json;

json items(std::vector<json> list) { return {{"op", "items"}, {"items", list}}; }
json item(int id, const std::string& text, bool done) { return {{"id", id}, {"text", text}, {"done", done}}; }
json error(const std::string& message) { return {{"op", "error"}, {"message", message}}; }

class TodoProtocol : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    session_.emplace(AppSession::start(GetParam(), todo_app()));
    ASSERT_TRUE(session_->ok()) << session_->error();
  }
  AppSession& app() { return *session_; }

 private:
  std::optional<AppSession> session_;
};

TEST_P(TodoProtocol, TheListStartsEmpty) { EXPECT_EQ(app().request({{"op", "list"}}), items({})); }

TEST_P(TodoProtocol, ItemsAreAddedTrimmedToggledRemovedAndClearedWhenDone) {
  EXPECT_EQ(app().request({{"op", "add"}, {"text", "Buy milk"}}), items({item(1, "Buy milk", false)}));
  EXPECT_EQ(app().request({{"op", "add"}, {"text", "  Walk ü 🐕  "}}),
            items({item(1, "Buy milk", false), item(2, "Walk ü 🐕", false)}));
  EXPECT_EQ(app().request({{"op", "toggle"}, {"id", 1}}),
            items({item(1, "Buy milk", true), item(2, "Walk ü 🐕", false)}));
  EXPECT_EQ(app().request({{"op", "add"}, {"text", "Call"}}),
            items({item(1, "Buy milk", true), item(2, "Walk ü 🐕", false), item(3, "Call", false)}));
  EXPECT_EQ(app().request({{"op", "remove"}, {"id", 2}}), items({item(1, "Buy milk", true), item(3, "Call", false)}));
  EXPECT_EQ(app().request({{"op", "clear-done"}}), items({item(3, "Call", false)}));
}

TEST_P(TodoProtocol, RequestsThatCannotBeDoneAreAnsweredWithAnError) {
  EXPECT_EQ(app().request({{"op", "add"}, {"text", "   "}}), error("an item needs some text"));
  EXPECT_EQ(app().request({{"op", "add"}}), error("add needs a text string"));
  EXPECT_EQ(app().request({{"op", "add"}, {"text", std::string(201, 'x')}}), error("an item is at most 200 characters"));
  EXPECT_EQ(app().request({{"op", "toggle"}, {"id", 9}}), error("no item 9"));
  EXPECT_EQ(app().request({{"op", "remove"}, {"id", "1"}}), error("no item \"1\""));
  EXPECT_EQ(app().request({{"op", "rename"}}), error("unknown op 'rename'"));
}

TEST_P(TodoProtocol, IgnoresMessagesThatAreNotRequests) {
  for (const char* ignored : {"list", "{\"op\":1}", "[1]", "null", "{\"op\":\"list\""}) app().send(std::string(ignored));
  EXPECT_EQ(app().request({{"op", "list"}}), items({}));
}

// 101 requests: about two minutes with weft-runtime interpreting the 12 MB StarlingMonkey component (JS apps have no
// AOT yet), so the limit is checked on the jco backend only.
class TodoLimits : public TodoProtocol {};

TEST_P(TodoLimits, TheListHoldsAtMostOneHundredItems) {
  for (int i = 1; i <= 100; ++i) app().send(json({{"op", "add"}, {"text", "item " + std::to_string(i)}}));
  for (int i = 1; i <= 100; ++i) {
    auto line = app().receive();
    ASSERT_TRUE(line.has_value()) << "reply " << i << " is missing";
    ASSERT_EQ(json::parse(*line)["items"].size(), static_cast<size_t>(i));
  }
  EXPECT_EQ(app().request({{"op", "add"}, {"text", "one too many"}}), error("the list holds at most 100 items"));
}

INSTANTIATE_TEST_SUITE_P(Backends, TodoProtocol, ::testing::ValuesIn(available_backends()),
                         [](const auto& info) { return backend_name(info.param); });
INSTANTIATE_TEST_SUITE_P(Backends, TodoLimits, ::testing::Values(Backend::Jco),
                         [](const auto& info) { return backend_name(info.param); });

}  // namespace
}  // namespace weft::test
