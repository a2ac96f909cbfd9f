// Fuzz target: the u32-LE frame decoder fed in uneven chunks never returns a body larger than its cap.
#include <cstddef>
#include <cstdint>

#include "weft/core/ipc/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kCap = 4096;  // bytes: small so the fuzzer reaches the limit quickly
  weft::ipc::FrameDecoder decoder(kCap);
  size_t i = 0;
  size_t chunk = 1;
  while (i < size) {
    size_t n = std::min(chunk, size - i);
    decoder.feed({data + i, n});
    i += n;
    chunk = chunk * 3 % 17 + 1;
    for (;;) {
      auto next = decoder.next();
      if (!next.ok()) return 0;
      if (!next->has_value()) break;
      if ((*next)->size() > kCap) __builtin_trap();
    }
  }
  (void)decoder.finish();
  return 0;
}
