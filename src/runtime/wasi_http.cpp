// WASI 0.2 http: `types` and `outgoing-handler`, served by the host's HttpClient (the weft:app/fetch policy and
// grants, spec §4.3/§4.5). Requests run when the guest first asks the future for its response, with the body it
// wrote and finished by then; bodies are buffered (≤ 16 MiB each way). Incoming requests (serving HTTP) are not
// provided: those functions trap.

#include <algorithm>
#include <cerrno>

#include "wasi_state.hpp"
#include "weft/runtime/http_response_head.hpp"
#include "wasi_types.hpp"

namespace weft::runtime {

struct HttpState {
  /// Header bytes every live `fields` of the instance holds together (entries are shared between handles, so a
  /// guest making more handles costs nothing; only `clone`, `set`, `append` and `from-list` add bytes).
  struct FieldBytes {
    size_t live = 0;
  };
  class Fields {
   public:
    explicit Fields(std::shared_ptr<FieldBytes> account) : account_(std::move(account)) {}
    ~Fields() { account_->live -= bytes_; }
    Fields(const Fields&) = delete;
    Fields& operator=(const Fields&) = delete;

    /// Adds one entry (`name` lowercase) within both budgets; a refusal names the budget it would pass.
    [[nodiscard]] Result<void> add(std::string name, std::string value);
    void remove(const std::string& name);
    /// A mutable copy, charged to the same account.
    [[nodiscard]] Result<std::shared_ptr<Fields>> clone() const;
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
    bool immutable = false;

