// A package's runtime.module must be a component (spec §5.1): a core module is refused with a message that says so
// (weft-runtime runs core modules only for development, from --module).
#include <gtest/gtest.h>

#include "weft/store/package_check.hpp"

namespace weft::store {
namespace {

TEST(PackageCheck, RefusesACoreModuleAsTheRuntimeModuleSayingItIsOne) {
  const std::vector<uint8_t> core = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  auto r = check_component(core);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "runtime.module is a core WebAssembly module; WEFT runs only components (wasm-tools component new)");
}

TEST(PackageCheck, RefusesBytesThatAreNoWebAssemblyAtAll) {
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'};
  auto r = check_component(text);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "runtime.module is not a WebAssembly component");
}

}  // namespace
}  // namespace weft::store
