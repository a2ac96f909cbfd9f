// Process-level behaviour of weft-compositor: socket name, rendezvous files, CLI errors, signals.

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <csignal>
#include <filesystem>
#include <thread>

#include "compositor_fixture.hpp"

using namespace weft::test;
using namespace std::chrono_literals;

namespace {

/// Runs weft-compositor to completion with `env`, capturing stdout and stderr.
RunResult run_compositor(std::vector<std::string> args, std::vector<std::string> env) {
  weft::SpawnOptions spawn;
  spawn.argv = {executable("weft-compositor")};
  for (auto& a : args) spawn.argv.push_back(a);
  spawn.env = std::move(env);
  return run_child(std::move(spawn), {}, 30s);
}

}  // namespace

using CompositorBoot = CompositorTest;

TEST_F(CompositorBoot, SocketNameIsPrintedAndWrittenToTheDisplayFile) {
  EXPECT_EQ(harness->socket_name().rfind("wayland-", 0), 0u) << harness->socket_name();
  auto display = weft::read_file(harness->runtime_dir() + "/weft/compositor.display");
  ASSERT_TRUE(display.ok()) << display.error().message;
  EXPECT_EQ(*display, harness->socket_name()) << "no newline, same name as stdout";

  struct stat st {};
  ASSERT_EQ(::stat((harness->runtime_dir() + "/weft").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((harness->runtime_dir() + "/weft/compositor.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CompositorBoot, StandardGlobalsAreOffered) {
  for (const char* global :
       {"wl_compositor", "wl_subcompositor", "wl_shm", "wl_output", "zxdg_output_manager_v1", "wl_seat", "xdg_wm_base",
        "zwlr_screencopy_manager_v1", "wl_data_device_manager", "zwp_primary_selection_device_manager_v1",
        "zwlr_data_control_manager_v1", "wp_presentation", "zxdg_decoration_manager_v1", "wp_viewporter",
        "zwp_pointer_gestures_v1", "zwp_relative_pointer_manager_v1", "zwp_pointer_constraints_v1", "xdg_activation_v1",
        "zweft_shell_manager_v1", "zwlr_layer_shell_v1"})
    EXPECT_TRUE(driver->has_global(global)) << global;
}

TEST_F(CompositorBoot, TerminationRemovesTheRendezvousFiles) {
  const std::string weft_dir = harness->runtime_dir() + "/weft";
  auto status = harness->process().terminate();
  EXPECT_TRUE(status.success()) << status.describe();
  EXPECT_FALSE(std::filesystem::exists(weft_dir + "/compositor.display"));
  EXPECT_FALSE(std::filesystem::exists(weft_dir + "/compositor.sock"));
}

class ScreenshotSignal : public CompositorTest {
 protected:
  std::vector<std::string> extra_args() override {
    return {"--screenshot-path", std::filesystem::temp_directory_path().string() + "/weft-sigusr1-" +
                                     std::to_string(::getpid()) + ".png"};
  }
};

TEST_F(ScreenshotSignal, SigusrOneWritesTheOutputAsPng) {
  const std::string path = extra_args()[1];
  std::filesystem::remove(path);
  harness->process().signal(SIGUSR1);
  ASSERT_TRUE(harness->wait_for_log("screenshot written to " + path));
  auto png = read_png(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->width, kOutputWidth);
  EXPECT_EQ(png->height, kOutputHeight);
  EXPECT_EQ(png->at(640, 400), kDesktopBackground);
}

class SystemdReadiness : public CompositorTest {
 protected:
  SystemdReadiness() {
    notify_path_ = notify_dir_.path() + "/notify";
    notify_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", notify_path_.c_str());
    bound_ = ::bind(notify_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  std::vector<std::string> extra_env() override { return {"NOTIFY_SOCKET=" + notify_path_}; }

  TempDir notify_dir_;
  std::string notify_path_;
  weft::UniqueFd notify_;
  bool bound_ = false;
};

TEST_F(SystemdReadiness, ReadyIsNotifiedOnceTheDisplayFileExists) {
  ASSERT_TRUE(bound_);
  pollfd pfd{notify_.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 10000), 1) << "no sd_notify datagram";
  char buf[512] = {};
  const ssize_t n = ::recv(notify_.get(), buf, sizeof buf - 1, 0);
  ASSERT_GT(n, 0);
  const std::string datagram(buf, static_cast<size_t>(n));
  EXPECT_NE(datagram.find("READY=1"), std::string::npos) << datagram;
  EXPECT_NE(datagram.find(harness->socket_name()), std::string::npos) << datagram;
  EXPECT_TRUE(std::filesystem::exists(harness->runtime_dir() + "/weft/compositor.display"));
}

TEST(CompositorCli, VersionNamesTheCompositorAndWlroots) {
  auto run = run_compositor({"--version"}, {});
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  EXPECT_NE(run.out.find("weft-compositor"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("wlroots 0.15"), std::string::npos) << run.out;
}

TEST(CompositorCli, MalformedOutputModeIsRejectedByName) {
  TempDir dir;
  auto run = run_compositor({"--backend=headless", "--output", "12x"}, {"XDG_RUNTIME_DIR=" + dir.path()});
  EXPECT_TRUE(run.status.exited);
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("--output \"12x\""), std::string::npos) << run.err;
}

TEST(CompositorCli, UnknownBackendIsRejectedByName) {
  TempDir dir;
  auto run = run_compositor({"--backend=vulkan"}, {"XDG_RUNTIME_DIR=" + dir.path()});
  EXPECT_EQ(run.status.code, 2);
  EXPECT_NE(run.err.find("\"vulkan\""), std::string::npos) << run.err;
}

TEST(CompositorCli, MissingRuntimeDirIsAnErrorNamingTheVariable) {
  auto run = run_compositor({"--backend=headless"}, {"WLR_RENDERER=pixman"});
  EXPECT_TRUE(run.status.exited);
  EXPECT_EQ(run.status.code, 1);
  EXPECT_NE(run.err.find("XDG_RUNTIME_DIR"), std::string::npos) << run.err;
}
