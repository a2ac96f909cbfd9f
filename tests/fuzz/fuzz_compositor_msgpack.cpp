// Fuzz target: compositor⇄appd link decoder.
#include <cstddef>
#include <cstdint>

#include "weft/core/ipc/compositor_messages.hpp"

using namespace weft::ipc::compositor;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = from_msgpack({data, size});
  if (!decoded.ok()) return 0;
  if (const Message* m = std::get_if<Message>(&*decoded)) {
    auto again = from_msgpack(to_msgpack(*m));
    if (!again.ok() || !(std::get<Message>(*again) == *m)) __builtin_trap();
  }
  return 0;
}
