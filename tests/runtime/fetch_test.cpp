// weft:app/fetch and wasi:http's transport (spec §4.5) against scripted servers on loopback: hostile framing, size
// caps, redirects and the address policy on what a name resolves to. A loopback address is reachable only through a
// grant naming exactly that IPv4 address, so every test grants net:fetch:127.0.0.1.

#include <gtest/gtest.h>

#include "scripted_http_server.hpp"
#include "weft/core/app_errors.hpp"
#include "weft/runtime/cli_options.hpp"
#include "weft/runtime/http_response_head.hpp"
#include "weft/runtime/weft_app_host.hpp"

namespace app_error = weft::app_error;  // spec error strings

namespace weft::runtime {
namespace {

using test::ScriptedHttpServer;

constexpr size_t kMaxResponseBody = 16u << 20;  // bytes (§4.5)

std::vector<Capability> grants(const char* text) { return {parse_grant(text).value()}; }

Result<HttpResponse> get(const std::string& url, const char* grant = "net:fetch:127.0.0.1") {
  return http_request(grants(grant), url, "GET", {}, std::nullopt);
}

std::string chunked_head() { return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"; }

std::string describe(const Result<HttpResponse>& r) {
  if (!r) return "error: " + r.error().message;
  return "status " + std::to_string(r->status) + ", " + std::to_string(r->body.size()) + " body bytes";
}

/// The error a response with broken framing gets (libcurl's reason follows).
const std::string kMalformed = "receiving the response from 127.0.0.1 failed: ";

TEST(Fetch, AChunkSizeThatOverflowsIsAnErrorNotABodyWithFramingBytes) {
  ScriptedHttpServer server(chunked_head() + "ffffffffffffffff\r\nx\r\n0\r\n\r\n");
  auto r = get(server.url());
  ASSERT_FALSE(r.ok()) << "expected a malformed-response error, got " << describe(r);
  EXPECT_TRUE(r.error().message.starts_with(kMalformed)) << r.error().message;
}

TEST(Fetch, ThreeHundredKilobytesOfOverflowingChunkSizesAreOneErrorWithoutGrowingMemory) {
  // Each size line overflows 64 bits; a parser that wraps `pos + size` re-appends the rest of the response once per
  // line (quadratic: gigabytes for 300 KB, bad_alloc under any memory limit).
  std::string lines;
  while (lines.size() < 300 * 1024) lines += std::string(17, 'f') + "\r\n";
  ScriptedHttpServer server(chunked_head() + lines + "0\r\n\r\n");
  auto r = get(server.url());
  ASSERT_FALSE(r.ok()) << "expected a malformed-response error, got " << describe(r);
  EXPECT_TRUE(r.error().message.starts_with(kMalformed)) << r.error().message;
}

TEST(Fetch, AThreeHundredKilobyteChunkedResponseArrivesWhole) {
  std::string body, wire;
  for (int i = 0; i < 300; ++i) {
    std::string chunk(1024, char('a' + i % 26));
    body += chunk;
    wire += "400\r\n" + chunk + "\r\n";
  }
  ScriptedHttpServer server(chunked_head() + wire + "0\r\n\r\n");
  auto r = get(server.url());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body == body) << "got " << r->body.size() << " bytes, expected " << body.size();
}

TEST(Fetch, AChunkedBodyOverTheCapIsRefusedWithTheSpecString) {
  std::string chunk(1 << 20, 'z');
  std::string wire = chunked_head();
  for (size_t sent = 0; sent <= kMaxResponseBody; sent += chunk.size()) wire += "100000\r\n" + chunk + "\r\n";
  wire += "0\r\n\r\n";
  ScriptedHttpServer server(std::move(wire));
  auto r = get(server.url());
  ASSERT_FALSE(r.ok()) << describe(r);
  EXPECT_EQ(r.error().message, app_error::kResponseTooLarge);
}

TEST(Fetch, AnAnnouncedContentLengthOverTheCapIsRefusedWithTheSpecString) {
  ScriptedHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kMaxResponseBody + 1) +
                            "\r\n\r\n" + std::string(kMaxResponseBody + 1, 'z'));
  auto r = get(server.url());
  ASSERT_FALSE(r.ok()) << describe(r);
  EXPECT_EQ(r.error().message, app_error::kResponseTooLarge);
}

TEST(Fetch, ABodyOfExactlyTheCapIsDelivered) {
  ScriptedHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kMaxResponseBody) + "\r\n\r\n" +
                            std::string(kMaxResponseBody, 'z'));
  auto r = get(server.url());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->body.size(), kMaxResponseBody);
}

TEST(Fetch, ARedirectToADisallowedAddressIsReturnedAndNotFollowed) {
  ScriptedHttpServer elsewhere("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret", "127.0.0.2");
  ScriptedHttpServer server("HTTP/1.1 302 Found\r\nLocation: " + elsewhere.url("/x") + "\r\nContent-Length: 0\r\n\r\n");
  auto r = get(server.url());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 302);
  bool location = false;
  for (const auto& [name, value] : r->headers) location |= name == "location" && value == elsewhere.url("/x");
  EXPECT_TRUE(location) << "the Location header must reach the caller";
  EXPECT_TRUE(r->body.empty());
  EXPECT_FALSE(elsewhere.connected()) << "the redirect target was contacted";
}

