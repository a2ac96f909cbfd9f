// WASI 0.2 http: `types` and `outgoing-handler`, served by the host's HttpClient (the weft:app/fetch policy and
// grants, spec §4.3/§4.5). Requests run when the guest first asks the future for its response, with the body it
// wrote and finished by then; bodies are buffered (≤ 16 MiB each way). Incoming requests (serving HTTP) are not
// provided: those functions trap.

#include <algorithm>
#include <cerrno>

#include "wasi_http_state.hpp"
#include "wasi_state.hpp"
#include "wasi_types.hpp"

namespace weft::runtime {
namespace {

using State = WasiHost::State;
using namespace wasi;  // NOLINT: WIT type spelling
constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};

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
std::optional<HeaderError> field_error(const std::string& name, const std::string& value) {
  if (!valid_name(name) || !valid_value(value)) return HeaderError{HeaderError::Case::invalid_syntax};
  if (forbidden_name(lower(name))) return HeaderError{HeaderError::Case::forbidden};
  return std::nullopt;
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
    fn.replace_call(arity_checked(streams.name + "#" + name, fn.type->params.size(),
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
    }));
  }
  HostBinding& check = streams.functions.at("[method]output-stream.check-write");
  HostCall check_write = check.call;
  check.replace_call(arity_checked(streams.name + "#[method]output-stream.check-write", check.type->params.size(),
                                   [check_write, body_of, too_large](std::vector<Val>& a) -> Result<Val> {
    std::string* body = body_of(a[0]);
    WEFT_TRY(Val r, check_write(a));
    if (!body || r.index != 0) return r;
    if (body->size() >= kMaxHttpBody) return too_large();
    r.items[0].num = std::min<uint64_t>(r.items[0].num, kMaxHttpBody - body->size());
    return r;
  }));
}

using FieldList = std::vector<std::pair<std::string, Bytes>>;  // list<tuple<field-name, field-value>>
using Done = Res<>;
using HeaderAnswer = Res<None, HeaderError>;
template <class T> using Once = Res<T>;  // err: asked for a second time

/// wasi:http/types on one instance's State: header fields, outgoing requests and their bodies, the futures of
/// handled requests and their responses. A method on an unknown rep traps the guest.
class HttpTypes : public std::enable_shared_from_this<HttpTypes> {
 public:
  explicit HttpTypes(State& state) : s_(&state), h_(state.http.get()) {}
  void install(HostInterface& types);

 private:
  Own<Fields> new_fields();
  Result<Res<Own<Fields>, HeaderError>> fields_from_list(FieldList entries);
  Result<std::vector<Bytes>> fields_get(Borrow<Fields> self, std::string name);
  Result<bool> fields_has(Borrow<Fields> self, std::string name);
  Result<HeaderAnswer> fields_set(Borrow<Fields> self, std::string name, std::vector<Bytes> values);
  Result<HeaderAnswer> fields_delete(Borrow<Fields> self, std::string name);
  Result<HeaderAnswer> fields_append(Borrow<Fields> self, std::string name, Bytes value);
  Result<FieldList> fields_entries(Borrow<Fields> self);
  Result<Own<Fields>> fields_clone(Borrow<Fields> self);

  Result<Own<OutgoingRequest>> new_outgoing_request(Own<Fields> headers);
  Result<Once<Own<OutgoingBody>>> request_body(Borrow<OutgoingRequest> self);
  Result<Done> set_method(Borrow<OutgoingRequest> self, Method method);
  Result<Done> set_path_with_query(Borrow<OutgoingRequest> self, std::optional<std::string> path);
  Result<Done> set_scheme(Borrow<OutgoingRequest> self, std::optional<Scheme> scheme);
  Result<Done> set_authority(Borrow<OutgoingRequest> self, std::optional<std::string> authority);
  Result<Own<Fields>> request_headers(Borrow<OutgoingRequest> self);
  Result<Once<Own<OutputStream>>> body_write(Borrow<OutgoingBody> self);
  Res<None, HttpErrorCode> body_finish(Own<OutgoingBody> self, std::optional<Own<Fields>> trailers);

