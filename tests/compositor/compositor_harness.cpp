#include "compositor_harness.hpp"

#include <fcntl.h>
#include "weft/core/png_writer.hpp"
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "weft/core/fd.hpp"

namespace weft::test {

Result<std::unique_ptr<CompositorHarness>> CompositorHarness::start(std::vector<std::string> extra_args,
                                                                 std::vector<std::string> extra_env) {
  std::unique_ptr<CompositorHarness> h(new CompositorHarness());
  h->log_path_ = h->dir_.path() + "/compositor.log";
  UniqueFd log_fd(::open(h->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!log_fd) return fail(errno_error("open " + h->log_path_));
  WEFT_TRY(auto pipe, make_pipe());

  SpawnOptions spawn;
  // WEFT_COMPOSITOR_TEST_WRAPPER runs the compositor under a tool, e.g. "valgrind --error-exitcode=1": its exit
  // status is checked at teardown, so the tool's errors fail the test.
  if (const char* wrapper = std::getenv("WEFT_COMPOSITOR_TEST_WRAPPER")) {
    std::istringstream words(wrapper);
    for (std::string word; words >> word;) spawn.argv.push_back(word);
  }
  for (std::string arg : {executable("weft-compositor"), std::string("--backend=headless"), std::string("--output"),
                          std::string("1280x800"), std::string("--test-control")})
    spawn.argv.push_back(std::move(arg));
  for (auto& arg : extra_args) spawn.argv.push_back(std::move(arg));
  spawn.env = {"XDG_RUNTIME_DIR=" + h->dir_.path(), "WLR_RENDERER=pixman", "WEFT_LOG=debug",
               "LSAN_OPTIONS=suppressions=" WEFT_COMPOSITOR_TEST_DIR "/lsan.supp",
               "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1",
               "PATH=" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin")};
  // First occurrence wins in getenv: extra entries go in front so they can override the defaults.
  spawn.env.insert(spawn.env.begin(), extra_env.begin(), extra_env.end());
  spawn.fd_map = {{pipe.second.get(), 1}, {log_fd.get(), 2}};
  WEFT_TRY(h->child_, ChildProcess::spawn(spawn));
  pipe.second.reset();

  // The first stdout line is the socket name.
  auto line = read_line(pipe.first.get(), std::chrono::seconds(20));
  if (!line) {
    return fail(h->child_.try_wait() ? "weft-compositor exited before printing its socket name; log:\n" + h->log()
                                     : "weft-compositor printed no socket name within 20 s; log:\n" + h->log());
  }
  h->socket_name_ = *line;
  return h;
}

CompositorHarness::~CompositorHarness() {
  if (child_.running()) child_.terminate(std::chrono::seconds(5));
}

std::vector<std::string> CompositorHarness::client_env() const {
  return {"XDG_RUNTIME_DIR=" + dir_.path(), "WAYLAND_DISPLAY=" + socket_name_, "HOME=" + dir_.path(),
          "PATH=" + std::string(std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin"), "LANG=C.UTF-8"};
}

std::string CompositorHarness::log() const {
  auto text = read_file(log_path_);
  return text ? *text : std::string();
}

bool CompositorHarness::wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return log().find(needle) != std::string::npos;
}

Result<Png> read_png(const std::string& path) {
  WEFT_TRY(png::Pixels decoded, png::read(path, png::Layout::rgb));
  Png png;
  png.width = decoded.width;
  png.height = decoded.height;
  png.rgb = std::move(decoded.bytes);
  return png;
}

}  // namespace weft::test
