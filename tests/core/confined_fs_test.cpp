// weft/core/confined_fs: open_beneath in both modes (openat2 and the component-wise O_NOFOLLOW fallback walk) under
// both policies, the parent+name split for the *at calls, the path splitter and the directory reader.

#include "weft/core/confined_fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <fstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace {

namespace fs = std::filesystem;
using weft::BeneathPolicy;
using weft::kFollowBeneath;
using weft::open_beneath;
using weft::open_parent_beneath;

/// A temporary tree: root/{dir/file, dir/file-link -> file, abs-link -> <outside>, inner-link -> dir,
/// escape-link -> ../outside} and outside/file.
class TempTree {
 public:
  TempTree() {
    char tmpl[] = "/tmp/weft-confined-fs-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    base = tmpl;
    fs::create_directories(base / "root/dir");
    fs::create_directories(base / "outside");
    std::ofstream(base / "root/dir/file") << "inside";
    std::ofstream(base / "outside/file") << "outside";
    fs::create_symlink(base / "outside", base / "root/abs-link");
    fs::create_symlink("dir", base / "root/inner-link");
    fs::create_symlink("../outside", base / "root/escape-link");
    fs::create_symlink("file", base / "root/dir/file-link");
  }
  ~TempTree() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  fs::path base;
};

ino_t inode_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}
ino_t inode_of(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}
std::string read_all(int fd) {
  char buf[64] = {};
  ssize_t n = ::read(fd, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

class OpenBeneath : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    weft::force_beneath_fallback_for_tests(GetParam());
    auto fd = weft::open_dir((tree_.base / "root").string());
    ASSERT_TRUE(fd.ok()) << fd.error().message;
    root_ = std::move(*fd);
  }
  void TearDown() override { weft::force_beneath_fallback_for_tests(false); }
  TempTree tree_;
  weft::UniqueFd root_;
};

