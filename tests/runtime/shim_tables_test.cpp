// wit-component's import indirection on both engines (aot_forwarder_links.hpp): a core module's import that is a
// shim's export calling `call_indirect` on an element of the shim's table, which a fixup module fills afterwards
// (fixtures/shim_tables.wat.in). The AOT engine calls a final element directly; whatever it does, the guest must
// get what the interpreter gives it: the same values, the same traps for a null or mistyped element, and the new
// function once code replaces an element.

#include <gtest/gtest.h>

#include <optional>

#include "engines.hpp"
#include "weft/runtime/aot_engine.hpp"
#include "weft/runtime/component_instance.hpp"
#include "weft/runtime/host.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/component_bytes.hpp"

namespace weft::runtime {
namespace {

using engines::Engine;
using namespace wit;  // NOLINT: WIT type spelling

/// The host side of the fixture: functions with direct entries, so compiled code reaches them by typed entries.
void add_shapes(HostRegistry& registry) {
  HostInterface& iface = registry.add("test:direct/shapes@0.1.0");
  iface.wrap("narrow", [](int64_t v) { return int16_t(v); });
  iface.wrap("halve", [](double x) { return float(x / 2); });
  iface.wrap("recv", [](std::string tag) -> std::optional<std::string> {
    if (tag.empty()) return std::nullopt;
    return tag + "!";
  });
}

Val u32(uint32_t v) { return Val::number(v); }

std::string show(const Val& v) {
  std::string out = std::to_string(v.num) + "/" + std::to_string(v.index) + "/'" + v.str + "'[";
  for (const auto& item : v.items) out += show(item) + ",";
  return out + "]";
}

/// One instance of a fixture on one engine, and what its calls give the guest.
struct Fixture {
  std::optional<Component> component;  // the instance refers to it
  std::unique_ptr<CoreEngine> engine;
  HostRegistry registry;
  std::unique_ptr<ComponentInstance> instance;
  std::string error;

  Fixture(Engine on, const char* name) {
    auto decoded = decode_component(test::read_file_bytes(std::string(WEFT_RT_FIXTURES "/") + name + ".wasm"));
    if (!decoded) {
      error = "undecodable: " + decoded.error().message;
      return;
    }
    component = std::move(*decoded);
    engine = engines::make_test_engine(on);
    if (!engine) {
      error = "no engine";
      return;
    }
    add_shapes(registry);
    auto made = ComponentInstance::instantiate(*component, *engine, registry);
    if (!made) error = "not instantiated: " + made.error().message;
    else instance = std::move(*made);
  }

  /// The lifted result as text, or the trap's kind.
  std::string call(const std::string& name, std::vector<Val> args = {}) {
    if (!instance) return error;
    auto out = instance->call("", name, std::move(args));
    if (!out) return "error: " + out.error().message;
    if (out->trap) return "trap " + out->trap->kind;
    return "value " + show(out->value);
  }
};

TEST(ShimTables, ImportsThroughAShimTableGiveTheSameValuesOnBothEngines) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/shim_tables.wasm");
  for (Engine on : {Engine::interp, Engine::aot}) {
    SCOPED_TRACE(on == Engine::aot ? "aot" : "interpreter");
    Fixture f(on, "shim_tables");
    EXPECT_EQ(f.call("poke", {u32(100), u32(0x6c6c6568)}), "value 0/0/''[]");  // "hell"
    EXPECT_EQ(f.call("recv", {u32(100), u32(4), u32(512)}), "value 0/1/''[0/0/'hell!'[],]");
    EXPECT_EQ(f.call("recv", {u32(100), u32(0), u32(512)}), "value 0/0/''[]");
    EXPECT_EQ(f.call("narrow", {Val::number(uint64_t(70000))}), "value 4464/0/''[]");  // 70000 mod 2^16
    EXPECT_EQ(f.call("guest", {Val::number(uint64_t(21))}), "value 42/0/''[]");
    // Again, after the first calls: nothing about the path depends on having been taken before.
    EXPECT_EQ(f.call("narrow", {Val::number(uint64_t(5))}), "value 5/0/''[]");
  }
}

TEST(ShimTables, OnAotEveryImportWhoseElementIsFinalAndWellTypedCallsItDirectly) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/shim_tables.wasm");
  Fixture f(Engine::aot, "shim_tables");
  ASSERT_TRUE(f.instance) << f.error;
  // recv and narrow (host functions, through the fixup's imports) and guest (the main module's own function);
  // not the null element, not the mistyped one.
  EXPECT_EQ(aot_imports_linked_past_shims(*f.engine), 3u);
  Fixture swapped(Engine::aot, "shim_tables_swapped");
  ASSERT_TRUE(swapped.instance) << swapped.error;
  EXPECT_EQ(aot_imports_linked_past_shims(*swapped.engine), 0u) << "its table.set could change any element";
}

TEST(ShimTables, HostTrapsThroughAShimTableAreTheSameOnBothEngines) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/shim_tables.wasm");
  Fixture interp(Engine::interp, "shim_tables"), aot(Engine::aot, "shim_tables");
  // A string outside memory: the host's canonical-ABI check traps, on the path through the shim.
  EXPECT_EQ(aot.call("recv", {u32(65536), u32(1), u32(512)}), interp.call("recv", {u32(65536), u32(1), u32(512)}));
  EXPECT_EQ(aot.call("recv", {u32(65536), u32(1), u32(512)}), "trap canonical-abi");
}

