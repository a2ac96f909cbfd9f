// The grant matrix (issue 17): what every host function needs before it does anything for a guest, checked against
// a runtime with no grants and no preopens. The cases are generated from the host registry: the test walks every
// interface and function the hosts register (so a function added without a row fails here), and calls each gated one
// with arguments generated from its declared WIT type, expecting the documented refusal (spec §4.3, §4.4).

#include <gtest/gtest.h>

#include <string_view>

#include "weft/core/app_errors.hpp"
#include "weft/runtime/wasi_host.hpp"
#include "weft/runtime/weft_app_host.hpp"

namespace weft::runtime {
namespace {

/// What a function needs before it acts for the guest.
enum class Needs {
  nothing,          // ambient: clocks, random, stdio, environment, stream and pollable methods on handles it was given
  grant,            // a --grant capability: refused with `capability <cap> is not granted`
  preopen,          // a descriptor, which only a --preopen hands out: refused without one
  http_grant,       // an outgoing HTTP request: refused with error-code HTTP-request-denied without a net:fetch grant
  refused,          // wasi:sockets: every operation fails access-denied
};

struct Row {
  std::string_view interface;  // unversioned
  std::string_view function;   // a name, or a prefix ending in '*'
  Needs needs;
  std::string_view capability = {};  // Needs::grant
};

// One row per host function or family of functions; a function's row is the first that matches (specific rows come
// before their family's). A function of an interface without a row fails EveryHostFunctionHasARow.
constexpr Row kMatrix[] = {
    {"weft:app/notify", "ready", Needs::nothing},
    {"weft:app/ipc", "*", Needs::nothing},
    {"weft:app/fetch", "fetch", Needs::grant, "net:fetch"},
    {"weft:app/notifications", "notify", Needs::grant, "sys:notifications"},
    {"weft:app/clipboard", "read", Needs::grant, "sys:clipboard:read"},
    {"weft:app/clipboard", "write", Needs::grant, "sys:clipboard:write"},
    {"wasi:cli/environment", "*", Needs::nothing},
    {"wasi:cli/exit", "*", Needs::nothing},
    {"wasi:cli/stdin", "*", Needs::nothing},
    {"wasi:cli/stdout", "*", Needs::nothing},
    {"wasi:cli/stderr", "*", Needs::nothing},
    {"wasi:cli/terminal-stdin", "*", Needs::nothing},
    {"wasi:cli/terminal-stdout", "*", Needs::nothing},
    {"wasi:cli/terminal-stderr", "*", Needs::nothing},
    {"wasi:clocks/monotonic-clock", "*", Needs::nothing},
    {"wasi:clocks/wall-clock", "*", Needs::nothing},
    {"wasi:random/random", "*", Needs::nothing},
    {"wasi:random/insecure", "*", Needs::nothing},
    {"wasi:random/insecure-seed", "*", Needs::nothing},
    {"wasi:io/error", "*", Needs::nothing},
    {"wasi:io/poll", "*", Needs::nothing},
    {"wasi:io/streams", "*", Needs::nothing},
    {"wasi:filesystem/preopens", "get-directories", Needs::preopen},
    {"wasi:filesystem/types", "[method]descriptor.*", Needs::preopen},
    {"wasi:filesystem/types", "[method]directory-entry-stream.*", Needs::preopen},
    {"wasi:filesystem/types", "filesystem-error-code", Needs::nothing},
    {"wasi:sockets/instance-network", "instance-network", Needs::nothing},  // an inert handle nothing accepts
    {"wasi:sockets/*", "*", Needs::refused},
    {"wasi:http/outgoing-handler", "handle", Needs::http_grant},
    {"wasi:http/types", "*", Needs::nothing},  // building requests and reading responses; sending is `handle`
};

bool matches(std::string_view pattern, std::string_view name) {
  if (pattern.ends_with('*')) return name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == name;
}

std::string unversioned(const std::string& name) { return name.substr(0, name.find('@')); }

const Row* row_of(const std::string& interface, std::string_view function) {
  for (const Row& r : kMatrix)
    if (matches(r.interface, unversioned(interface)) && matches(r.function, function)) return &r;
  return nullptr;
}

/// A value of type `t` for a call: zeros, empty strings and lists, first cases, and handles no object has.
Val sample(const CType& t) {
  constexpr uint32_t kNoSuchRep = 0x7fffffff;
  switch (t.kind) {
    case CType::Kind::record:
    case CType::Kind::tuple: {
      std::vector<Val> fields;
      for (const auto& e : t.elems) fields.push_back(sample(*e));
      return Val::record(std::move(fields));
    }
    case CType::Kind::variant:
      return t.elems.empty() || !t.elems[0] ? Val::cases(0) : Val::cases(0, sample(*t.elems[0]));
    case CType::Kind::option: return Val::none();
    case CType::Kind::result: return t.elems[0] ? Val::ok(sample(*t.elems[0])) : Val::ok();
    case CType::Kind::own:
    case CType::Kind::borrow: return Val::handle(kNoSuchRep);
    default: return Val{};
  }
}

std::vector<Val> sample_args(const FuncSig& sig) {
  std::vector<Val> args;
  for (const auto& p : sig.params) args.push_back(sample(*p));
  return args;
}

/// The hosts as weft-runtime builds them for an app with no grants and no preopens.
class GrantMatrix : public ::testing::Test {
 protected:
  GrantMatrix()
      : wasi_([] {
          WasiConfig c;
          c.http_client = [](const std::string& url, const std::string& method, const auto& headers,
                             const auto& body) { return http_request({}, url, method, headers, body); };
          return c;
        }()),
        app_(WeftAppConfig{"org.weft.test", {}, {}}) {
    EXPECT_TRUE(wasi_.open_preopens().ok());
    wasi_.install(registry_);
    app_.install(registry_);
  }

