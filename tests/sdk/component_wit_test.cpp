// What each built component asks of its host and offers (`jco wit`), and the ABI of every weft_app.h binding checked
// end to end against jco's canonical-ABI implementation.
#include <gtest/gtest.h>

#include <regex>

#include "app_harness.hpp"

namespace weft::test {
namespace {

// WASI 0.2 interfaces the WEFT host implements for every component (spec §4.3), wasi:http aside.
const std::set<std::string> kHostWasi = {
    "wasi:cli/environment",     "wasi:cli/exit",          "wasi:cli/stdin",           "wasi:cli/stdout",
    "wasi:cli/stderr",          "wasi:cli/terminal-input", "wasi:cli/terminal-output", "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout", "wasi:cli/terminal-stderr", "wasi:clocks/monotonic-clock", "wasi:clocks/wall-clock",
    "wasi:io/error",            "wasi:io/poll",           "wasi:io/streams",          "wasi:random/random",
    "wasi:random/insecure",     "wasi:random/insecure-seed", "wasi:filesystem/types", "wasi:filesystem/preopens"};

void expect_command_world(const World& w, const std::set<std::string>& weft) {
  ASSERT_TRUE(w.error.empty()) << w.error;
  EXPECT_EQ(w.weft_imports, weft);
  for (const auto& wasi : w.wasi_imports) EXPECT_TRUE(kHostWasi.contains(wasi)) << wasi << " is not a host interface";
  EXPECT_TRUE(w.other_imports.empty()) << *w.other_imports.begin();
  ASSERT_EQ(w.exports.size(), 1u);
  EXPECT_TRUE(std::regex_match(*w.exports.begin(), std::regex(R"(wasi:cli/run@0\.2\.[0-9]+)"))) << *w.exports.begin();
}

TEST(DemoComponents, TheCounterImportsOnlyNotifyAndIpcAndExportsWasiCliRun) {
  expect_command_world(world_of(COUNTER_WASM), {"weft:app/notify@0.1.0", "weft:app/ipc@0.1.0"});
}

TEST(DemoComponents, TheNotesAppImportsOnlyNotifyAndIpcAndExportsWasiCliRun) {
  World w = world_of(NOTES_WASM);
  expect_command_world(w, {"weft:app/notify@0.1.0", "weft:app/ipc@0.1.0"});
  EXPECT_TRUE(w.wasi_imports.contains("wasi:filesystem/preopens")) << "notes store their text under /data";
}

TEST(DemoComponents, TheJavaScriptTodoAppImportsOnlyNotifyIpcAndHostWasiWithoutHttp) {
  expect_command_world(world_of(TODO_WASM), {"weft:app/notify@0.1.0", "weft:app/ipc@0.1.0"});
}

TEST(DemoComponents, TheAbiProbeImportsEveryWeftAppInterface) {
  expect_command_world(world_of(ABI_PROBE_WASM),
                       {"weft:app/notify@0.1.0", "weft:app/ipc@0.1.0", "weft:app/fetch@0.1.0",
                        "weft:app/notifications@0.1.0", "weft:app/clipboard@0.1.0"});
}

// probe.c calls every binding; abi_probe_host.mjs answers with fixed values through jco's canonical ABI and logs
// what it received. Each line pins one direction of one signature.
TEST(WeftAppBindings, EveryCallRoundTripsThroughTheCanonicalAbi) {
  AppSession app = AppSession::start(Backend::Jco, abi_probe_app(), {"--host-module", ABI_PROBE_HOST_MJS});
  ASSERT_TRUE(app.ok()) << app.error();
  std::string output = app.wait_for_output();
  auto status = app.process().wait(kPatience);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->success()) << status->describe();
  EXPECT_EQ(output,
            "host send \"probe payload\"\n"
            "send err 'relay busy'\n"
            "recv some 'first message ünïcode'\n"
            "recv none\n"
            "host fetch [\"https://example.org/a\",\"POST\",[[\"accept\",\"text/plain\"],[\"x-empty\",\"\"]],[1,2,255]]\n"
            "fetch ok status=201 type='application/json' body=7,0,200\n"
            "host fetch [\"https://example.org/b\",\"GET\",[],null]\n"
            "fetch err 'capability net:fetch is not granted'\n"
            "host notify [\"Title\",\"Body text\",\"dialog-information\"]\n"
            "notify ok\n"
            "host notify [\"T2\",\"\",null]\n"
            "notify err 'capability sys:notifications is not granted'\n"
            "clipboard read ok 'clip text'\n"
            "clipboard read err ''\n"
            "host clipboard write \"copied ✓\"\n"
            "clipboard write err 'capability sys:clipboard:write is not granted'\n");
}

// weft_app.h's stdout fix: a component's very first printf used to vanish (see the header).
class FirstWrite : public ::testing::TestWithParam<Backend> {};

TEST_P(FirstWrite, TheFirstLineAComponentPrintsReachesStdout) {
  AppSession app = AppSession::start(GetParam(), first_write_app());
  ASSERT_TRUE(app.ok()) << app.error();
  EXPECT_EQ(app.wait_for_output(), "first line\nsecond line\n");
  auto status = app.process().wait(kPatience);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->success()) << status->describe();
}

INSTANTIATE_TEST_SUITE_P(Backends, FirstWrite, ::testing::ValuesIn(available_backends()),
                         [](const auto& info) { return backend_name(info.param); });

#ifdef WEFT_APP_TESTS_WITH_RUNTIME
// The same probe under weft-runtime with no grants: the runtime's canonical ABI agrees with weft_app.h, IPC works,
// and every capability-gated call is refused with the spec's exact message.
TEST(WeftAppBindings, UnderWeftRuntimeIpcWorksAndEveryUngrantedCallIsRefused) {
  AppSession app = AppSession::start(Backend::WeftRuntime, abi_probe_app());
  ASSERT_TRUE(app.ok()) << app.error();
  EXPECT_EQ(app.receive().value_or("(nothing)"), "probe payload");
  app.send(std::string("first message ünïcode"));
  std::string output = app.wait_for_output();
  auto status = app.process().wait(kPatience);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->success()) << status->describe();
  EXPECT_EQ(output,
            "send ok\n"
            "recv some 'first message ünïcode'\n"
            "recv none\n"
            "fetch err 'capability net:fetch is not granted'\n"
            "fetch err 'capability net:fetch is not granted'\n"
            "notify err 'capability sys:notifications is not granted'\n"
            "notify err 'capability sys:notifications is not granted'\n"
            "clipboard read err 'capability sys:clipboard:read is not granted'\n"
            "clipboard read err 'capability sys:clipboard:read is not granted'\n"
            "clipboard write err 'capability sys:clipboard:write is not granted'\n");
}
#endif

}  // namespace
}  // namespace weft::test
