#include "bridge_relay.hpp"

#include <unistd.h>

namespace weft::test {

bool BridgeRelay::pump(const std::function<void(const std::string&)>& seen) {
  auto failed = [this](std::string why) {
    error_ = std::move(why);
    return false;
  };
  char buf[65536];
  for (ssize_t n; (n = ::read(bridge_fd_, buf, sizeof buf)) > 0;) {
    auto lines = splitter_.feed({buf, static_cast<size_t>(n)});
    if (!lines) return failed("bridge: " + lines.error().message);
    for (const auto& line : *lines) {
      auto decoded = ipc::decode_bridge_line(line);
      if (decoded.ok() && decoded->kind == ipc::BridgeLine::Kind::app_message) component_.send(decoded->payload);
    }
  }
  while (auto payload = component_.receive(std::chrono::milliseconds(0))) {
    if (seen) seen(*payload);
    auto line = ipc::encode_app_message_line(*payload);
    if (!line) return failed("component line: " + line.error().message);
    if (auto written = write_all(bridge_fd_, *line); !written) return failed("bridge write: " + written.error().message);
  }
  return true;
}

}  // namespace weft::test