TEST(Fetch, ANameResolvingOnlyToLoopbackHasNoPublicAddress) {
  ScriptedHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno");
  auto r = get("http://localhost:" + std::to_string(server.port()) + "/", "net:fetch:*");
  ASSERT_FALSE(r.ok()) << describe(r);
  EXPECT_EQ(r.error().message, "'localhost' has no public address (loopback, private and reserved ranges are refused)");
  EXPECT_FALSE(server.connected());
}

TEST(Fetch, AnExactIpv4GrantReachesOnlyThatAddress) {
  ScriptedHttpServer other("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nno", "127.0.0.2");
  auto r = http_request(grants("net:fetch:127.0.0.1"), other.url(), "GET", {}, std::nullopt);
  ASSERT_FALSE(r.ok()) << describe(r);
  EXPECT_EQ(r.error().message, app_error::not_granted("net:fetch:127.0.0.2"));
  EXPECT_FALSE(other.connected());
}

TEST(Fetch, TheRequestCarriesTheCallersMethodHeadersAndBodyAndNothingOfTheClientsOwn) {
  ScriptedHttpServer server("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Multi: a\r\nX-Multi: b\r\n"
                            "Content-Length: 2\r\n\r\n{}");
  auto r = http_request(grants("net:fetch:127.0.0.1"), server.url("/items?q=1#frag"), "POST",
                        {{"X-Token", "t1"}, {"Content-Type", "text/plain"}}, std::string("hello"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "{}");
  std::vector<std::pair<std::string, std::string>> expected = {
      {"content-type", "application/json"}, {"x-multi", "a"}, {"x-multi", "b"}, {"content-length", "2"}};
  EXPECT_EQ(r->headers, expected);
  std::string request = server.request();
  EXPECT_TRUE(request.starts_with("POST /items?q=1 HTTP/1.1\r\n")) << request;
  EXPECT_NE(request.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nX-Token: t1\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nContent-Type: text/plain\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("\r\nContent-Length: 5\r\n"), std::string::npos) << request;
  EXPECT_TRUE(request.ends_with("\r\n\r\nhello")) << request;
  EXPECT_EQ(request.find("urlencoded"), std::string::npos) << request;
  EXPECT_EQ(request.find("Expect:"), std::string::npos) << request;
}

TEST(Fetch, CredentialsInTheUrlAreNeverSent) {
  ScriptedHttpServer server("HTTP/1.1 204 No Content\r\n\r\n");
  std::string url = "http://user:pass@127.0.0.1:" + std::to_string(server.port()) + "/";
  auto r = get(url);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(server.request().find("Authorization"), std::string::npos) << server.request();
}

TEST(Fetch, AHeadRequestEndsAfterTheHeadEvenWithAnAnnouncedLength) {
  ScriptedHttpServer server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  auto r = http_request(grants("net:fetch:127.0.0.1"), server.url(), "HEAD", {}, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  EXPECT_TRUE(server.request().starts_with("HEAD / HTTP/1.1\r\n")) << server.request();
}

TEST(Fetch, AMalformedStatusLineIsAnError) {
  ScriptedHttpServer server("SSH-2.0-OpenSSH\r\n\r\n");
  auto r = get(server.url());
  EXPECT_FALSE(r.ok()) << describe(r);
}

TEST(Fetch, ResponseHeadersOverTheirCapAreAnError) {
  std::string head = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 400; ++i) head += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'h') + "\r\n";
  ScriptedHttpServer server(head + "Content-Length: 0\r\n\r\n");
  auto r = get(server.url());
  ASSERT_FALSE(r.ok()) << describe(r);
  EXPECT_TRUE(r.error().message.starts_with("response headers exceed ")) << r.error().message;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

Fields head_of(std::initializer_list<std::string_view> lines) {
  HttpResponseHead head;
  for (auto line : lines) EXPECT_TRUE(head.add_line(line).ok()) << line;
  return head.fields();
}

TEST(HttpResponseHead, OnlyTheFinalHeadAfterInterimResponsesCounts) {
  EXPECT_EQ(head_of({"HTTP/1.1 100 Continue\r\n", "X-Interim: 1\r\n", "\r\n", "HTTP/1.1 200 OK\r\n",
                     "Content-Type:  text/plain \r\n", "\r\n"}),
            (Fields{{"content-type", "text/plain"}}));
}

TEST(HttpResponseHead, FoldedLinesContinueTheFieldAndMalformedLinesAreDropped) {
  EXPECT_EQ(head_of({"HTTP/1.1 200 OK\r\n", "X-Folded: one\r\n", " \t two\r\n", "Bad Name: x\r\n", "no colon\r\n",
                     "X-Ctl: a\rb\r\n", ": empty name\r\n", "X-Empty:\r\n"}),
            (Fields{{"x-folded", "one two"}, {"x-empty", ""}}));
}

TEST(HttpResponseHead, LinesPastTheCapFailNamingIt) {
  HttpResponseHead head(10);
  EXPECT_TRUE(head.add_line("A: 123456\n").ok());
  auto r = head.add_line("B: 1\r\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "response headers exceed 10 bytes");
}

}  // namespace
}  // namespace weft::runtime
