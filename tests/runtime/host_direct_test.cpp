// Direct host calls (host_direct.hpp): a typed host function whose signature has a direct entry gives the guest
// exactly what the generic canonical-ABI path gives — the same core results, the same bytes in the return area, the
// same failure at the same stage with the same message — and signatures without one keep the generic path.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "weft/runtime/host.hpp"
#include "canon_memory_fixture.hpp"
#include "two_case_host_shapes.hpp"
#include "weft/test/component_bytes.hpp"

namespace weft::runtime {
namespace {

using namespace wit;  // NOLINT: WIT type spelling

struct Point {
  int32_t x = 0, y = 0;
  static CTypePtr type() { return record({{"x", of<int32_t>()}, {"y", of<int32_t>()}}); }
  Val to_val() && { return Val::record({Conv<int32_t>::to(x), Conv<int32_t>::to(y)}); }
};

/// A lifted value as text, every field included, to compare the two paths' results.
std::string show(const Val& v) {
  std::string out = std::to_string(v.num) + "/" + std::to_string(v.f) + "/" + std::to_string(v.index) + "/'" + v.str +
                    "'[";
  for (const auto& item : v.items) out += show(item) + ",";
  return out + "]";
}

class DirectHostCalls : public test_support::CanonMemoryTest {
 protected:
  void SetUp() override {
    CanonMemoryTest::SetUp();
    iface.name = "test:pkg/iface@0.1.0";
    // The memory reached as the AOT engine offers it (CoreEngine::memory_access), so the direct entries' inline
    // bounds checks and stores run here, not only their fallbacks.
    memory_ref = {engine.get(), *cx.memory};
    cx.memory_access = {[](const void* object) {
                          const auto* ref = static_cast<const MemoryRef*>(object);
                          return ref->engine->memory(ref->memory);
                        },
                        &memory_ref};
  }

  /// Puts `bytes` into guest memory at `ptr`.
  void poke(uint32_t ptr, std::string_view bytes) {
    std::memcpy(engine->memory(*cx.memory).data() + ptr, bytes.data(), bytes.size());
  }

  /// What the guest sees after one call: "" or the failure (stage: message), then the core result or the value in
  /// the return area.
  std::string outcome(const FuncSig& sig, std::span<const CoreValue> args, std::span<CoreValue> results,
                      const std::string& failure) {
    if (!failure.empty()) return failure;
    if (!sig.result) return "no result";
    if (lowered_shape(sig).result_in_memory) {
      auto stored = load(cx, args.back().as_i32(), *sig.result);
      return stored.ok() ? "stored " + show(*stored) : "unreadable: " + stored.error().message;
    }
    return "flat " + std::to_string(int(results[0].type)) + ":" + std::to_string(results[0].bits);
  }

  std::string generic(const HostBinding& fn, std::span<const CoreValue> args) {
    std::vector<CoreValue> results(flatten(*fn.type, true).results.size());
    auto values = lift_lowered_args(cx, *fn.type, args);
    if (!values) return outcome(*fn.type, args, results, "arguments: " + values.error().message);
    auto value = fn.call(*values);
    if (!value) return outcome(*fn.type, args, results, "host: " + value.error().message);
    auto lowered = lower_lowered_result(cx, *fn.type, *value, args, results);
    return outcome(*fn.type, args, results, lowered ? "" : "result: " + lowered.error().message);
  }

  std::string direct(const HostBinding& fn, std::span<const CoreValue> args) {
    std::vector<CoreValue> results(flatten(*fn.type, true).results.size());
    auto failure = fn.direct(cx, *fn.type, args, results);
    std::string text;
    if (failure) {
      const char* stage = failure->stage == DirectFailure::Stage::arguments ? "arguments"
                          : failure->stage == DirectFailure::Stage::host    ? "host"
                                                                            : "result";
      text = std::string(stage) + ": " + failure->message;
    }
    return outcome(*fn.type, args, results, text);
  }

  /// Calls `name` both ways with the same core arguments; both must give the guest the same outcome.
  std::string both(const std::string& name, std::vector<CoreValue> args) {
    const HostBinding& fn = iface.functions.at(name);
    EXPECT_TRUE(fn.direct) << name << " has no direct entry";
    if (!fn.direct) return "";
    std::string by_generic = generic(fn, args);
    std::string by_direct = direct(fn, args);
    EXPECT_EQ(by_direct, by_generic) << name;
    return by_direct;
  }

