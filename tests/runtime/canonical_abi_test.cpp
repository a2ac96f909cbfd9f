#include <gtest/gtest.h>

#include <random>

#include "canon_memory_fixture.hpp"
#include "weft/test/component_bytes.hpp"
#include "weft/runtime/canonical_abi.hpp"

namespace weft::runtime {
namespace {

using K = CType::Kind;

CTypePtr make(K kind, std::vector<CTypePtr> elems = {}, std::vector<std::string> names = {}) {
  auto t = std::make_shared<CType>();
  t->kind = kind;
  t->elems = std::move(elems);
  t->names = std::move(names);
  return t;
}
CTypePtr P(K kind) { return prim_type(kind); }

bool same(const Val& a, const Val& b, const CType& t) {
  switch (t.kind) {
    case K::f32:
    case K::f64: return a.f == b.f;
    case K::string: return a.str == b.str;
    case K::list:
      if (t.elems[0]->kind == K::u8 || t.elems[0]->kind == K::s8) return a.str == b.str;
      if (a.items.size() != b.items.size()) return false;
      for (size_t i = 0; i < a.items.size(); ++i)
        if (!same(a.items[i], b.items[i], *t.elems[0])) return false;
      return true;
    case K::record:
    case K::tuple:
      for (size_t i = 0; i < t.elems.size(); ++i)
        if (!same(a.items[i], b.items[i], *t.elems[i])) return false;
      return true;
    case K::variant:
    case K::option:
    case K::result: {
      if (a.index != b.index || a.items.size() != b.items.size()) return false;
      const CType* ct = t.kind == K::option ? (a.index ? t.elems[0].get() : nullptr) : t.elems[a.index].get();
      return !ct || same(a.items[0], b.items[0], *ct);
    }
    default: return a.num == b.num;
  }
}

class CanonicalAbi : public test_support::CanonMemoryTest {
 protected:
  /// Round trip through flat values and through memory; both must give back the value.
  void round_trip(const CTypePtr& t, const Val& v, const char* what) {
    auto flat = lower_flat(cx, v, *t);
    ASSERT_TRUE(flat.ok()) << what << ": " << flat.error().message;
    EXPECT_EQ(flat->size(), flatten(*t).size()) << what;
    for (size_t i = 0; i < flat->size(); ++i) EXPECT_EQ((*flat)[i].type, flatten(*t)[i]) << what << " slot " << i;
    auto back = lift_flat(cx, *flat, *t);
    ASSERT_TRUE(back.ok()) << what << ": " << back.error().message;
    EXPECT_TRUE(same(v, *back, *t)) << what << " (flat)";

    uint32_t ptr = 4096 + 64;
    ASSERT_TRUE(store(cx, v, ptr, *t).ok()) << what;
    auto loaded = load(cx, ptr, *t);
    ASSERT_TRUE(loaded.ok()) << what << ": " << loaded.error().message;
    EXPECT_TRUE(same(v, *loaded, *t)) << what << " (memory)";
  }

};

TEST_F(CanonicalAbi, EveryPrimitiveTypeRoundTrips) {
  round_trip(P(K::bool_), Val::boolean(true), "bool");
  round_trip(P(K::s8), Val::number(uint64_t(int64_t(-5))), "s8");
  round_trip(P(K::u8), Val::number(250), "u8");
  round_trip(P(K::s16), Val::number(uint64_t(int64_t(-300))), "s16");
  round_trip(P(K::u16), Val::number(65000), "u16");
  round_trip(P(K::s32), Val::number(uint64_t(int64_t(-70000))), "s32");
  round_trip(P(K::u32), Val::number(4000000000u), "u32");
  round_trip(P(K::s64), Val::number(uint64_t(int64_t(-1) << 40)), "s64");
  round_trip(P(K::u64), Val::number(~uint64_t(0)), "u64");
  round_trip(P(K::f32), Val::floating(1.5), "f32");
  round_trip(P(K::f64), Val::floating(-2.25e100), "f64");
  round_trip(P(K::char_), Val::number(0x1f600), "char");
  round_trip(P(K::string), Val::string("héllo, wörld ✓ 😀"), "string");
}

TEST_F(CanonicalAbi, CompoundTypesRoundTrip) {
  auto record = make(K::record, {P(K::u16), P(K::string), make(K::list, {P(K::u8)})}, {"status", "type", "body"});
  round_trip(record, Val::record({Val::number(200), Val::string("text/plain"), Val::bytes("abc", 3)}), "record");
  auto tuple = make(K::tuple, {P(K::string), P(K::string)});
  auto headers = make(K::list, {tuple});
  round_trip(headers, Val::list({Val::record({Val::string("a"), Val::string("1")}),
                                 Val::record({Val::string("b"), Val::string("2")})}), "list<tuple<string,string>>");
  auto variant = make(K::variant, {P(K::u64), nullptr, P(K::f32), P(K::string)}, {"a", "b", "c", "d"});
  round_trip(variant, Val::cases(0, Val::number(1ull << 40)), "variant u64 case");
  round_trip(variant, Val::cases(1), "variant empty case");
  round_trip(variant, Val::cases(2, Val::floating(0.5)), "variant f32 case (joined with i64)");
  round_trip(variant, Val::cases(3, Val::string("x")), "variant string case");
  auto enumeration = make(K::enum_, {}, {"a", "b", "c"});
  round_trip(enumeration, Val::number(2), "enum");
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("f" + std::to_string(i));
  round_trip(make(K::flags, {}, many), Val::number((1ull << 39) | 5), "flags with 40 labels");
  round_trip(make(K::flags, {}, {"r", "w"}), Val::number(2), "flags with 2 labels");
  auto option = make(K::option, {P(K::string)});
  round_trip(option, Val::some(Val::string("on")), "option some");
  round_trip(option, Val::none(), "option none");
  auto result = make(K::result, {record, P(K::string)});
  round_trip(result, Val::ok(Val::record({Val::number(1), Val::string(""), Val::bytes("", 0)})), "result ok");
  round_trip(result, Val::err(Val::string("capability net:fetch is not granted")), "result err");
  round_trip(make(K::result, {nullptr, nullptr}), Val::cases(1), "result<_, _> err");
  round_trip(make(K::list, {make(K::list, {P(K::u32)})}),
             Val::list({Val::list({Val::number(1), Val::number(2)}), Val::list({})}), "list<list<u32>>");
}

TEST_F(CanonicalAbi, SizesAndAlignmentsFollowTheSpec) {
  EXPECT_EQ(size_of(*make(K::option, {P(K::string)})), 12u);  // stack.md: weft_option_string
  EXPECT_EQ(size_of(*make(K::result, {nullptr, P(K::string)})), 12u);
  EXPECT_EQ(align_of(*make(K::result, {P(K::u64), nullptr})), 8u);
  EXPECT_EQ(size_of(*make(K::result, {P(K::u64), nullptr})), 16u);
  EXPECT_EQ(size_of(*make(K::record, {P(K::u8), P(K::u32), P(K::u8)})), 12u);
  EXPECT_EQ(flatten(*make(K::variant, {P(K::f32), P(K::u32)})), (std::vector<CoreType>{CoreType::i32, CoreType::i32}));
  EXPECT_EQ(flatten(*make(K::variant, {P(K::f64), P(K::u32)})), (std::vector<CoreType>{CoreType::i32, CoreType::i64}));
}

TEST_F(CanonicalAbi, ManyParametersGoThroughMemoryAndManyResultsThroughAReturnPointer) {
  FuncSig sig;
  for (int i = 0; i < 17; ++i) sig.params.push_back(P(K::u32));
  sig.result = make(K::option, {P(K::string)});
  auto lowered = flatten(sig, true);
  EXPECT_EQ(lowered.params, (std::vector<CoreType>{CoreType::i32, CoreType::i32}));  // params ptr + retptr
  EXPECT_TRUE(lowered.results.empty());
  EXPECT_EQ(flatten(sig, false).results, std::vector<CoreType>{CoreType::i32});

  std::vector<Val> args;
  for (uint64_t i = 0; i < 17; ++i) args.push_back(Val::number(i * 3));
  auto core_args = lower_lifted_args(cx, sig, args);
  ASSERT_TRUE(core_args.ok()) << core_args.error().message;
  ASSERT_EQ(core_args->size(), 1u);
  auto lifted = lift_lowered_args(cx, sig, *core_args);
  ASSERT_TRUE(lifted.ok()) << lifted.error().message;
  ASSERT_EQ(lifted->size(), 17u);
  EXPECT_EQ((*lifted)[16].num, 48u);

  uint32_t retptr = 8192;
  std::vector<CoreValue> with_retptr = {CoreValue::i32(0), CoreValue::i32(retptr)};
  ASSERT_TRUE(lower_lowered_result(cx, sig, Val::some(Val::string("reply")), with_retptr, {}).ok());
  auto result = lift_lifted_result(cx, sig, std::vector<CoreValue>{CoreValue::i32(retptr)});
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->index, 1u);
  EXPECT_EQ(result->items[0].str, "reply");
}

// A link computes a lowered import's flat type and its shape in one pass (flatten_lowered): the same as both apart,
// with few and many parameters and results.
TEST_F(CanonicalAbi, TheLoweredFlatTypeAndShapeInOnePassAgreeWithBothApart) {
  for (int params : {0, 2, 16, 17}) {
    for (CTypePtr result : {CTypePtr{}, P(K::u64), make(K::option, {P(K::string)})}) {
      FuncSig sig;
      for (int i = 0; i < params; ++i) sig.params.push_back(P(K::u32));
      sig.result = result;
      LoweredShape shape;
      EXPECT_EQ(flatten_lowered(sig, shape), flatten(sig, true)) << params << " parameters";
      EXPECT_EQ(shape.params_in_memory, lowered_shape(sig).params_in_memory) << params << " parameters";
      EXPECT_EQ(shape.result_in_memory, lowered_shape(sig).result_in_memory) << params << " parameters";
    }
  }
}

TEST_F(CanonicalAbi, Utf16AndLatin1StringsConvertBothWays) {
  for (auto enc : {CanonOptions::Encoding::utf16, CanonOptions::Encoding::latin1_utf16}) {
    cx.encoding = enc;
    round_trip(P(K::string), Val::string("plain latin1 é"), "latin1-able string");
    round_trip(P(K::string), Val::string("mixed ✓ 😀"), "astral string");
  }
}

TEST_F(CanonicalAbi, MalformedGuestValuesAreErrorsNotCrashes) {
  auto mem = engine->memory(*cx.memory);
  mem[100] = 0xff;  // invalid UTF-8
  std::vector<CoreValue> bad_utf8 = {CoreValue::i32(100), CoreValue::i32(1)};
  EXPECT_NE(lift_flat(cx, bad_utf8, *P(K::string)).error().message.find("not valid UTF-8"), std::string::npos);
  std::vector<CoreValue> out_of_bounds = {CoreValue::i32(0xfffffff0u), CoreValue::i32(100)};
  EXPECT_NE(lift_flat(cx, out_of_bounds, *P(K::string)).error().message.find("outside linear memory"), std::string::npos);
  std::vector<CoreValue> bad_case = {CoreValue::i32(7)};
  EXPECT_NE(lift_flat(cx, bad_case, *make(K::enum_, {}, {"a"})).error().message.find("out of range"), std::string::npos);
  std::vector<CoreValue> surrogate = {CoreValue::i32(0xd800)};
  EXPECT_FALSE(lift_flat(cx, surrogate, *P(K::char_)).ok());
  std::vector<CoreValue> too_few = {};
  EXPECT_FALSE(lift_flat(cx, too_few, *P(K::u32)).ok());
}

// The spec checks a whole value area before touching it: a result whose case needs only its first byte still faults
// when the area runs past the memory, and a store there writes nothing.
TEST_F(CanonicalAbi, AValueAreaPartlyOutsideMemoryFaultsBeforeAnyByteIsReadOrWritten) {
  auto result_of_u32 = make(K::result, {nullptr, P(K::u32)});  // 8 bytes: discriminant, payload at 4
  auto mem = engine->memory(*cx.memory);
  uint32_t last_word = uint32_t(mem.size() - 4);
  mem[last_word] = 0;  // "ok": no payload to read
  auto loaded = load(cx, last_word, *result_of_u32);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().message.find("outside linear memory"), std::string::npos) << loaded.error().message;

