#include "gesture_recognizer.hpp"

#include <gtest/gtest.h>

using namespace weft::compositor;

TEST(GestureRecognizer, ThreeFingerSwipePastTheThresholdIsANavigationGesture) {
  GestureRecognizer r;
  r.begin(GestureType::swipe, 1000, 3);
  r.update(GestureType::swipe, 60, 5, 1.0);
  r.update(GestureType::swipe, 45, -5, 1.0);
  auto g = r.end(GestureType::swipe, 1100, false);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(*g, (NavigationGesture{GestureType::swipe, 3, 105, 0}));
}

TEST(GestureRecognizer, SwipeShortOfTheThresholdIsIgnored) {
  GestureRecognizer r;
  r.begin(GestureType::swipe, 0, 4);
  r.update(GestureType::swipe, 0, -kSwipeThresholdPx + 1, 1.0);
  EXPECT_FALSE(r.end(GestureType::swipe, 10, false).has_value());
}

TEST(GestureRecognizer, TwoFingerGesturesNeverNavigate) {
  GestureRecognizer r;
  r.begin(GestureType::swipe, 0, 2);
  r.update(GestureType::swipe, 500, 0, 1.0);
  EXPECT_FALSE(r.end(GestureType::swipe, 10, false).has_value());
}

TEST(GestureRecognizer, CancelledGestureIsIgnored) {
  GestureRecognizer r;
  r.begin(GestureType::swipe, 0, 3);
  r.update(GestureType::swipe, 0, 300, 1.0);
  EXPECT_FALSE(r.end(GestureType::swipe, 10, true).has_value());
}

TEST(GestureRecognizer, PinchCountsWhenTheFinalScaleLeavesTheDeadBand) {
  GestureRecognizer r;
  r.begin(GestureType::pinch, 0, 3);
  r.update(GestureType::pinch, 4, 2, 0.9);
  r.update(GestureType::pinch, 1, 1, kPinchInThreshold);
  auto in = r.end(GestureType::pinch, 50, false);
  ASSERT_TRUE(in.has_value());
  EXPECT_EQ(in->type, GestureType::pinch);
  EXPECT_DOUBLE_EQ(in->dx, 5);
  EXPECT_DOUBLE_EQ(in->dy, 3);

  r.begin(GestureType::pinch, 0, 3);
  r.update(GestureType::pinch, 0, 0, 1.2);
  EXPECT_FALSE(r.end(GestureType::pinch, 50, false).has_value());

  r.begin(GestureType::pinch, 0, 3);
  r.update(GestureType::pinch, 0, 0, kPinchOutThreshold);
  EXPECT_TRUE(r.end(GestureType::pinch, 50, false).has_value());
}

TEST(GestureRecognizer, HoldCountsOnlyAfterTheHoldThreshold) {
  GestureRecognizer r;
  r.begin(GestureType::hold, 1000, 3);
  EXPECT_FALSE(r.end(GestureType::hold, 1000 + kHoldThresholdMs - 1, false).has_value());
  r.begin(GestureType::hold, 1000, 3);
  auto g = r.end(GestureType::hold, 1000 + kHoldThresholdMs, false);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(*g, (NavigationGesture{GestureType::hold, 3, 0, 0}));
}

TEST(GestureRecognizer, HoldDurationSurvivesTheMillisecondClockWrap) {
  GestureRecognizer r;
  r.begin(GestureType::hold, 0xffffff00u, 3);
  EXPECT_TRUE(r.end(GestureType::hold, 0x00000200u, false).has_value());
}

TEST(GestureRecognizer, EndOfAnotherKindIsIgnored) {
  GestureRecognizer r;
  r.begin(GestureType::swipe, 0, 3);
  r.update(GestureType::swipe, 200, 0, 1.0);
  EXPECT_FALSE(r.end(GestureType::pinch, 10, false).has_value());
}
