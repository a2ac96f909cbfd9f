#include "weft/core/log.hpp"

#include <gtest/gtest.h>

namespace {
using weft::log::Level;

TEST(Log, LevelNamesFromWeftLogParseAndUnknownMeansInfo) {
  EXPECT_EQ(weft::log::parse_level("error"), Level::error);
  EXPECT_EQ(weft::log::parse_level("warn"), Level::warn);
  EXPECT_EQ(weft::log::parse_level("debug"), Level::debug);
  EXPECT_EQ(weft::log::parse_level("trace"), Level::trace);
  EXPECT_EQ(weft::log::parse_level(""), Level::info);
  EXPECT_EQ(weft::log::parse_level("loud"), Level::info);
}

TEST(Log, LinesBelowTheThresholdAreNotWritten) {
  weft::log::init("weft-test");
  weft::log::set_level(Level::warn);
  testing::internal::CaptureStderr();
  weft::log::info("hidden ", 1);
  weft::log::warn("shown ", 2);
  std::string out = testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, "weft-test: warn: shown 2\n");
  weft::log::set_level(Level::info);
}

}  // namespace

#include <regex>

#include "weft/core/version.hpp"

namespace {
TEST(Version, LineNamesTheProgramAndTheProjectVersion) {
  EXPECT_TRUE(std::regex_match(weft::version_line("weft-x"), std::regex(R"(weft-x \d+\.\d+\.\d+)")))
      << weft::version_line("weft-x");
}
}  // namespace
