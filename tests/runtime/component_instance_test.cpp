// Instantiation of a hand-written component (fixtures/probe.wat): sockets refused, a component-defined resource, and a
// string export with realloc and post-return; two instances of one shared component; the host registry's lookup.

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

// One decoded component (decode_component_shared: what benchmarks and repeated launches in one process link) behind
// two instances: each links its own core instances, trampolines and host bindings, so guest state, the handle table
// and the hosts' state stay apart.
TEST_P(ProbeComponent, TwoInstancesOfOneSharedComponentKeepTheirOwnState) {
  auto shared = decode_component_shared(test::read_file_bytes(WEFT_RT_FIXTURES "/probe.wasm"));
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  struct Linked {
    std::unique_ptr<CoreEngine> engine;
    WasiHost wasi{WasiConfig{}};
    HostRegistry registry;
    std::unique_ptr<ComponentInstance> instance;
  };
  Linked a, b;
  for (Linked* l : {&a, &b}) {
    l->engine = engines::make_test_engine(GetParam());
    ASSERT_TRUE(l->engine);
    l->wasi.install(l->registry);
    auto inst = ComponentInstance::instantiate(**shared, *l->engine, l->registry);
    ASSERT_TRUE(inst.ok()) << inst.error().message;
    l->instance = std::move(inst).value();
  }
  auto call = [](Linked& l, std::string_view func, std::vector<Val> args = {}) {
    auto out = l.instance->call("", func, std::move(args));
    EXPECT_TRUE(out.ok() && !out->trap) << (out.ok() ? out->trap->message : out.error().message);
    return out.ok() ? out->value : Val{};
  };
  EXPECT_EQ(call(a, "echo", {Val::string("first")}).str, "first");
  EXPECT_EQ(call(a, "echo", {Val::string("second")}).str, "second");
  EXPECT_EQ(call(b, "echo", {Val::string("third")}).str, "third");
  EXPECT_EQ(call(a, "post-return-count").num, 2u);
  EXPECT_EQ(call(b, "post-return-count").num, 1u);
  EXPECT_EQ(call(b, "resource-rep").num, 42u);
  EXPECT_EQ(call(a, "sockets-denied").num, 1u);
  EXPECT_EQ(a.instance->handles().live_count(), 0u);
  EXPECT_EQ(b.instance->handles().live_count(), 0u);
}

// The link-time type check of every import runs for every component linked, also after another linked well against
// the same kind of hosts: nothing learnt from the first lets the second's mismatch through.
TEST_P(ProbeComponent, AComponentWithAMismatchedImportIsRefusedAfterAGoodOneLinked) {
  const std::string hostile = WEFT_RT_FIXTURES "/hostile/import_record_field_renamed.wasm";
  WEFT_SKIP_UNLESS_BUILT(hostile);
  auto c = decode_component_shared(test::read_file_bytes(hostile));
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto second_engine = engines::make_test_engine(GetParam());
  ASSERT_TRUE(second_engine);
  WasiHost second_wasi{WasiConfig{}};
  HostRegistry second_registry;
  second_wasi.install(second_registry);
  for (const HostRegistry* hosts : {&registry, &second_registry}) {
    auto inst = ComponentInstance::instantiate(**c, *second_engine, *hosts);
    ASSERT_FALSE(inst.ok());
    EXPECT_NE(inst.error().message.find("import 'wasi:clocks/wall-clock@0.2.0': function 'now' is declared as "
                                        "func() -> record{secs: u64, nanoseconds: u32}, the host's is func() -> "
                                        "record{seconds: u64, nanoseconds: u32}"),
              std::string::npos)
        << inst.error().message;
  }
  EXPECT_EQ(call("echo", {Val::string("still linked")}).value.str, "still linked");
}