   private:
    std::vector<std::pair<std::string, std::string>> entries_;  // names lowercase
    size_t bytes_ = 0;
    std::shared_ptr<FieldBytes> account_;
  };
  std::shared_ptr<FieldBytes> field_bytes = std::make_shared<FieldBytes>();
  struct OutgoingBody {
    std::shared_ptr<std::string> data = std::make_shared<std::string>();
    bool stream_taken = false;
  };
  struct OutgoingRequest {
    std::string method = "GET", scheme = "https", authority, path = "/";
    std::shared_ptr<Fields> headers;
    std::shared_ptr<OutgoingBody> body;  // set once body() was called
  };
  struct Future {
    OutgoingRequest request;
    std::optional<Result<HttpResponse>> result;
    bool taken = false;
  };
  struct IncomingResponse {
    uint16_t status = 0;
    std::shared_ptr<Fields> headers;
    std::shared_ptr<const std::string> body;
    bool consumed = false;
  };
  std::map<uint32_t, std::shared_ptr<Fields>> fields;
  std::map<uint32_t, OutgoingRequest> requests;
  std::map<uint32_t, std::shared_ptr<OutgoingBody>> bodies;
  std::map<uint32_t, Future> futures;
  std::map<uint32_t, IncomingResponse> responses;
  std::map<uint32_t, std::pair<std::shared_ptr<const std::string>, bool>> incoming_bodies;  // body, stream taken
};

namespace {

// A `fields` holds at most what a response head may carry (the parser's own cap); all of an instance's fields
// together at most as much as one request body. Each entry also costs its two strings' bookkeeping.
constexpr size_t kMaxFieldsBytes = kMaxResponseHead;
constexpr size_t kMaxLiveFieldBytes = size_t(16) << 20;
constexpr size_t kFieldEntryOverhead = 2 * sizeof(std::string);

}  // namespace

Result<void> HttpState::Fields::add(std::string name, std::string value) {
  size_t cost = name.size() + value.size() + kFieldEntryOverhead;
  if (bytes_ + cost > kMaxFieldsBytes)
    return fail("fields: header entries past " + std::to_string(kMaxFieldsBytes) + " bytes in one fields");
  if (account_->live + cost > kMaxLiveFieldBytes)
    return fail("fields: header entries past " + std::to_string(kMaxLiveFieldBytes) + " bytes across all live fields");
  entries_.emplace_back(std::move(name), std::move(value));
  bytes_ += cost;
  account_->live += cost;
  return {};
}

void HttpState::Fields::remove(const std::string& name) {
  std::erase_if(entries_, [&](const auto& e) {
    if (e.first != name) return false;
    size_t cost = e.first.size() + e.second.size() + kFieldEntryOverhead;
    bytes_ -= cost;
    account_->live -= cost;
    return true;
  });
}

Result<std::shared_ptr<HttpState::Fields>> HttpState::Fields::clone() const {
  auto copy = std::make_shared<Fields>(account_);
  for (const auto& [name, value] : entries_) WEFT_TRY_VOID(copy->add(name, value));
  return copy;
}

bool http_rep_in_use(const HttpState& h, uint32_t r) {
  return h.fields.count(r) || h.requests.count(r) || h.bodies.count(r) || h.futures.count(r) || h.responses.count(r) ||
         h.incoming_bodies.count(r);
}

namespace {

using State = WasiHost::State;
using namespace wasi;  // NOLINT: WIT type spelling
constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
constexpr uint32_t kMethodOther = 9, kSchemeOther = 2;
// header-error cases
constexpr uint32_t kInvalidSyntax = 0, kForbidden = 1, kImmutable = 2;
// error-code cases used here
constexpr uint32_t kRequestDenied = 15, kInternalError = 38;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

bool valid_name(const std::string& n) {
  if (n.empty()) return false;
  for (unsigned char c : n)
    if (!(std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos)) return false;
  return true;
}
bool valid_value(const std::string& v) { return v.find_first_of(std::string("\r\n\0", 3)) == std::string::npos; }
bool forbidden_name(const std::string& n) {
  static const char* const names[] = {"host", "content-length", "transfer-encoding", "connection", "keep-alive",
                                      "te", "trailer", "upgrade"};
  return std::find(std::begin(names), std::end(names), n) != std::end(names) || n.starts_with("proxy-");
}

/// A header-error for (name, value), or nullopt when the field may be set.
std::optional<uint32_t> field_error(const std::string& name, const std::string& value) {
  if (!valid_name(name) || !valid_value(value)) return kInvalidSyntax;
  if (forbidden_name(lower(name))) return kForbidden;
  return std::nullopt;
}

Val fields_entries(const HttpState::Fields& f) {
  std::vector<Val> out;
  for (const auto& [k, v] : f.entries()) out.push_back(Val::record({Val::string(k), Val::bytes(v.data(), v.size())}));
  return Val::list(std::move(out));
}

/// Outgoing bodies are memory sinks behind wasi:io's output-stream functions (wasi_cli_io.cpp), which append
/// whatever they are given. The body limit is applied in front of them: an operation that takes a body past
/// kMaxHttpBody is undone and fails the stream with last-operation-failed, and check-write offers only what is
/// left (failing once nothing is). A write is at most wasi_cli_io's transfer size, so a body never holds more than
/// the limit plus one transfer. Streams that are not bodies pass through unchanged.
void limit_request_bodies(State& st, HostInterface& streams) {
  State* s = &st;
  auto body_of = [s](const Val& stream) -> std::string* {
    auto it = s->outputs.find(uint32_t(stream.num));
    return it == s->outputs.end() ? nullptr : it->second.sink.get();
  };
  auto too_large = [s] {
    std::string message = "request body exceeds " + std::to_string(kMaxHttpBody) + " bytes";
    return Val::err(Val::cases(0, Val::handle(s->new_error(std::move(message), EFBIG))));
  };
  for (const char* name : {"[method]output-stream.write", "[method]output-stream.blocking-write-and-flush",
                           "[method]output-stream.write-zeroes",
                           "[method]output-stream.blocking-write-zeroes-and-flush", "[method]output-stream.splice",
                           "[method]output-stream.blocking-splice"}) {
    HostBinding& fn = streams.functions.at(name);
    HostCall write = fn.call;
    fn.call = arity_checked(streams.name + "#" + name, fn.type->params.size(),
                            [write, body_of, too_large](std::vector<Val>& a) -> Result<Val> {
      std::string* body = body_of(a[0]);
      if (!body) return write(a);
      size_t before = body->size();
      if (before >= kMaxHttpBody) return too_large();  // a full body takes nothing (splice would consume input)
      WEFT_TRY(Val r, write(a));
      if (body->size() > kMaxHttpBody) {
        body->resize(before);
        return too_large();
      }
      return r;
    });
  }
  HostBinding& check = streams.functions.at("[method]output-stream.check-write");
  HostCall check_write = check.call;
  check.call = arity_checked(streams.name + "#[method]output-stream.check-write", check.type->params.size(),
                             [check_write, body_of, too_large](std::vector<Val>& a) -> Result<Val> {
    std::string* body = body_of(a[0]);
    WEFT_TRY(Val r, check_write(a));
    if (!body || r.index != 0) return r;
    if (body->size() >= kMaxHttpBody) return too_large();
    r.items[0].num = std::min<uint64_t>(r.items[0].num, kMaxHttpBody - body->size());
    return r;
  });
}

}  // namespace

void install_wasi_http(State& st, HostRegistry& registry) {
  st.http = std::make_shared<HttpState>();
  State* s = &st;
  HttpState* h = st.http.get();
  auto& types = registry.add("wasi:http/types@0.2.12");
  for (const char* io : {"input-stream", "output-stream"})
    types.resources[io] = registry.find("wasi:io/streams@0.2.0")->resources.at(io);
  types.resources["pollable"] = registry.find("wasi:io/poll@0.2.0")->resources.at("pollable");
  types.resources["error"] = registry.find("wasi:io/error@0.2.0")->resources.at("error");
  limit_request_bodies(st, *registry.find_mutable("wasi:io/streams@0.2.0"));
  types.resource("fields", [h](uint32_t r) { h->fields.erase(r); });
  types.resource("outgoing-request", [h](uint32_t r) { h->requests.erase(r); });
  types.resource("outgoing-body", [h](uint32_t r) { h->bodies.erase(r); });
  types.resource("future-incoming-response", [h](uint32_t r) { h->futures.erase(r); });
  types.resource("incoming-response", [h](uint32_t r) { h->responses.erase(r); });
  types.resource("incoming-body", [h](uint32_t r) { h->incoming_bodies.erase(r); });
  for (const char* unused : {"incoming-request", "response-outparam", "outgoing-response", "future-trailers",
                             "request-options"})
    types.resource(unused, [](uint32_t) {});

  auto new_fields = [s, h](std::shared_ptr<HttpState::Fields> f) {
    uint32_t r = s->rep();
    h->fields[r] = std::move(f);
    return Val::handle(r);
  };
  auto self_fields = [h](const Val& v) -> HttpState::Fields* {
    auto it = h->fields.find(uint32_t(v.num));
    return it == h->fields.end() ? nullptr : it->second.get();
  };

  types.func<Own<Fields>()>("[constructor]fields", [h, new_fields](auto&) -> Result<Val> {
    return new_fields(std::make_shared<HttpState::Fields>(h->field_bytes));
  });
  types.func<Res<Own<Fields>, HeaderError>(FieldEntries)>(
      "[static]fields.from-list", [h, new_fields](auto& a) -> Result<Val> {
    auto f = std::make_shared<HttpState::Fields>(h->field_bytes);
    for (const auto& e : a[0].items) {
      if (auto err = field_error(e.items[0].str, e.items[1].str)) return Val::err(Val::cases(*err));
      WEFT_TRY_VOID(f->add(lower(e.items[0].str), e.items[1].str));
    }
    return Val::ok(new_fields(f));
  });
  types.func<List<Bytes>(Borrow<Fields>, std::string)>("[method]fields.get", [self_fields](auto& a) -> Result<Val> {
    auto* f = self_fields(a[0]);
    if (!f) return fail("unknown fields");
    std::vector<Val> out;
    for (const auto& [k, v] : f->entries())
      if (k == lower(a[1].str)) out.push_back(Val::bytes(v.data(), v.size()));
    return Val::list(std::move(out));
  });
  types.func<bool(Borrow<Fields>, std::string)>("[method]fields.has", [self_fields](auto& a) -> Result<Val> {
    auto* f = self_fields(a[0]);
    if (!f) return fail("unknown fields");
    std::string n = lower(a[1].str);
    const auto& entries = f->entries();
    return Val::boolean(std::any_of(entries.begin(), entries.end(), [&](auto& e) { return e.first == n; }));
  });
  // set / delete / append: check mutability and syntax, then edit.
  auto edit = [self_fields](bool remove, bool add_all, bool append) {
    return [=](std::vector<Val>& a) -> Result<Val> {
      auto* f = self_fields(a[0]);
      if (!f) return fail("unknown fields");
      if (f->immutable) return Val::err(Val::cases(kImmutable));
      std::string n = lower(a[1].str);
      std::vector<std::string> values;
      if (append) values.push_back(a[2].str);
      if (add_all)
        for (const auto& v : a[2].items) values.push_back(v.str);
      for (const auto& v : values)
        if (auto err = field_error(n, v)) return Val::err(Val::cases(*err));
      if (!valid_name(n)) return Val::err(Val::cases(kInvalidSyntax));
      if (remove) f->remove(n);
      for (auto& v : values) WEFT_TRY_VOID(f->add(n, std::move(v)));
      return Val::ok();
    };
  };
  types.func<Res<None, HeaderError>(Borrow<Fields>, std::string, List<Bytes>)>(
      "[method]fields.set", edit(true, true, false));
  types.func<Res<None, HeaderError>(Borrow<Fields>, std::string)>("[method]fields.delete", edit(true, false, false));
  types.func<Res<None, HeaderError>(Borrow<Fields>, std::string, Bytes)>(
      "[method]fields.append", edit(false, false, true));
  types.func<FieldEntries(Borrow<Fields>)>("[method]fields.entries", [self_fields](auto& a) -> Result<Val> {
    auto* f = self_fields(a[0]);
    if (!f) return fail("unknown fields");
    return fields_entries(*f);
  });
  types.func<Own<Fields>(Borrow<Fields>)>("[method]fields.clone", [self_fields, new_fields](auto& a) -> Result<Val> {
    auto* f = self_fields(a[0]);
    if (!f) return fail("unknown fields");
    WEFT_TRY(auto copy, f->clone());
    return new_fields(std::move(copy));
  });

  types.func<Own<OutgoingRequest>(Own<Fields>)>("[constructor]outgoing-request", [s, h](auto& a) -> Result<Val> {
    auto it = h->fields.find(uint32_t(a[0].num));
    if (it == h->fields.end()) return fail("unknown fields");
    HttpState::OutgoingRequest req;
    req.headers = it->second;
    req.headers->immutable = true;
    h->fields.erase(it);  // the own<fields> moved into the request
    uint32_t r = s->rep();
    h->requests[r] = std::move(req);
    return Val::handle(r);
  });
  auto request = [h](const Val& v) -> HttpState::OutgoingRequest* {
    auto it = h->requests.find(uint32_t(v.num));
    return it == h->requests.end() ? nullptr : &it->second;
  };
  types.func<Res<Own<OutgoingBody>>(Borrow<OutgoingRequest>)>(
      "[method]outgoing-request.body", [s, h, request](auto& a) -> Result<Val> {
    auto* req = request(a[0]);
    if (!req) return fail("unknown outgoing-request");
    if (req->body) return Val::err(Val{});
    req->body = std::make_shared<HttpState::OutgoingBody>();
    uint32_t r = s->rep();
    h->bodies[r] = req->body;
    return Val::ok(Val::handle(r));
  });
  types.func<Res<>(Borrow<OutgoingRequest>, Method)>(
      "[method]outgoing-request.set-method", [request](auto& a) -> Result<Val> {
    auto* req = request(a[0]);
    if (!req) return fail("unknown outgoing-request");
    req->method = a[1].index == kMethodOther ? a[1].items[0].str : kMethods[a[1].index];
    return Val::ok();
  });
  types.func<Res<>(Borrow<OutgoingRequest>, Option<std::string>)>(
      "[method]outgoing-request.set-path-with-query", [request](auto& a) -> Result<Val> {
    auto* req = request(a[0]);
    if (!req) return fail("unknown outgoing-request");
    req->path = a[1].index ? a[1].items[0].str : "/";
    return Val::ok();
  });
  types.func<Res<>(Borrow<OutgoingRequest>, Option<Scheme>)>(
      "[method]outgoing-request.set-scheme", [request](auto& a) -> Result<Val> {
    auto* req = request(a[0]);
    if (!req) return fail("unknown outgoing-request");
    if (!a[1].index) return Val::ok();
    const Val& scheme = a[1].items[0];
    req->scheme = scheme.index == kSchemeOther ? lower(scheme.items[0].str) : scheme.index == 0 ? "http" : "https";
    return Val::ok();
  });
  types.func<Res<>(Borrow<OutgoingRequest>, Option<std::string>)>(
      "[method]outgoing-request.set-authority", [request](auto& a) -> Result<Val> {
    auto* req = request(a[0]);
    if (!req) return fail("unknown outgoing-request");
    req->authority = a[1].index ? a[1].items[0].str : "";
    return Val::ok();
  });
  types.func<Own<Fields>(Borrow<OutgoingRequest>)>(
      "[method]outgoing-request.headers", [request, new_fields](auto& a) -> Result<Val> {
    auto* req = request(a[0]);
    if (!req) return fail("unknown outgoing-request");
    return new_fields(req->headers);  // immutable since the request took it: a second handle, not a copy
  });

  types.func<Res<Own<OutputStream>>(Borrow<OutgoingBody>)>(
      "[method]outgoing-body.write", [s, h](auto& a) -> Result<Val> {
    auto it = h->bodies.find(uint32_t(a[0].num));
    if (it == h->bodies.end()) return fail("unknown outgoing-body");
    if (it->second->stream_taken) return Val::err(Val{});
    it->second->stream_taken = true;
    uint32_t r = s->rep();
    s->outputs[r] = {-1, false, false, 0, nullptr, it->second->data};
    return Val::ok(Val::handle(r));
  });
  types.func<Res<None, HttpErrorCode>(Own<OutgoingBody>, Option<Own<Fields>>)>(
      "[static]outgoing-body.finish", [h](auto& a) -> Result<Val> {
    h->bodies.erase(uint32_t(a[0].num));  // own<outgoing-body>: the request keeps the data
    return Val::ok();
  });

  auto& handler = registry.add("wasi:http/outgoing-handler@0.2.12");
  for (const char* shared : {"outgoing-request", "future-incoming-response", "request-options"})
    handler.resources[shared] = types.resources[shared];
  handler.func<Res<Own<FutureIncomingResponse>, HttpErrorCode>(Own<OutgoingRequest>, Option<Own<RequestOptions>>)>(
      "handle", [s, h](auto& a) -> Result<Val> {
    auto it = h->requests.find(uint32_t(a[0].num));
    if (it == h->requests.end()) return fail("unknown outgoing-request");
    uint32_t r = s->rep();
    h->futures[r] = {std::move(it->second), std::nullopt, false};
    h->requests.erase(it);
    return Val::ok(Val::handle(r));
  });
  types.func<Own<Pollable>(Borrow<FutureIncomingResponse>)>(
      "[method]future-incoming-response.subscribe", [s](auto&) -> Result<Val> {
    return Val::handle(s->ready_pollable());
  });
  types.func<Option<Res<Res<Own<IncomingResponse>, HttpErrorCode>>>(Borrow<FutureIncomingResponse>)>(
      "[method]future-incoming-response.get", [s, h](auto& a) -> Result<Val> {
    auto it = h->futures.find(uint32_t(a[0].num));
    if (it == h->futures.end()) return fail("unknown future-incoming-response");
    auto& fut = it->second;
    if (fut.taken) return Val::some(Val::err(Val{}));
    if (!fut.result) {
      const auto& req = fut.request;
      std::vector<std::pair<std::string, std::string>> headers(req.headers->entries().begin(),
                                                               req.headers->entries().end());
      std::optional<std::string> body;
      if (req.body) body = *req.body->data;
      fut.result = s->config.http_client(req.scheme + "://" + req.authority + req.path, req.method, headers, body);
    }
    fut.taken = true;
    if (!fut.result->ok()) {
      const std::string& message = fut.result->error().message;
      Val code = message.starts_with("capability ") ? Val::cases(kRequestDenied)
                                                    : Val::cases(kInternalError, Val::some(Val::string(message)));
      return Val::some(Val::ok(Val::err(std::move(code))));
    }
    HttpResponse& resp = fut.result->value();
    HttpState::IncomingResponse in;
    in.status = resp.status;
    in.headers = std::make_shared<HttpState::Fields>(h->field_bytes);
    for (auto& [k, v] : resp.headers) {
      if (!valid_name(k) || !valid_value(v)) continue;
      if (auto added = in.headers->add(lower(k), v); !added) {
        Val code = Val::cases(kInternalError, Val::some(Val::string("response headers: " + added.error().message)));
        return Val::some(Val::ok(Val::err(std::move(code))));
      }
    }
    in.headers->immutable = true;
    in.body = std::make_shared<const std::string>(std::move(resp.body));
    uint32_t r = s->rep();
    h->responses[r] = std::move(in);
    return Val::some(Val::ok(Val::ok(Val::handle(r))));
  });
  auto response = [h](const Val& v) -> HttpState::IncomingResponse* {
    auto it = h->responses.find(uint32_t(v.num));
    return it == h->responses.end() ? nullptr : &it->second;
  };
  types.func<uint16_t(Borrow<IncomingResponse>)>(
      "[method]incoming-response.status", [response](auto& a) -> Result<Val> {
    auto* r = response(a[0]);
    if (!r) return fail("unknown incoming-response");
    return Val::number(r->status);
  });
  types.func<Own<Fields>(Borrow<IncomingResponse>)>(
      "[method]incoming-response.headers", [response, new_fields](auto& a) -> Result<Val> {
    auto* r = response(a[0]);
    if (!r) return fail("unknown incoming-response");
    return new_fields(r->headers);
  });
  types.func<Res<Own<IncomingBody>>(Borrow<IncomingResponse>)>(
      "[method]incoming-response.consume", [s, h, response](auto& a) -> Result<Val> {
    auto* r = response(a[0]);
    if (!r) return fail("unknown incoming-response");
    if (r->consumed) return Val::err(Val{});
    r->consumed = true;
    uint32_t b = s->rep();
    h->incoming_bodies[b] = {r->body, false};
    return Val::ok(Val::handle(b));
  });
  types.func<Res<Own<InputStream>>(Borrow<IncomingBody>)>(
      "[method]incoming-body.stream", [s, h](auto& a) -> Result<Val> {
    auto it = h->incoming_bodies.find(uint32_t(a[0].num));
    if (it == h->incoming_bodies.end()) return fail("unknown incoming-body");
    if (it->second.second) return Val::err(Val{});
    it->second.second = true;
    uint32_t r = s->rep();
    s->inputs[r] = {-1, 0, nullptr, it->second.first};
    return Val::ok(Val::handle(r));
  });
  types.func<Own<FutureTrailers>(Own<IncomingBody>)>("[static]incoming-body.finish", [s, h](auto& a) -> Result<Val> {
    h->incoming_bodies.erase(uint32_t(a[0].num));
    return Val::handle(s->rep());  // future-trailers: resolves to no trailers
  });
  types.func<Own<Pollable>(Borrow<FutureTrailers>)>(
      "[method]future-trailers.subscribe", [s](auto&) -> Result<Val> { return Val::handle(s->ready_pollable()); });
  types.func<Option<Res<Res<Option<Own<Fields>>, HttpErrorCode>>>(Borrow<FutureTrailers>)>(
      "[method]future-trailers.get", [](auto&) -> Result<Val> {
    return Val::some(Val::ok(Val::ok(Val::none())));
  });
  types.func<Own<RequestOptions>()>(
      "[constructor]request-options", [s](auto&) -> Result<Val> { return Val::handle(s->rep()); });
  for (const char* t : {"connect-timeout", "first-byte-timeout", "between-bytes-timeout"}) {
    types.func<Option<uint64_t>(Borrow<RequestOptions>)>(std::string("[method]request-options.") + t,
                                                         [](auto&) -> Result<Val> { return Val::none(); });
    types.func<Res<>(Borrow<RequestOptions>, Option<uint64_t>)>(std::string("[method]request-options.set-") + t,
                                                               [](auto&) -> Result<Val> { return Val::ok(); });
  }
  // Serving HTTP (incoming requests, outgoing responses) is not part of WEFT: no such handle can exist.
  types.fallback = [](auto&) -> Result<Val> { return fail("wasi:http: serving incoming requests is not supported"); };
}

}  // namespace weft::runtime
