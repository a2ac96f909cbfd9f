#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <string_view>

#include "engines.hpp"
#include "weft/test/component_bytes.hpp"
#include "weft/runtime/core_engine.hpp"

namespace weft::runtime {
namespace {

using engines::Engine;

// Every behaviour of the CoreEngine seam, on both backends with the same expectations.
class CoreEngines : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    engine = engines::make_test_engine(GetParam());
    ASSERT_TRUE(engine);
    engine->set_memory_limit(4 * 65536);
    auto bytes = test::read_file_bytes(WEFT_RT_FIXTURES "/engine_probe.wasm");
    auto m = engine->load(bytes, "engine_probe");
    ASSERT_TRUE(m.ok()) << m.error().message;
    module = *m;
    std::vector<CoreExtern> imports;
    for (const auto& imp : engine->imports(module)) {
      if (imp.name == "twice") {
        imports.push_back(engine->host_function(imp.func_type, [](auto args, auto results) -> std::optional<Trap> {
          results[0] = CoreValue::i32(args[0].as_i32() * 2);
          return std::nullopt;
        }));
      } else {
        imports.push_back(engine->host_function(imp.func_type, [](auto, auto) -> std::optional<Trap> {
          return Trap{"host", "the host refused"};
        }));
      }
    }
    auto inst = engine->instantiate(module, imports);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    instance = *inst;
  }

  std::optional<Trap> call(std::string_view name, std::vector<CoreValue> args, std::vector<CoreValue>& results) {
    auto f = engine->export_of(instance, name);
    EXPECT_TRUE(f.has_value()) << name;
    return engine->call(*f, args, results);
  }

  std::unique_ptr<CoreEngine> engine;
  ModuleId module = 0;
  InstanceId instance = 0;
};

TEST_P(CoreEngines, CallsAnExportWithEveryCoreValueType) {
  std::vector<CoreValue> r;
  auto trap = call("add", {CoreValue::i32(uint32_t(-2)), CoreValue::i64(40), CoreValue::f32(0.5f), CoreValue::f64(1.25)}, r);
  ASSERT_FALSE(trap) << trap->message;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_DOUBLE_EQ(r[0].as_f64(), 39.75);
}

TEST_P(CoreEngines, GuestCodeCallsHostFunctions) {
  std::vector<CoreValue> r;
  ASSERT_FALSE(call("call_twice", {CoreValue::i32(20)}, r));
  EXPECT_EQ(r[0].as_i32(), 41u);
}

TEST_P(CoreEngines, AHostTrapKeepsItsKindAndMessage) {
  std::vector<CoreValue> r;
  auto trap = call("call_fail", {}, r);
  ASSERT_TRUE(trap);
  EXPECT_EQ(trap->kind, "host");
  EXPECT_EQ(trap->message, "the host refused");
}

// A fault in host code during a guest call is a bug in the runtime, not a guest trap: the process ends (AOT: wasm-rt's
// SIGSEGV handler only turns faults of guest code into traps, never jumping back into a stale guest frame).
TEST_P(CoreEngines, AFaultInHostCodeDuringAGuestCallEndsTheProcessInsteadOfBecomingATrap) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto faulty = engines::make_test_engine(GetParam());
        auto bytes = test::read_file_bytes(WEFT_RT_FIXTURES "/engine_probe.wasm");
        auto m = faulty->load(bytes, "engine_probe");
        if (!m.ok()) std::exit(0);
        std::vector<CoreExtern> imports;
        for (const auto& imp : faulty->imports(*m))
          imports.push_back(faulty->host_function(imp.func_type, [](auto, auto) -> std::optional<Trap> {
            volatile int* volatile nowhere = nullptr;
            *nowhere = 1;  // the host bug
            return std::nullopt;
          }));
        auto inst = faulty->instantiate(*m, imports);
        if (!inst.ok()) std::exit(0);
        std::vector<CoreValue> r;
        (void)faulty->call(*faulty->export_of(*inst, "call_twice"), {{CoreValue::i32(1)}}, r);
        std::exit(0);  // survived as a trap or a result: the death test fails
      },
      "");
}

TEST_P(CoreEngines, GuestTrapsAreClassifiedByKind) {
  std::vector<CoreValue> r;
  auto t1 = call("unreachable", {}, r);
  ASSERT_TRUE(t1);
  EXPECT_EQ(t1->kind, "unreachable");
  auto t2 = call("divide", {CoreValue::i32(1), CoreValue::i32(0)}, r);
  ASSERT_TRUE(t2);
  EXPECT_EQ(t2->kind, "integer-divide-by-zero");
  auto t3 = call("store_far", {}, r);
  ASSERT_TRUE(t3);
  EXPECT_EQ(t3->kind, "memory-out-of-bounds");
  auto t4 = call("recurse", {CoreValue::i32(0)}, r);
  ASSERT_TRUE(t4);
  EXPECT_EQ(t4->kind, "stack-overflow") << t4->message;
  // The engine stays usable after traps.
  ASSERT_FALSE(call("call_twice", {CoreValue::i32(1)}, r));
  EXPECT_EQ(r[0].as_i32(), 3u);
}

