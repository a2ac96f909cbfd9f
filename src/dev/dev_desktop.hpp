#pragma once
// The desktop weft-dev runs an app in: a weft-session of its own (compositor, appd, shell) in a private runtime
// directory `$XDG_RUNTIME_DIR/weft-dev-XXXXXX` over the development store — nested in a window when a display exists,
// headless (with the compositor's test control, for screenshots and scripted input) otherwise. Its log (stdout and
// stderr of every WEFT process) comes back on one pipe. stop() ends it the way weft-session stops (SIGTERM; it reaps
// every descendant) and removes the runtime directory.

#include <chrono>
#include <string>
#include <utility>

#include "dev_store.hpp"
#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::dev {

struct DesktopOptions {
  bool headless = true;
  std::string output;  // headless output WxH
};

class DevDesktop {
 public:
  static constexpr std::chrono::seconds kStartTimeout{30};
  static constexpr std::chrono::seconds kStopTimeout{20};

  /// Starts weft-session (next to this weft-dev) and waits until appd's socket exists. This process's
  /// XDG_RUNTIME_DIR becomes the private one (for the Wayland and appd clients it opens later).
  [[nodiscard]] static Result<DevDesktop> start(const DevStore& store, const DesktopOptions& options);
  DevDesktop() = default;
  DevDesktop(DevDesktop&& other) noexcept
      : session_(std::move(other.session_)), log_(std::move(other.log_)),
        runtime_dir_(std::exchange(other.runtime_dir_, {})), appd_socket_(std::move(other.appd_socket_)) {}
  DevDesktop& operator=(DevDesktop&&) = delete;
  ~DevDesktop();

  [[nodiscard]] const std::string& appd_socket() const { return appd_socket_; }
  /// The compositor's Wayland socket name (in the private runtime directory).
  [[nodiscard]] Result<std::string> wayland_display() const;
  /// The read end of the desktop's log (non-blocking).
  [[nodiscard]] int log_fd() const { return log_.get(); }
  [[nodiscard]] bool running() { return session_.running() && !session_.try_wait(); }
  [[nodiscard]] pid_t pid() const { return session_.pid(); }
  /// Ends the desktop and everything in it; idempotent.
  void stop();

 private:
  ChildProcess session_;
  UniqueFd log_;
  std::string runtime_dir_;
  std::string appd_socket_;
};

}  // namespace weft::dev