TEST(HostRegistry, AnImportFindsTheInterfaceOfACompatibleVersionOnly) {
  HostRegistry registry;
  registry.add("wasi:io/streams@0.2.12");
  registry.add("wasi:io/poll@0.2.12");
  registry.add("weft:app/ipc");
  ASSERT_NE(registry.find("wasi:io/streams@0.2.0"), nullptr);
  EXPECT_EQ(registry.find("wasi:io/streams@0.2.0")->name, "wasi:io/streams@0.2.12");
  EXPECT_EQ(registry.find("wasi:io/poll@0.2.3")->name, "wasi:io/poll@0.2.12");
  EXPECT_EQ(registry.find("wasi:io/streams@0.3.0"), nullptr);
  EXPECT_EQ(registry.find("wasi:io/stream@0.2.0"), nullptr);
  EXPECT_EQ(registry.find("wasi:io/pollx@0.2.0"), nullptr);
  EXPECT_EQ(registry.find("wasi:io/poll"), nullptr);  // an unversioned name matches only an unversioned one
  ASSERT_NE(registry.find("weft:app/ipc"), nullptr);
  EXPECT_EQ(registry.find("weft:app/ipc@0.1.0"), nullptr);
  EXPECT_EQ(registry.find("weft:app/ipx"), nullptr);
}

TEST(HostRegistry, AddingACompatibleNameReplacesTheEarlierInterface) {
  HostRegistry registry;
  registry.add("wasi:random/random@0.2.0").wrap("get-random-u64", []() { return uint64_t(4); });
  registry.add("wasi:random/insecure@0.2.0");
  auto& replaced = registry.add("wasi:random/random@0.2.12");
  EXPECT_EQ(registry.interfaces().size(), 2u);
  EXPECT_EQ(&replaced, registry.find("wasi:random/random@0.2.1"));
  EXPECT_EQ(replaced.name, "wasi:random/random@0.2.12");
  EXPECT_TRUE(replaced.functions.empty());
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

/// Decodes `bytes` (which must decode), instantiates it with no host interfaces on the interpreter, and expects the
/// instantiation to be refused with a message containing `reason`.
void expect_instantiation_refused(const test::Bytes& bytes, std::string_view reason) {
  auto c = decode_component(bytes);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto engine = make_interpreter_engine();
  HostRegistry empty;
  auto inst = ComponentInstance::instantiate(*c, *engine, empty);
  ASSERT_FALSE(inst.ok()) << "instantiated; expected a refusal naming: " << reason;
  EXPECT_NE(inst.error().message.find(reason), std::string::npos) << inst.error().message;
}

TEST(ComponentInstantiation, AHostileChainOfAliasesIsRefusedNotFollowedToStackExhaustion) {
  test::Bytes aliases;
  test::append_u32(aliases, 4999);
  for (uint32_t i = 0; i < 4999; ++i) {  // type i+1 = alias outer 0 i
    aliases.insert(aliases.end(), {0x03, 0x02, 0x00});
    test::append_u32(aliases, i);
  }
  expect_instantiation_refused(
      test::component_bytes({{7, {0x01, 0x7f}}, {6, aliases}, {5, instance_exporting_type(4999)}}),
      "definitions nested deeper than 256");
}

TEST(ComponentInstantiation, AValueTypeNestedTooDeeplyIsRefused) {
  test::Bytes types;
  test::append_u32(types, 150);
  types.insert(types.end(), {0x70, 0x7d});  // type 0 = list<u8>
  for (uint32_t i = 1; i < 150; ++i) {       // type i = list<type i-1>
    types.push_back(0x70);
    test::append_s33(types, i - 1);
  }
  expect_instantiation_refused(test::component_bytes({{7, types}, {5, instance_exporting_type(149)}}),
                               "value type nested deeper than 100 levels");
}

TEST(ComponentInstantiation, AComponentAliasNamingItselfIsRefusedNotFollowedToStackExhaustion) {
  // Found by fuzz_component_instantiate: component 0 = alias outer 0 0 (itself), then instantiate component 0.
  test::Bytes alias = {0x01, 0x04, 0x02, 0x00, 0x00};
  test::Bytes instance = {0x01, 0x00, 0x00, 0x00};
  expect_instantiation_refused(test::component_bytes({{6, alias}, {5, instance}}), "component 0 depends on itself");
}

TEST(ComponentInstantiation, ACoreModuleAliasNamingItselfIsRefusedNotFollowedToStackExhaustion) {
  // core module 0 = alias outer 0 0 (itself), then a core instance of module 0.
  test::Bytes alias = {0x01, 0x00, 0x11, 0x02, 0x00, 0x00};
  test::Bytes core_instance = {0x01, 0x00, 0x00, 0x00};
  expect_instantiation_refused(test::component_bytes({{6, alias}, {2, core_instance}}),
                               "core module 0 depends on itself");
}

}  // namespace
}  // namespace weft::runtime
