// Typed host bindings (host_types.hpp, HostInterface::wrap): the WIT type a C++ signature stands for, the structural
// comparison the linker makes with a guest's declared type, and the arity backstop at call time.

#include <gtest/gtest.h>

#include "weft/runtime/host.hpp"

namespace weft::runtime {
namespace {

using namespace wit;  // NOLINT: WIT type spelling

struct Thing {
  static constexpr std::string_view name = "test:pkg/iface/thing";
};
struct Colour {
  uint32_t index = 0;
  static CTypePtr type() { return enumeration({"red", "green"}); }
  Val to_val() && { return Val::number(index); }
};
struct Point {
  int32_t x = 0, y = 0;
  static CTypePtr type() { return record({{"x", of<int32_t>()}, {"y", of<int32_t>()}}); }
  Val to_val() && { return Val::record({Conv<int32_t>::to(x), Conv<int32_t>::to(y)}); }
};

FuncSig sig(std::vector<CTypePtr> params, CTypePtr result) {
  FuncSig s;
  s.params = std::move(params);
  s.result = std::move(result);
  return s;
}

TEST(HostTypes, ACppSignatureStandsForItsWitFunctionType) {
  auto s = Signature<Res<Bytes, Colour>(Borrow<Thing>, uint64_t, std::optional<std::string>)>::get();
  EXPECT_EQ(describe(*s), "func(borrow<test:pkg/iface/thing>, u64, option<string>) -> result<list<u8>, enum{red, "
                          "green}>");
  EXPECT_EQ(describe(*Signature<void(Res<>)>::get()), "func(result)");
  EXPECT_EQ(describe(*Signature<std::vector<std::pair<std::string, uint8_t>>()>::get()),
            "func() -> list<tuple<string, u8>>");
}

TEST(HostTypes, EqualTypesMatchAndEveryDifferenceIsNamed) {
  auto host = Signature<Res<Point, Colour>(Borrow<Thing>)>::get();
  EXPECT_EQ(mismatch(*Signature<Res<Point, Colour>(Borrow<Thing>)>::get(), *host), "");

  struct Renamed {
    static CTypePtr type() { return record({{"x", of<int32_t>()}, {"z", of<int32_t>()}}); }
  };
  EXPECT_EQ(mismatch(*Signature<Res<Renamed, Colour>(Borrow<Thing>)>::get(), *host),
            "result: ok type: field 2 is named 'z', expected 'y'");
  struct MoreColours {
    static CTypePtr type() { return enumeration({"red", "green", "blue"}); }
  };
  EXPECT_EQ(mismatch(*Signature<Res<Point, MoreColours>(Borrow<Thing>)>::get(), *host),
            "result: error type: enum with 3 cases, expected 2");
  EXPECT_EQ(mismatch(*Signature<Res<Point, Colour>(Own<Thing>)>::get(), *host),
            "parameter 1: own<test:pkg/iface/thing>, expected borrow<test:pkg/iface/thing>");
  EXPECT_EQ(mismatch(*Signature<Res<Point>(Borrow<Thing>)>::get(), *host),
            "result: error type: _, expected enum{red, green}");
  EXPECT_EQ(mismatch(*Signature<Res<Point, Colour>()>::get(), *host), "0 parameters, expected 1");
}

TEST(HostTypes, AHandleOfAResourceTheGuestDefinesIsNeverTheHosts) {
  auto guest = std::make_shared<CType>();
  guest->kind = CType::Kind::borrow;
  guest->resource = std::make_shared<ResourceType>();
  guest->resource->name = std::string(Thing::name);
  guest->resource->defined_by_guest = true;
  EXPECT_NE(mismatch(sig({guest}, nullptr), *Signature<void(Borrow<Thing>)>::get()), "");
}

TEST(HostTypes, WrapDeclaresTheTypeOfTheCallableAndConvertsItsValues) {
  HostInterface iface;
  iface.name = "test:pkg/iface@0.1.0";
  iface.wrap("scale", [](Borrow<Thing> self, uint64_t by, std::optional<std::string> label) -> Res<Point, Colour> {
    if (!label) return Res<Point, Colour>::err({1});
    return Res<Point, Colour>::ok({int32_t(self.rep * by), 0});
  });
  const HostBinding& fn = iface.functions.at("scale");
  EXPECT_EQ(describe(*fn.type), "func(borrow<test:pkg/iface/thing>, u64, option<string>) -> result<record{x: s32, y: "
                                "s32}, enum{red, green}>");
  std::vector<Val> args{Val::handle(7), Val::number(2), Val::none()};
  auto r = fn.call(args);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->index, 1u);
  EXPECT_EQ(r->items.at(0).num, 1u);
  args[2] = Val::some(Val::string("x"));
  r = fn.call(args);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->index, 0u);
  EXPECT_EQ(r->items.at(0).items.at(0).num, 14u);
}

TEST(HostTypes, AHostFunctionCalledWithTheWrongNumberOfArgumentsFailsInsteadOfReadingPastThem) {
  HostInterface iface;
  iface.name = "test:pkg/iface@0.1.0";
  iface.wrap("twice", [](uint32_t x) { return uint64_t(x) * 2; });
  std::vector<Val> none;
  auto r = iface.functions.at("twice").call(none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "test:pkg/iface@0.1.0#twice called with 0 arguments, it takes 1");
  std::vector<Val> one{Val::number(21)};
  EXPECT_EQ(iface.functions.at("twice").call(one)->num, 42u);
}

}  // namespace
}  // namespace weft::runtime