  mem[last_word] = 0x5a;
  EXPECT_FALSE(store(cx, Val::ok(), last_word, *result_of_u32).ok());
  EXPECT_EQ(engine->memory(*cx.memory)[last_word], 0x5a) << "nothing of a refused store may be written";
}

/// A random value type of at most `depth` levels (no resources: handles need table entries).
CTypePtr random_type(std::mt19937& rng, int depth) {
  static const K prims[] = {K::bool_, K::s8, K::u8, K::s16, K::u16, K::s32, K::u32, K::s64, K::u64,
                            K::f32, K::f64, K::char_, K::string};
  int pick = int(rng() % (depth > 0 ? 21 : 13));
  if (pick < 13) return P(prims[pick]);
  auto sub = [&] { return random_type(rng, depth - 1); };
  switch (pick) {
    case 13: return make(K::list, {sub()});
    case 14: return make(K::record, {sub(), sub()}, {"a", "b"});
    case 15: return make(K::tuple, {sub(), sub(), sub()});
    case 16: return make(K::variant, {sub(), nullptr, sub()}, {"x", "y", "z"});
    case 17: return make(K::enum_, {}, {"p", "q", "r"});
    case 18: return make(K::flags, {}, {"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"});
    case 19: return make(K::option, {sub()});
    default: return make(K::result, {sub(), rng() % 2 ? sub() : nullptr});
  }
}

