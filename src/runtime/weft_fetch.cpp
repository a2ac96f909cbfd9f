// weft:app/fetch and wasi:http's transport (spec §4.5): the URL, method and header policy and the grant check, then
// one libcurl transfer. libcurl resolves, but every address it tries to connect to passes the address policy in the
// socket callback first (and the connected peer again before the request goes out), so the connection always uses a
// checked address and nothing re-resolves. Redirects are returned; head and body are capped as they arrive.

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "weft/runtime/weft_app_host.hpp"

#include "curl.hpp"
#include "weft/core/app_errors.hpp"
#include "weft/runtime/http_response_head.hpp"

namespace weft::runtime {
namespace {

constexpr long kConnectTimeoutMs = 10'000;    // ms, name resolution included
constexpr long kRequestTimeoutMs = 30'000;    // ms, the whole request

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

bool in4(uint32_t a, uint32_t net, int bits) { return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits)); }

bool public_v4(uint32_t a) {  // host byte order
  static const std::pair<uint32_t, int> blocked[] = {
      {0x00000000, 8},  {0x0a000000, 8},  {0x64400000, 10}, {0x7f000000, 8},  {0xa9fe0000, 16}, {0xac100000, 12},
      {0xc0000000, 24}, {0xc0000200, 24}, {0xc0a80000, 16}, {0xc6120000, 15}, {0xc6336400, 24}, {0xcb007100, 24},
      {0xe0000000, 4},  {0xf0000000, 4},
  };
  for (auto [net, bits] : blocked)
    if (in4(a, net, bits)) return false;
  return true;
}

bool public_v6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  static const uint8_t zero[16] = {};
  if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return false;  // unspecified, loopback
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, mapped, 12) == 0) return public_v4(uint32_t(b[12]) << 24 | b[13] << 16 | b[14] << 8 | b[15]);
  if ((b[0] & 0xfe) == 0xfc) return false;                       // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;       // fe80::/10 link-local
  if (b[0] == 0xff) return false;                                // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // 2001:db8::/32 documentation
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) return false;  // 64:ff9b::/96, 64:ff9b:1::/48
  return true;
}

/// Where one request may connect: exactly the granted IPv4 address, or public unicast addresses only.
struct AddressPolicy {
  std::optional<in_addr> exact;

  bool allows(const sockaddr* sa) const {
    if (sa->sa_family == AF_INET) {
      in_addr a = reinterpret_cast<const sockaddr_in*>(sa)->sin_addr;
      return exact ? a.s_addr == exact->s_addr : public_v4(ntohl(a.s_addr));
    }
    if (sa->sa_family == AF_INET6) return !exact && public_v6(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr);
    return false;
  }
};

/// A URL the policy accepted, parsed once by libcurl (the transfer uses the same parsed handle).
struct Target {
  curl::Url url;
  std::string host;  // lowercase, without the brackets of an IPv6 literal
  bool ipv6_literal = false;
};

Result<Target> parse_target(const std::string& text) {
  // Only the scheme is read before libcurl sees the URL, so that a refusal names it as the guest wrote it.
  size_t sep = text.find("://");
  if (sep == std::string::npos) return fail(app_error::unsupported_scheme(text.substr(0, text.find(':'))));
  std::string scheme = lower(text.substr(0, sep));
  if (scheme != "http" && scheme != "https") return fail(app_error::unsupported_scheme(scheme));
  WEFT_TRY(curl::Url url, curl::Url::parse(text, 0));
  if (lower(url.part(CURLUPART_SCHEME).value_or("")) != scheme) return fail("invalid URL '" + text + "'");
  // No credentials leave the runtime (§4.5): user name, password and login options are dropped.
  for (CURLUPart p : {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS}) WEFT_TRY_VOID(url.clear(p));
  Target t{std::move(url), {}, false};
  t.host = lower(t.url.part(CURLUPART_HOST).value_or(""));
  if (t.host.size() >= 2 && t.host.front() == '[' && t.host.back() == ']') {
    t.host = t.host.substr(1, t.host.size() - 2);
    t.ipv6_literal = true;
  }
  if (t.host.empty()) return fail("invalid URL '" + text + "': no host");
  return t;
}