  Own<Pollable> subscribe_response(Borrow<FutureIncomingResponse> self);
  Result<std::optional<Once<Res<Own<IncomingResponse>, HttpErrorCode>>>> get_response(
      Borrow<FutureIncomingResponse> self);
  Result<uint16_t> response_status(Borrow<IncomingResponse> self);
  Result<Own<Fields>> response_headers(Borrow<IncomingResponse> self);
  Result<Once<Own<IncomingBody>>> response_consume(Borrow<IncomingResponse> self);
  Result<Once<Own<InputStream>>> incoming_body_stream(Borrow<IncomingBody> self);
  Own<FutureTrailers> incoming_body_finish(Own<IncomingBody> self);
  Own<Pollable> subscribe_trailers(Borrow<FutureTrailers> self);
  std::optional<Once<Res<std::optional<Own<Fields>>, HttpErrorCode>>> get_trailers(Borrow<FutureTrailers> self);

  Own<RequestOptions> new_request_options();
  std::optional<uint64_t> request_option(Borrow<RequestOptions> self);
  Done set_request_option(Borrow<RequestOptions> self, std::optional<uint64_t> duration);

  /// A new handle on `fields`.
  Own<Fields> hand_out(std::shared_ptr<HttpState::Fields> fields);
  Result<HttpState::Fields*> fields(Borrow<Fields> self);
  Result<HttpState::OutgoingRequest*> request(Borrow<OutgoingRequest> self);
  Result<HttpState::IncomingResponse*> response(Borrow<IncomingResponse> self);
  /// set / delete / append: check mutability and syntax, then remove `name` when `replace` and add `values`.
  Result<HeaderAnswer> edit(Borrow<Fields> self, const std::string& name, std::vector<std::string> values,
                            bool replace);

  State* s_;      // borrowed: the State outlives every registry its interfaces are installed in
  HttpState* h_;  // the State's
};

/// wasi:http/outgoing-handler: queues a request; it runs when its future is first asked for the response.
class OutgoingHandler {
 public:
  explicit OutgoingHandler(State& state) : s_(&state), h_(state.http.get()) {}

  // request-options are accepted and not applied (their getters answer none).
  Result<Res<Own<FutureIncomingResponse>, HttpErrorCode>> handle(Own<OutgoingRequest> request,
                                                                 std::optional<Own<RequestOptions>>) {
    auto it = h_->requests.find(request.rep);
    if (it == h_->requests.end()) return fail("unknown outgoing-request");
    uint32_t r = s_->rep();
    h_->futures[r] = {std::move(it->second), std::nullopt, false};
    h_->requests.erase(it);
    return Res<Own<FutureIncomingResponse>, HttpErrorCode>::ok({r});
  }

 private:
  State* s_;
  HttpState* h_;
};

void HttpTypes::install(HostInterface& types) {
  auto self = shared_from_this();
  using T = HttpTypes;
  types.wrap("[constructor]fields", self, &T::new_fields);
  types.wrap("[static]fields.from-list", self, &T::fields_from_list);
  types.wrap("[method]fields.get", self, &T::fields_get);
  types.wrap("[method]fields.has", self, &T::fields_has);
  types.wrap("[method]fields.set", self, &T::fields_set);
  types.wrap("[method]fields.delete", self, &T::fields_delete);
  types.wrap("[method]fields.append", self, &T::fields_append);
  types.wrap("[method]fields.entries", self, &T::fields_entries);
  types.wrap("[method]fields.clone", self, &T::fields_clone);
  types.wrap("[constructor]outgoing-request", self, &T::new_outgoing_request);
  types.wrap("[method]outgoing-request.body", self, &T::request_body);
  types.wrap("[method]outgoing-request.set-method", self, &T::set_method);
  types.wrap("[method]outgoing-request.set-path-with-query", self, &T::set_path_with_query);
  types.wrap("[method]outgoing-request.set-scheme", self, &T::set_scheme);
  types.wrap("[method]outgoing-request.set-authority", self, &T::set_authority);
  types.wrap("[method]outgoing-request.headers", self, &T::request_headers);
  types.wrap("[method]outgoing-body.write", self, &T::body_write);
  types.wrap("[static]outgoing-body.finish", self, &T::body_finish);
  types.wrap("[method]future-incoming-response.subscribe", self, &T::subscribe_response);
  types.wrap("[method]future-incoming-response.get", self, &T::get_response);
  types.wrap("[method]incoming-response.status", self, &T::response_status);
  types.wrap("[method]incoming-response.headers", self, &T::response_headers);
  types.wrap("[method]incoming-response.consume", self, &T::response_consume);
  types.wrap("[method]incoming-body.stream", self, &T::incoming_body_stream);
  types.wrap("[static]incoming-body.finish", self, &T::incoming_body_finish);
  types.wrap("[method]future-trailers.subscribe", self, &T::subscribe_trailers);
  types.wrap("[method]future-trailers.get", self, &T::get_trailers);
  types.wrap("[constructor]request-options", self, &T::new_request_options);
  for (const char* timeout : {"connect-timeout", "first-byte-timeout", "between-bytes-timeout"}) {
    types.wrap(std::string("[method]request-options.") + timeout, self, &T::request_option);
    types.wrap(std::string("[method]request-options.set-") + timeout, self, &T::set_request_option);
  }
  // Serving HTTP (incoming requests, outgoing responses) is not part of WEFT: no such handle can exist.
  types.fallback = [](auto&) -> Result<Val> { return fail("wasi:http: serving incoming requests is not supported"); };
}

