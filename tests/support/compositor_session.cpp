#include "weft/test/compositor_session.hpp"

#include <glib.h>
#include <linux/input-event-codes.h>
#include "weft/core/png_writer.hpp"
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "weft-test-v1-client-protocol.h"
#include "weft/core/ipc/compositor_messages.hpp"
#include "weft/test/build_dir.hpp"

namespace weft::test {

namespace {
constexpr int kStartTimeoutMs = 20000;
}  // namespace

Result<Image> read_png(const std::string& path) {
  // Memory order B,G,R,A = the uint32 0xAARRGGBB of Image on little-endian.
  WEFT_TRY(png::Pixels decoded, png::read(path, png::Layout::bgra));
  return Image::copy_from(decoded.bytes.data(), decoded.width, decoded.height, decoded.width * 4);
  // opaque output: premultiplied == straight
}

CompositorSession::~CompositorSession() {
  if (test_) weft_test_v1_destroy(test_);
  if (registry_) wl_registry_destroy(registry_);
  if (display_) wl_display_disconnect(display_);
  appd_link_.reset();
  if (compositor_.running()) compositor_.terminate(std::chrono::milliseconds(3000));
  if (!runtime_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(runtime_dir_, ec);
  }
}

std::vector<std::string> CompositorSession::host_environment(std::vector<std::string> extra) const {
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + runtime_dir_,
                                  "XDG_RUNTIME_DIR=" + runtime_dir_, "WEFT_LOG=" + std::string(std::getenv("WEFT_LOG") ? std::getenv("WEFT_LOG") : "info")};
  for (auto& e : extra) env.push_back(std::move(e));
  return env;
}

Result<void> CompositorSession::start(int width, int height) {
  char tmpl[] = "/tmp/weft-webview-session-XXXXXX";
  if (!mkdtemp(tmpl)) return fail(errno_error("mkdtemp for the runtime dir"));
  runtime_dir_ = tmpl;  // mkdtemp makes it 0700
  WEFT_TRY(auto pipe, make_pipe());
  SpawnOptions options;
  options.argv = {executable("weft-compositor"), "--backend=headless", "--output",
                  std::to_string(width) + "x" + std::to_string(height), "--test-control"};
  options.env = host_environment({"WLR_RENDERER=pixman", "WLR_BACKENDS=headless"});
  options.fd_map = {{pipe.second.get(), 1}};
  WEFT_TRY(compositor_, ChildProcess::spawn(options));
  pipe.second.reset();
  // The compositor prints its socket name on one stdout line once it listens.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kStartTimeoutMs);
  while (line.find('\n') == std::string::npos) {
    pollfd pfd{pipe.first.get(), POLLIN, 0};
    int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0 || poll(&pfd, 1, left) <= 0) return fail("weft-compositor printed no socket name within 20 s");
    char buf[256];
    ssize_t n = read(pipe.first.get(), buf, sizeof buf);
    if (n <= 0) return fail("weft-compositor exited before printing its socket name");
    line.append(buf, static_cast<size_t>(n));
  }
  display_name_ = line.substr(0, line.find('\n'));
  setenv("XDG_RUNTIME_DIR", runtime_dir_.c_str(), 1);
  display_ = wl_display_connect(display_name_.c_str());
  if (!display_) return fail("cannot connect to the test compositor at " + display_name_);
  registry_ = wl_display_get_registry(display_);
  static const wl_registry_listener kRegistry = {&CompositorSession::on_global, [](void*, wl_registry*, uint32_t) {}};
  wl_registry_add_listener(registry_, &kRegistry, this);
  wl_display_roundtrip(display_);
  if (!test_) return fail("the compositor offers no weft_test_v1 (is --test-control honoured?)");
  WEFT_TRY(appd_link_, connect_unix(weft_dir() + "/compositor.sock"));
  return ok();
}