// AOT entries into compiled code save no signal mask (aot_glue.cpp), and an out-of-bounds access or stack exhaustion
// is a SIGSEGV whose handler leaves by a longjmp: no signal may stay blocked after it, or the next fault of guest code
// would end the process instead of trapping. Each kind twice in a row, a normal call after each trap, and the
// thread's signal mask afterwards exactly as before.
TEST_P(CoreEngines, FaultTrapsRepeatAndLeaveTheSignalMaskAsItWas) {
  sigset_t before, after;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &before), 0);
  ASSERT_FALSE(sigismember(&before, SIGSEGV));
  std::vector<CoreValue> r;
  for (const char* fault : {"store_far", "store_far", "recurse", "recurse", "store_far"}) {
    std::vector<CoreValue> args;
    if (std::string_view(fault) == "recurse") args.push_back(CoreValue::i32(0));
    auto trap = call(fault, args, r);
    ASSERT_TRUE(trap) << fault;
    EXPECT_EQ(trap->kind, std::string_view(fault) == "recurse" ? "stack-overflow" : "memory-out-of-bounds") << fault;
    ASSERT_FALSE(call("call_twice", {CoreValue::i32(4)}, r)) << "a normal call after " << fault;
    EXPECT_EQ(r[0].as_i32(), 9u);
  }
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, nullptr, &after), 0);
  EXPECT_FALSE(sigismember(&after, SIGSEGV));
  EXPECT_FALSE(sigismember(&after, SIGBUS));
  for (int sig = 1; sig < SIGRTMIN; ++sig) EXPECT_EQ(sigismember(&after, sig), sigismember(&before, sig)) << "signal " << sig;
}

TEST_P(CoreEngines, MemoryGrowthPastTheLimitReturnsMinusOne) {
  std::vector<CoreValue> r;
  ASSERT_FALSE(call("grow", {CoreValue::i32(3)}, r));
  EXPECT_EQ(r[0].as_i32(), 1u);  // old size in pages: 1 + 3 = 4 pages = the limit
  ASSERT_FALSE(call("grow", {CoreValue::i32(1)}, r));
  EXPECT_EQ(int32_t(r[0].as_i32()), -1);
}

TEST_P(CoreEngines, AllMemoriesTogetherShareTheLimit) {
  // A second instance of the probe: its own one-page memory, counted against the same 4-page budget.
  std::vector<CoreExtern> imports;
  for (const auto& imp : engine->imports(module))
    imports.push_back(engine->host_function(imp.func_type, [](auto, auto) -> std::optional<Trap> { return std::nullopt; }));
  auto second = engine->instantiate(module, imports);
  ASSERT_TRUE(second.ok()) << second.error().message;
  std::vector<CoreValue> r;
  ASSERT_FALSE(call("grow", {CoreValue::i32(2)}, r));
  EXPECT_EQ(r[0].as_i32(), 1u);  // first memory: 1 -> 3 pages; with the second one, 4 pages are in use
  auto grow_second = engine->export_of(*second, "grow");
  std::vector<CoreValue> args = {CoreValue::i32(1)};
  ASSERT_FALSE(engine->call(*grow_second, args, r));
  EXPECT_EQ(int32_t(r[0].as_i32()), -1) << "the budget is spent";
  ASSERT_FALSE(call("grow", {CoreValue::i32(1)}, r));
  EXPECT_EQ(int32_t(r[0].as_i32()), -1);
}

TEST_P(CoreEngines, HostSeesGuestMemoryWrites) {
  std::vector<CoreValue> r;
  ASSERT_FALSE(call("poke", {CoreValue::i32(100), CoreValue::i32(0xab)}, r));
  auto mem = engine->export_of(instance, "memory");
  ASSERT_TRUE(mem);
  auto view = engine->memory(*mem);
  ASSERT_GE(view.size(), 65536u);
  EXPECT_EQ(view[100], 0xab);
}

