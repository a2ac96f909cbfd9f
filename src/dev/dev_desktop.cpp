#include "dev_desktop.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include "weft/core/paths.hpp"

namespace weft::dev {
namespace {

std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : exe.parent_path().string();
}

}  // namespace

Result<DevDesktop> DevDesktop::start(const DevStore& store, const DesktopOptions& options) {
  WEFT_TRY(std::string user_runtime, paths::runtime_dir());
  DevDesktop desktop;
  std::string tmpl = user_runtime + "/weft-dev-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return fail(errno_error("cannot create a runtime directory in " + user_runtime));
  desktop.runtime_dir_ = tmpl;

  SpawnOptions session;
  session.argv = {executable_dir() + "/weft-session"};
  if (options.headless) {
    session.argv.insert(session.argv.end(), {"--headless", "--test-control"});
    if (!options.output.empty()) session.argv.insert(session.argv.end(), {"--output", options.output});
  }
  // A nested compositor finds the outer display by name in the user's runtime directory, not the private one.
  if (const char* display = std::getenv("WAYLAND_DISPLAY"); display && *display && display[0] != '/')
    ::setenv("WAYLAND_DISPLAY", (user_runtime + "/" + display).c_str(), 1);
  ::setenv("XDG_RUNTIME_DIR", desktop.runtime_dir_.c_str(), 1);
  ::setenv("WEFT_APP_STORE", store.apps.c_str(), 1);
  ::setenv("WEFT_TRUSTED_KEYS", store.trusted_keys.c_str(), 1);
  ::setenv("XDG_DATA_HOME", store.data_home.c_str(), 1);
  ::unsetenv("WEFT_APPD_SOCKET");
  ::unsetenv("WEFT_COMPOSITOR_SOCKET");
  if (options.headless) {
    ::unsetenv("WAYLAND_DISPLAY");
    ::unsetenv("DISPLAY");
  }
  session.inherit_environment = true;
  WEFT_TRY(auto log_pipe, make_pipe());
  session.fd_map = {{STDIN_FILENO, STDIN_FILENO}, {log_pipe.second.get(), STDOUT_FILENO},
                    {log_pipe.second.get(), STDERR_FILENO}};
  session.new_process_group = true;  // Ctrl-C reaches weft-dev, which stops the desktop in order
  WEFT_TRY(desktop.session_, ChildProcess::spawn(session));
  log_pipe.second.reset();
  desktop.log_ = std::move(log_pipe.first);
  (void)set_nonblocking(desktop.log_.get());

  desktop.appd_socket_ = desktop.runtime_dir_ + "/weft/appd.sock";
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (::access(desktop.appd_socket_.c_str(), F_OK) != 0) {
    if (auto status = desktop.session_.try_wait()) return fail("weft-session " + status->describe() + " at start");
    if (std::chrono::steady_clock::now() >= deadline)
      return fail("the desktop did not start within " + std::to_string(kStartTimeout.count()) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return desktop;
}

DevDesktop::~DevDesktop() { stop(); }

Result<std::string> DevDesktop::wayland_display() const {
  return read_file(runtime_dir_ + "/weft/compositor.display");
}

void DevDesktop::stop() {
  if (session_.pid() > 0 && session_.running()) {
    ::kill(session_.pid(), SIGTERM);
    if (!session_.wait(std::chrono::duration_cast<std::chrono::milliseconds>(kStopTimeout))) {
      ::kill(-session_.pid(), SIGKILL);
      (void)session_.wait();
    }
  }
  if (!runtime_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(runtime_dir_, ec);
    runtime_dir_.clear();
  }
}

}  // namespace weft::dev
