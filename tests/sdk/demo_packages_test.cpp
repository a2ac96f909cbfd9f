// The demo packages the build assembles (spec §5.1, §8): layout, manifest check, and the signature made with the
// build's development key, verified with weft-pack.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "app_harness.hpp"

namespace weft::test {
namespace {

namespace fs = std::filesystem;

ToolRun weft_pack(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {executable("weft-pack")};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(argv, /*merge_stderr=*/true);
}

std::set<std::string> files_under(const fs::path& root) {
  std::set<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) files.insert(fs::relative(entry.path(), root).string());
  return files;
}

class DemoPackages : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path package() const { return fs::path(WEFT_PACKAGES_DIR) / GetParam(); }
};

TEST_P(DemoPackages, HoldTheManifestComponentUiAndSignatureOnly) {
  std::set<std::string> files = files_under(package());
  std::set<std::string> expected_top = {"wapp.toml", "app.wasm", "signature.sig"};
  for (const auto& f : files) {
    if (f.starts_with("ui/")) continue;
    EXPECT_TRUE(expected_top.contains(f)) << "unexpected file " << f;
  }
  for (const auto& f : expected_top) EXPECT_TRUE(files.contains(f)) << f << " is missing";
  EXPECT_TRUE(files.contains("ui/index.html"));
}

TEST_P(DemoPackages, PassWeftPackCheck) {
  ToolRun run = weft_pack({"check", package().string()});
  EXPECT_TRUE(run.ok) << run.output;
  EXPECT_EQ(run.output, "OK\n");
}

TEST_P(DemoPackages, VerifyWithTheBuildsDevelopmentKeyAndNotAfterTampering) {
  ToolRun genuine = weft_pack({"verify", package().string(), "--key", WEFT_DEV_PUBLIC_KEY});
  EXPECT_TRUE(genuine.ok) << genuine.output;

  TempDir dir;
  fs::path copy = dir / GetParam();
  fs::copy(package(), copy, fs::copy_options::recursive);
  std::ofstream(copy / "ui" / "index.html", std::ios::app) << "<!-- changed -->";
  ToolRun tampered = weft_pack({"verify", copy.string(), "--key", WEFT_DEV_PUBLIC_KEY});
  EXPECT_FALSE(tampered.ok) << "a changed UI file still verified: " << tampered.output;
}

INSTANTIATE_TEST_SUITE_P(Apps, DemoPackages, ::testing::Values("org.weft.demo.counter", "org.weft.demo.notes",
                                                                  "org.weft.demo.todo"),
                         [](const auto& info) { return info.param.substr(info.param.rfind('.') + 1); });

}  // namespace
}  // namespace weft::test
