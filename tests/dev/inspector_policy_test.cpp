// Who may have the remote inspector (and development reloads): appd's launch pipeline decides, not weft-dev. Only an
// unsigned (`development`) package in a store marked as a development store qualifies.
#include <gtest/gtest.h>

#include <cstdlib>

#include "launch_pipeline.hpp"
#include "weft/store/install.hpp"
#include "weft/store/revisions.hpp"
#include "weft/test/package_env.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::appd {
namespace {

constexpr uint32_t kPort = 9222;

/// This process's store and data home inside a temp dir, restored afterwards.
class StoreHome {
 public:
  StoreHome() {
    for (const char* name : {"WEFT_APP_STORE", "WEFT_TRUSTED_KEYS", "XDG_DATA_HOME", "XDG_CONFIG_HOME"}) {
      const char* v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
    }
    std::filesystem::create_directories(dir_ / "store");
    std::filesystem::create_directories(dir_ / "trust");
    ::setenv("WEFT_APP_STORE", (dir_ / "store").c_str(), 1);
    ::setenv("WEFT_TRUSTED_KEYS", (dir_ / "trust").c_str(), 1);
    ::setenv("XDG_DATA_HOME", (dir_ / "data").c_str(), 1);
    ::setenv("XDG_CONFIG_HOME", (dir_ / "config").c_str(), 1);
  }
  ~StoreHome() {
    for (const auto& [name, value] : saved_) value ? (void)::setenv(name.c_str(), value->c_str(), 1) : (void)::unsetenv(name.c_str());
  }
  [[nodiscard]] std::string store() const { return dir_ / "store"; }
  [[nodiscard]] std::string work() const { return dir_ / "work"; }

 private:
  test::TempDir dir_{"inspector-policy"};
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

Result<LaunchPlan> dev_installed_plan(const StoreHome& home) {
  std::string package = test::make_package(home.work());
  store::InstallOptions options;
  options.dev = true;
  auto installed = store::install_package(package, options);
  if (!installed) return fail(installed.error());
  return prepare_launch("org.weft.test.app", AppdConfig{});
}

TEST(InspectorPolicy, AnUnsignedPackageOutsideADevelopmentStoreIsRefusedTheInspector) {
  StoreHome home;
  auto plan = dev_installed_plan(home);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_TRUE(plan->development);
  EXPECT_FALSE(plan->development_launch());
  auto allowed = allow_inspector(*plan, kPort);
  ASSERT_FALSE(allowed.ok());
  EXPECT_EQ(allowed.error().code, 403);
  EXPECT_NE(allowed.error().message.find("development store"), std::string::npos) << allowed.error().message;
  EXPECT_EQ(plan->inspect_port, 0);
}

TEST(InspectorPolicy, AnUnsignedPackageInADevelopmentStoreGetsItAndNoRequestMeansNoInspector) {
  StoreHome home;
  test::write_file(home.store() + "/" + store::kDevelopmentStoreMarker, "test\n");
  auto plan = dev_installed_plan(home);
  ASSERT_TRUE(plan.ok()) << plan.error().message;
  EXPECT_TRUE(plan->development_launch());
  ASSERT_TRUE(allow_inspector(*plan, 0).ok());
  EXPECT_EQ(plan->inspect_port, 0) << "a launch that asks for nothing gets nothing";
  ASSERT_TRUE(allow_inspector(*plan, kPort).ok());
  EXPECT_EQ(plan->inspect_port, kPort);
}

}  // namespace
}  // namespace weft::appd
