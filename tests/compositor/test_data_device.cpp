#include "test_data_device.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "weft/core/fd.hpp"

namespace weft::test {

struct TestDataDeviceListeners {
  static constexpr wl_data_offer_listener offer = {
      .offer = [](void*, wl_data_offer*, const char*) {},
      .source_actions = [](void*, wl_data_offer*, uint32_t) {},
      .action = [](void*, wl_data_offer*, uint32_t) {},
  };
  static constexpr wl_data_device_listener device = {
      .data_offer =
          [](void* data, wl_data_device*, wl_data_offer* id) {
            static_cast<TestDataDevice*>(data)->offers_.push_back(id);
            wl_data_offer_add_listener(id, &offer, data);
          },
      .enter = [](void*, wl_data_device*, uint32_t, wl_surface*, wl_fixed_t, wl_fixed_t, wl_data_offer*) {},
      .leave = [](void*, wl_data_device*) {},
      .motion = [](void*, wl_data_device*, uint32_t, wl_fixed_t, wl_fixed_t) {},
      .drop = [](void*, wl_data_device*) {},
      .selection =
          [](void* data, wl_data_device*, wl_data_offer* id) {
            auto* d = static_cast<TestDataDevice*>(data);
            d->offer_ = id;
            ++d->selection_events;
          },
  };
  static constexpr wl_data_source_listener source = {
      .target = [](void*, wl_data_source*, const char*) {},
      .send =
          [](void* data, wl_data_source*, const char*, int32_t fd) {
            UniqueFd owned(fd);
            (void)write_all(fd, static_cast<TestDataDevice::Source*>(data)->text);
          },
      .cancelled = [](void*, wl_data_source*) {},
      .dnd_drop_performed = [](void*, wl_data_source*) {},
      .dnd_finished = [](void*, wl_data_source*) {},
      .action = [](void*, wl_data_source*, uint32_t) {},
  };
};

TestDataDevice::TestDataDevice(TestClient& client) : client_(client) {
  device_ = wl_data_device_manager_get_data_device(client.data_device_manager, client.seat);
  wl_data_device_add_listener(device_, &TestDataDeviceListeners::device, this);
  wl_display_flush(client.display);
}

TestDataDevice::~TestDataDevice() {
  for (wl_data_offer* o : offers_) wl_data_offer_destroy(o);
  for (auto& s : sources_) wl_data_source_destroy(s->source);
  if (device_) wl_data_device_release(device_);
  wl_display_flush(client_.display);
}

void TestDataDevice::set_selection(const std::string& text) {
  auto source = std::make_unique<Source>();
  source->owner = this;
  source->text = text;
  source->source = wl_data_device_manager_create_data_source(client_.data_device_manager);
  wl_data_source_add_listener(source->source, &TestDataDeviceListeners::source, source.get());
  wl_data_source_offer(source->source, kTextMime);
  wl_data_device_set_selection(device_, source->source, client_.last_input_serial);
  wl_display_flush(client_.display);
  sources_.push_back(std::move(source));
}

std::optional<std::string> TestDataDevice::read(wl_data_offer* offer, std::chrono::milliseconds timeout) {
  auto pipe = make_pipe();
  if (!pipe || !offer) return std::nullopt;
  (void)set_nonblocking(pipe->first.get());
  wl_data_offer_receive(offer, kTextMime, pipe->second.get());
  wl_display_flush(client_.display);
  pipe->second.reset();  // the compositor holds its copy now
  std::string text;
  bool eof = false;
  bool done = wait_until(
      [&] {
        char buf[4096];
        for (;;) {
          ssize_t n = ::read(pipe->first.get(), buf, sizeof buf);
          if (n > 0) {
            text.append(buf, size_t(n));
            continue;
          }
          if (n < 0 && errno == EINTR) continue;
          eof = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
          return eof;
        }
      },
      timeout);
  if (!done) return std::nullopt;
  return text;
}

}  // namespace weft::test
