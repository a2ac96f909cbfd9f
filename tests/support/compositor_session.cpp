#include "weft/test/compositor_session.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "test_control.hpp"
#include "weft/core/ipc/compositor_messages.hpp"
#include "weft/core/png_writer.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/child_run.hpp"
#include "weft/test/main_loop.hpp"

namespace weft::test {

namespace {
constexpr auto kStartTimeout = std::chrono::seconds(20);
}  // namespace

Result<Image> read_png(const std::string& path) {
  // Memory order B,G,R,A = the uint32 0xAARRGGBB of Image on little-endian.
  WEFT_TRY(png::Pixels decoded, png::read(path, png::Layout::bgra));
  return Image::copy_from(decoded.bytes.data(), decoded.width, decoded.height, decoded.width * 4);
  // opaque output: premultiplied == straight
}

CompositorSession::CompositorSession() = default;

CompositorSession::~CompositorSession() {
  control_.reset();
  appd_link_.reset();
  if (compositor_.running()) compositor_.terminate(std::chrono::milliseconds(3000));
}

std::vector<std::string> CompositorSession::host_environment(std::vector<std::string> extra) const {
  const char* log = std::getenv("WEFT_LOG");
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + runtime_dir(),
                                  "XDG_RUNTIME_DIR=" + runtime_dir(), "WEFT_LOG=" + std::string(log ? log : "info")};
  for (auto& e : extra) env.push_back(std::move(e));
  return env;
}

Result<void> CompositorSession::start(int width, int height) {
  WEFT_TRY(auto pipe, make_pipe());
  SpawnOptions options;
  options.argv = {executable("weft-compositor"), "--backend=headless", "--output",
                  std::to_string(width) + "x" + std::to_string(height), "--test-control"};
  options.env = host_environment({"WLR_RENDERER=pixman", "WLR_BACKENDS=headless"});
  options.fd_map = {{pipe.second.get(), 1}};
  WEFT_TRY(compositor_, ChildProcess::spawn(options));
  pipe.second.reset();
  // The compositor prints its socket name on one stdout line once it listens.
  auto line = read_line(pipe.first.get(), kStartTimeout);
  if (!line) return fail("weft-compositor printed no socket name within 20 s (or exited before it)");
  display_name_ = *line;
  // TestControl connects by name, which wl_display_connect resolves in this process's XDG_RUNTIME_DIR.
  setenv("XDG_RUNTIME_DIR", runtime_dir().c_str(), 1);
  WEFT_TRY(control_, session::TestControl::connect(display_name_));
  WEFT_TRY(appd_link_, connect_unix(weft_dir() + "/compositor.sock"));
  return ok();
}

void CompositorSession::pump(int ms) { pump_for(std::chrono::milliseconds(ms)); }

Result<Image> CompositorSession::capture() {
  std::string path = runtime_dir_ / ("capture-" + std::to_string(++captures_) + ".png");
  WEFT_TRY_VOID(control_->capture(path));
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

void CompositorSession::key(uint32_t evdev_key) { control_->key(evdev_key); }

void CompositorSession::key_state(uint32_t evdev_key, bool pressed) { control_->key_state(evdev_key, pressed); }

void CompositorSession::pointer_click(double x, double y) { control_->pointer_click(x, y); }

void CompositorSession::scroll(double vertical) { control_->scroll(vertical); }

void CompositorSession::touch_tap(double x, double y) { control_->touch_tap(x, y); }

Result<void> CompositorSession::set_output_scale(double scale) { return control_->set_output_scale("HEADLESS-1", scale); }

std::string CompositorSession::focused_app_id() { return control_->focus_state().first; }

std::string CompositorSession::focused_title() { return control_->focused_title(); }

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
