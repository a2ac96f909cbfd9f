// weft:app/fetch (spec §4.5): URL, method and header policy, the grant check, address filtering of every resolved
// address, and HTTP/1.1 over a socket connected to a checked address (no re-resolution). Redirects are returned.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "weft/runtime/weft_app_host.hpp"

#include "fetch_tls.hpp"
#include "weft/core/app_errors.hpp"

namespace weft::runtime {
namespace {

constexpr size_t kMaxBody = 16u << 20;  // bytes, request and response
constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr auto kRequestTimeout = std::chrono::seconds(30);

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

struct Url {
  std::string scheme, host, path;
  uint16_t port = 80;
  bool ipv6_literal = false;
};

Result<Url> parse_url(const std::string& url) {
  Url u;
  size_t sep = url.find("://");
  if (sep == std::string::npos) return fail(app_error::unsupported_scheme(url.substr(0, url.find(':'))));
  u.scheme = lower(url.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return fail(app_error::unsupported_scheme(u.scheme));
  u.port = u.scheme == "https" ? 443 : 80;
  std::string rest = url.substr(sep + 3);
  size_t path_start = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, path_start);
  u.path = path_start == std::string::npos ? "/" : rest.substr(path_start);
  if (u.path.front() != '/') u.path = "/" + u.path;
  if (size_t hash = u.path.find('#'); hash != std::string::npos) u.path.resize(hash);
  if (size_t at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::string port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return fail("invalid URL '" + url + "'");
    u.host = lower(authority.substr(1, close - 1));
    u.ipv6_literal = true;
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fail("invalid URL '" + url + "'");
      port_text = authority.substr(close + 2);
    }
  } else {
    size_t colon = authority.find(':');
    u.host = lower(authority.substr(0, colon));
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) return fail("invalid URL '" + url + "': no host");
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), ::isdigit) || std::stoul(port_text) > 65535)
      return fail("invalid URL '" + url + "': bad port");
    u.port = uint16_t(std::stoul(port_text));
  }
  for (char c : u.path)
    if (c <= ' ' || c == 0x7f) return fail("invalid URL '" + url + "': the path contains spaces or control characters");
  return u;
}

bool is_token(const std::string& s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c))) return false;
  return true;
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

bool is_public(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) return public_v4(ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr));
  if (sa->sa_family == AF_INET6) return public_v6(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr);
  return false;
}

/// Connects to one of `addrs` within the connect timeout.
Result<UniqueFd> connect_any(const std::vector<sockaddr_storage>& addrs, const std::string& host) {
  std::string last = "no address";
  for (const auto& ss : addrs) {
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    UniqueFd sock(fd);
    socklen_t len = ss.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&ss), len) < 0 && errno != EINPROGRESS) {
      last = std::strerror(errno);
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int ready = ::poll(&p, 1, int(std::chrono::milliseconds(kConnectTimeout).count()));
    int err = 0;
    socklen_t elen = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
    if (ready == 1 && err == 0) return sock;
    last = ready == 0 ? "connect timed out" : std::strerror(err);
  }
  return fail("cannot connect to " + host + ": " + last);
}

Result<std::string> exchange(int fd, const std::string& request, std::chrono::steady_clock::time_point deadline) {
  size_t done = 0;
  std::string response;
  char buf[65536];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return fail("the request did not finish within 30 s");
    pollfd p{fd, short(done < request.size() ? POLLOUT : POLLIN), 0};
    if (::poll(&p, 1, int(left.count())) <= 0) continue;
    if (done < request.size()) {
      ssize_t n = ::send(fd, request.data() + done, request.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return fail(std::string("sending the request failed: ") + std::strerror(errno));
      if (n > 0) done += size_t(n);
      continue;
    }
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return fail(std::string("reading the response failed: ") + std::strerror(errno));
    if (n == 0) return response;
    response.append(buf, size_t(n));
    if (response.size() > kMaxBody + 65536) return fail(std::string(app_error::kResponseTooLarge));
  }
}

Result<std::string> dechunk(const std::string& body) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t eol = body.find("\r\n", pos);
    if (eol == std::string::npos) return fail("malformed chunked response");
    size_t size = std::strtoul(body.substr(pos, eol - pos).c_str(), nullptr, 16);
    pos = eol + 2;
    if (size == 0) return out;
    if (pos + size > body.size()) return fail("truncated chunked response");
    out.append(body, pos, size);
    pos += size + 2;
  }
}

}  // namespace