void CompositorSession::on_global(void* data, wl_registry* registry, uint32_t name, const char* interface, uint32_t) {
  auto* self = static_cast<CompositorSession*>(data);
  if (std::string_view(interface) != weft_test_v1_interface.name) return;
  self->test_ = static_cast<weft_test_v1*>(wl_registry_bind(registry, name, &weft_test_v1_interface, 1));
  static const weft_test_v1_listener kListener = {
      [](void* d, weft_test_v1*, uint32_t, uint32_t, const char* app_id, const char* title) {
        auto* s = static_cast<CompositorSession*>(d);
        s->state_ = {true, app_id, title};
      },
      [](void* d, weft_test_v1*, const char*, uint32_t ok, int32_t, int32_t, const char* message) {
        auto* s = static_cast<CompositorSession*>(d);
        s->captured_ = {true, ok != 0, message};
      },
  };
  weft_test_v1_add_listener(self->test_, &kListener, self);
}

void CompositorSession::pump(int ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    while (g_main_context_iteration(nullptr, FALSE)) {
    }
    wl_display_roundtrip(display_);
    usleep(5000);
  }
}

Result<Image> CompositorSession::capture() {
  std::string path = runtime_dir_ + "/capture-" + std::to_string(++captures_) + ".png";
  captured_ = {};
  weft_test_v1_capture(test_, path.c_str());
  if (wl_display_roundtrip(display_) < 0) return fail("the compositor connection failed during capture");
  if (!captured_.done) return fail("no captured event");
  if (!captured_.ok) return fail("capture failed: " + captured_.message);
  auto image = read_png(path);
  std::remove(path.c_str());
  return image;
}

Result<Image> CompositorSession::capture_until(const std::function<bool(const Image&)>& accept, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    WEFT_TRY(Image image, capture());
    if (accept(image) || std::chrono::steady_clock::now() >= deadline) return image;
    pump(100);
  }
}

void CompositorSession::key(uint32_t evdev_key) {
  weft_test_v1_key(test_, evdev_key, 1);
  weft_test_v1_key(test_, evdev_key, 0);
  wl_display_roundtrip(display_);
}

void CompositorSession::key_state(uint32_t evdev_key, bool pressed) {
  weft_test_v1_key(test_, evdev_key, pressed ? 1 : 0);
  wl_display_roundtrip(display_);
}

void CompositorSession::pointer_click(double x, double y) {
  weft_test_v1_pointer_move(test_, wl_fixed_from_double(x), wl_fixed_from_double(y));
  weft_test_v1_pointer_button(test_, BTN_LEFT, 1);
  weft_test_v1_pointer_button(test_, BTN_LEFT, 0);
  wl_display_roundtrip(display_);
}

void CompositorSession::scroll(double vertical) {
  weft_test_v1_pointer_axis(test_, wl_fixed_from_double(vertical));
  wl_display_roundtrip(display_);
}

void CompositorSession::touch_tap(double x, double y) {
  weft_test_v1_touch_down(test_, 0, wl_fixed_from_double(x), wl_fixed_from_double(y));
  weft_test_v1_touch_up(test_, 0);
  wl_display_roundtrip(display_);
}

std::string CompositorSession::focused_app_id() {
  state_ = {};
  weft_test_v1_sync_state(test_, 1);
  wl_display_roundtrip(display_);
  return state_.focused_app_id;
}

std::string CompositorSession::focused_title() {
  (void)focused_app_id();
  return state_.focused_title;
}

Result<UniqueFd> CompositorSession::bind_session(uint64_t session_id, const std::string& app_id) {
  WEFT_TRY(auto pair, unix_socket_pair());
  auto frame = ipc::compositor::encode(ipc::compositor::BindSession{session_id, app_id});
  WEFT_TRY_VOID(send_with_fd(appd_link_.get(), frame, pair.first.get()));
  return std::move(pair.second);
}

Result<void> CompositorSession::close_session(uint64_t session_id) {
  auto frame = ipc::compositor::encode(ipc::compositor::CloseSession{session_id});
  return write_all(appd_link_.get(), std::span<const uint8_t>(frame.data(), frame.size()));
}

}  // namespace weft::test
