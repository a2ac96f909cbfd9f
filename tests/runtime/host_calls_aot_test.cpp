// Host calls from compiled guest code (aot_abi.h, host_direct.hpp): a host function with a direct entry is reached
// from AOT code through its typed entry, the core arguments passed as C values. For every shape such an entry has —
// each core type as a parameter and as a result, strings, byte lists, options and results through a return area —
// and for hostile values (pointers outside memory, invalid UTF-8, a case index the option lacks, a misaligned return
// area, the host's own error), the guest gets exactly what the generic canonical-ABI path gives it, on both engines.
// The component (fixtures/host_shapes.wat) passes its exports' arguments on to the host unchanged.

#include <gtest/gtest.h>

#include <algorithm>

#include "engines.hpp"
#include "two_case_host_shapes.hpp"
#include "weft/runtime/component_instance.hpp"
#include "weft/runtime/host.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/component_bytes.hpp"

namespace weft::runtime {
namespace {

using engines::Engine;
using namespace wit;  // NOLINT: WIT type spelling

constexpr const char* kShapes = "test:direct/shapes@0.1.0";

/// The host side of fixtures/host_shapes.wat; with `generic`, every function without its direct entry (as a check
/// put around it would leave it), so each call takes the generic path.
void add_shapes(HostRegistry& registry, bool generic) {
  HostInterface& iface = registry.add(kShapes);
  iface.wrap("mix", [](int8_t a, uint16_t b, float c, char32_t d, bool e, std::optional<uint64_t> f) -> double {
    return a + b + c + double(d) + (e ? 1000 : 0) + double(f.value_or(7));
  });
  iface.wrap("narrow", [](int64_t v) { return int16_t(v); });
  iface.wrap("halve", [](double x) { return float(x / 2); });
  iface.wrap("recv", [](std::string tag) -> std::optional<std::string> {
    if (tag.empty()) return std::nullopt;
    return tag + "!";
  });
  iface.wrap("send", [](Bytes payload) -> Res<None, std::string> {
    if (payload.data.size() > 3) return Res<None, std::string>::err("too long: " + payload.data);
    return Res<None, std::string>::ok();
  });
  iface.wrap("pick", [](std::optional<char32_t> c) { return c.value_or(U'x'); });
  iface.wrap("fail", [](uint32_t n) -> Result<std::string> {
    if (n) return fail("refused " + std::to_string(n));
    return std::string("fine");
  });
  test_shapes::wrap_two_case_shapes(iface);
  if (generic)
    for (auto& [name, fn] : iface.functions) {
      HostCall call = fn.call;
      fn.replace_call(call);
    }
}

/// A lifted value as text, every field included.
std::string show(const Val& v) {
  std::string out = std::to_string(v.num) + "/" + std::to_string(v.f) + "/" + std::to_string(v.index) + "/'" + v.str +
                    "'[";
  for (const auto& item : v.items) out += show(item) + ",";
  return out + "]";
}

/// One call from the component's core code into the host: words stored in guest memory first, then the export, then
/// (when it did not trap) the words at `peeks` read back, so bytes written or left alone around a value show.
struct Case {
  std::vector<std::pair<uint32_t, uint32_t>> words;  // (address, little-endian word)
  std::string export_name;
  std::vector<Val> args;
  std::vector<uint32_t> peeks = {};
};

Val u32(uint32_t v) { return Val::number(v); }

/// What the guest gets from `c` on a fresh instance: the lifted result, or the trap's kind and message.
std::string outcome(Engine on, bool generic, const Case& c) {
  auto component = decode_component(test::read_file_bytes(WEFT_RT_FIXTURES "/host_shapes.wasm"));
  if (!component) return "undecodable: " + component.error().message;
  auto engine = engines::make_test_engine(on);
  if (!engine) return "no engine";
  HostRegistry registry;
  add_shapes(registry, generic);
  auto instance = ComponentInstance::instantiate(*component, *engine, registry);
  if (!instance) return "not instantiated: " + instance.error().message;
  for (auto [at, word] : c.words) {
    auto poked = (*instance)->call("", "poke", {u32(at), u32(word)});
    if (!poked || poked->trap) return "poke failed";
  }
  auto out = (*instance)->call("", c.export_name, c.args);
  if (!out) return "error: " + out.error().message;
  if (out->trap) return "trap " + out->trap->kind + ": " + out->trap->message;
  std::string text = "value " + show(out->value);
  for (uint32_t at : c.peeks) {
    auto word = (*instance)->call("", "peek", {u32(at)});
    text += " @" + std::to_string(at) + "=" + (word && !word->trap ? std::to_string(word->value.num) : "?");
  }
  return text;
}

/// `c` through the typed entries from compiled code, the direct entries on the interpreter and the generic path on
/// both engines: all four must give the guest the same; the generic interpreter's outcome is returned.
std::string every_way(const Case& c) {
  std::string reference = outcome(Engine::interp, true, c);
  EXPECT_EQ(outcome(Engine::aot, false, c), reference) << c.export_name << ": typed entry from AOT code";
  EXPECT_EQ(outcome(Engine::interp, false, c), reference) << c.export_name << ": direct entry on the interpreter";
  EXPECT_EQ(outcome(Engine::aot, true, c), reference) << c.export_name << ": generic path from AOT code";
  return reference;
}

constexpr uint32_t kMemoryBytes = 65536;  // the component's one page

TEST(HostCallsFromCompiledCode, EveryDirectShapeHasATypedEntryOverItsLoweredCoreParameters) {
  HostRegistry registry;
  add_shapes(registry, false);
  const HostInterface* iface = registry.find(kShapes);
  ASSERT_TRUE(iface);
  for (const auto& [name, fn] : iface->functions) {
    ASSERT_TRUE(fn.direct) << name;
    const auto& typed = fn.direct.typed();
    EXPECT_TRUE(typed.entry) << name;
    EXPECT_TRUE(std::ranges::equal(typed.params, flatten(*fn.type, true).params))
        << name << ": the typed entry takes other core values than " << describe(flatten(*fn.type, true));
  }
}

TEST(HostCallsFromCompiledCode, ScalarsOfEveryCoreTypeGiveTheGuestWhatTheGenericPathGives) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/host_shapes.wasm");
  EXPECT_EQ(every_way({{}, "mix", {u32(5), u32(6), Val::floating(0.5), u32(65), u32(0), u32(0), Val::number(99)}}),
            "value 0/" + std::to_string(5 + 6 + 0.5 + 65 + 7.0) + "/0/''[]");
  every_way({{}, "mix", {u32(0xffffff80), u32(0x12345), Val::floating(-2.25), u32(0x1f600), u32(2), u32(1),
                          Val::number(uint64_t(1) << 40)}});
  every_way({{}, "narrow", {Val::number(uint64_t(int64_t(-70000)))}});
  EXPECT_EQ(every_way({{}, "halve", {Val::floating(3.0)}}), "value 0/1.500000/0/''[]");
}

TEST(HostCallsFromCompiledCode, StringsListsOptionsAndResultsGiveTheGuestWhatTheGenericPathGives) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/host_shapes.wasm");
  const std::vector<std::pair<uint32_t, uint32_t>> hello = {{100, 0x6ca9c368}, {104, 0x6f6c}};  // "héllo"
  EXPECT_EQ(every_way({hello, "recv", {u32(100), u32(6), u32(512)}}), "value 0/0.000000/1/''[0/0.000000/0/'héllo!'[],]");
  EXPECT_EQ(every_way({hello, "recv", {u32(100), u32(0), u32(512)}}), "value 0/0.000000/0/''[]");
  const std::vector<std::pair<uint32_t, uint32_t>> abcdef = {{300, 0x64636261}, {304, 0x6665}};
  EXPECT_EQ(every_way({abcdef, "send", {u32(300), u32(2), u32(520)}}), "value 0/0.000000/0/''[]");
  EXPECT_EQ(every_way({abcdef, "send", {u32(300), u32(6), u32(520)}}),
            "value 0/0.000000/1/''[0/0.000000/0/'too long: abcdef'[],]");
  EXPECT_EQ(every_way({{}, "pick", {u32(1), u32(0x10ffff)}}), "value 1114111/0.000000/0/''[]");
  EXPECT_EQ(every_way({{}, "pick", {u32(0), u32(0xd800)}}), "value 120/0.000000/0/''[]");
  EXPECT_EQ(every_way({{}, "fail", {u32(0), u32(512)}}), "value 0/0.000000/0/'fine'[]");
}