TEST(ShimTables, ANullElementKeepsItsTrap) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/shim_tables.wasm");
  // wasm-rt reports a null element as a type mismatch (docs/performance.md, "Missing"); the interpreter names it.
  EXPECT_EQ(Fixture(Engine::aot, "shim_tables").call("null", {Val::number(uint64_t(1))}),
            "trap indirect-call-type-mismatch");
  EXPECT_EQ(Fixture(Engine::interp, "shim_tables").call("null", {Val::number(uint64_t(1))}),
            "trap indirect-call-to-null");
}

TEST(ShimTables, AnElementOfAnotherTypeKeepsItsTrapOnBothEngines) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/shim_tables.wasm");
  for (Engine on : {Engine::interp, Engine::aot}) {
    SCOPED_TRACE(on == Engine::aot ? "aot" : "interpreter");
    Fixture f(on, "shim_tables");
    EXPECT_EQ(f.call("mistyped", {Val::number(uint64_t(1))}), "trap indirect-call-type-mismatch");
    EXPECT_EQ(f.call("narrow", {Val::number(uint64_t(3))}), "value 3/0/''[]");  // the instance still works
  }
}

TEST(ShimTables, CodeThatReplacesAnElementIsReachedAfterTheReplacementOnBothEngines) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/shim_tables_swapped.wasm");
  for (Engine on : {Engine::interp, Engine::aot}) {
    SCOPED_TRACE(on == Engine::aot ? "aot" : "interpreter");
    Fixture f(on, "shim_tables_swapped");
    EXPECT_EQ(f.call("narrow", {Val::number(uint64_t(5))}), "value 5/0/''[]");
    EXPECT_EQ(f.call("swap"), "value 0/0/''[]");
    EXPECT_EQ(f.call("narrow", {Val::number(uint64_t(5))}), "value 777/0/''[]");
    EXPECT_EQ(f.call("guest", {Val::number(uint64_t(4))}), "value 8/0/''[]");
  }
}

/// The shim, a module filling its table and a module calling the forwarder, linked by hand on one engine.
struct CoreShim {
  std::unique_ptr<CoreEngine> engine;
  CoreExtern table{}, call{}, call_swapped{};

  explicit CoreShim(Engine on) : engine(engines::make_test_engine(on)) {
    if (!engine) return;
    auto shim = instantiate("shim_core_table", {});
    if (!shim) return;
    table = *engine->export_of(*shim, "t");
    auto forwarder = *engine->export_of(*shim, "f"), swapper = *engine->export_of(*shim, "g");
    if (!instantiate("shim_core_fill", {table})) return;
    auto main = instantiate("shim_core_main", {forwarder, swapper});
    if (!main) return;
    call = *engine->export_of(*main, "call");
    call_swapped = *engine->export_of(*main, "call_swapped");
  }

  std::optional<InstanceId> instantiate(const char* name, std::vector<CoreExtern> imports) {
    auto bytes = test::read_file_bytes(std::string(WEFT_RT_FIXTURES "/") + name + ".wasm");
    auto module = engine->load(bytes, name);
    if (!module) {
      ADD_FAILURE() << name << ": " << module.error().message;
      return std::nullopt;
    }
    auto instance = engine->instantiate(*module, imports);
    if (!instance) ADD_FAILURE() << name << ": " << instance.error().message;
    return instance ? std::optional<InstanceId>(*instance) : std::nullopt;
  }

  int32_t call_with(int32_t x) { return call_export(call, {CoreValue::i32(uint32_t(x))}); }

  int32_t call_export(CoreExtern f, std::vector<CoreValue> args) {
    std::vector<CoreValue> results;
    if (auto trap = engine->call(f, args, results)) {
      ADD_FAILURE() << trap->message;
      return -1;
    }
    return int32_t(results.at(0).as_i32());
  }
};

TEST(ShimTables, AFunctionThatPassesItsParametersOnInAnotherOrderKeepsItsOrderOnBothEngines) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/shim_core_main.wasm");
  for (Engine on : {Engine::interp, Engine::aot}) {
    SCOPED_TRACE(on == Engine::aot ? "aot" : "interpreter");
    CoreShim shim(on);
    ASSERT_TRUE(shim.engine);
    shim.engine->linking_finished();
    // Only `f` is a forwarder; `g` swaps its parameters before the call_indirect, so it stays a call through `g`.
    EXPECT_EQ(aot_imports_linked_past_shims(*shim.engine), on == Engine::aot ? 1u : 0u);
    EXPECT_EQ(shim.call_export(shim.call_swapped, {CoreValue::i32(10), CoreValue::i32(3)}), -7);  // 3 - 10
  }
}

TEST(ShimTables, AnInstanceThatRefillsTheTableAfterLinkingIsReachedOnBothEngines) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/shim_core_refill.wasm");
  for (Engine on : {Engine::interp, Engine::aot}) {
    SCOPED_TRACE(on == Engine::aot ? "aot" : "interpreter");
    CoreShim shim(on);
    ASSERT_TRUE(shim.engine);
    const size_t linked = on == Engine::aot ? 1 : 0;
    shim.engine->linking_finished();
    EXPECT_EQ(aot_imports_linked_past_shims(*shim.engine), linked);
    EXPECT_EQ(shim.call_with(1), 2);
    // A later instance importing the table writes element 0 with its active segment: the call must see it.
    ASSERT_TRUE(shim.instantiate("shim_core_refill", {shim.table}));
    EXPECT_EQ(aot_imports_linked_past_shims(*shim.engine), 0u);
    EXPECT_EQ(shim.call_with(1), 101);
    shim.engine->linking_finished();  // linked again after the refill: the new element is final as well
    EXPECT_EQ(aot_imports_linked_past_shims(*shim.engine), linked);
    EXPECT_EQ(shim.call_with(2), 102);
  }
}

}  // namespace
}  // namespace weft::runtime