TEST_F(CanonicalAbi, RandomGuestMemoryAndFlatValuesNeverCrashLifting) {
  std::mt19937 rng(20261128);
  size_t lifted = 0, refused = 0;
  for (int round = 0; round < 3000; ++round) {
    auto mem = engine->memory(*cx.memory);
    for (size_t i = 0; i < 4096; ++i) mem[rng() % mem.size()] = uint8_t(rng());
    CTypePtr t = random_type(rng, 3);
    uint32_t ptr = uint32_t(rng() % (mem.size() + 64)) & ~uint32_t(7);
    auto from_memory = load(cx, ptr, *t);
    std::vector<CoreValue> flat;
    for (CoreType ct : flatten(*t)) flat.push_back({ct, (uint64_t(rng()) << 32) | rng()});
    auto from_flat = lift_flat(cx, flat, *t);
    (from_memory.ok() ? lifted : refused)++;
    (from_flat.ok() ? lifted : refused)++;
  }
  // Both outcomes occur: valid values come back, malformed ones are errors, and nothing crashes.
  EXPECT_GT(lifted, 0u);
  EXPECT_GT(refused, 0u);
}

TEST_F(CanonicalAbi, AHugeListOfZeroSizedRecordsIsRefusedNotMaterialised) {
  auto empty_record = make(K::record, {});
  std::vector<CoreValue> flat = {CoreValue::i32(0), CoreValue::i32(0xffffffffu)};  // 4 billion elements, 0 bytes
  auto v = lift_flat(cx, flat, *make(K::list, {empty_record}));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("elements one call may pass"), std::string::npos) << v.error().message;
}

