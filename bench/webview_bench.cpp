// Web host costs (stack.md §4 numbers, reproduced here): prints, does not assert.
//  1. In-process, headless: first painted frame of N isolated app views (own WebKitWebContext each → own WebProcess and
//     NetworkProcess), and USS/PSS of this process and its WebKit children, for N = 1 and 5, before and after every
//     view's release_memory() (appd's RELEASE_MEMORY under memory pressure).
//  2. With a built weft-compositor: the real weft-app-shell, spawn → `READY` (its first frame of the loaded page was
//     presented by the compositor), and USS/PSS of the app shell's process tree.
// Usage: webview_bench [fixture-ui-entry]   (default: the test fixture app)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app_page.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/compositor_session.hpp"
#include "headless_capture.hpp"
#include "weft/test/process_memory.hpp"
#include "weft/test/temp_dir.hpp"
#include "weft/core/ready.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

using weft::test::Memory;

Memory tree_memory(pid_t root, bool print) {
  if (print) {
    Memory own = weft::test::memory_of(root);
    std::printf("    pid %-8d USS %7.1f MB  PSS %7.1f MB\n", root, own.uss_kb / 1024.0, own.pss_kb / 1024.0);
  }
  return weft::test::tree_memory(root, [print](pid_t pid, const std::string& name, const Memory& m, int) {
    if (print) std::printf("  %s (pid %d, with its children): USS %7.1f MB  PSS %7.1f MB\n", name.c_str(), pid,
                           m.uss_kb / 1024.0, m.pss_kb / 1024.0);
  });
}

void headless_views(const std::string& entry, int count) {
  using namespace weft::webview;
  weft::test::TempDir cache_dir("webview-bench");
  const std::string& cache = cache_dir.path();
  struct App {
    std::unique_ptr<AppPage> page;
    std::unique_ptr<WebView> view;
    std::unique_ptr<HeadlessCapture> capture;
  };
  std::vector<App> apps;
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    auto page = AppPage::create({.app_id = "org.weft.test.fixture", .session_id = static_cast<uint64_t>(i + 1),
                                 .entry_path = entry, .ui_kit_path = "", .cache_dir = cache});
    if (!page.ok()) {
      std::fprintf(stderr, "%s\n", page.error().message.c_str());
      return;
    }
    auto view = (*page)->create_view(800, 600);
    if (!view.ok()) return;
    App app{std::move(page).value(), std::move(view).value(), nullptr};
    app.capture = std::make_unique<HeadlessCapture>(*app.view);
    webkit_web_view_load_uri(app.view->web_view(), app.page->files().entry_uri().c_str());
    apps.push_back(std::move(app));
  }
  std::vector<double> first(count, -1);
  run_until(
      [&] {
        bool all = true;
        for (int i = 0; i < count; ++i) {
          if (first[i] < 0 && apps[i].capture->frames() > 0 && !webkit_web_view_is_loading(apps[i].view->web_view()))
            first[i] = ms_since(start);
          all = all && first[i] >= 0;
        }
        return all;
      },
      60000);
  double last = 0;
  for (double f : first) last = std::max(last, f);
  std::printf("headless, %d isolated view(s) at 800x600: first view painted %.0f ms, all painted %.0f ms\n", count,
              first[0], last);
  run_until([] { return false; }, 1000);  // let the processes settle before measuring memory
  Memory m = tree_memory(getpid(), count == 1);
  std::printf("  memory of this process + WebKit children: USS %.1f MB, PSS %.1f MB (%.1f MB USS per view)\n",
              m.uss_kb / 1024.0, m.pss_kb / 1024.0, m.uss_kb / 1024.0 / count);
  // What a background app shell does on appd's RELEASE_MEMORY (docs/appd.md), measured the same way 3 s later; first
  // the same 3 s without it, so the release is not credited with what settling after the load frees anyway.
  run_until([] { return false; }, 3000);
  Memory settled = tree_memory(getpid(), false);
  std::printf("  3 s later, nothing done: USS %.1f MB, PSS %.1f MB (USS %+.1f MB)\n", settled.uss_kb / 1024.0,
              settled.pss_kb / 1024.0, (double(settled.uss_kb) - double(m.uss_kb)) / 1024.0);
  m = settled;
  for (auto& app : apps) app.view->release_memory();
  run_until([] { return false; }, 3000);
  Memory released = tree_memory(getpid(), count == 1);
  std::printf("  after WebView::release_memory() on every view (+3 s): USS %.1f MB, PSS %.1f MB (USS %+.1f MB)\n",
              released.uss_kb / 1024.0, released.pss_kb / 1024.0, (double(released.uss_kb) - double(m.uss_kb)) / 1024.0);
  apps.clear();
}

void real_app_shell(const std::string& entry) {
  using namespace weft;
  if (!std::filesystem::exists(test::executable("weft-compositor")) ||
      !std::filesystem::exists(test::executable("weft-app-shell"))) {
    std::printf("weft-compositor or weft-app-shell not built: skipping the process benchmark\n");
    return;
  }
  weft::test::CompositorSession session;
  if (auto s = session.start(800, 600); !s.ok()) {
    std::printf("compositor: %s\n", s.error().message.c_str());
    return;
  }
  for (int run = 0; run < 3; ++run) {
    auto client = session.bind_session(static_cast<uint64_t>(run + 1), "org.weft.test.fixture");
    auto ready_pipe = make_pipe();
    if (!client.ok() || !ready_pipe.ok()) return;
    std::string token = ready::random_token();
    SpawnOptions app;
    app.argv = {test::executable("weft-app-shell"), "org.weft.test.fixture", std::to_string(run + 1), "--ui", entry};
    app.env = session.host_environment({"WAYLAND_SOCKET=3", "WEFT_READY_FD=4", "WEFT_READY_TOKEN=" + token,
                                        "WEFT_UI_KIT_JS=" WEFT_UI_DIR "/weft-ui-kit.js"});
    app.fd_map = {{client->get(), 3}, {ready_pipe->second.get(), 4}};
    auto start = Clock::now();
    auto child = ChildProcess::spawn(app);
    if (!child.ok()) return;
    client->reset();
    ready_pipe->second.reset();
    auto ready = ready::wait_for_line(ready_pipe->first.get(), token, std::chrono::milliseconds(60000));
    double elapsed = ms_since(start);
    std::printf("weft-app-shell run %d: spawn -> READY (first frame presented) %.0f ms%s\n", run + 1, elapsed,
                ready.ok() ? "" : " (FAILED)");
    if (run == 0) {
      usleep(1000 * 1000);
      Memory m = tree_memory(child->pid(), true);
      std::printf("  app shell + WebProcess + NetworkProcess: USS %.1f MB, PSS %.1f MB\n", m.uss_kb / 1024.0,
                  m.pss_kb / 1024.0);
    }
    child->terminate(std::chrono::milliseconds(3000));
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string entry = argc > 1 ? argv[1] : std::string(WEFT_WEBVIEW_FIXTURES) + "/app/ui/index.html";
  headless_views(entry, 1);
  headless_views(entry, 5);
  real_app_shell(entry);
  return 0;
}