  /// Calls `name` both ways, each on the same memory contents (a pattern in every byte, so a byte written or left
  /// alone shows): both must give the same outcome and leave the same bytes. For results that call no realloc.
  std::string both_bytes(const std::string& name, std::vector<CoreValue> args) {
    const HostBinding& fn = iface.functions.at(name);
    EXPECT_TRUE(fn.direct) << name << " has no direct entry";
    if (!fn.direct) return "";
    auto fill = [&] {
      std::span<uint8_t> m = engine->memory(*cx.memory);
      for (size_t i = 0; i < m.size(); ++i) m[i] = uint8_t(0xa5 ^ (i * 7));
    };
    auto bytes = [&] {
      std::span<uint8_t> m = engine->memory(*cx.memory);
      return std::vector<uint8_t>(m.begin(), m.end());
    };
    fill();
    std::string by_generic = generic(fn, args);
    std::vector<uint8_t> after_generic = bytes();
    fill();
    std::string by_direct = direct(fn, args);
    std::vector<uint8_t> after_direct = bytes();
    EXPECT_EQ(by_direct, by_generic) << name << " " << args.back().bits;
    auto differs = std::ranges::mismatch(after_direct, after_generic);
    EXPECT_TRUE(differs.in1 == after_direct.end())
        << name << " " << args.back().bits << ": the direct path left other bytes than the generic path at "
        << (differs.in1 - after_direct.begin());
    return by_direct;
  }

