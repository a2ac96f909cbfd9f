// Typed host bindings beyond scalars (host_types.hpp, HostInterface::wrap): C++ enums as WIT enums, flags as
// FlagSet, member functions as host functions; and the WIT types and checks of the WASI interfaces built on them.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "weft/runtime/host.hpp"
#include "weft/runtime/wasi_host.hpp"
#include "weft/runtime/weft_app_host.hpp"

namespace weft::runtime {
namespace {

using namespace wit;  // NOLINT: WIT type spelling

enum class Shade : uint32_t { light, dark };
CTypePtr wit_type(Shade) { return enumeration({"light", "dark"}); }

struct Access : FlagSet<Access> {
  static constexpr uint64_t read = 1, write = 2, execute = 4;
  static CTypePtr type() { return flags({"read", "write", "execute"}); }
};

class Counter {
 public:
  uint64_t add(uint64_t by) { return total_ += by; }
  Shade invert(Shade s) { return s == Shade::light ? Shade::dark : Shade::light; }
  Access without_write(Access a) {
    a.bits &= ~Access::write;
    return a;
  }

 private:
  uint64_t total_ = 0;
};

TEST(HostBindings, ACppEnumIsAWitEnumAndTravelsAsItsCaseIndex) {
  EXPECT_EQ(describe(of<Shade>().get()), "enum{light, dark}");
  EXPECT_EQ(Conv<Shade>::from(Val::number(1)), Shade::dark);
  EXPECT_EQ(Conv<Shade>::to(Shade::dark).num, 1u);
}

TEST(HostBindings, FlagSetBitsAreTheFlagsInWitOrder) {
  EXPECT_EQ(describe(of<Access>().get()), "flags{read, write, execute}");
  Access a = Conv<Access>::from(Val::number(5));
  EXPECT_TRUE(a.has(Access::read));
  EXPECT_FALSE(a.has(Access::write));
  EXPECT_TRUE(a.has(Access::execute));
  EXPECT_TRUE(a.has(Access::write | Access::execute));  // any of the mask
  EXPECT_EQ(Conv<Access>::to(a).num, 5u);
}

TEST(HostBindings, AMemberFunctionServesAsAHostFunctionAndItsObjectLivesAsLongAsTheBinding) {
  HostInterface iface;
  iface.name = "test:pkg/iface@0.1.0";
  auto counter = std::make_shared<Counter>();
  std::weak_ptr<Counter> alive = counter;
  iface.wrap("add", counter, &Counter::add);
  iface.wrap("invert", counter, &Counter::invert);
  iface.wrap("without-write", counter, &Counter::without_write);
  counter.reset();
  ASSERT_FALSE(alive.expired()) << "the bindings keep their object";

  EXPECT_EQ(describe(*iface.functions.at("add").type), "func(u64) -> u64");
  EXPECT_EQ(describe(*iface.functions.at("invert").type), "func(enum{light, dark}) -> enum{light, dark}");
  EXPECT_EQ(describe(*iface.functions.at("without-write").type),
            "func(flags{read, write, execute}) -> flags{read, write, execute}");
  std::vector<Val> by{Val::number(3)};
  EXPECT_EQ(iface.functions.at("add").call(by)->num, 3u);
  EXPECT_EQ(iface.functions.at("add").call(by)->num, 6u) << "one object serves every call";
  std::vector<Val> light{Val::number(0)};
  EXPECT_EQ(iface.functions.at("invert").call(light)->num, 1u);
  std::vector<Val> all{Val::number(7)};
  EXPECT_EQ(iface.functions.at("without-write").call(all)->num, 5u);

  iface.functions.clear();
  EXPECT_TRUE(alive.expired()) << "the object goes with its last binding";
}

// A small callable over plain values (nearly every host function: a lambda over its state's pointer) is kept inside
// its binding rather than in an allocation of its own (host.hpp); the two entries still reach one object.
TEST(HostBindings, ASmallMutableCallableServesTheGenericAndTheDirectEntryAsOneObject) {
  HostInterface iface;
  iface.name = "test:pkg/iface@0.1.0";
  iface.wrap("add", [total = uint32_t(0)](uint32_t by) mutable { return total += by; });
  const HostBinding& add = iface.functions.at("add");
  ASSERT_TRUE(add.direct);
  EXPECT_EQ(add.body.use_count(), 0) << "kept in the binding: no allocation owns it";

  std::vector<Val> two{Val::number(2)};
  EXPECT_EQ(add.call(two)->num, 2u);
  CanonContext cx;
  CoreValue five = CoreValue::i32(5);
  CoreValue result{};
  ASSERT_FALSE(add.direct(cx, *add.type, std::span(&five, 1), std::span(&result, 1)));
  EXPECT_EQ(result.as_i32(), 7) << "the direct entry adds to the total the generic one left";
  EXPECT_EQ(add.call(two)->num, 9u);
}

TEST(HostBindings, AReplacedCallStillReachesTheCallableItWrapsWhetherKeptInTheBindingOrNot) {
  HostInterface iface;
  iface.name = "test:pkg/iface@0.1.0";
  iface.wrap("small", [](uint32_t x) { return x + 1; });
  iface.wrap("large", [suffix = std::string(40, '!')](std::string x) { return x + suffix; });  // not trivially copied
  EXPECT_EQ(iface.functions.at("large").body.use_count(), 2) << "held by the binding and its direct entry";
  for (const char* name : {"small", "large"}) {
    HostBinding& fn = iface.functions.at(name);
    HostCall old = fn.call;
    fn.replace_call([old](std::vector<Val>& args) -> Result<Val> { return old(args); });
    EXPECT_FALSE(fn.direct) << name << ": the direct entry would bypass the replacement";
  }
  std::vector<Val> one{Val::number(1)};
  EXPECT_EQ(iface.functions.at("small").call(one)->num, 2u);
  std::vector<Val> text{Val::string("x")};
  EXPECT_EQ(iface.functions.at("large").call(text)->str, "x" + std::string(40, '!'));
  std::vector<Val> none;
  auto r = iface.functions.at("small").call(none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "test:pkg/iface@0.1.0#small called with 0 arguments, it takes 1")
      << "the arity message still names the function";
}

TEST(HostBindings, AFunctionWrappedAgainUnderItsNameServesTheNewCallableAndReleasesTheOld) {
  HostInterface iface;
  iface.name = "test:pkg/iface@0.1.0";
  auto counter = std::make_shared<Counter>();
  std::weak_ptr<Counter> alive = counter;
  iface.wrap("add", counter, &Counter::add);
  counter.reset();
  iface.wrap("add", [](uint64_t by) { return by * 10; });
  EXPECT_TRUE(alive.expired()) << "the first callable went with its binding's old entries";
  std::vector<Val> three{Val::number(3)};
  EXPECT_EQ(iface.functions.at("add").call(three)->num, 30u);
}

// What every instance pays for its host interfaces: a binding whose callable lives in the binding costs no
// allocation of its own. Every WASI (but wasi:http) and weft:app function is such a callable.
TEST(HostBindings, EveryWasiAndWeftAppFunctionButHttpsIsKeptInItsBinding) {
  WasiHost wasi(WasiConfig{});
  WeftAppHost app(WeftAppConfig{"org.weft.test", {}, {}});
  HostRegistry registry;
  wasi.install(registry);
  app.install(registry);
  size_t functions = 0;
  for (const auto& iface : registry.interfaces())
    for (const auto& [name, fn] : iface->functions) {
      ++functions;
      EXPECT_EQ(fn.body.use_count(), 0) << iface->name << "#" << name << " has an allocation of its own";
    }
  EXPECT_GT(functions, 50u) << "the WASI and weft:app interfaces were installed";
}

// The filesystem interfaces hold their State by value in each binding: two hosts installed side by side (two
// instances of one component) answer from their own preopens.
TEST(HostBindings, TwoWasiHostsInstalledSideBySideAnswerFromTheirOwnPreopens) {
  std::vector<std::string> dirs;
  std::vector<std::unique_ptr<WasiHost>> hosts;
  std::vector<std::unique_ptr<HostRegistry>> registries;
  for (const char* guest : {"/first", "/second"}) {
    char tmpl[] = "/tmp/weft-host-bindings-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dirs.emplace_back(tmpl);
    WasiConfig config;
    config.preopens.push_back({dirs.back(), guest, false});
    hosts.push_back(std::make_unique<WasiHost>(std::move(config)));
    ASSERT_TRUE(hosts.back()->open_preopens().ok());
    registries.push_back(std::make_unique<HostRegistry>());
    hosts.back()->install(*registries.back());
  }
  std::vector<Val> none;
  for (size_t i = 0; i < 2; ++i) {
    auto r = registries[i]->find("wasi:filesystem/preopens@0.2.0")->functions.at("get-directories").call(none);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->items.size(), 1u);
    EXPECT_EQ(r->items[0].items.at(1).str, i == 0 ? "/first" : "/second");
    const uint32_t dir = uint32_t(r->items[0].items[0].num);
    std::vector<Val> args{Val::handle(dir), Val::string("made")};
    auto made = registries[i]->find("wasi:filesystem/types@0.2.0")
                    ->functions.at("[method]descriptor.create-directory-at")
                    .call(args);
    ASSERT_TRUE(made.ok()) << made.error().message;
    EXPECT_EQ(made->index, 0u);
  }
  struct stat sb{};
  for (const auto& dir : dirs) {
    EXPECT_EQ(::stat((dir + "/made").c_str(), &sb), 0) << dir << ": each host made its directory in its own preopen";
    std::filesystem::remove_all(dir);
  }
}

/// A WASI host with the wasi:http interfaces installed (an HttpClient that refuses every request) and a read-only
/// preopen of a fresh directory.
struct WasiHostTypes : ::testing::Test {
  void SetUp() override {
    char tmpl[] = "/tmp/weft-host-bindings-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir = tmpl;
    WasiConfig config;
    config.preopens.push_back({dir, "/data", true});
    config.http_client = [](auto&, auto&, auto&, auto&) -> Result<HttpResponse> { return fail("refused"); };
    host = std::make_unique<WasiHost>(std::move(config));
    ASSERT_TRUE(host->open_preopens().ok());
    host->install(registry);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  const HostBinding& fn(std::string_view iface, const std::string& name) {
    return registry.find(iface)->functions.at(name);
  }

  std::string dir;
  std::unique_ptr<WasiHost> host;
  HostRegistry registry;
};

// describe() abbreviates below the top levels (`enum(37)`): the linker's structural check covers the rest.
TEST_F(WasiHostTypes, FilesystemAndHttpFunctionsDeclareTheirWitSignatures) {
  const char* types = "wasi:filesystem/types@0.2.0";
  const HostBinding& open_at = fn(types, "[method]descriptor.open-at");
  EXPECT_EQ(describe(*open_at.type),
            "func(borrow<wasi:filesystem/types/descriptor>, flags{symlink-follow}, string, flags{create, directory, "
            "exclusive, truncate}, flags{read, write, file-integrity-sync, data-integrity-sync, requested-write-sync, "
            "mutate-directory}) -> result<own<wasi:filesystem/types/descriptor>, enum(37)>");
  EXPECT_EQ(open_at.type->result->elems.at(1)->names,
            (std::vector<std::string>{
                "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
                "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io",
                "is-directory", "loop", "too-many-links", "message-size", "name-too-long", "no-device", "no-entry",
                "no-lock", "insufficient-memory", "insufficient-space", "not-directory", "not-empty",
                "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow", "not-permitted", "pipe",
                "read-only", "invalid-seek", "text-file-busy", "cross-device"}));
  EXPECT_EQ(describe(*fn(types, "[method]descriptor.set-times-at").type),
            "func(borrow<wasi:filesystem/types/descriptor>, flags{symlink-follow}, string, variant{no-change, now, "
            "timestamp(record(2))}, variant{no-change, now, timestamp(record(2))}) -> result<_, enum(37)>");
  EXPECT_EQ(describe(*fn(types, "[method]directory-entry-stream.read-directory-entry").type),
            "func(borrow<wasi:filesystem/types/directory-entry-stream>) -> result<option<record{type: enum(8), name: "
            "string}>, enum(37)>");
  EXPECT_EQ(describe(*fn("wasi:filesystem/preopens@0.2.0", "get-directories").type),
            "func() -> list<tuple<own<wasi:filesystem/types/descriptor>, string>>");
  const char* http = "wasi:http/types@0.2.0";
  EXPECT_EQ(describe(*fn(http, "[static]fields.from-list").type),
            "func(list<tuple<string, list<u8>>>) -> result<own<wasi:http/types/fields>, variant{invalid-syntax, "
            "forbidden, immutable}>");
  EXPECT_EQ(describe(*fn(http, "[method]outgoing-request.set-method").type),
            "func(borrow<wasi:http/types/outgoing-request>, variant(10)) -> result");
  EXPECT_EQ(describe(*fn(http, "[method]future-incoming-response.get").type),
            "func(borrow<wasi:http/types/future-incoming-response>) -> option<result<result<own<wasi:http/types/"
            "incoming-response>, variant(39)>>>");
  EXPECT_EQ(describe(*fn("wasi:http/outgoing-handler@0.2.0", "handle").type),
            "func(own<wasi:http/types/outgoing-request>, option<own<wasi:http/types/request-options>>) -> "
            "result<own<wasi:http/types/future-incoming-response>, variant(39)>");
}

TEST_F(WasiHostTypes, AMutatingDescriptorMethodUnderAReadOnlyPreopenAnswersReadOnlyAndAnUnknownOneTraps) {
  std::vector<Val> none;
  auto preopens = fn("wasi:filesystem/preopens@0.2.0", "get-directories").call(none);
  ASSERT_TRUE(preopens.ok()) << preopens.error().message;
  ASSERT_EQ(preopens->items.size(), 1u);
  const uint32_t data = uint32_t(preopens->items[0].items[0].num);
  const HostBinding& mkdir = fn("wasi:filesystem/types@0.2.0", "[method]descriptor.create-directory-at");

  std::vector<Val> args{Val::handle(data), Val::string("made")};
  auto refused = mkdir.call(args);
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->index, 1u) << "an error, not ok";
  EXPECT_EQ(refused->items.at(0).num, 33u) << "error-code read-only";
  struct stat sb{};
  EXPECT_NE(::stat((dir + "/made").c_str(), &sb), 0) << "nothing was created";

  std::vector<Val> unknown{Val::handle(data + 1000), Val::string("made")};
  auto trapped = mkdir.call(unknown);
  ASSERT_FALSE(trapped.ok());
  EXPECT_EQ(trapped.error().message, "unknown descriptor");
}

}  // namespace
}  // namespace weft::runtime
