// The weft-app:// resolver: only regular files beneath the app's UI root, never `..`, symlinks or other apps.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "app_files.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::webview {
namespace {

namespace fs = std::filesystem;

class AppFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pkg_ = root_ / "org.weft.demo.counter";
    fs::create_directories(pkg_ / "ui" / "css");
    write(pkg_ / "wapp.toml", "[package]\nid = \"org.weft.demo.counter\"\n");
    write(pkg_ / "ui" / "index.html", "<p>hi</p>");
    write(pkg_ / "ui" / "css" / "app.css", "p{}");
    write(pkg_ / "ui" / "app.wasm", "\0asm");
    write(pkg_ / "ui" / "notes.exe", "MZ");
    write(pkg_ / "secret.txt", "package secret");
    write(root_ / "outside.txt", "outside");
    fs::create_directory(pkg_ / "ui" / "dir.html");
    fs::create_symlink(root_ / "outside.txt", pkg_ / "ui" / "link.txt");
    fs::create_symlink("index.html", pkg_ / "ui" / "inner-link.html");
    auto files = AppFiles::open("org.weft.demo.counter", (pkg_ / "ui" / "index.html").string());
    ASSERT_TRUE(files.ok()) << files.error().message;
    files_ = std::make_unique<AppFiles>(std::move(files).value());
  }
  static void write(const fs::path& p, const std::string& text) { weft::test::write_file(p, text); }
  void expect_refused(const std::string& uri, int code) {
    auto r = files_->resolve(uri);
    ASSERT_FALSE(r.ok()) << uri << " was served";
    EXPECT_EQ(r.error().code, code) << uri << ": " << r.error().message;
  }

  weft::test::TempDir temp_{"appfiles"};
  fs::path root_{temp_.path()}, pkg_;
  std::unique_ptr<AppFiles> files_;
};

TEST_F(AppFilesTest, EntryUriIsRelativeToThePackageRoot) {
  EXPECT_EQ(files_->entry_uri(), "weft-app://org.weft.demo.counter/ui/index.html");
}

TEST_F(AppFilesTest, ServesRegularFilesBeneathTheUiRootWithTheirMimeType) {
  auto html = files_->resolve("weft-app://org.weft.demo.counter/ui/index.html");
  ASSERT_TRUE(html.ok()) << html.error().message;
  EXPECT_EQ(html->bytes, "<p>hi</p>");
  EXPECT_EQ(html->mime_type, "text/html");
  auto css = files_->resolve("weft-app://org.weft.demo.counter/ui/css/app.css?v=1#x");
  ASSERT_TRUE(css.ok()) << css.error().message;
  EXPECT_EQ(css->mime_type, "text/css");
  auto encoded = files_->resolve("weft-app://org.weft.demo.counter/ui/%69ndex.html");
  ASSERT_TRUE(encoded.ok()) << encoded.error().message;
  EXPECT_EQ(files_->resolve("weft-app://org.weft.demo.counter/ui/app.wasm")->mime_type, "application/wasm");
}

TEST_F(AppFilesTest, RefusesDotDotInAnySpelling) {
  expect_refused("weft-app://org.weft.demo.counter/ui/../secret.txt", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/%2e%2e/secret.txt", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/css/..%2f..%2fsecret.txt", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/./index.html", 404);
}

TEST_F(AppFilesTest, RefusesSymlinksEvenWhenTheyStayInside) {
  expect_refused("weft-app://org.weft.demo.counter/ui/link.txt", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/inner-link.html", 404);
}

TEST_F(AppFilesTest, RefusesAnotherAppsIdWithForbidden) {
  expect_refused("weft-app://org.weft.demo.notes/ui/index.html", 403);
  expect_refused("weft-app://org.weft.demo.counter.evil/ui/index.html", 403);
  expect_refused("weft-app:///ui/index.html", 403);
}

TEST_F(AppFilesTest, RefusesFilesOutsideTheUiRootAndUnservedTypes) {
  expect_refused("weft-app://org.weft.demo.counter/secret.txt", 404);
  expect_refused("weft-app://org.weft.demo.counter/wapp.toml", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/notes.exe", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/dir.html", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/missing.html", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui//index.html", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/index.html%00.txt", 404);
  expect_refused("weft-app://org.weft.demo.counter/ui/%zz.html", 404);
  expect_refused("http://org.weft.demo.counter/ui/index.html", 404);
}

TEST(AppFilesOpen, RejectsAnInvalidAppIdAndAMissingUiDirectory) {
  EXPECT_FALSE(AppFiles::open("Org.X", "/tmp/index.html").ok());
  auto missing = AppFiles::open("org.weft.demo.x", "/nonexistent/weft/ui/index.html");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("/nonexistent/weft/ui"), std::string::npos) << missing.error().message;
}

TEST_F(AppFilesTest, SystemResourcesServeBeneathTheirRootOnly) {
  fs::create_directories(root_ / "res" / "icons");
  write(root_ / "res" / "icons" / "app.svg", "<svg/>");
  fs::create_symlink(root_ / "outside.txt", root_ / "res" / "icons" / "link.txt");
  auto resources = SystemResources::open((root_ / "res").string());
  ASSERT_TRUE(resources.ok()) << resources.error().message;
  auto svg = resources->resolve("weft-system://icons/app.svg");
  ASSERT_TRUE(svg.ok()) << svg.error().message;
  EXPECT_EQ(svg->bytes, "<svg/>");
  EXPECT_EQ(svg->mime_type, "image/svg+xml");
  for (const char* uri : {"weft-system://icons/link.txt", "weft-system://icons/../../outside.txt",
                          "weft-system://../outside.txt", "weft-system:///outside.txt", "weft-app://icons/app.svg"}) {
    auto refused = resources->resolve(uri);
    EXPECT_FALSE(refused.ok()) << uri << " was served";
  }
}

TEST(MimeTypes, CoverEveryServedExtensionAndNothingElse) {
  EXPECT_EQ(mime_type_for("a.HTML"), "text/html");
  EXPECT_EQ(mime_type_for("a.mjs"), "text/javascript");
  EXPECT_EQ(mime_type_for("a.jpeg"), "image/jpeg");
  EXPECT_EQ(mime_type_for("a.woff2"), "font/woff2");
  EXPECT_EQ(mime_type_for("a.svg"), "image/svg+xml");
  EXPECT_EQ(mime_type_for("a.wav"), "audio/wav");
  EXPECT_EQ(mime_type_for("a.webm"), "video/webm");
  EXPECT_EQ(mime_type_for("a.exe"), "");
  EXPECT_EQ(mime_type_for("dir.d/file"), "");
  EXPECT_EQ(mime_type_for("noext"), "");
}

}  // namespace
}  // namespace weft::webview