Own<Fields> HttpTypes::hand_out(std::shared_ptr<HttpState::Fields> fields) {
  uint32_t r = s_->rep();
  h_->fields[r] = std::move(fields);
  return {r};
}

Result<HttpState::Fields*> HttpTypes::fields(Borrow<Fields> self) {
  auto it = h_->fields.find(self.rep);
  if (it == h_->fields.end()) return fail("unknown fields");
  return it->second.get();
}

Result<HttpState::OutgoingRequest*> HttpTypes::request(Borrow<OutgoingRequest> self) {
  auto it = h_->requests.find(self.rep);
  if (it == h_->requests.end()) return fail("unknown outgoing-request");
  return &it->second;
}

Result<HttpState::IncomingResponse*> HttpTypes::response(Borrow<IncomingResponse> self) {
  auto it = h_->responses.find(self.rep);
  if (it == h_->responses.end()) return fail("unknown incoming-response");
  return &it->second;
}

Own<Fields> HttpTypes::new_fields() { return hand_out(std::make_shared<HttpState::Fields>(h_->field_bytes)); }

Result<Res<Own<Fields>, HeaderError>> HttpTypes::fields_from_list(FieldList entries) {
  auto f = std::make_shared<HttpState::Fields>(h_->field_bytes);
  for (auto& [name, value] : entries) {
    if (auto err = field_error(name, value.data)) return Res<Own<Fields>, HeaderError>::err(*err);
    WEFT_TRY_VOID(f->add(lower(name), std::move(value.data)));
  }
  return Res<Own<Fields>, HeaderError>::ok(hand_out(f));
}

Result<std::vector<Bytes>> HttpTypes::fields_get(Borrow<Fields> self, std::string name) {
  WEFT_TRY(HttpState::Fields * f, fields(self));
  std::vector<Bytes> out;
  for (const auto& [k, v] : f->entries())
    if (k == lower(name)) out.push_back({v});
  return out;
}

Result<bool> HttpTypes::fields_has(Borrow<Fields> self, std::string name) {
  WEFT_TRY(HttpState::Fields * f, fields(self));
  std::string n = lower(std::move(name));
  const auto& entries = f->entries();
  return std::any_of(entries.begin(), entries.end(), [&](auto& e) { return e.first == n; });
}

Result<HeaderAnswer> HttpTypes::edit(Borrow<Fields> self, const std::string& name, std::vector<std::string> values,
                                     bool replace) {
  WEFT_TRY(HttpState::Fields * f, fields(self));
  if (f->immutable) return HeaderAnswer::err({HeaderError::Case::immutable});
  std::string n = lower(name);
  for (const auto& v : values)
    if (auto err = field_error(n, v)) return HeaderAnswer::err(*err);
  if (!valid_name(n)) return HeaderAnswer::err({HeaderError::Case::invalid_syntax});
  if (replace) f->remove(n);
  for (auto& v : values) WEFT_TRY_VOID(f->add(n, std::move(v)));
  return HeaderAnswer::ok();
}

Result<HeaderAnswer> HttpTypes::fields_set(Borrow<Fields> self, std::string name, std::vector<Bytes> values) {
  std::vector<std::string> strings;
  for (auto& v : values) strings.push_back(std::move(v.data));
  return edit(self, name, std::move(strings), true);
}

Result<HeaderAnswer> HttpTypes::fields_delete(Borrow<Fields> self, std::string name) {
  return edit(self, name, {}, true);
}

Result<HeaderAnswer> HttpTypes::fields_append(Borrow<Fields> self, std::string name, Bytes value) {
  return edit(self, name, {std::move(value.data)}, false);
}

Result<FieldList> HttpTypes::fields_entries(Borrow<Fields> self) {
  WEFT_TRY(HttpState::Fields * f, fields(self));
  FieldList out;
  for (const auto& [k, v] : f->entries()) out.emplace_back(k, Bytes{v});
  return out;
}

