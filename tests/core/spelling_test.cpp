#include "weft/core/spelling.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "weft/core/capability.hpp"

namespace {

TEST(Spelling, CountsInsertionsDeletionsSubstitutionsAndSwapsAsOneEditEach) {
  EXPECT_EQ(weft::edit_distance("capabilites", "capabilities"), 1u);
  EXPECT_EQ(weft::edit_distance("descripton", "description"), 1u);
  EXPECT_EQ(weft::edit_distance("entyr", "entry"), 1u);
  EXPECT_EQ(weft::edit_distance("modle", "module"), 1u);
  EXPECT_EQ(weft::edit_distance("", "abc"), 3u);
  EXPECT_EQ(weft::edit_distance("same", "same"), 0u);
}

TEST(Spelling, SuggestsOnlyCloseCandidates) {
  constexpr std::array<std::string_view, 3> kTables = {"package", "runtime", "ui"};
  EXPECT_EQ(weft::closest_spelling("packge", kTables), "package");
  EXPECT_EQ(weft::closest_spelling("iu", kTables), "ui");
  EXPECT_FALSE(weft::closest_spelling("x", kTables).has_value());
  EXPECT_FALSE(weft::closest_spelling("something_new", kTables).has_value());
}

TEST(Spelling, ANameUpToTwoLettersLongerOrShorterIsSuggestedAndALongerOneIsNot) {
  constexpr std::array<std::string_view, 2> kTables = {"package", "runtime"};
  EXPECT_EQ(weft::closest_spelling("packagexx", kTables), "package");
  EXPECT_EQ(weft::closest_spelling("runtie", kTables), "runtime");
  EXPECT_EQ(weft::closest_spelling("runtm", kTables), "runtime");
  EXPECT_FALSE(weft::closest_spelling("packagexxx", kTables).has_value());
  EXPECT_FALSE(weft::closest_spelling(std::string(4096, 'p'), kTables).has_value());
}

TEST(Spelling, AnUnknownCapabilityHintNamesTheClosestAndEveryValidOne) {
  EXPECT_EQ(weft::unknown_capability_hint("sys:notification"),
            " (did you mean 'sys:notifications'? valid: fs:read:app-data, fs:rw:app-data, fs:read:xdg-documents, "
            "fs:rw:xdg-documents, net:fetch:*, net:fetch:<host>, sys:notifications, sys:clipboard:read, "
            "sys:clipboard:write, hw:gpu:compute, hw:gpu:render)");
  EXPECT_TRUE(weft::unknown_capability_hint("FS:RW:APP-DATA").starts_with(" (did you mean 'fs:rw:app-data'?"));
  EXPECT_TRUE(weft::unknown_capability_hint("net:fetch:Example.org").starts_with(" (net:fetch takes a host: "));
  EXPECT_TRUE(weft::unknown_capability_hint("teleport").starts_with(" (valid: fs:read:app-data, "));
}

}  // namespace
