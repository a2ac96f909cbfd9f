// One compiled object per module shape (issue 12, "JS apps"): modules that differ only in their data segments'
// bytes, constant segment offsets and constant global initialisers share one cache key and one `.so`, and each runs
// on its own values, on the AOT engine exactly as on the interpreter. Fixtures: aot_values.wat.in's variants.

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "engines.hpp"
#include "weft/runtime/aot_cache.hpp"
#include "weft/test/component_bytes.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::runtime {
namespace {

std::vector<uint8_t> variant(const std::string& name) {
  return test::read_file_bytes(WEFT_RT_FIXTURES "/aot_values_" + name + ".wasm");
}

/// A private cache of its own, so what it compiles is visible.
struct PrivateCache {
  test::TempDir dir{"aot-shape"};
  AotCache open() const {
    auto o = engines::aot_test_cache_options();
    o.dir = dir / "cache";
    auto cache = AotCache::open(o);
    EXPECT_TRUE(cache.ok()) << cache.error().message;
    return std::move(*cache);
  }
};

/// What one variant's values say its exports answer.
struct Values {
  uint32_t offset;
  std::string text, passive;
  int32_t start;
  int64_t wide;
  float narrow;
  double ratio;
};
const Values kFirst{16, "first module", "alpha", 42, -5, 1.5f, 0.25};
const Values kSecond{1000, "the second module's data", "beta-gamma", -7, 81985529216486895, -0.0f, 6.5e10};

/// Instantiates `wasm` on `engine` and checks every value it reads: the active segment at its offset (and nothing
/// around it), the passive segment's bytes and size through memory.init, and the four globals.
void expect_runs_on_its_values(CoreEngine& engine, const std::vector<uint8_t>& wasm, const Values& want,
                               const std::string& what) {
  SCOPED_TRACE(what);
  engines::InstantiatedModule m(engine, wasm, what, 4 * 65536);
  ASSERT_TRUE(m.instance);
  std::vector<CoreValue>& r = m.results;
  auto call = [&](std::string_view name, std::vector<CoreValue> args) { return m.call(name, std::move(args)); };
  auto bytes_at = [&](uint32_t address, size_t count) {
    std::string out;
    for (size_t i = 0; i < count; ++i) {
      EXPECT_FALSE(call("byte_at", {CoreValue::i32(address + uint32_t(i))}));
      out += char(r.empty() ? 0 : r[0].as_i32());
    }
    return out;
  };
  EXPECT_EQ(bytes_at(want.offset, want.text.size()), want.text) << "the active segment is not at its offset";
  EXPECT_EQ(bytes_at(want.offset - 1, 1), std::string(1, '\0'));
  EXPECT_EQ(bytes_at(want.offset + uint32_t(want.text.size()), 1), std::string(1, '\0'));

  constexpr uint32_t kCopyTo = 3000;
  EXPECT_FALSE(call("copy_passive", {CoreValue::i32(kCopyTo), CoreValue::i32(uint32_t(want.passive.size()))}));
  EXPECT_EQ(bytes_at(kCopyTo, want.passive.size()), want.passive) << "memory.init did not copy the passive segment";
  auto past = call("copy_passive", {CoreValue::i32(kCopyTo), CoreValue::i32(uint32_t(want.passive.size() + 1))});
  ASSERT_TRUE(past) << "memory.init past the passive segment's " << want.passive.size() << " bytes did not trap";
  EXPECT_EQ(past->kind, "memory-out-of-bounds");

  ASSERT_FALSE(call("step", {}));
  EXPECT_EQ(int32_t(r.at(0).as_i32()), want.start + 1);
  ASSERT_FALSE(call("wide", {}));
  EXPECT_EQ(int64_t(r.at(0).bits), want.wide);
  ASSERT_FALSE(call("narrow", {}));
  uint32_t narrow_bits = uint32_t(r.at(0).bits), want_narrow_bits;
  std::memcpy(&want_narrow_bits, &want.narrow, 4);
  EXPECT_EQ(narrow_bits, want_narrow_bits) << "the f32 global's bits (the sign of -0.0 included)";
  ASSERT_FALSE(call("ratio", {}));
  double ratio;
  std::memcpy(&ratio, &r.at(0).bits, 8);
  EXPECT_EQ(ratio, want.ratio);
}

TEST(AotShape, ModulesDifferingOnlyInTheirValuesShareOneCompiledObjectAndEachRunsOnItsOwnValues) {
  auto first = variant("first"), second = variant("second");
  ASSERT_NE(first, second);
  PrivateCache c;
  AotCache cache = c.open();
  EXPECT_EQ(cache.key(first), cache.key(second));
  bool compiled = false;
  ASSERT_TRUE(cache.ensure(first, "first", &compiled).ok());
  EXPECT_TRUE(compiled);
  ASSERT_TRUE(cache.ensure(second, "second", &compiled).ok());
  EXPECT_FALSE(compiled) << "the second module of the same shape was compiled again";

  // Both in one engine: one loaded object, two instances with their own values.
  auto aot = make_aot_engine(c.open(), AotMissing::fail);
  expect_runs_on_its_values(*aot, first, kFirst, "first on AOT code");
  expect_runs_on_its_values(*aot, second, kSecond, "second on AOT code");
  auto interp = make_interpreter_engine();
  expect_runs_on_its_values(*interp, first, kFirst, "first on the interpreter");
  expect_runs_on_its_values(*interp, second, kSecond, "second on the interpreter");
}

TEST(AotShape, WhatTheCompiledCodeDependsOnIsInTheKey) {
  PrivateCache c;
  AotCache cache = c.open();
  std::string first = cache.key(variant("first"));
  EXPECT_NE(cache.key(variant("other_code")), first) << "a module whose code differs got the same key";
  EXPECT_NE(cache.key(variant("extra_active")), first) << "a module with one more data segment got the same key";
  EXPECT_NE(cache.key(variant("extra_passive")), first);
  EXPECT_NE(cache.key(variant("extra_passive")), cache.key(variant("extra_active")))
      << "a passive segment and an active one got the same key";
}

TEST(AotShape, AnActiveSegmentPastItsMemoryTrapsAtInstantiateOnBothEngines) {
  auto wasm = variant("out_of_bounds");
  PrivateCache c;
  AotCache cache = c.open();
  EXPECT_EQ(cache.key(wasm), cache.key(variant("first"))) << "the offset is a value: it must not be compiled in";
  for (auto engine : {engines::Engine::interp, engines::Engine::aot}) {
    auto e = engine == engines::Engine::aot ? make_aot_engine(c.open()) : make_interpreter_engine();
    e->set_memory_limit(4 * 65536);
    auto module = e->load(wasm, "out_of_bounds");
    ASSERT_TRUE(module.ok()) << module.error().message;
    auto instance = e->instantiate(*module, {});
    ASSERT_FALSE(instance.ok()) << "a segment at 65530 of 12 bytes in a 65536-byte memory was applied";
    EXPECT_TRUE(instance.error().message.starts_with("out of bounds memory access"))
        << (engine == engines::Engine::aot ? "AOT: " : "interpreter: ") << instance.error().message;
  }
}

/// One memory and one active data segment ("a") at the offset whose `i32.const` immediate is `offset_leb`.
std::vector<uint8_t> module_with_offset(std::vector<uint8_t> offset_leb) {
  std::vector<uint8_t> wasm = {0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00,  //
                               0x05, 0x03, 0x01, 0x00, 0x01};                // memory section: min 1 page
  std::vector<uint8_t> data = {0x01, 0x00, 0x41};  // one segment, active in memory 0, i32.const …
  data.insert(data.end(), offset_leb.begin(), offset_leb.end());
  data.insert(data.end(), {0x0b, 0x01, 'a'});  // end; one byte
  wasm.push_back(0x0b);
  wasm.push_back(uint8_t(data.size()));
  wasm.insert(wasm.end(), data.begin(), data.end());
  return wasm;
}

TEST(AotShape, AMalformedOffsetIsInvalidOnBothEnginesEvenWhenAValidModuleOfThatShapeIsCompiled) {
  // 0xff 0xff 0xff 0xff 0x0f: a five-byte s32 whose last byte's unused bits do not repeat its sign bit. Read
  // leniently it would be -1 and blank to the valid module's shape, whose cached code is run without validation.
  auto valid = module_with_offset({0x10}), malformed = module_with_offset({0xff, 0xff, 0xff, 0xff, 0x0f});
  PrivateCache c;
  AotCache cache = c.open();
  EXPECT_NE(cache.key(malformed), cache.key(valid));
  auto aot = make_aot_engine(c.open());
  aot->set_memory_limit(4 * 65536);
  auto compiled = aot->load(valid, "valid");
  ASSERT_TRUE(compiled.ok()) << compiled.error().message;
  ASSERT_TRUE(aot->instantiate(*compiled, {}).ok());
  for (auto engine : {engines::Engine::interp, engines::Engine::aot}) {
    auto e = engine == engines::Engine::aot ? make_aot_engine(c.open()) : make_interpreter_engine();
    auto module = e->load(malformed, "malformed");
    ASSERT_FALSE(module.ok()) << (engine == engines::Engine::aot ? "AOT" : "the interpreter")
                              << " loaded a module with a malformed offset";
    EXPECT_TRUE(module.error().message.starts_with("core module malformed is invalid")) << module.error().message;
  }
}

}  // namespace
}  // namespace weft::runtime