Result<void> check_request(const std::vector<Capability>& grants, const Target& t, const std::string& method,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           const std::optional<std::string>& body) {
  if (auto refusal = fetch_refusal(grants, t.host); !refusal.empty()) return fail(refusal);
  if (t.ipv6_literal && std::none_of(grants.begin(), grants.end(), [](const Capability& c) { return c.kind == CapabilityKind::net_fetch_any; }))
    return fail(app_error::not_granted("net:fetch:" + t.host));
  static const char* const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  if (std::find(std::begin(methods), std::end(methods), method) == std::end(methods))
    return fail(app_error::unsupported_method(method));
  static const char* const forbidden[] = {"host", "content-length", "transfer-encoding", "connection", "keep-alive",
                                          "te", "trailer", "upgrade"};
  for (const auto& [name, value] : headers) {
    std::string l = lower(name);
    if (std::find(std::begin(forbidden), std::end(forbidden), l) != std::end(forbidden) || l.starts_with("proxy-"))
      return fail(app_error::header_set_by_runtime(name));
    if (!is_http_token(name) || value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
      return fail(app_error::invalid_header(name));
  }
  if (body && body->size() > kMaxHttpBody) return fail("request body exceeds " + std::to_string(kMaxHttpBody) + " bytes");
  return ok();
}

/// The caller's header lines, plus removals of the ones libcurl would add on its own (it sends no others).
Result<curl::HeaderList> request_headers(const std::vector<std::pair<std::string, std::string>>& headers) {
  curl::HeaderList list;
  for (const auto& [name, value] : headers)  // "Name;" is libcurl's spelling of a header with an empty value
    WEFT_TRY_VOID(list.append(value.empty() ? name + ";" : name + ": " + value));
  for (const char* added : {"accept", "expect", "content-type"})
    if (std::none_of(headers.begin(), headers.end(), [&](const auto& h) { return lower(h.first) == added; }))
      WEFT_TRY_VOID(list.append(std::string(added) + ":"));
  return list;
}

/// What one transfer saw, beyond what libcurl reports.
struct Observed {
  HttpResponseHead head;
  std::optional<Error> head_error;
  std::string body;
  bool body_too_large = false;
  bool refused_address = false;  // the policy turned an address down
  bool allowed_address = false;  // and let one through
};

Error transport_error(const Error& e, const Observed& seen, const std::string& host, long connect_time) {
  if (seen.body_too_large || e.code == CURLE_FILESIZE_EXCEEDED) return Error(std::string(app_error::kResponseTooLarge));
  if (seen.head_error) return *seen.head_error;
  if (seen.refused_address && (!seen.allowed_address || e.code == CURLE_ABORTED_BY_CALLBACK))
    return Error("'" + host + "' has no public address (loopback, private and reserved ranges are refused)");
  switch (e.code) {
    case CURLE_COULDNT_RESOLVE_HOST: return Error("cannot resolve '" + host + "': " + e.message);
    case CURLE_COULDNT_CONNECT: return Error("cannot connect to " + host + ": " + e.message);
    case CURLE_OPERATION_TIMEDOUT:
      if (connect_time == 0) return Error("cannot connect to " + host + ": " + e.message);
      return Error("the request did not finish within 30 s");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
      return Error("TLS handshake with " + host + " failed: " + e.message);
    case CURLE_SEND_ERROR: return Error("sending the request to " + host + " failed: " + e.message);
    default: return Error("receiving the response from " + host + " failed: " + e.message);
  }
}

}  // namespace

Result<HttpResponse> http_request(const std::vector<Capability>& grants, const std::string& url,
                                  const std::string& method,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  const std::optional<std::string>& body) {
  WEFT_TRY(Target target, parse_target(url));
  WEFT_TRY_VOID(check_request(grants, target, method, headers, body));
  AddressPolicy policy;
  for (const Capability& c : grants)
    if (c.kind == CapabilityKind::net_fetch_host && c.host == target.host && is_dotted_ipv4(c.host)) {
      in_addr a{};
      if (::inet_pton(AF_INET, c.host.c_str(), &a) == 1) policy.exact = a;
    }
  WEFT_TRY(curl::HeaderList header_list, request_headers(headers));

  WEFT_TRY(curl::Transfer t, curl::Transfer::create());
  Observed seen;
  t.filter_addresses([&](const sockaddr* address) {
    bool allowed = policy.allows(address);
    (allowed ? seen.allowed_address : seen.refused_address) = true;
    return allowed;
  });
  t.on_header([&](std::string_view line) {
    if (auto r = seen.head.add_line(line); !r) {
      seen.head_error = r.error();
      return false;
    }
    return true;
  });
  t.on_body([&](std::string_view data) {
    if (data.size() > kMaxHttpBody - seen.body.size()) {
      seen.body_too_large = true;
      return false;
    }
    seen.body.append(data);
    return true;
  });
  t.set(CURLOPT_CURLU, target.url.get());
  t.set(CURLOPT_PROTOCOLS_STR, "http,https");
  t.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  t.set(CURLOPT_FOLLOWLOCATION, 0L);  // redirects are returned to the guest (§4.5)
  t.set(CURLOPT_PROXY, "");            // no proxy, whatever the environment says
  t.set(CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_1_1));
  t.set(CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  t.set(CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
  t.set(CURLOPT_MAXFILESIZE_LARGE, curl_off_t(kMaxHttpBody));  // refuses an announced length early
  t.set(CURLOPT_HTTPHEADER, header_list.get());
  if (method == "HEAD") {
    t.set(CURLOPT_NOBODY, 1L);
  } else if (method != "GET" || body) {
    t.set(CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  if (body && method != "HEAD") {
    t.set(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body->size()));
    t.set(CURLOPT_POSTFIELDS, body->data());
  }
  if (auto r = t.perform(); !r) return fail(transport_error(r.error(), seen, target.host, t.info(CURLINFO_CONNECT_TIME_T)));

  HttpResponse out;
  out.status = uint16_t(t.info(CURLINFO_RESPONSE_CODE));
  out.headers = seen.head.take_fields();
  out.body = std::move(seen.body);
  return out;
}

Result<Val> perform_fetch(const std::vector<Capability>& grants, const std::string& url, const std::string& method,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::optional<std::string>& body) {
  WEFT_TRY(HttpResponse r, http_request(grants, url, method, headers, body));
  std::string content_type;
  for (const auto& [name, value] : r.headers)
    if (name == "content-type")  // reaches the guest as a WIT string: printable ASCII only
      for (char c : value) content_type += (c >= 0x20 && c < 0x7f) ? c : '?';
  return Val::record({Val::number(r.status), Val::string(content_type), Val::bytes(r.body.data(), r.body.size())});
}

}  // namespace weft::runtime