TEST(HostCallsFromCompiledCode, HostileValuesTrapWithTheSameKindAndMessageAsTheGenericPath) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/host_shapes.wasm");
  auto starts = [](const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; };
  // A string outside memory, one ending past it, invalid UTF-8.
  EXPECT_TRUE(starts(every_way({{}, "recv", {u32(kMemoryBytes), u32(1), u32(512)}}), "trap canonical-abi: arguments"));
  EXPECT_TRUE(starts(every_way({{}, "recv", {u32(kMemoryBytes - 2), u32(3), u32(512)}}), "trap canonical-abi: arguments"));
  EXPECT_TRUE(starts(every_way({{{100, 0xfeff}}, "recv", {u32(100), u32(2), u32(512)}}), "trap canonical-abi: arguments"));
  // A misaligned return area, one partly past the end, one wholly past it.
  const std::vector<std::pair<uint32_t, uint32_t>> ok = {{100, 0x6b6f}};
  EXPECT_TRUE(starts(every_way({ok, "recv", {u32(100), u32(2), u32(513)}}), "trap canonical-abi: result"));
  EXPECT_TRUE(starts(every_way({ok, "recv", {u32(100), u32(2), u32(kMemoryBytes - 8)}}), "trap canonical-abi: result"));
  EXPECT_TRUE(starts(every_way({ok, "send", {u32(100), u32(2), u32(0xfffffff0)}}), "trap canonical-abi: result"));
  // A case index the option does not have; a payload that is not a Unicode scalar value.
  EXPECT_TRUE(starts(every_way({{}, "pick", {u32(2), u32(65)}}), "trap canonical-abi: arguments"));
  EXPECT_TRUE(starts(every_way({{}, "pick", {u32(1), u32(0xd800)}}), "trap canonical-abi: arguments"));
  // The host function's own error.
  EXPECT_EQ(every_way({{}, "fail", {u32(3), u32(512)}}), "trap host: refused 3");
}

