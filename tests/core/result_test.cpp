#include "weft/core/result.hpp"

#include <gtest/gtest.h>

namespace {

weft::Result<int> parse_positive(int v) {
  if (v <= 0) return weft::fail("value " + std::to_string(v) + " is not positive", 400);
  return v;
}

weft::Result<int> doubled(int v) {
  WEFT_TRY(int x, parse_positive(v));
  return x * 2;
}

TEST(Result, CarriesAValueWhenTheOperationSucceeds) {
  auto r = doubled(21);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
}

TEST(Result, PropagatesTheFirstErrorWithItsMessageAndCode) {
  auto r = doubled(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "value -1 is not positive");
  EXPECT_EQ(r.error().code, 400);
}

TEST(Result, ErrorContextIsPrefixedToTheMessage) {
  weft::Error e("file missing", 2);
  EXPECT_EQ(e.with_context("wapp.toml").message, "wapp.toml: file missing");
  EXPECT_EQ(e.with_context("wapp.toml").code, 2);
}

}  // namespace