TEST_P(OpenBeneath, PlainPathsBeneathTheRootOpen) {
  auto fd = open_beneath(root_.get(), "dir/file", O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  EXPECT_EQ(read_all(fd->get()), "inside");
  auto self = open_beneath(root_.get(), "", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(self.ok()) << self.error().message;
  EXPECT_EQ(inode_of(self->get()), inode_of(tree_.base / "root"));
}

TEST_P(OpenBeneath, AnySymlinkOnThePathFailsWithEloopEvenOneStayingInside) {
  for (const char* p : {"abs-link/file", "inner-link/file", "dir/file-link", "abs-link", "escape-link/file"}) {
    auto fd = open_beneath(root_.get(), p, O_RDONLY);
    ASSERT_FALSE(fd.ok()) << p;
    EXPECT_EQ(fd.error().code, ELOOP) << p << ": " << fd.error().message;
  }
}

TEST_P(OpenBeneath, DotAndDotDotComponentsAreRefusedBeforeAnyLookup) {
  for (const char* p : {"../outside/file", "dir/../../outside/file", "./dir/file", "dir/..", "."}) {
    auto fd = open_beneath(root_.get(), p, O_RDONLY);
    ASSERT_FALSE(fd.ok()) << p;
    EXPECT_EQ(fd.error().code, EACCES) << p << ": " << fd.error().message;
  }
}

TEST_P(OpenBeneath, MissingFilesReportEnoent) {
  auto fd = open_beneath(root_.get(), "dir/none", O_RDONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code, ENOENT) << fd.error().message;
}

TEST_P(OpenBeneath, AFifoOpensWithoutWaitingForAWriterAndStaysNonBlocking) {
  std::string fifo = (tree_.base / "root/dir/fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto opening = std::async(std::launch::async, [&] { return open_beneath(root_.get(), "dir/fifo", O_RDONLY); });
  if (opening.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    weft::UniqueFd release(::open(fifo.c_str(), O_WRONLY | O_CLOEXEC));  // lets the blocked open return
    FAIL() << "opening a FIFO waited for a writer";
  }
  auto fd = opening.get();
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  EXPECT_NE(::fcntl(fd->get(), F_GETFL) & O_NONBLOCK, 0);
  auto for_writing = open_beneath(root_.get(), "dir/fifo", O_WRONLY);
  ASSERT_TRUE(for_writing.ok()) << "a reader is open now: " << for_writing.error().message;
}

TEST_P(OpenBeneath, AFifoWithoutAReaderFailsToOpenForWritingInsteadOfWaiting) {
  ASSERT_EQ(::mkfifo((tree_.base / "root/dir/fifo").string().c_str(), 0600), 0);
  auto fd = open_beneath(root_.get(), "dir/fifo", O_WRONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().code, ENXIO) << fd.error().message;
}

TEST_P(OpenBeneath, RegularFilesComeBackInTheBlockingModeAskedFor) {
  auto blocking = open_beneath(root_.get(), "dir/file", O_RDONLY);
  ASSERT_TRUE(blocking.ok()) << blocking.error().message;
  EXPECT_EQ(::fcntl(blocking->get(), F_GETFL) & O_NONBLOCK, 0);
  auto nonblocking = open_beneath(root_.get(), "dir/file", O_RDONLY | O_NONBLOCK);
  ASSERT_TRUE(nonblocking.ok()) << nonblocking.error().message;
  EXPECT_NE(::fcntl(nonblocking->get(), F_GETFL) & O_NONBLOCK, 0);
}

TEST_P(OpenBeneath, AbsolutePathsFailWithExdevUnderEitherPolicy) {
  for (BeneathPolicy policy : {BeneathPolicy{}, kFollowBeneath}) {
    auto fd = open_beneath(root_.get(), (tree_.base / "root/dir/file").string(), O_RDONLY, 0, policy);
    ASSERT_FALSE(fd.ok());
    EXPECT_EQ(fd.error().code, EXDEV) << fd.error().message;
  }
}

TEST_P(OpenBeneath, ANewFileIsCreatedWithTheModeGiven) {
  auto fd = open_beneath(root_.get(), "dir/new", O_WRONLY | O_CREAT | O_EXCL, 0640);
  ASSERT_TRUE(fd.ok()) << fd.error().message;
  struct stat st {};
  ASSERT_EQ(::stat((tree_.base / "root/dir/new").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777 & ~0640u, 0u) << "no permission beyond the mode given (the umask may take some)";
}

TEST_P(OpenBeneath, FollowingLinksThatStayInsideReachTheirTargets) {
  for (const char* p : {"inner-link/file", "dir/file-link", "inner-link/file-link"}) {
    auto fd = open_beneath(root_.get(), p, O_RDONLY, 0, kFollowBeneath);
    ASSERT_TRUE(fd.ok()) << p << ": " << fd.error().message;
    EXPECT_EQ(read_all(fd->get()), "inside") << p;
  }
}

TEST_P(OpenBeneath, FollowingLinksThatLeaveTheDirectoryFailWithExdev) {
  for (const char* p : {"abs-link/file", "escape-link/file", "abs-link"}) {
    auto fd = open_beneath(root_.get(), p, O_RDONLY, 0, kFollowBeneath);
    ASSERT_FALSE(fd.ok()) << p;
    EXPECT_EQ(fd.error().code, EXDEV) << p << ": " << fd.error().message;
  }
}

TEST_P(OpenBeneath, OPathWithNoFollowOpensALastLinkItself) {
  for (BeneathPolicy policy : {BeneathPolicy{}, kFollowBeneath}) {
    auto fd = open_beneath(root_.get(), "dir/file-link", O_PATH | O_NOFOLLOW, 0, policy);
    ASSERT_TRUE(fd.ok()) << fd.error().message;
    struct stat st {};
    ASSERT_EQ(::fstat(fd->get(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
  }
  auto plain = open_beneath(root_.get(), "dir/file-link", O_RDONLY | O_NOFOLLOW, 0, kFollowBeneath);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code, ELOOP) << plain.error().message;
}

TEST_P(OpenBeneath, AnExclusiveCreateOnALinkFailsWithEexistAndCreatesNothing) {
  fs::create_symlink("made-through-link", tree_.base / "root/dir/dangling-link");
  for (BeneathPolicy policy : {BeneathPolicy{}, kFollowBeneath}) {
    auto fd = open_beneath(root_.get(), "dir/dangling-link", O_WRONLY | O_CREAT | O_EXCL, 0600, policy);
    ASSERT_FALSE(fd.ok());
    EXPECT_EQ(fd.error().code, EEXIST) << fd.error().message;
  }
  EXPECT_FALSE(fs::exists(tree_.base / "root/dir/made-through-link"));
}

TEST_P(OpenBeneath, ATrailingSlashDemandsADirectoryWhenDotsResolve) {
  auto dir = open_beneath(root_.get(), "dir/", O_RDONLY, 0, kFollowBeneath);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(inode_of(dir->get()), inode_of(tree_.base / "root/dir"));
  auto file = open_beneath(root_.get(), "dir/file/", O_RDONLY, 0, kFollowBeneath);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, ENOTDIR) << file.error().message;
}

TEST_P(OpenBeneath, DotDotResolvesWhileItStaysBeneathAndFailsWithExdevAbove) {
  auto inside = open_beneath(root_.get(), "dir/../dir/./file", O_RDONLY, 0, kFollowBeneath);
  ASSERT_TRUE(inside.ok()) << inside.error().message;
  EXPECT_EQ(read_all(inside->get()), "inside");
  for (const char* p : {"..", "../outside/file", "dir/../../outside/file"}) {
    auto fd = open_beneath(root_.get(), p, O_RDONLY, 0, kFollowBeneath);
    ASSERT_FALSE(fd.ok()) << p;
    EXPECT_EQ(fd.error().code, EXDEV) << p << ": " << fd.error().message;
  }
}

TEST_P(OpenBeneath, DotAndATrailingSlashDotNameTheDirectoryItself) {
  auto self = open_beneath(root_.get(), ".", O_RDONLY | O_DIRECTORY, 0, kFollowBeneath);
  ASSERT_TRUE(self.ok()) << self.error().message;
  EXPECT_EQ(inode_of(self->get()), inode_of(tree_.base / "root"));
  auto dir = open_beneath(root_.get(), "dir/.", O_RDONLY | O_DIRECTORY, 0, kFollowBeneath);
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_EQ(inode_of(dir->get()), inode_of(tree_.base / "root/dir"));
}

TEST_P(OpenBeneath, AMountCrossingFailsWithExdevOnlyWhenAskedTo) {
  auto slash = weft::open_dir("/");
  ASSERT_TRUE(slash.ok());
  struct stat root_st {}, proc_st {};
  if (::stat("/", &root_st) != 0 || ::stat("/proc", &proc_st) != 0 || root_st.st_dev == proc_st.st_dev)
    GTEST_SKIP() << "needs /proc mounted apart from /";
  auto crossing = open_beneath(slash->get(), "proc", O_RDONLY | O_DIRECTORY, 0, BeneathPolicy{.same_mount = true});
  ASSERT_FALSE(crossing.ok());
  EXPECT_EQ(crossing.error().code, EXDEV) << crossing.error().message;
  EXPECT_TRUE(open_beneath(slash->get(), "proc", O_RDONLY | O_DIRECTORY).ok());
}

TEST_P(OpenBeneath, TheParentOfAPathIsOpenedBeneathAndDotNamesTheDirectoryItself) {
  struct Row {
    const char* path;
    fs::path expected;  // what fstatat(dir(), name(), AT_SYMLINK_NOFOLLOW) must stat
  };
  for (const Row& row : {Row{".", tree_.base / "root"}, Row{"dir/.", tree_.base / "root/dir"},
                         Row{"dir/file", tree_.base / "root/dir/file"}, Row{"dir/", tree_.base / "root/dir"},
                         Row{"inner-link/file-link", tree_.base / "root/dir/file-link"},
                         Row{"dir/../abs-link", tree_.base / "root/abs-link"}}) {
    auto parent = open_parent_beneath(root_.get(), row.path, kFollowBeneath);
    ASSERT_TRUE(parent.ok()) << row.path << ": " << parent.error().message;
    struct stat st {};
    ASSERT_EQ(::fstatat(parent->dir(), parent->name().c_str(), &st, AT_SYMLINK_NOFOLLOW), 0) << row.path;
    EXPECT_EQ(st.st_ino, inode_of(row.expected)) << row.path;
  }
}

TEST_P(OpenBeneath, AParentOutsideTheDirectoryOrALastDotDotIsRefused) {
  struct Row {
    const char* path;
    BeneathPolicy policy;
    int code;
  };
  for (const Row& row : {Row{"dir/..", kFollowBeneath, EINVAL}, Row{"..", kFollowBeneath, EINVAL},
                         Row{"abs-link/file", kFollowBeneath, EXDEV}, Row{"../outside/file", kFollowBeneath, EXDEV},
                         Row{"/etc/hostname", kFollowBeneath, EXDEV}, Row{"", kFollowBeneath, ENOENT},
                         Row{".", BeneathPolicy{}, EACCES}, Row{"inner-link/file", BeneathPolicy{}, ELOOP}}) {
    auto parent = open_parent_beneath(root_.get(), row.path, row.policy);
    ASSERT_FALSE(parent.ok()) << row.path;
    EXPECT_EQ(parent.error().code, row.code) << row.path << ": " << parent.error().message;
  }
}

TEST_P(OpenBeneath, APathHoldingANulIsRefusedRatherThanCutShort) {
  const std::string with_nul("dir/file\0.txt", 13);
  auto fd = open_beneath(root_.get(), with_nul, O_RDONLY, 0, kFollowBeneath);
  ASSERT_FALSE(fd.ok()) << "opened dir/file through a longer name";
  EXPECT_EQ(fd.error().code, EINVAL) << fd.error().message;
  auto parent = open_parent_beneath(root_.get(), with_nul, kFollowBeneath);
  ASSERT_FALSE(parent.ok());
  EXPECT_EQ(parent.error().code, EINVAL) << parent.error().message;
}

TEST_P(OpenBeneath, TheLastNameKeepsItsTrailingSlashForTheAtCalls) {
  auto parent = open_parent_beneath(root_.get(), "dir/file/", kFollowBeneath);
  ASSERT_TRUE(parent.ok()) << parent.error().message;
  EXPECT_EQ(parent->name(), "file");
  EXPECT_EQ(parent->name_as_written(), "file/");
  // As on Linux: a regular file named with a trailing slash is not a directory.
  EXPECT_NE(::unlinkat(parent->dir(), parent->name_as_written().c_str(), 0), 0);
  EXPECT_EQ(errno, ENOTDIR);
  auto plain = open_parent_beneath(root_.get(), "dir/file", kFollowBeneath);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->name_as_written(), "file");
}

INSTANTIATE_TEST_SUITE_P(Modes, OpenBeneath, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "FallbackWalk" : "Openat2"; });

TEST(PathComponents, EmptyComponentsAreDroppedAndDotsKept) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(weft::path_components("a//b/"), (V{"a", "b"}));
  EXPECT_EQ(weft::path_components("/a"), (V{"a"}));
  EXPECT_EQ(weft::path_components("./x/.."), (V{".", "x", ".."}));
  EXPECT_EQ(weft::path_components(""), V{});
  EXPECT_EQ(weft::path_components("///"), V{});
}

TEST(SplitParent, SplitsAsLinuxResolvesAndALastDotNamesTheDirectory) {
  struct Row {
    std::string_view path, parent, name;
  };
  for (const Row& row : {Row{"a/b", "a", "b"}, Row{"b", "", "b"}, Row{"a/.", "a", "."}, Row{".", "", "."},
                         Row{"a/b/", "a", "b"}, Row{"a//b", "a", "b"}, Row{"a/b/..", "a/b", ".."},
                         Row{"/a", "/", "a"}, Row{"/", "/", ""}, Row{"", "", ""}}) {
    weft::PathTail tail = weft::split_parent(row.path);
    EXPECT_EQ(tail.parent, row.parent) << "'" << row.path << "'";
    EXPECT_EQ(tail.name, row.name) << "'" << row.path << "'";
  }
}

TEST(DirectoryReader, ListsEveryEntryButDotAndDotDotWithItsType) {
  TempTree tree;
  auto root = weft::open_dir((tree.base / "root").string());
  ASSERT_TRUE(root.ok());
  auto entries = weft::read_directory(root->get());
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  std::vector<std::string> names;
  for (const auto& e : *entries) names.push_back(e.name);
  EXPECT_EQ(names, (std::vector<std::string>{"abs-link", "dir", "escape-link", "inner-link"}));
  for (const auto& e : *entries) {
    if (e.type == DT_UNKNOWN) continue;  // the filesystem does not say
    EXPECT_EQ(e.type, e.name == "dir" ? DT_DIR : DT_LNK) << e.name;
  }
}

TEST(DirectoryReader, ReadsThroughAnOPathDescriptorAndLeavesItUsable) {
  TempTree tree;
  weft::UniqueFd dir(::open((tree.base / "root/dir").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dir.valid());
  for (int round = 0; round < 2; ++round) {
    auto names = weft::list_directory(dir.get());
    ASSERT_TRUE(names.ok()) << names.error().message;
    EXPECT_EQ(*names, (std::vector<std::string>{"file", "file-link"})) << "round " << round;
  }
}

TEST(DirectoryReader, AnEmptyDirectoryEndsAtOnceAndAFileIsNotADirectory) {
  TempTree tree;
  fs::create_directories(tree.base / "empty");
  auto empty = weft::open_dir((tree.base / "empty").string());
  ASSERT_TRUE(empty.ok());
  auto reader = weft::DirectoryReader::open(empty->get());
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  auto first = reader->next();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->has_value());
  weft::UniqueFd file(::open((tree.base / "outside/file").c_str(), O_RDONLY | O_CLOEXEC));
  auto not_dir = weft::DirectoryReader::open(file.get());
  ASSERT_FALSE(not_dir.ok());
  EXPECT_EQ(not_dir.error().code, ENOTDIR) << not_dir.error().message;
}

TEST(RemoveTreeAt, RemovesATreeWithoutFollowingItsLinks) {
  TempTree tree;
  auto base = weft::open_dir(tree.base.string());
  ASSERT_TRUE(base.ok());
  ASSERT_TRUE(weft::remove_tree_at(base->get(), "root").ok());
  EXPECT_FALSE(fs::exists(tree.base / "root"));
  EXPECT_TRUE(fs::exists(tree.base / "outside/file")) << "a link's target outside the tree must survive";
  EXPECT_TRUE(weft::remove_tree_at(base->get(), "root").ok()) << "a missing entry is not an error";
}

}  // namespace