Result<HttpResponse> http_request(const std::vector<Capability>& grants, const std::string& url,
                                  const std::string& method,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  const std::optional<std::string>& body) {
  WEFT_TRY(Url u, parse_url(url));
  if (auto refusal = fetch_refusal(grants, u.host); !refusal.empty()) return fail(refusal);
  if (u.ipv6_literal && std::none_of(grants.begin(), grants.end(), [](const Capability& c) { return c.kind == CapabilityKind::net_fetch_any; }))
    return fail(app_error::not_granted("net:fetch:" + u.host));
  static const char* const methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  if (std::find(std::begin(methods), std::end(methods), method) == std::end(methods))
    return fail(app_error::unsupported_method(method));
  static const char* const forbidden[] = {"host", "content-length", "transfer-encoding", "connection", "keep-alive",
                                          "te", "trailer", "upgrade"};
  for (const auto& [name, value] : headers) {
    std::string l = lower(name);
    if (std::find(std::begin(forbidden), std::end(forbidden), l) != std::end(forbidden) || l.starts_with("proxy-"))
      return fail(app_error::header_set_by_runtime(name));
    if (!is_token(name) || value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
      return fail(app_error::invalid_header(name));
  }
  if (body && body->size() > kMaxBody) return fail("request body exceeds 16777216 bytes");

  // Every resolved address is checked; a grant naming an IPv4 address reaches exactly that address.
  bool exact_ipv4 = std::any_of(grants.begin(), grants.end(), [&](const Capability& c) {
    return c.kind == CapabilityKind::net_fetch_host && c.host == u.host && is_dotted_ipv4(c.host);
  });
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(u.host.c_str(), std::to_string(u.port).c_str(), &hints, &res);
  if (rc != 0) return fail("cannot resolve '" + u.host + "': " + ::gai_strerror(rc));
  std::vector<sockaddr_storage> addrs;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    if (!exact_ipv4 && !is_public(ai->ai_addr)) continue;
    sockaddr_storage ss{};
    std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    addrs.push_back(ss);
  }
  ::freeaddrinfo(res);
  if (addrs.empty()) return fail("'" + u.host + "' has no public address (loopback, private and reserved ranges are refused)");
  WEFT_TRY(UniqueFd sock, connect_any(addrs, u.host));
  std::string host_header = u.ipv6_literal ? "[" + u.host + "]" : u.host;
  if (u.port != (u.scheme == "https" ? 443 : 80)) host_header += ":" + std::to_string(u.port);
  std::string request = method + " " + u.path + " HTTP/1.1\r\nHost: " + host_header + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (body) request += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  request += "\r\n";
  if (body) request += *body;
  auto deadline = std::chrono::steady_clock::now() + kRequestTimeout;
  std::string response;
  if (u.scheme == "https") {
    WEFT_TRY(response, tls_exchange(std::move(sock), u.host, u.port, request, deadline, kMaxBody + 65536));
  } else {
    WEFT_TRY(response, exchange(sock.get(), request, deadline));
  }

  size_t header_end = response.find("\r\n\r\n");
  if (header_end == std::string::npos || !response.starts_with("HTTP/1.")) return fail("malformed HTTP response");
  std::string head = response.substr(0, header_end);
  std::string content = response.substr(header_end + 4);
  size_t sp = head.find(' ');
  int status = sp == std::string::npos ? 0 : std::atoi(head.c_str() + sp + 1);
  if (status < 100 || status > 999) return fail("malformed HTTP status line");
  HttpResponse out;
  out.status = uint16_t(status);
  bool chunked = false;
  size_t line_start = head.find("\r\n");
  while (line_start != std::string::npos) {
    size_t next = head.find("\r\n", line_start + 2);
    std::string line = head.substr(line_start + 2, next == std::string::npos ? std::string::npos : next - line_start - 2);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
      if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) chunked = true;
      out.headers.push_back({name, value});
    }
    line_start = next;
  }
  if (method == "HEAD") content.clear();
  if (chunked) {
    WEFT_TRY(content, dechunk(content));
  }
  if (content.size() > kMaxBody) return fail(std::string(app_error::kResponseTooLarge));
  out.body = std::move(content);
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
