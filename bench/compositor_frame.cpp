// compositor_frame: what a composited frame costs in weft-compositor's core (pixman, headless) and how long start-up
// takes. Prints figures; asserts nothing.
//
//   compositor_frame [WxH[@Hz]] [frames]          (default 1920x1080@120, 300 frames)
//
// Measures, in this process: start → socket ready, start → first frame committed; then with real clients attached
// (weston-simple-shm and, when installed, foot maximized into the work area) the CPU time of this process per
// composited frame for a full repaint and for a small (64×64) damaged region. Also times a PNG capture.
// Frames are paced by the output (its refresh); CPU per frame includes the event loop and the clients' commits.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "listener.hpp"
#include "output.hpp"
#include "screenshot.hpp"
#include "server.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/log.hpp"

using namespace weft;
using namespace weft::compositor;
using Clock = std::chrono::steady_clock;

namespace {

// Issue 14 §4: with damage tracking through the scene, a small damaged region should cost at most this per frame.
constexpr double kSmallDamageGoalMs = 0.5;  // ms CPU per 1080p frame

double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double since_ms(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

/// Dispatches the server's loop until `done` or `timeout_ms`.
template <class F>
bool pump(Server& server, F done, int timeout_ms) {
  const auto t0 = Clock::now();
  while (!done()) {
    if (since_ms(t0) > timeout_ms) return false;
    wl_display_flush_clients(server.display());
    wl_event_loop_dispatch(server.loop(), 5);
  }
  return true;
}

struct FrameCost {
  double cpu_ms;   // per frame
  double wall_ms;  // per frame
};

/// Lets the output composite `frames` frames at its own pace, each with the damage `add_damage` adds first.
template <class F>
FrameCost measure(Server& server, Output& output, int frames, F add_damage) {
  int committed = 0;
  Listener<> on_commit;
  on_commit.connect(&output.output->events.commit, [&](void*) { ++committed; });
  const double c0 = cpu_ms();
  const auto t0 = Clock::now();
  for (int i = 0; i < frames; ++i) {
    add_damage(output.scene_output->damage);  // schedules a frame
    const int target = committed + 1;
    if (!pump(server, [&] { return committed >= target; }, 2000)) {
      std::fprintf(stderr, "frame %d was never committed\n", i);
      break;
    }
  }
  return FrameCost{(cpu_ms() - c0) / std::max(committed, 1), since_ms(t0) / std::max(committed, 1)};
}

}  // namespace

int main(int argc, char** argv) {
  log::init("compositor_frame");
  log::set_level(log::Level::error);
  Options options;
  options.backend = BackendKind::headless;
  options.output = {1920, 1080, 120000};
  if (argc > 1) {
    auto mode = parse_output_mode(argv[1]);
    if (!mode) {
      std::fprintf(stderr, "%s\n", mode.error().message.c_str());
      return 2;
    }
    options.output = *mode;
  }
  const int frames = argc > 2 ? std::atoi(argv[2]) : 300;
  if (!std::getenv("XDG_RUNTIME_DIR")) {
    std::fprintf(stderr, "XDG_RUNTIME_DIR is required\n");
    return 2;
  }
  setenv("WLR_RENDERER", "pixman", 1);

  const auto t_start = Clock::now();
  const double cpu_start = cpu_ms();
  Server server(options);
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "%s\n", started.error().message.c_str());
    return 1;
  }
  const double socket_ms = since_ms(t_start);
  bool first_frame = false;
  Output* output = server.primary_output();
  if (!output) return 1;
  Listener<> committed;
  committed.connect(&output->output->events.commit, [&](void*) { first_frame = true; });
  if (!pump(server, [&] { return first_frame; }, 5000)) {
    std::fprintf(stderr, "no first frame within 5 s\n");
    return 1;
  }
  committed.disconnect();
  const double first_frame_ms = since_ms(t_start);
  const double first_frame_cpu = cpu_ms() - cpu_start;

  std::printf("compositor_frame: %dx%d@%.0f pixman headless, %d frames per case\n", options.output.width,
              options.output.height, options.output.refresh_mhz / 1000.0, frames);
  std::printf("  start -> socket ready        %8.1f ms wall\n", socket_ms);
  std::printf("  start -> first frame         %8.1f ms wall, %.1f ms CPU\n", first_frame_ms, first_frame_cpu);

  auto idle = measure(server, *output, frames, [](wlr_output_damage* d) {
    wlr_output_damage_add_whole(d);
  });
  std::printf("  full repaint, background     %8.3f ms CPU/frame (%.3f ms wall)\n", idle.cpu_ms, idle.wall_ms);

  std::vector<std::string> env = {"XDG_RUNTIME_DIR=" + std::string(std::getenv("XDG_RUNTIME_DIR")),
                                  "WAYLAND_DISPLAY=" + server.socket_name(), "PATH=/usr/bin:/bin",
                                  "HOME=" + std::string(std::getenv("XDG_RUNTIME_DIR"))};
  std::vector<ChildProcess> children;
  auto spawn = [&](std::vector<std::string> argv) {
    SpawnOptions s;
    s.argv = std::move(argv);
    s.env = env;
    s.null_stdio = true;
    auto child = ChildProcess::spawn(s);
    if (child) children.push_back(std::move(*child));
    return child.ok();
  };
  size_t expected = 0;
  if (std::filesystem::exists("/usr/bin/foot") && spawn({"foot", "-o", "colors.background=202830"})) ++expected;
  if (spawn({"weston-simple-shm"})) ++expected;
  const auto t_map = Clock::now();
  if (!pump(server, [&] { return server.mapped_toplevels() >= expected; }, 10000))
    std::fprintf(stderr, "only %zu of %zu clients mapped\n", server.mapped_toplevels(), expected);
  std::printf("  clients mapped (%zu)          %8.1f ms wall after spawn\n", server.mapped_toplevels(), since_ms(t_map));
  pump(server, [] { return false; }, 300);  // let foot settle at its maximized size

  auto full = measure(server, *output, frames, [](wlr_output_damage* d) {
    wlr_output_damage_add_whole(d);
  });
  std::printf("  full repaint, with clients   %8.3f ms CPU/frame (%.3f ms wall)\n", full.cpu_ms, full.wall_ms);
  auto small = measure(server, *output, frames, [](wlr_output_damage* d) {
    wlr_box box{600, 400, 64, 64};
    wlr_output_damage_add_box(d, &box);
  });
  std::printf("  64x64 damage, with clients   %8.3f ms CPU/frame (%.3f ms wall; goal <= %.1f ms CPU)\n", small.cpu_ms,
              small.wall_ms, kSmallDamageGoalMs);

  const std::string png = std::string(std::getenv("XDG_RUNTIME_DIR")) + "/compositor_frame.png";
  const auto t_png = Clock::now();
  auto captured = server.capture_png(png);
  std::printf("  capture + PNG (zlib 1)       %8.1f ms wall%s\n", since_ms(t_png), captured ? "" : " (failed)");
  std::filesystem::remove(png);

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("  max RSS of this process      %8.1f MB\n", usage.ru_maxrss / 1024.0);
  for (auto& child : children) child.terminate(std::chrono::milliseconds(1000));
  return 0;
}
