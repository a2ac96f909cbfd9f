// weft/core/fd.hpp: the directory-relative durable writes and the bounded read.

#include "weft/core/fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "weft/core/confined_fs.hpp"

namespace {

namespace fs = std::filesystem;

class DirectoryWrites : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/weft-fd-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    auto fd = weft::open_dir(base_.string());
    ASSERT_TRUE(fd.ok()) << fd.error().message;
    dir_ = std::move(*fd);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  std::string read(const std::string& name) {
    std::ifstream in(base_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path base_;
  weft::UniqueFd dir_;
};

TEST_F(DirectoryWrites, AnExclusiveWriteNeverOverwritesAndSaysEexist) {
  ASSERT_TRUE(weft::write_file_exclusive_at(dir_.get(), "key", "first", 0600).ok());
  auto again = weft::write_file_exclusive_at(dir_.get(), "key", "second", 0600);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, EEXIST) << again.error().message;
  EXPECT_EQ(read("key"), "first");
  struct stat st {};
  ASSERT_EQ(::stat((base_ / "key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(DirectoryWrites, AnExclusiveWriteDoesNotFollowALinkInTheWay) {
  fs::create_symlink(base_ / "target", base_ / "link");
  auto written = weft::write_file_exclusive_at(dir_.get(), "link", "x", 0600);
  ASSERT_FALSE(written.ok());
  EXPECT_FALSE(fs::exists(base_ / "target")) << "the link's target must not be created";
}

TEST_F(DirectoryWrites, AnAtomicWriteReplacesTheContentAndLeavesNoTemporaryName) {
  ASSERT_TRUE(weft::write_file_atomic_at(dir_.get(), "record", "old", 0644).ok());
  ASSERT_TRUE(weft::write_file_atomic_at(dir_.get(), "record", "new", 0644).ok());
  EXPECT_EQ(read("record"), "new");
  auto names = weft::list_directory(dir_.get());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"record"});
}

TEST_F(DirectoryWrites, ABoundedReadFailsPastTheBoundNamingTheFile) {
  std::ofstream(base_ / "big") << std::string(100, 'x');
  weft::UniqueFd fd(::open((base_ / "big").c_str(), O_RDONLY | O_CLOEXEC));
  auto whole = weft::read_fd(fd.get(), 100, "big");
  ASSERT_TRUE(whole.ok()) << whole.error().message;
  EXPECT_EQ(whole->size(), 100u);
  ASSERT_EQ(::lseek(fd.get(), 0, SEEK_SET), 0);
  auto bounded = weft::read_fd(fd.get(), 99, "big");
  ASSERT_FALSE(bounded.ok());
  EXPECT_EQ(bounded.error().message, "big exceeds 99 bytes");
}

}  // namespace
