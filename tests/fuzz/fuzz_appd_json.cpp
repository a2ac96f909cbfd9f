// Fuzz target: the appd JSON decoder (WebSocket API); accepted messages round-trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "weft/core/ipc/appd_messages.hpp"

using namespace weft::ipc::appd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = from_json_text(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!decoded.ok()) return 0;
  auto again = from_json_text(to_json_text(*decoded));
  if (!again.ok()) __builtin_trap();
  return 0;
}