// The typed entry's fast path for two-case results (lower_direct): the case's bytes put straight into a return area
// that is aligned and inside memory. Every area is filled with a pattern first and read back after, so a byte the
// fast path wrote that the generic path does not (or the reverse) shows; areas at the last place they fit, one byte
// further, past the end and wrapping around 2^32 must trap as the generic path traps.
TEST(HostCallsFromCompiledCode, TwoCaseResultsPutInlineGiveTheGuestTheGenericPathsBytesAndTraps) {
  WEFT_SKIP_UNLESS_BUILT(WEFT_RT_FIXTURES "/host_shapes.wasm");
  auto starts = [](const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; };
  // Three pattern words from `at` on, and where to read them back.
  auto pattern = [](uint32_t at) {
    return std::vector<std::pair<uint32_t, uint32_t>>{{at, 0x01a5a5a5}, {at + 4, 0x02a5a5a5}, {at + 8, 0x03a5a5a5},
                                                      {at + 12, 0x04a5a5a5}};
  };
  auto words = [](uint32_t at) { return std::vector<uint32_t>{at, at + 4, at + 8, at + 12}; };
  constexpr uint32_t kLast12 = kMemoryBytes - 12, kLast16 = kMemoryBytes - 16, kLast8 = kMemoryBytes - 8;

  // option<string> with no parameters (weft:app/ipc.recv): none writes its one discriminant byte, nothing else.
  EXPECT_EQ(every_way({pattern(512), "poll", {u32(512)}, words(512)}),
            "value 0/0.000000/0/''[] @512=27632896 @516=44410277 @520=61187493 @524=77964709");
  EXPECT_TRUE(starts(every_way({pattern(kLast12 - 4), "poll", {u32(kLast12)}, {kLast12 - 4, kLast12}}),
                     "value 0/0.000000/0/''[]"));
  EXPECT_EQ(every_way({{}, "poll", {u32(513)}}), "trap canonical-abi: result of test:direct/shapes@0.1.0#poll: "
                                                 "return pointer 513 is misaligned");
  for (uint32_t ret : {514u, kLast12 + 1, kLast12 + 4, kMemoryBytes, 0xfffffff4u, 0xfffffffcu})
    EXPECT_TRUE(starts(every_way({{}, "poll", {u32(ret)}}), "trap canonical-abi: result")) << ret;

  // option<u64> (aligned to 8): none, some; the padding between discriminant and payload is left alone.
  EXPECT_TRUE(starts(every_way({pattern(520), "maybe", {u32(0), u32(520)}, words(520)}), "value 0/0.000000/0/''[] "));
  EXPECT_EQ(every_way({pattern(520), "maybe", {u32(5), u32(520)}, words(520)}),
            "value 0/0.000000/1/''[21474836485/0.000000/0/''[],] @520=27632897 @524=44410277 @528=5 @532=5");
  EXPECT_TRUE(starts(every_way({pattern(kLast16), "maybe", {u32(5), u32(kLast16)}, words(kLast16)}), "value "));
  for (uint32_t n : {0u, 5u})
    for (uint32_t ret : {516u, 524u, kLast16 + 4, kLast8, 0xfffffff0u, 0xfffffff8u})
      EXPECT_TRUE(starts(every_way({{}, "maybe", {u32(n), u32(ret)}}), "trap canonical-abi: result")) << n << " " << ret;

  // result<bool, f32>: ok(true), ok(false), err(3.5).
  for (uint32_t n : {4u, 6u, 7u}) {
    EXPECT_TRUE(starts(every_way({pattern(540), "judge", {u32(n), u32(540)}, words(540)}), "value ")) << n;
    EXPECT_TRUE(starts(every_way({pattern(kLast16), "judge", {u32(n), u32(kLast8)}, {kLast12, kLast8, kLast8 + 4}}),
                       "value "))
        << n;
    for (uint32_t ret : {542u, kLast8 + 1, kLast8 + 4, 0xfffffff8u})
      EXPECT_TRUE(starts(every_way({{}, "judge", {u32(n), u32(ret)}}), "trap canonical-abi: result")) << n << " " << ret;
  }
  EXPECT_EQ(every_way({pattern(540), "judge", {u32(7), u32(540)}, words(540)}),
            "value 0/0.000000/1/''[0/3.500000/0/''[],] @540=27632897 @544=1080033280 @548=61187493 @552=77964709");

  // option<char>: a char is checked before it is stored (only none is put inline).
  EXPECT_TRUE(starts(every_way({pattern(548), "code", {u32(65), u32(548)}, words(548)}),
                     "value 0/0.000000/1/''[65/0.000000/0/''[],]"));
  EXPECT_EQ(every_way({{}, "code", {u32(0xd800), u32(548)}}),
            "trap canonical-abi: result of test:direct/shapes@0.1.0#code: char 55296 is not a Unicode scalar value");
  EXPECT_TRUE(starts(every_way({{}, "code", {u32(0x110000), u32(548)}}), "trap canonical-abi: result"));
  EXPECT_TRUE(starts(every_way({pattern(548), "code", {u32(0), u32(548)}, words(548)}), "value 0/0.000000/0/''[] "));

  // result<_, string>: ok at the last place it fits, and one byte further.
  EXPECT_TRUE(starts(every_way({{{300, 0x6261}}, "send", {u32(300), u32(2), u32(kLast12)}}), "value 0/0.000000/0/''[]"));
  EXPECT_TRUE(starts(every_way({{{300, 0x6261}}, "send", {u32(300), u32(2), u32(kLast12 + 2)}}),
                     "trap canonical-abi: result"));
}

}  // namespace
}  // namespace weft::runtime
