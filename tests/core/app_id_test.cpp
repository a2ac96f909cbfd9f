#include "weft/core/app_id.hpp"

#include <gtest/gtest.h>

namespace {

TEST(AppId, AcceptsThreeOrMoreLowercaseSegments) {
  EXPECT_TRUE(weft::is_valid_app_id("org.weft.demo"));
  EXPECT_TRUE(weft::is_valid_app_id("org.weft.demo.counter"));
  EXPECT_TRUE(weft::is_valid_app_id("a.b2.c33"));
}

TEST(AppId, RejectsFewerThanThreeSegmentsAndSaysHowMany) {
  auto r = weft::validate_app_id("org.weft");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "app id \"org.weft\": needs at least 3 dot-separated segments, has 2");
  EXPECT_FALSE(weft::is_valid_app_id("single"));
}

TEST(AppId, NamesTheSegmentThatStartsWithSomethingOtherThanALowercaseLetter) {
  auto r = weft::validate_app_id("org.Weft.demo");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "app id \"org.Weft.demo\": segment 2 \"Weft\" must start with a lowercase letter a-z");
  EXPECT_FALSE(weft::is_valid_app_id("org.1weft.demo"));
}

TEST(AppId, NamesTheSegmentWithAForbiddenCharacter) {
  for (const char* id : {"org.we-ft.demo", "org.we_ft.demo", "org.weFt.demo", "org.weft.de mo", "org.weft.d/x"}) {
    auto r = weft::validate_app_id(id);
    ASSERT_FALSE(r.ok()) << id;
    EXPECT_NE(r.error().message.find("may contain only a-z and 0-9"), std::string::npos) << r.error().message;
  }
}

TEST(AppId, RejectsEmptySegmentsAndTheEmptyString) {
  EXPECT_EQ(weft::validate_app_id("org..demo").error().message, "app id \"org..demo\": segment 2 is empty");
  EXPECT_EQ(weft::validate_app_id("org.weft.").error().message, "app id \"org.weft.\": segment 3 is empty");
  EXPECT_EQ(weft::validate_app_id(".org.weft").error().message, "app id \".org.weft\": segment 1 is empty");
  EXPECT_EQ(weft::validate_app_id("").error().message, "app id \"\": is empty");
}

TEST(AppId, ErrorsCarryTheBadRequestCode) { EXPECT_EQ(weft::validate_app_id("x").error().code, 400); }

}  // namespace
