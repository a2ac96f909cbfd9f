// The counter demo's protocol (spec §8.1), spoken over the relay socket to the real component.
#include <gtest/gtest.h>

#include <climits>

#include "app_harness.hpp"

namespace weft::test {
namespace {

using nlohmann::json;

class CounterProtocol : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    session_.emplace(AppSession::start(GetParam(), counter_app()));
    ASSERT_TRUE(session_->ok()) << session_->error();
  }
  json count(int n) { return {{"op", "count"}, {"count", n}}; }
  AppSession& app() { return *session_; }

 private:
  std::optional<AppSession> session_;
};

TEST_P(CounterProtocol, StartsAtZeroAndCountsUpAndDown) {
  EXPECT_EQ(app().request({{"op", "get"}}), count(0));
  EXPECT_EQ(app().request({{"op", "increment"}}), count(1));
  EXPECT_EQ(app().request({{"op", "increment"}}), count(2));
  EXPECT_EQ(app().request({{"op", "decrement"}}), count(1));
  EXPECT_EQ(app().request({{"op", "get"}}), count(1));
}

TEST_P(CounterProtocol, GoesNegativeAndResetReturnsToZero) {
  EXPECT_EQ(app().request({{"op", "decrement"}}), count(-1));
  EXPECT_EQ(app().request({{"op", "decrement"}}), count(-2));
  EXPECT_EQ(app().request({{"op", "reset"}}), count(0));
}

TEST_P(CounterProtocol, AcceptsBareWordsWithSurroundingWhitespace) {
  app().send(std::string("increment"));
  EXPECT_EQ(json::parse(app().receive().value_or("null")), count(1));
  app().send(std::string("  increment\t "));
  EXPECT_EQ(json::parse(app().receive().value_or("null")), count(2));
  app().send(std::string("decrement"));
  EXPECT_EQ(json::parse(app().receive().value_or("null")), count(1));
  app().send(std::string("get"));
  EXPECT_EQ(json::parse(app().receive().value_or("null")), count(1));
  app().send(std::string("reset"));
  EXPECT_EQ(json::parse(app().receive().value_or("null")), count(0));
}

TEST_P(CounterProtocol, AnUnknownOpIsAnsweredWithAnErrorNamingIt) {
  EXPECT_EQ(app().request({{"op", "multiply"}}), json({{"op", "error"}, {"message", "unknown op 'multiply'"}}));
  EXPECT_EQ(app().request({{"op", "say \"hi\"\n"}}), json({{"op", "error"}, {"message", "unknown op 'say \"hi\"\n'"}}));
}

TEST_P(CounterProtocol, IgnoresMessagesThatAreNotRequests) {
  // No reply to any of these: the next reply must answer the `get` that follows them.
  for (const char* ignored : {"hello", "{\"op\":5}", "{\"count\":3}", "[\"get\"]", "{\"op\":\"get\"", "\"get\"", "",
                              "{\"op\":\"increment\"} trailing"}) {
    app().send(std::string(ignored));
  }
  EXPECT_EQ(app().request({{"op", "get"}}), count(0));
}

TEST_P(CounterProtocol, AnswersAPipelinedBurstInOrder) {
  constexpr int kBurst = 200;
  for (int i = 0; i < kBurst; ++i) app().send(json({{"op", "increment"}}));
  for (int i = 1; i <= kBurst; ++i) {
    auto line = app().receive();
    ASSERT_TRUE(line.has_value()) << "reply " << i << " of the burst is missing";
    EXPECT_EQ(json::parse(*line), count(i));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CounterProtocol, ::testing::ValuesIn(available_backends()),
                         [](const auto& info) { return backend_name(info.param); });

// The limits are out of reach one request at a time (2^31 round trips), so these run the counter's own source built
// with COUNTER_INITIAL_VALUE one step inside each limit.
class CounterAtTheLimits : public ::testing::TestWithParam<Backend> {};

TEST_P(CounterAtTheLimits, IncrementSaturatesAtInt32Max) {
  AppSession app = AppSession::start(GetParam(), counter_near_max_app());
  ASSERT_TRUE(app.ok()) << app.error();
  json at_max = {{"op", "count"}, {"count", INT32_MAX}};
  EXPECT_EQ(app.request({{"op", "increment"}}), at_max);
  EXPECT_EQ(app.request({{"op", "increment"}}), at_max);
}

TEST_P(CounterAtTheLimits, DecrementSaturatesAtInt32Min) {
  AppSession app = AppSession::start(GetParam(), counter_near_min_app());
  ASSERT_TRUE(app.ok()) << app.error();
  json at_min = {{"op", "count"}, {"count", INT32_MIN}};
  EXPECT_EQ(app.request({{"op", "decrement"}}), at_min);
  EXPECT_EQ(app.request({{"op", "decrement"}}), at_min);
  EXPECT_EQ(app.request({{"op", "increment"}}), json({{"op", "count"}, {"count", INT32_MIN + 1}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, CounterAtTheLimits, ::testing::ValuesIn(available_backends()),
                         [](const auto& info) { return backend_name(info.param); });

}  // namespace
}  // namespace weft::test