TEST(HandleTable, AddingPastTheLiveHandleLimitIsRefusedNamingTheLimit) {
  HandleTable handles;
  auto res = std::make_shared<ResourceType>();
  res->name = "test/thing";
  for (size_t i = 0; i < kMaxLiveHandles; ++i) ASSERT_TRUE(handles.add(res, uint32_t(i), true).ok()) << i;
  auto refused = handles.add(res, 0, true);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "the component already holds 100000 resource handles, the limit");
  ASSERT_TRUE(handles.remove(1, res.get()).ok());
  auto reused = handles.add(res, 7, true);
  ASSERT_TRUE(reused.ok()) << "a dropped handle makes room again";
  EXPECT_EQ(*reused, 1u);
  EXPECT_EQ(handles.live_count(), kMaxLiveHandles);
}

TEST(HandleTable, AHandleIsNotReusedWhileItIsLive) {
  HandleTable handles;
  auto res = std::make_shared<ResourceType>();
  res->name = "test/thing";
  uint32_t a = handles.add(res, 10, true).value();
  uint32_t b = handles.add(res, 20, true).value();
  ASSERT_TRUE(handles.remove(a, res.get()).ok());
  uint32_t c = handles.add(res, 30, true).value();
  uint32_t d = handles.add(res, 40, true).value();
  EXPECT_EQ(c, a) << "the freed handle is reused";
  EXPECT_NE(d, b);
  EXPECT_EQ((*handles.get(b, res.get()))->rep, 20u);
}

TEST_F(CanonicalAbi, OwnHandlesMoveAndBorrowsStayInTheTable) {
  auto res = std::make_shared<ResourceType>();
  res->name = "test/thing";
  auto other = std::make_shared<ResourceType>();
  other->name = "test/other";
  auto own = std::make_shared<CType>();
  own->kind = K::own;
  own->resource = res;
  auto borrow = std::make_shared<CType>(*own);
  borrow->kind = K::borrow;

  auto lowered = lower_flat(cx, Val::handle(77), *own);  // host gives the guest an own handle for rep 77
  ASSERT_TRUE(lowered.ok());
  uint32_t handle = (*lowered)[0].as_i32();
  EXPECT_NE(handle, 0u);
  auto borrowed = lift_flat(cx, *lowered, *borrow);
  ASSERT_TRUE(borrowed.ok());
  EXPECT_EQ(borrowed->num, 77u);
  EXPECT_EQ(handles.live_count(), 1u);
  EXPECT_FALSE(handles.get(handle, other.get()).ok());  // a handle of another resource type is refused
  auto moved = lift_flat(cx, *lowered, *own);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->num, 77u);
  EXPECT_EQ(handles.live_count(), 0u);
  EXPECT_FALSE(lift_flat(cx, *lowered, *borrow).ok());  // the handle is gone
}

}  // namespace
}  // namespace weft::runtime
