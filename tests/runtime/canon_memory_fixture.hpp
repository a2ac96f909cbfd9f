#pragma once
// The canon_memory fixture module on the interpreter and a canonical-ABI context over its memory, realloc and a handle
// table: what tests of lifting, lowering and host calls run against.

#include <gtest/gtest.h>

#include <memory>

#include "weft/runtime/canonical_abi.hpp"
#include "weft/runtime/core_engine.hpp"
#include "weft/test/component_bytes.hpp"

namespace weft::runtime::test_support {

class CanonMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine = make_interpreter_engine();
    auto m = engine->load(test::read_file_bytes(WEFT_RT_FIXTURES "/canon_memory.wasm"), "canon_memory");
    ASSERT_TRUE(m.ok()) << m.error().message;
    auto inst = engine->instantiate(*m, {});
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    cx.engine = engine.get();
    cx.memory = engine->export_of(*inst, "memory");
    cx.realloc = engine->export_of(*inst, "cabi_realloc");
    cx.handles = &handles;
  }

  std::unique_ptr<CoreEngine> engine;
  HandleTable handles;
  CanonContext cx;
};

}  // namespace weft::runtime::test_support
