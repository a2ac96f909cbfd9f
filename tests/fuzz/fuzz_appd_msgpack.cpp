// Fuzz target: the appd MessagePack decoder; anything it accepts re-encodes (map and array) to the same message.
#include <cstddef>
#include <cstdint>

#include "weft/core/ipc/appd_messages.hpp"

using namespace weft::ipc::appd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = from_msgpack({data, size});
  if (!decoded.ok()) return 0;
  auto again_map = from_msgpack(to_msgpack_map(*decoded));
  auto again_array = from_msgpack(to_msgpack_array(*decoded));
  if (!again_map.ok() || !again_array.ok()) __builtin_trap();
  // NaN never equals itself; compare only NaN-free messages.
  if (std::holds_alternative<PanelGesture>(*decoded) || std::holds_alternative<NavigationGesture>(*decoded)) return 0;
  if (!(*again_map == *decoded) || !(*again_array == *decoded)) __builtin_trap();
  return 0;
}