// The AOT engine reuses the reservations of released memories (aot_engine.cpp's MemoryPool): a memory must still
// start as a fresh one would, all zero, with every byte past its size out of bounds, and grow into zero pages.
TEST_P(CoreEngines, AMemoryAfterAReleasedOneStartsZeroAndEndsAtItsSize) {
  std::vector<CoreValue> r;
  ASSERT_FALSE(call("grow", {CoreValue::i32(3)}, r));
  for (uint32_t at : {100u, 65536u + 7, 3 * 65536u + 5, 4 * 65536u - 1})
    ASSERT_FALSE(call("poke", {CoreValue::i32(at), CoreValue::i32(0xcd)}, r)) << at;
  engine.reset();  // its memory goes back (to the pool, on AOT)

  ASSERT_NO_FATAL_FAILURE(SetUp());
  auto mem = engine->export_of(instance, "memory");
  ASSERT_TRUE(mem);
  auto view = engine->memory(*mem);
  ASSERT_EQ(view.size(), 65536u);
  EXPECT_EQ(std::count(view.begin(), view.end(), 0), 65536) << "a fresh memory is all zero";
  auto trap = call("poke", {CoreValue::i32(65536u + 7), CoreValue::i32(1)}, r);
  ASSERT_TRUE(trap) << "one page: the second one is out of bounds";
  EXPECT_EQ(trap->kind, "memory-out-of-bounds");
  ASSERT_FALSE(call("grow", {CoreValue::i32(3)}, r));
  view = engine->memory(*mem);
  ASSERT_EQ(view.size(), 4 * 65536u);
  EXPECT_EQ(std::count(view.begin(), view.end(), 0), 4 * 65536) << "grown pages are zero too";
  trap = call("poke", {CoreValue::i32(4 * 65536u), CoreValue::i32(1)}, r);
  ASSERT_TRUE(trap);
  EXPECT_EQ(trap->kind, "memory-out-of-bounds");
}

// A host function that calls back into the guest: the inner call's trap handler is its own, and a host trap raised
// two levels down unwinds every guest frame up to the outermost call, on both backends.
TEST_P(CoreEngines, AHostTrapInsideANestedCallUnwindsToTheOutermostCall) {
  auto bytes = test::read_file_bytes(WEFT_RT_FIXTURES "/engine_probe.wasm");
  auto m = engine->load(bytes, "engine_probe_nested");
  ASSERT_TRUE(m.ok()) << m.error().message;
  std::optional<CoreExtern> inner_fail, inner_divide;
  int nested_calls = 0;
  std::vector<CoreExtern> imports;
  for (const auto& imp : engine->imports(*m)) {
    if (imp.name == "twice") {
      // twice(x): calls the guest's divide(x, 0) when x is odd (a guest trap it reports as a value), and the guest's
      // call_fail otherwise (a host trap, which it passes on).
      imports.push_back(engine->host_function(imp.func_type, [&](auto args, auto results) -> std::optional<Trap> {
        ++nested_calls;
        std::vector<CoreValue> r;
        if (args[0].as_i32() % 2) {
          std::vector<CoreValue> div_args = {CoreValue::i32(1), CoreValue::i32(0)};
          auto trap = engine->call(*inner_divide, div_args, r);
          results[0] = CoreValue::i32(trap && trap->kind == "integer-divide-by-zero" ? 100 : 0);
          return std::nullopt;
        }
        return engine->call(*inner_fail, {}, r);
      }));
    } else {
      imports.push_back(engine->host_function(imp.func_type, [](auto, auto) -> std::optional<Trap> {
        return Trap{"host", "refused two calls deep"};
      }));
    }
  }
  auto inst = engine->instantiate(*m, imports);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  inner_fail = engine->export_of(*inst, "call_fail");
  inner_divide = engine->export_of(*inst, "divide");
  auto outer = engine->export_of(*inst, "call_twice");
  std::vector<CoreValue> r;
  std::vector<CoreValue> odd = {CoreValue::i32(1)}, even = {CoreValue::i32(2)};
  auto ok = engine->call(*outer, odd, r);
  ASSERT_FALSE(ok) << ok->kind << ": " << ok->message;
  EXPECT_EQ(r[0].as_i32(), 101u) << "the inner guest trap stayed inside the host function";
  auto trap = engine->call(*outer, even, r);
  ASSERT_TRUE(trap) << "the host trap was swallowed";
  EXPECT_EQ(trap->kind, "host");
  EXPECT_EQ(trap->message, "refused two calls deep");
  EXPECT_EQ(nested_calls, 2);
  // Both handlers were restored: a trap now lands in a fresh outermost call.
  auto later = call("unreachable", {}, r);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->kind, "unreachable");
}

INSTANTIATE_TEST_SUITE_P(BothBackends, CoreEngines, ::testing::Values(Engine::interp, Engine::aot),
                         engines::engine_test_name);

class CoreEngineLoad : public ::testing::TestWithParam<Engine> {};
INSTANTIATE_TEST_SUITE_P(BothBackends, CoreEngineLoad, ::testing::Values(Engine::interp, Engine::aot),
                         engines::engine_test_name);

