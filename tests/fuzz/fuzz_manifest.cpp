// Fuzz target: wapp.toml parsing and validation never crashes and always yields a manifest or a named error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "weft/core/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = weft::parse_manifest(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok() && parsed.error().message.empty()) __builtin_trap();  // every refusal names its reason
  return 0;
}