  Result<Val> call(const std::string& interface, const std::string& function, std::vector<Val> args) {
    return registry_.find(interface)->functions.at(function).call(args);
  }

  WasiHost wasi_;
  WeftAppHost app_;
  HostRegistry registry_;
};

TEST_F(GrantMatrix, EveryHostFunctionHasARow) {
  size_t functions = 0;
  for (const auto& iface : registry_.interfaces()) {
    for (const auto& [name, fn] : iface->functions) {
      ++functions;
      EXPECT_NE(row_of(iface->name, name), nullptr) << iface->name << " " << name << " has no row in kMatrix";
    }
    if (iface->fallback) {
      EXPECT_NE(row_of(iface->name, "(any other function)"), nullptr) << iface->name << " (fallback) has no row";
    }
  }
  EXPECT_GT(functions, 90u);
}

TEST_F(GrantMatrix, EveryGatedFunctionRefusesWithoutItsGrantOrPreopen) {
  constexpr uint32_t kAccessDenied = 1;  // wasi:sockets/network.error-code
  size_t checked = 0;
  for (const auto& iface : registry_.interfaces()) {
    if (iface->fallback) {
      const Row* row = row_of(iface->name, "(any other function)");
      ASSERT_NE(row, nullptr) << iface->name;
      if (row->needs == Needs::refused) {
        std::vector<Val> none;
        auto r = iface->fallback(none);
        ASSERT_TRUE(r.ok()) << iface->name << ": " << r.error().message;
        EXPECT_TRUE(r->index == 1 && r->items.at(0).num == kAccessDenied) << iface->name << " is not access-denied";
        ++checked;
      }
    }
    for (const auto& [name, fn] : iface->functions) {
      const Row* row = row_of(iface->name, name);
      ASSERT_NE(row, nullptr) << iface->name << " " << name;
      const std::string what = iface->name + " " + name;
      switch (row->needs) {
        case Needs::nothing:
        case Needs::refused:
        case Needs::http_grant: continue;  // http: a request needs handles; see the test below
        case Needs::grant: {
          std::vector<Val> args = sample_args(*fn.type);
          if (name == "fetch") args[0] = Val::string("https://example.com/");  // the grant is checked per host
          auto r = fn.call(args);
          ASSERT_TRUE(r.ok()) << what << ": " << r.error().message;
          EXPECT_EQ(r->index, 1u) << what << " succeeded without its grant";
          EXPECT_EQ(r->items.at(0).str, app_error::not_granted(row->capability)) << what;
          break;
        }
        case Needs::preopen: {
          std::vector<Val> args = sample_args(*fn.type);
          auto r = fn.call(args);
          if (name == "get-directories") {
            ASSERT_TRUE(r.ok()) << what << ": " << r.error().message;
            EXPECT_TRUE(r->items.empty()) << what << " handed out a directory without a --preopen";
          } else {
            EXPECT_FALSE(r.ok()) << what << " acted on a descriptor that no preopen handed out";
          }
          break;
        }
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 30u);
}

TEST_F(GrantMatrix, AnOutgoingHttpRequestWithoutANetFetchGrantIsDenied) {
  const std::string types = "wasi:http/types@0.2.0";
  auto fields = call(types, "[constructor]fields", {});
  ASSERT_TRUE(fields.ok());
  auto request = call(types, "[constructor]outgoing-request", {*fields});
  ASSERT_TRUE(request.ok());
  auto authority = Val::some(Val::string("example.com"));
  ASSERT_TRUE(call(types, "[method]outgoing-request.set-authority", {*request, authority}).ok());
  auto future = call("wasi:http/outgoing-handler@0.2.0", "handle", {*request, Val::none()});
  ASSERT_TRUE(future.ok() && future->index == 0) << "handle refused the request itself";
  auto response = call(types, "[method]future-incoming-response.get", {future->items.at(0)});
  ASSERT_TRUE(response.ok()) << response.error().message;
  // option<result<result<incoming-response, error-code>>>: some(ok(err(HTTP-request-denied)))
  constexpr uint32_t kHttpRequestDenied = 15;
  ASSERT_EQ(response->index, 1u);
  const Val& outer = response->items.at(0);
  ASSERT_EQ(outer.index, 0u);
  ASSERT_EQ(outer.items.at(0).index, 1u) << "the request was sent without a grant";
  EXPECT_EQ(outer.items.at(0).items.at(0).index, kHttpRequestDenied);
}

}  // namespace
}  // namespace weft::runtime