  HostInterface iface;
  struct MemoryRef {
    CoreEngine* engine = nullptr;
    CoreExtern memory;
  } memory_ref;
};

CoreValue i32(uint32_t v) { return CoreValue::i32(v); }

TEST_F(DirectHostCalls, ScalarsStringsOptionsAndResultsGiveTheGuestWhatTheGenericPathGives) {
  iface.wrap("recv", [](std::string tag) -> std::optional<std::string> {
    if (tag.empty()) return std::nullopt;
    return tag + "!";
  });
  iface.wrap("mix", [](int8_t a, uint16_t b, float c, char32_t d, bool e, std::optional<uint64_t> f) -> double {
    return a + b + c + double(d) + (e ? 1000 : 0) + double(f.value_or(7));
  });
  iface.wrap("narrow", [](int64_t v) { return int16_t(v); });
  iface.wrap("send", [](Bytes payload) -> Res<None, std::string> {
    if (payload.data.size() > 3) return Res<None, std::string>::err("too long: " + payload.data);
    return Res<None, std::string>::ok();
  });
  iface.wrap("first", [](std::string s) -> Res<char32_t, uint8_t> {
    if (s.empty()) return Res<char32_t, uint8_t>::err(uint8_t(0xff));
    return Res<char32_t, uint8_t>::ok(char32_t(uint8_t(s[0])));
  });

  poke(100, "héllo");
  EXPECT_EQ(both("recv", {i32(100), i32(6), i32(512)}), "stored 0/0.000000/1/''[0/0.000000/0/'héllo!'[],]");
  EXPECT_EQ(both("recv", {i32(100), i32(0), i32(512)}), "stored 0/0.000000/0/''[]");
  float c = 0.5f;
  uint32_t c_bits;
  std::memcpy(&c_bits, &c, 4);
  both("mix", {i32(0xffffff80), i32(0x12345), {CoreType::f32, c_bits}, i32(0x1f600), i32(2), i32(1),
               CoreValue::i64(uint64_t(1) << 40)});
  both("mix", {i32(5), i32(6), {CoreType::f32, c_bits}, i32(65), i32(0), i32(0), CoreValue::i64(99)});
  EXPECT_EQ(both("narrow", {CoreValue::i64(uint64_t(int64_t(-70000)))}),
            "flat 0:" + std::to_string(uint32_t(int32_t(int16_t(-70000)))));
  poke(300, "abcdef");
  EXPECT_EQ(both("send", {i32(300), i32(2), i32(520)}), "stored 0/0.000000/0/''[]");
  both("send", {i32(300), i32(6), i32(520)});
  both("first", {i32(300), i32(3), i32(528)});
  both("first", {i32(300), i32(0), i32(528)});
}

TEST_F(DirectHostCalls, HostileArgumentsAndReturnAreasFailAtTheSameStageWithTheSameMessage) {
  iface.wrap("recv", [](std::string tag) -> std::optional<std::string> { return tag; });
  iface.wrap("pick", [](std::optional<char32_t> c) { return c.value_or(U'x'); });
  iface.wrap("fail", [](uint32_t) -> Result<std::string> { return fail("refused"); });
  iface.wrap("bad-char", []() { return char32_t(0xd800); });

  uint32_t size = uint32_t(engine->memory(*cx.memory).size());
  poke(100, "\xff\xfe");
  // A string outside memory, one ending past it, invalid UTF-8.
  EXPECT_EQ(both("recv", {i32(size), i32(1), i32(512)}).rfind("arguments: ", 0), 0u);
  both("recv", {i32(size - 2), i32(3), i32(512)});
  both("recv", {i32(100), i32(2), i32(512)});
  // A misaligned return area, one partly past the end, one wholly past it.
  poke(100, "ok");
  EXPECT_EQ(both("recv", {i32(100), i32(2), i32(513)}).rfind("result: return pointer 513", 0), 0u);
  both("recv", {i32(100), i32(2), i32(size - 8)});
  both("recv", {i32(100), i32(2), i32(0xfffffff0)});
  // A case index the option does not have; a payload that is not a Unicode scalar value; one that is.
  EXPECT_EQ(both("pick", {i32(2), i32(65)}), "arguments: case index 2 is out of range (2 cases)");
  both("pick", {i32(1), i32(0xd800)});
  both("pick", {i32(1), i32(0x10ffff)});
  both("pick", {i32(0), i32(0xd800)});
  // The host function's own error; a result the canonical ABI refuses.
  EXPECT_EQ(both("fail", {i32(1), i32(512)}), "host: refused");
  EXPECT_EQ(both("bad-char", {}), "result: char 55296 is not a Unicode scalar value");
}

// The return area's fast path (lower_direct): a two-case result whose case stores only bytes is put straight into a
// return area that is aligned and inside memory; every other area, and every other case, takes the checked path.
TEST_F(DirectHostCalls, TwoCaseResultsPutInlineLeaveTheBytesAndFailuresOfTheGenericPathAtEveryBoundary) {
  test_shapes::wrap_two_case_shapes(iface);
  iface.wrap("send", [](Bytes) -> Res<None, std::string> { return Res<None, std::string>::ok(); });
  const uint32_t size = uint32_t(engine->memory(*cx.memory).size());

  // option<string> (12 bytes, aligned to 4): none at the last place it fits, one byte further, past the end, and an
  // area whose end wraps around 2^32 in 32-bit arithmetic.
  EXPECT_EQ(both_bytes("poll", {i32(512)}), "stored 0/0.000000/0/''[]");
  EXPECT_EQ(both_bytes("poll", {i32(size - 12)}), "stored 0/0.000000/0/''[]");
  EXPECT_EQ(both_bytes("poll", {i32(513)}), "result: return pointer 513 is misaligned");
  for (uint32_t ret : {514u, size - 11, size - 8, size - 4, size, 0xfffffff4u, 0xfffffffcu})
    EXPECT_EQ(both_bytes("poll", {i32(ret)}).rfind("result: ", 0), 0u) << ret;
  // option<u64> (16 bytes, aligned to 8): both cases.
  for (uint32_t n : {0u, 5u}) {
    EXPECT_EQ(both_bytes("maybe", {i32(n), i32(520)}).rfind("stored ", 0), 0u);
    EXPECT_EQ(both_bytes("maybe", {i32(n), i32(size - 16)}).rfind("stored ", 0), 0u);
    for (uint32_t ret : {516u, 524u, size - 12, size - 8, 0xfffffff0u, 0xfffffff8u})
      EXPECT_EQ(both_bytes("maybe", {i32(n), i32(ret)}).rfind("result: ", 0), 0u) << n << " " << ret;
  }
  EXPECT_EQ(both_bytes("maybe", {i32(5), i32(520)}), "stored 0/0.000000/1/''[21474836485/0.000000/0/''[],]");
  // result<bool, f32> (8 bytes, aligned to 4): ok of each bool, err.
  for (uint32_t n : {4u, 6u, 7u}) {
    EXPECT_EQ(both_bytes("judge", {i32(n), i32(540)}).rfind("stored ", 0), 0u);
    EXPECT_EQ(both_bytes("judge", {i32(n), i32(size - 8)}).rfind("stored ", 0), 0u);
    for (uint32_t ret : {542u, size - 7, size - 4, 0xfffffff8u})
      EXPECT_EQ(both_bytes("judge", {i32(n), i32(ret)}).rfind("result: ", 0), 0u) << n << " " << ret;
  }
  // option<char>: a char is checked before it is stored, so only none is put inline.
  EXPECT_EQ(both_bytes("code", {i32(65), i32(548)}), "stored 0/0.000000/1/''[65/0.000000/0/''[],]");
  EXPECT_EQ(both_bytes("code", {i32(0xd800), i32(548)}), "result: char 55296 is not a Unicode scalar value");
  EXPECT_EQ(both_bytes("code", {i32(0x110000), i32(548)}), "result: char 1114112 is not a Unicode scalar value");
  EXPECT_EQ(both_bytes("code", {i32(0), i32(size - 8)}), "stored 0/0.000000/0/''[]");
  EXPECT_EQ(both_bytes("code", {i32(0), i32(550)}), "result: return pointer 550 is misaligned");
  // result<_, string> (12 bytes): ok.
  poke(300, "ab");
  EXPECT_EQ(both_bytes("send", {i32(300), i32(0), i32(size - 12)}), "stored 0/0.000000/0/''[]");
  EXPECT_EQ(both_bytes("send", {i32(300), i32(0), i32(size - 10)}), "result: return pointer " +
                                                                         std::to_string(size - 10) + " is misaligned");
}

TEST(DirectHostCallSelection, OnlySignaturesOfDirectTypesHaveADirectEntry) {
  HostInterface iface;
  iface.name = "test:pkg/iface@0.1.0";
  iface.wrap("recv", []() -> std::optional<std::string> { return std::nullopt; });
  iface.wrap("point", []() { return Point{1, 2}; });
  iface.wrap("points", [](std::vector<uint32_t> v) { return uint32_t(v.size()); });
  iface.wrap("nested", []() -> Res<Point, None> { return Res<Point, None>::ok({}); });
  EXPECT_TRUE(iface.functions.at("recv").direct);
  EXPECT_FALSE(iface.functions.at("point").direct);
  EXPECT_FALSE(iface.functions.at("points").direct);
  EXPECT_FALSE(iface.functions.at("nested").direct);
}

TEST(DirectHostCallSelection, ACheckPutAroundAFunctionDropsItsDirectEntrySoNoCallBypassesIt) {
  HostInterface iface;
  iface.name = "test:pkg/iface@0.1.0";
  iface.wrap("recv", []() -> std::optional<std::string> { return std::nullopt; });
  HostBinding& fn = iface.functions.at("recv");
  ASSERT_TRUE(fn.direct);
  HostCall unchecked = fn.call;
  fn.replace_call([unchecked](std::vector<Val>& args) { return unchecked(args); });
  EXPECT_FALSE(fn.direct);
}

TEST(DirectHostCallSelection, TheDirectLayoutOfAResultIsTheCanonicalOne) {
  auto expect_layout = [](auto value, const char* what) {
    using T = decltype(value);
    CTypePtr t = of<T>();
    EXPECT_EQ(Direct<T>::size, size_of(*t)) << what;
    EXPECT_EQ(Direct<T>::align, align_of(*t)) << what;
  };
  expect_layout(std::optional<std::string>{}, "option<string>");
  expect_layout(std::optional<uint64_t>{}, "option<u64>");
  expect_layout(std::optional<uint8_t>{}, "option<u8>");
  expect_layout(Res<None, std::string>{}, "result<_, string>");
  expect_layout(Res<uint8_t, double>{}, "result<u8, f64>");
  expect_layout(Res<None, None>{}, "result");
  expect_layout(Res<std::optional<uint16_t>, Bytes>{}, "result<option<u16>, list<u8>>");
}

}  // namespace
}  // namespace weft::runtime