// AOT code reads the linear memory's base once per function and keeps wasm2c's forced read of every load
// (aot_glue.cpp); fixtures/memory_base.wat. Both engines, the same results; AOT at -O2, where gcc drops a load whose
// value is unused and keeps a value it can prove unchanged (the suite's usual -O0 would show neither).
class MemoryBase : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    if (GetParam() == Engine::interp) {
      engine = make_interpreter_engine();
    } else {
      auto options = engines::aot_test_cache_options();
      options.optimization = "-O2";
      auto cache = AotCache::open(options);
      ASSERT_TRUE(cache) << cache.error().message;
      engine = make_aot_engine(std::move(*cache));
    }
    module.emplace(*engine, test::read_file_bytes(WEFT_RT_FIXTURES "/memory_base.wasm"), "memory_base", 4 * 65536);
    ASSERT_TRUE(module->instance);
  }
  std::optional<Trap> call(std::string_view name, std::vector<CoreValue> args, std::vector<CoreValue>& results) {
    auto trap = module->call(name, std::move(args));
    results = module->results;
    return trap;
  }
  std::unique_ptr<CoreEngine> engine;
  std::optional<engines::InstantiatedModule> module;
};
INSTANTIATE_TEST_SUITE_P(BothBackends, MemoryBase, ::testing::Values(Engine::interp, Engine::aot),
                         engines::engine_test_name);

TEST_P(MemoryBase, AStartFunctionReadsItsDataSegmentAndItsOwnStores) {
  std::vector<CoreValue> r;
  ASSERT_FALSE(call("seen", {}, r));
  EXPECT_EQ(r[0].as_i32(), 43u);
}

TEST_P(MemoryBase, AFunctionThatGrowsMemoryUsesTheNewPageInTheSameCall) {
  std::vector<CoreValue> r;
  ASSERT_FALSE(call("grow_and_touch", {}, r));
  EXPECT_EQ(r[0].as_i32(), 16u);
  ASSERT_FALSE(call("load_at", {CoreValue::i32(2 * 65536 - 4)}, r));
  EXPECT_EQ(r[0].as_i32(), 0u);
  auto past = call("load_at", {CoreValue::i32(2 * 65536)}, r);
  ASSERT_TRUE(past);
  EXPECT_EQ(past->kind, "memory-out-of-bounds");
}

TEST_P(MemoryBase, ALoadWhoseValueIsDroppedStillTrapsOutOfBoundsInEveryWidth) {
  struct Shape {
    const char* name;
    uint32_t bytes;
  };
  std::vector<CoreValue> r;
  for (Shape shape : {Shape{"dropped_i32", 4}, Shape{"dropped_i64", 8}, Shape{"dropped_f32", 4},
                      Shape{"dropped_f64", 8}, Shape{"dropped_u8", 1}, Shape{"dropped_s16", 2},
                      Shape{"dropped_u32", 4}, Shape{"dropped_between_stores", 4}}) {
    EXPECT_FALSE(call(shape.name, {CoreValue::i32(65536 - shape.bytes)}, r)) << shape.name << " at the last bytes";
    for (uint32_t address : {uint32_t(65536 - shape.bytes + 1), uint32_t(65536), 0x7ffffff0u, 0xfffffffcu}) {
      if (shape.bytes == 1 && address == 65536 - shape.bytes + 1) continue;  // that is 65536 again
      auto trap = call(shape.name, {CoreValue::i32(address)}, r);
      if (!trap) {
        ADD_FAILURE() << shape.name << " at " << address << " did not trap";
        continue;
      }
      EXPECT_EQ(trap->kind, "memory-out-of-bounds") << shape.name << " at " << address;
    }
  }
}

TEST_P(CoreEngineLoad, AnInvalidModuleIsAnErrorNamingTheModule) {
  auto engine = engines::make_test_engine(GetParam());
  ASSERT_TRUE(engine);
  std::vector<uint8_t> garbage = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x7f};
  auto m = engine->load(garbage, "broken");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("core module broken is invalid"), std::string::npos) << m.error().message;
}

TEST_P(CoreEngineLoad, AMemoryMinimumAboveTheLimitIsRefused) {
  auto engine = engines::make_test_engine(GetParam());
  ASSERT_TRUE(engine);
  engine->set_memory_limit(65536);
  // (module (memory 2))
  std::vector<uint8_t> two_pages = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x02};
  auto m = engine->load(two_pages, "big");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("above the limit"), std::string::npos) << m.error().message;
}

TEST_P(CoreEngineLoad, ATableAboveAMillionElementsIsRefused) {
  auto engine = engines::make_test_engine(GetParam());
  ASSERT_TRUE(engine);
  // (module (table 1000001 funcref))
  std::vector<uint8_t> big_table = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                                    0x04, 0x06, 0x01, 0x70, 0x00, 0xc1, 0x84, 0x3d};
  auto m = engine->load(big_table, "tables");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("above the limit of 1000000"), std::string::npos) << m.error().message;
}

}  // namespace
}  // namespace weft::runtime
