// Third-party clients against the compositor: weston-simple-shm, foot, grim; and misbehaving clients.

#include <xdg-shell-client-protocol.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "compositor_fixture.hpp"

using namespace weft::test;
using namespace std::chrono_literals;

using RealClients = CompositorTest;

namespace {

weft::ChildProcess spawn_client(const CompositorHarness& h, std::vector<std::string> argv) {
  weft::SpawnOptions spawn;
  spawn.argv = std::move(argv);
  spawn.env = h.client_env();
  spawn.null_stdio = true;
  auto child = weft::ChildProcess::spawn(spawn);
  EXPECT_TRUE(child.ok()) << (child.ok() ? "" : child.error().message);
  return child.ok() ? std::move(*child) : weft::ChildProcess();
}

/// The compositor still runs and the one well-behaved (green, maximized) window is still shown.
void expect_survivor_shown(TestClient& driver, const std::string& capture_name) {
  auto state = driver.sync_state();
  ASSERT_TRUE(state.has_value()) << "the compositor keeps running";
  EXPECT_EQ(state->mapped_toplevels, 1u);
  auto png = driver.capture(capture_name);
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->at(640, 400), kGreen);
}

bool wait_mapped(TestClient& driver, uint32_t count) {
  return wait_until(
      [&] {
        auto state = driver.sync_state();
        return state && state->mapped_toplevels >= count;
      },
      20s);
}

}  // namespace

TEST_F(RealClients, WestonSimpleShmShowsItsRingsAtTheWorkAreaOrigin) {
  auto shm = spawn_client(*harness, {"weston-simple-shm"});
  ASSERT_TRUE(wait_mapped(*driver, 1)) << harness->log();
  auto png = driver->capture("weston-simple-shm");
  ASSERT_TRUE(png.ok()) << png.error().message;
  // 250×250 buffer with a white frame, placed at the work-area origin.
  EXPECT_EQ(png->at(5, 5), (Rgb{255, 255, 255}));
  EXPECT_EQ(png->at(245, 245), (Rgb{255, 255, 255}));
  EXPECT_NE(png->at(125, 125), kDesktopBackground);
  EXPECT_EQ(png->at(260, 260), kDesktopBackground);
  EXPECT_EQ(png->at(640, 400), kDesktopBackground);
}

TEST_F(RealClients, FootIsMaximizedIntoTheWorkAreaAboveThePanelAndGrimSeesTheSame) {
  auto shell = connect();
  auto panel = make_panel(*shell);
  wait_drawn(*panel);
  auto foot = spawn_client(*harness, {"foot", "-o", "colors.background=800080", "-o", "main.font=DejaVu Sans Mono:size=10"});
  ASSERT_TRUE(wait_mapped(*driver, 2)) << harness->log();
  // foot redraws after its maximized configure; wait for the purple background to cover the work area.
  Rgb centre, corner;
  const Rgb purple{128, 0, 128};
  ASSERT_TRUE(wait_until(
      [&] {
        auto png = driver->capture("foot");
        if (!png) return false;
        centre = png->at(640, 400);
        corner = png->at(1270, kOutputHeight - kPanelZone - 5);
        return centre == purple && corner == purple;
      },
      20s))
      << "centre " << centre << " corner " << corner;
  auto png = driver->capture("foot");
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->at(640, kOutputHeight - kPanelZone + 10), kBlue) << "panel strip below foot";

  // grim goes through wlr-screencopy and xdg-output.
  const std::string grim_png = harness->runtime_dir() + "/grim.png";
  auto grim = spawn_client(*harness, {"grim", grim_png});
  auto status = grim.wait(20s);
  ASSERT_TRUE(status.has_value() && status->success()) << (status ? status->describe() : "timeout");
  auto shot = read_png(grim_png);
  ASSERT_TRUE(shot.ok()) << shot.error().message;
  EXPECT_EQ(shot->width, kOutputWidth);
  EXPECT_EQ(shot->height, kOutputHeight);
  EXPECT_EQ(shot->at(640, kOutputHeight - kPanelZone + 10), kBlue);
  EXPECT_EQ(shot->at(1270, kOutputHeight - kPanelZone - 5), purple);
  if (const char* keep = std::getenv("WEFT_COMPOSITOR_TEST_PNG_DIR")) {
    std::error_code ec;
    std::filesystem::copy_file(grim_png, std::string(keep) + "/grim.png",
                               std::filesystem::copy_options::overwrite_existing, ec);
  }

  // A second client on top: weston-simple-shm keeps its own 250×250 size at the work-area origin and takes focus.
  auto shm = spawn_client(*harness, {"weston-simple-shm"});
  ASSERT_TRUE(wait_mapped(*driver, 3)) << harness->log();
  ASSERT_TRUE(wait_until([&] {
    auto desktop = driver->capture("desktop");
    return desktop && desktop->at(5, 5) == Rgb{255, 255, 255};
  }));
  auto desktop = driver->capture("desktop");
  ASSERT_TRUE(desktop.ok());
  EXPECT_EQ(desktop->at(640, 400), purple);
  EXPECT_EQ(desktop->at(640, 790), kBlue);
  auto state = driver->sync_state();
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->focused_app_id, "org.freedesktop.weston.simple-shm") << "a new non-session toplevel takes focus on its first map";
}