Result<Own<Fields>> HttpTypes::fields_clone(Borrow<Fields> self) {
  WEFT_TRY(HttpState::Fields * f, fields(self));
  WEFT_TRY(auto copy, f->clone());
  return hand_out(std::move(copy));
}

Result<Own<OutgoingRequest>> HttpTypes::new_outgoing_request(Own<Fields> headers) {
  auto it = h_->fields.find(headers.rep);
  if (it == h_->fields.end()) return fail("unknown fields");
  HttpState::OutgoingRequest req;
  req.headers = it->second;
  req.headers->immutable = true;
  h_->fields.erase(it);  // the own<fields> moved into the request
  uint32_t r = s_->rep();
  h_->requests[r] = std::move(req);
  return Own<OutgoingRequest>{r};
}

Result<Once<Own<OutgoingBody>>> HttpTypes::request_body(Borrow<OutgoingRequest> self) {
  WEFT_TRY(HttpState::OutgoingRequest * req, request(self));
  if (req->body) return Once<Own<OutgoingBody>>::err();
  req->body = std::make_shared<HttpState::OutgoingBody>();
  uint32_t r = s_->rep();
  h_->bodies[r] = req->body;
  return Once<Own<OutgoingBody>>::ok({r});
}

Result<Done> HttpTypes::set_method(Borrow<OutgoingRequest> self, Method method) {
  WEFT_TRY(HttpState::OutgoingRequest * req, request(self));
  req->method = method.method == Method::Case::other ? method.other : kMethods[uint32_t(method.method)];
  return Done::ok();
}

Result<Done> HttpTypes::set_path_with_query(Borrow<OutgoingRequest> self, std::optional<std::string> path) {
  WEFT_TRY(HttpState::OutgoingRequest * req, request(self));
  req->path = path ? std::move(*path) : "/";
  return Done::ok();
}

Result<Done> HttpTypes::set_scheme(Borrow<OutgoingRequest> self, std::optional<Scheme> scheme) {
  WEFT_TRY(HttpState::OutgoingRequest * req, request(self));
  if (!scheme) return Done::ok();
  switch (scheme->scheme) {
    case Scheme::Case::http: req->scheme = "http"; break;
    case Scheme::Case::https: req->scheme = "https"; break;
    case Scheme::Case::other: req->scheme = lower(scheme->other); break;
  }
  return Done::ok();
}

Result<Done> HttpTypes::set_authority(Borrow<OutgoingRequest> self, std::optional<std::string> authority) {
  WEFT_TRY(HttpState::OutgoingRequest * req, request(self));
  req->authority = authority ? std::move(*authority) : "";
  return Done::ok();
}

Result<Own<Fields>> HttpTypes::request_headers(Borrow<OutgoingRequest> self) {
  WEFT_TRY(HttpState::OutgoingRequest * req, request(self));
  return hand_out(req->headers);  // immutable since the request took it: a second handle, not a copy
}

Result<Once<Own<OutputStream>>> HttpTypes::body_write(Borrow<OutgoingBody> self) {
  auto it = h_->bodies.find(self.rep);
  if (it == h_->bodies.end()) return fail("unknown outgoing-body");
  if (it->second->stream_taken) return Once<Own<OutputStream>>::err();
  it->second->stream_taken = true;
  uint32_t r = s_->rep();
  s_->outputs[r] = {-1, false, false, 0, nullptr, it->second->data};
  return Once<Own<OutputStream>>::ok({r});
}

Res<None, HttpErrorCode> HttpTypes::body_finish(Own<OutgoingBody> self, std::optional<Own<Fields>>) {
  h_->bodies.erase(self.rep);  // own<outgoing-body>: the request keeps the data
  return Res<None, HttpErrorCode>::ok();
}

Own<Pollable> HttpTypes::subscribe_response(Borrow<FutureIncomingResponse>) { return {s_->ready_pollable()}; }

