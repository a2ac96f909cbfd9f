// open_beneath (weft-store) in both modes: openat2 and the component-wise O_NOFOLLOW fallback.

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "weft/store/fs_at.hpp"
#include "weft/test/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using weft::store::open_beneath;

class BeneathTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    weft::store::force_beneath_fallback_for_tests(GetParam());
    base_ = dir_.path();
    fs::create_directories(base_ / "root/dir");
    fs::create_directories(base_ / "outside");
    std::ofstream(base_ / "root/dir/file") << "inside";
    std::ofstream(base_ / "outside/file") << "outside";
    fs::create_symlink(base_ / "outside", base_ / "root/abs-link");
    fs::create_symlink("dir", base_ / "root/inner-link");
    fs::create_symlink("file", base_ / "root/dir/file-link");
    auto fd = weft::store::open_dir((base_ / "root").string());
    ASSERT_TRUE(fd.ok());
    root_ = std::move(*fd);
  }
  void TearDown() override {
    weft::store::force_beneath_fallback_for_tests(false);
  }
  weft::test::TempDir dir_{"beneath-test"};
  fs::path base_;
  weft::UniqueFd root_;
};

TEST_P(BeneathTest, PlainPathsBeneathTheRootOpen) {
  auto fd = open_beneath(root_.get(), "dir/file", O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  char buf[16] = {};
  EXPECT_EQ(::read(fd->get(), buf, sizeof buf), 6);
  EXPECT_STREQ(buf, "inside");
  EXPECT_TRUE(open_beneath(root_.get(), "", O_RDONLY | O_DIRECTORY).ok());
}

TEST_P(BeneathTest, AnySymlinkOnThePathFailsWithEloopEvenOneStayingInside) {
  for (const char* p : {"abs-link/file", "inner-link/file", "dir/file-link", "abs-link"}) {
    auto fd = open_beneath(root_.get(), p, O_RDONLY);
    ASSERT_FALSE(fd.ok()) << p;
    EXPECT_EQ(fd.error().code, ELOOP) << p << ": " << fd.error().message;
  }
}

TEST_P(BeneathTest, DotDotComponentsAreRefusedBeforeAnyLookup) {
  for (const char* p : {"../outside/file", "dir/../../outside/file", "./dir/file"}) {
    auto fd = open_beneath(root_.get(), p, O_RDONLY);
    ASSERT_FALSE(fd.ok()) << p;
    EXPECT_EQ(fd.error().code, EACCES) << p;
  }
}

TEST_P(BeneathTest, MissingFilesReportEnoent) {
  auto fd = open_beneath(root_.get(), "dir/none", O_RDONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code, ENOENT);
}

INSTANTIATE_TEST_SUITE_P(Modes, BeneathTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "FallbackWalk" : "Openat2"; });

}  // namespace
