// libFuzzer target for the component binary decoder (built with -DWEFT_FUZZ=ON, the `fuzz` preset):
//   fuzz_component_decoder -max_total_time=60 <corpus dir, e.g. build fixtures/*.wasm>
// Every input must decode or fail with an error naming an offset; summarising a decoded component must not crash.

#include <cstdint>
#include <cstdlib>

#include "weft/component/component.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = weft::component::decode_component(std::span(data, size));
  if (c.ok()) {
    (void)weft::component::summarize(*c);
  } else if (c.error().message.find("offset") == std::string::npos) {
    std::abort();  // every error names where it happened
  }
  return 0;
}