Result<std::optional<Once<Res<Own<IncomingResponse>, HttpErrorCode>>>> HttpTypes::get_response(
    Borrow<FutureIncomingResponse> self) {
  using Outcome = Res<Own<IncomingResponse>, HttpErrorCode>;
  using Answer = Once<Outcome>;
  auto it = h_->futures.find(self.rep);
  if (it == h_->futures.end()) return fail("unknown future-incoming-response");
  auto& fut = it->second;
  if (fut.taken) return std::optional<Answer>(Answer::err());
  if (!fut.result) {
    const auto& req = fut.request;
    std::vector<std::pair<std::string, std::string>> headers(req.headers->entries().begin(),
                                                             req.headers->entries().end());
    std::optional<std::string> body;
    if (req.body) body = *req.body->data;
    fut.result = s_->config.http_client(req.scheme + "://" + req.authority + req.path, req.method, headers, body);
  }
  fut.taken = true;
  if (!fut.result->ok()) {
    const std::string& message = fut.result->error().message;
    HttpErrorCode code = message.starts_with("capability ") ? HttpErrorCode::request_denied()
                                                            : HttpErrorCode::internal_error(message);
    return std::optional<Answer>(Answer::ok(Outcome::err(std::move(code))));
  }
  HttpResponse& resp = fut.result->value();
  HttpState::IncomingResponse in;
  in.status = resp.status;
  in.headers = std::make_shared<HttpState::Fields>(h_->field_bytes);
  for (auto& [k, v] : resp.headers) {
    if (!valid_name(k) || !valid_value(v)) continue;
    if (auto added = in.headers->add(lower(k), v); !added) {
      auto code = HttpErrorCode::internal_error("response headers: " + added.error().message);
      return std::optional<Answer>(Answer::ok(Outcome::err(std::move(code))));
    }
  }
  in.headers->immutable = true;
  in.body = std::make_shared<const std::string>(std::move(resp.body));
  uint32_t r = s_->rep();
  h_->responses[r] = std::move(in);
  return std::optional<Answer>(Answer::ok(Outcome::ok({r})));
}

Result<uint16_t> HttpTypes::response_status(Borrow<IncomingResponse> self) {
  WEFT_TRY(HttpState::IncomingResponse * r, response(self));
  return r->status;
}

Result<Own<Fields>> HttpTypes::response_headers(Borrow<IncomingResponse> self) {
  WEFT_TRY(HttpState::IncomingResponse * r, response(self));
  return hand_out(r->headers);
}

Result<Once<Own<IncomingBody>>> HttpTypes::response_consume(Borrow<IncomingResponse> self) {
  WEFT_TRY(HttpState::IncomingResponse * r, response(self));
  if (r->consumed) return Once<Own<IncomingBody>>::err();
  r->consumed = true;
  uint32_t b = s_->rep();
  h_->incoming_bodies[b] = {r->body, false};
  return Once<Own<IncomingBody>>::ok({b});
}

Result<Once<Own<InputStream>>> HttpTypes::incoming_body_stream(Borrow<IncomingBody> self) {
  auto it = h_->incoming_bodies.find(self.rep);
  if (it == h_->incoming_bodies.end()) return fail("unknown incoming-body");
  auto& [body, stream_taken] = it->second;
  if (stream_taken) return Once<Own<InputStream>>::err();
  stream_taken = true;
  uint32_t r = s_->rep();
  s_->inputs[r] = {-1, 0, nullptr, body};
  return Once<Own<InputStream>>::ok({r});
}

Own<FutureTrailers> HttpTypes::incoming_body_finish(Own<IncomingBody> self) {
  h_->incoming_bodies.erase(self.rep);
  return {s_->rep()};  // future-trailers: resolves to no trailers
}

Own<Pollable> HttpTypes::subscribe_trailers(Borrow<FutureTrailers>) { return {s_->ready_pollable()}; }

std::optional<Once<Res<std::optional<Own<Fields>>, HttpErrorCode>>> HttpTypes::get_trailers(Borrow<FutureTrailers>) {
  using Outcome = Res<std::optional<Own<Fields>>, HttpErrorCode>;
  return Once<Outcome>::ok(Outcome::ok(std::nullopt));
}

Own<RequestOptions> HttpTypes::new_request_options() { return {s_->rep()}; }

std::optional<uint64_t> HttpTypes::request_option(Borrow<RequestOptions>) { return std::nullopt; }

Done HttpTypes::set_request_option(Borrow<RequestOptions>, std::optional<uint64_t>) { return Done::ok(); }

}  // namespace

void install_wasi_http(State& st, HostRegistry& registry) {
  st.http = std::make_shared<HttpState>();
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
  std::make_shared<HttpTypes>(st)->install(types);

  auto& handler = registry.add("wasi:http/outgoing-handler@0.2.12");
  for (const char* shared : {"outgoing-request", "future-incoming-response", "request-options"})
    handler.resources[shared] = types.resources[shared];
  handler.wrap("handle", std::make_shared<OutgoingHandler>(st), &OutgoingHandler::handle);
}

}  // namespace weft::runtime