TEST_F(RealClients, ClientWithAProtocolErrorIsDisconnectedAndOthersKeepTheirWindows) {
  auto good = connect();
  auto keep = make_app(*good, "keep", kGreen);
  wait_drawn(*keep);

  auto bad = connect();
  // Attaching a buffer before the first configure is an xdg_surface protocol error.
  wl_surface* surface = wl_compositor_create_surface(bad->compositor);
  xdg_surface* xs = xdg_wm_base_get_xdg_surface(bad->wm_base, surface);
  xdg_toplevel* toplevel = xdg_surface_get_toplevel(xs);
  wl_surface_attach(surface, solid_buffer(bad->shm, 64, 64, kRed), 0, 0);
  wl_surface_commit(surface);
  bad->roundtrip();
  std::string iface;
  EXPECT_NE(bad->protocol_error(&iface), 0u);
  EXPECT_EQ(iface, "xdg_surface");
  xdg_toplevel_destroy(toplevel);  // local proxies only: the connection is dead
  xdg_surface_destroy(xs);
  wl_surface_destroy(surface);

  expect_survivor_shown(*driver, "after-protocol-error");
}

TEST_F(RealClients, ClientFloodingRequestsWithoutReadingIsDisconnected) {
  auto good = connect();
  auto keep = make_app(*good, "keep", kGreen);
  wait_drawn(*keep);

  // A raw connection that sends wl_display.sync requests as fast as it can and never reads the answers.
  auto flood = weft::connect_unix(harness->socket_path());
  ASSERT_TRUE(flood.ok()) << flood.error().message;
  timeval send_timeout{10, 0};  // s; a compositor that never disconnects fails the test instead of hanging it
  ::setsockopt(flood->get(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  constexpr uint32_t kSyncOpcode = 0, kRequestBytes = 12;
  bool disconnected = false;
  for (uint32_t id = 2; id < 5'000'000 && !disconnected; id += 256) {
    uint32_t batch[256 * 3];
    for (uint32_t i = 0; i < 256; ++i) {
      batch[i * 3 + 0] = 1;  // wl_display
      batch[i * 3 + 1] = (kRequestBytes << 16) | kSyncOpcode;
      batch[i * 3 + 2] = id + i;
    }
    if (::send(flood->get(), batch, sizeof batch, MSG_NOSIGNAL) < 0) {
      disconnected = errno == EPIPE || errno == ECONNRESET;
      if (!disconnected) FAIL() << "send failed without a disconnect: " << std::strerror(errno);
    }
  }
  EXPECT_TRUE(disconnected) << "the compositor never dropped the flooding client";

  expect_survivor_shown(*driver, "after-flood");
}

/// The X11 backend nested in a private Xvfb: a window of the host X server is the output.
class NestedX11 : public CompositorTest {
 protected:
  void SetUp() override {
    auto pipe = weft::make_pipe();
    ASSERT_TRUE(pipe.ok());
    weft::SpawnOptions spawn;
    spawn.argv = {"Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"};
    spawn.env = {"PATH=/usr/bin:/bin"};
    spawn.fd_map = {{pipe->second.get(), 3}};
    spawn.null_stdio = true;
    auto xvfb = weft::ChildProcess::spawn(spawn);
    ASSERT_TRUE(xvfb.ok()) << xvfb.error().message;
    xvfb_ = std::move(*xvfb);
    pipe->second.reset();
    auto number = read_line(pipe->first.get(), 20s);
    ASSERT_TRUE(number.has_value()) << "Xvfb did not report its display";
    display_ = ":" + *number;
    CompositorTest::SetUp();
  }
  void TearDown() override {
    CompositorTest::TearDown();
    if (xvfb_.running()) xvfb_.terminate();
  }
  std::vector<std::string> extra_args() override { return {"--backend=x11"}; }
  std::vector<std::string> extra_env() override {
    return {"DISPLAY=" + display_, "LSAN_OPTIONS=suppressions=" WEFT_COMPOSITOR_TEST_DIR "/lsan-nested.supp"};
  }

  weft::ChildProcess xvfb_;
  std::string display_;
};

TEST_F(NestedX11, AppWindowIsMaximizedIntoTheNestedOutput) {
  auto client = connect();
  auto app = make_app(*client, "nested", kRed);
  ASSERT_TRUE(wait_until([&] { return app->configured_width > 0; }));
  wait_drawn(*app);
  auto png = driver->capture("nested-x11");
  ASSERT_TRUE(png.ok()) << png.error().message;
  EXPECT_EQ(png->width, app->configured_width) << "the output is the X11 window";
  EXPECT_EQ(png->height, app->configured_height);
  EXPECT_EQ(png->at(png->width / 2, png->height / 2), kRed);
  EXPECT_NE(harness->log().find("output X11-1"), std::string::npos);
}

/// The X11 backend given a second `--output`: a second X window of that size, right of the first in the layout.
class NestedX11TwoOutputs : public NestedX11 {
 protected:
  std::vector<std::string> extra_args() override { return {"--backend=x11", "--output", "800x600"}; }
};

TEST_F(NestedX11TwoOutputs, EachOutputIsAnXWindowOfItsGivenSizeLaidOutLeftToRight) {
  // Xvfb runs no window manager: the windows keep the sizes the compositor asked for.
  ASSERT_TRUE(wait_until([&] {
    const SeenOutput* first = driver->output_named("X11-1");
    const SeenOutput* second = driver->output_named("X11-2");
    return first && second && first->mode_width == kOutputWidth && first->mode_height == kOutputHeight &&
           second->mode_width == 800 && second->mode_height == 600 && second->x == kOutputWidth && second->y == 0;
  })) << "the nested outputs are not 1280x800 at 0,0 and 800x600 at 1280,0";
  auto second = driver->capture_output("X11-2", "nested-x11-second");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->width, 800);
  EXPECT_EQ(second->height, 600);
  // The X server's side: two top-level windows, 1280x800 and 800x600.
  weft::SpawnOptions xwininfo;
  xwininfo.argv = {"xwininfo", "-root", "-children"};
  xwininfo.env = {"DISPLAY=" + display_, "PATH=/usr/bin:/bin"};
  auto tree = run_child(xwininfo, {}, 10s);
  ASSERT_EQ(tree.exit_code, 0) << tree.err;
  EXPECT_NE(tree.out.find("2 children"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("  1280x800+"), std::string::npos) << tree.out;
  EXPECT_NE(tree.out.find("  800x600+"), std::string::npos) << tree.out;
}

/// The Wayland backend nested in another (headless) weft-compositor: the outer one sees one window.
TEST_F(RealClients, NestedWaylandBackendShowsItsOutputAsAWindowOfTheHost) {
  auto nested = CompositorHarness::start(
      {"--backend=wayland"}, {"WAYLAND_DISPLAY=" + harness->socket_path(),
                              "LSAN_OPTIONS=suppressions=" WEFT_COMPOSITOR_TEST_DIR "/lsan-nested.supp"});
  ASSERT_TRUE(nested.ok()) << nested.error().message;
  auto inner_driver = TestClient::connect((*nested)->socket_path());
  ASSERT_NE(inner_driver, nullptr);
  inner_driver->capture_dir = (*nested)->runtime_dir();
  auto inner_client = TestClient::connect((*nested)->socket_path());
  auto app = make_app(*inner_client, "inner", kRed);
  ASSERT_TRUE(wait_until([&] { return app->configured_width > 0; }));
  wait_drawn(*app);
  auto inner = inner_driver->capture("nested-wayland-inner");
  ASSERT_TRUE(inner.ok()) << inner.error().message;
  EXPECT_EQ(inner->at(inner->width / 2, inner->height / 2), kRed);
  EXPECT_TRUE(wait_mapped(*driver, 1)) << "the nested output is one toplevel of the host";
  ASSERT_TRUE(wait_until([&] {
    auto outer = driver->capture("nested-wayland-outer");
    return outer && outer->at(640, 400) == kRed;
  })) << "the host shows the nested compositor's frame";
  app.reset();
  inner_client.reset();
  inner_driver.reset();
  const weft::ExitStatus status = (*nested)->process().terminate(std::chrono::seconds(10));
  EXPECT_TRUE(status.success()) << status.describe() << "\n---- nested compositor log ----\n" << (*nested)->log();
}
