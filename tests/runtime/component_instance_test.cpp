// Instantiation of a hand-written component (fixtures/probe.wat): sockets refused, a component-defined resource, and a
// string export with realloc and post-return.

#include <gtest/gtest.h>

#include "engines.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/component_bytes.hpp"
#include "weft/runtime/component_instance.hpp"
#include "weft/runtime/wasi_host.hpp"

namespace weft::runtime {
namespace {

using engines::Engine;

// On both backends: the component layer is the same, the core modules run interpreted or as AOT code.
class ProbeComponent : public ::testing::TestWithParam<Engine> {
 protected:
  void SetUp() override {
    WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/probe.wasm");
    auto c = decode_component(test::read_file_bytes(WEFT_RT_FIXTURES "/probe.wasm"));
    ASSERT_TRUE(c.ok()) << c.error().message;
    component = std::move(c).value();
    engine = engines::make_test_engine(GetParam());
    ASSERT_TRUE(engine);
    wasi.install(registry);
    auto inst = ComponentInstance::instantiate(component, *engine, registry);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    instance = std::move(inst).value();
  }

  CallOutcome call(std::string_view func, std::vector<Val> args = {}) {
    auto out = instance->call("", func, std::move(args));
    EXPECT_TRUE(out.ok()) << out.error().message;
    EXPECT_FALSE(out->trap) << out->trap->kind << ": " << out->trap->message;
    return *out;
  }

  Component component;
  std::unique_ptr<CoreEngine> engine;
  WasiHost wasi{WasiConfig{}};
  HostRegistry registry;
  std::unique_ptr<ComponentInstance> instance;
};

INSTANTIATE_TEST_SUITE_P(BothBackends, ProbeComponent, ::testing::Values(Engine::interp, Engine::aot),
                         engines::engine_test_name);

TEST_P(ProbeComponent, CreatingATcpSocketIsRefusedWithAccessDenied) {
  EXPECT_EQ(call("sockets-denied").value.num, 1u);  // error-code.access-denied
}

TEST_P(ProbeComponent, AComponentDefinedResourceGoesThroughNewRepAndDrop) {
  EXPECT_EQ(call("resource-rep").value.num, 42u);
  EXPECT_EQ(instance->handles().live_count(), 0u);
}

TEST_P(ProbeComponent, AStringExportIsLoweredThroughReallocAndPostReturnRuns) {
  EXPECT_EQ(call("echo", {Val::string("héllo, 世界")}).value.str, "héllo, 世界");
  EXPECT_EQ(call("post-return-count").value.num, 1u);
}

TEST_P(ProbeComponent, CallingAnUnknownExportIsAnError) {
  auto out = instance->call("", "nope", {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().message, "the component does not export 'nope'");
}

TEST(ComponentInstantiation, AMissingHostInterfaceFailsNamingTheImport) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/probe.wasm");
  auto c = decode_component(test::read_file_bytes(WEFT_RT_FIXTURES "/probe.wasm"));
  ASSERT_TRUE(c.ok());
  auto engine = make_interpreter_engine();
  HostRegistry empty;
  auto inst = ComponentInstance::instantiate(*c, *engine, empty);
  ASSERT_FALSE(inst.ok());
  EXPECT_NE(inst.error().message.find("import 'wasi:sockets/tcp-create-socket@0.2.0' is not provided"),
            std::string::npos) << inst.error().message;
}

TEST(ComponentInstantiation, AMissingHostFunctionFailsNamingTheFunction) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/probe.wasm");
  auto c = decode_component(test::read_file_bytes(WEFT_RT_FIXTURES "/probe.wasm"));
  ASSERT_TRUE(c.ok());
  auto engine = make_interpreter_engine();
  HostRegistry partial;
  auto& iface = partial.add("wasi:sockets/tcp-create-socket@0.2.3");
  iface.resource("tcp-socket", [](uint32_t) {});
  auto inst = ComponentInstance::instantiate(*c, *engine, partial);
  ASSERT_FALSE(inst.ok());
  EXPECT_NE(inst.error().message.find("does not provide function 'create-tcp-socket'"), std::string::npos)
      << inst.error().message;
}

/// An instance section bundling one export, `(instance (export "t" (type <index>)))`.
test::Bytes instance_exporting_type(uint32_t index) {
  test::Bytes b = {0x01, 0x01, 0x01, 0x00};
  test::append_name(b, "t");
  b.push_back(0x03);
  test::append_u32(b, index);
  return b;
}

TEST(ComponentInstantiation, AHostileChainOfAliasesIsRefusedNotFollowedToStackExhaustion) {
  test::Bytes aliases;
  test::append_u32(aliases, 4999);
  for (uint32_t i = 0; i < 4999; ++i) {  // type i+1 = alias outer 0 i
    aliases.insert(aliases.end(), {0x03, 0x02, 0x00});
    test::append_u32(aliases, i);
  }
  auto bytes = test::component_bytes({{7, {0x01, 0x7f}}, {6, aliases}, {5, instance_exporting_type(4999)}});
  auto c = decode_component(bytes);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto engine = make_interpreter_engine();
  HostRegistry empty;
  auto inst = ComponentInstance::instantiate(*c, *engine, empty);
  ASSERT_FALSE(inst.ok());
  EXPECT_NE(inst.error().message.find("definitions nested deeper than 256"), std::string::npos) << inst.error().message;
}

TEST(ComponentInstantiation, AValueTypeNestedTooDeeplyIsRefused) {
  test::Bytes types;
  test::append_u32(types, 150);
  types.insert(types.end(), {0x70, 0x7d});  // type 0 = list<u8>
  for (uint32_t i = 1; i < 150; ++i) {       // type i = list<type i-1>
    types.push_back(0x70);
    test::append_s33(types, i - 1);
  }
  auto c = decode_component(test::component_bytes({{7, types}, {5, instance_exporting_type(149)}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto engine = make_interpreter_engine();
  HostRegistry empty;
  auto inst = ComponentInstance::instantiate(*c, *engine, empty);
  ASSERT_FALSE(inst.ok());
  EXPECT_NE(inst.error().message.find("value type nested deeper than 100 levels"), std::string::npos)
      << inst.error().message;
}

}  // namespace
}  // namespace weft::runtime
