// weft-file-portal (§7.1) end to end: confinement (`..`, outside paths, symlinks, a symlink swapped during requests),
// read-only roots, exact response shapes, and large files.

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "weft/core/child_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/ipc/errors.hpp"
#include "weft/test/build_dir.hpp"
#include "weft/test/line_reader.hpp"
#include "weft/test/temp_dir.hpp"

namespace says = weft::ipc::error_message;  // spec error strings

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using weft::test::read_text;
using weft::test::write_file;

// The portal's `bad request: <why>` line as sent, `why` already JSON-escaped.
std::string bad_request_line(std::string_view why) {
  return R"({"error":")" + says::bad_request(why) + R"("})";
}

std::string portal_binary() { return weft::test::executable("weft-file-portal"); }
std::string b64(const std::string& s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}
std::string unb64(const std::string& s) {
  std::string out(s.size(), '\0');
  size_t len = 0;
  EXPECT_EQ(sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(), s.size(), nullptr,
                              &len, nullptr, sodium_base64_VARIANT_ORIGINAL),
            0);
  out.resize(len);
  return out;
}

class Client {
 public:
  explicit Client(const std::string& socket) {
    auto fd = weft::connect_unix(socket);
    EXPECT_TRUE(fd.ok()) << (fd.ok() ? "" : fd.error().message);
    if (fd.ok()) fd_ = std::move(*fd);
    reader_ = weft::test::LineReader(fd_.get());
  }
  std::string raw(const std::string& line) {
    EXPECT_TRUE(weft::write_all(fd_.get(), line + "\n").ok());
    return reader_.next(std::chrono::seconds(60)).value_or("<closed>");
  }
  json call(const json& request) { return json::parse(raw(request.dump())); }

 private:
  weft::UniqueFd fd_;
  weft::test::LineReader reader_{-1};
};

class PortalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    base_ = dir_.path();
    rw_ = base_ / "rw";
    ro_ = base_ / "ro";
    outside_ = base_ / "outside";
    for (const auto& d : {rw_, ro_, outside_}) fs::create_directories(d);
    write_file(outside_ / "secret.txt", "SECRET");
    write_file(ro_ / "readme.txt", "read only");
    socket_ = (base_ / "portal.sock").string();
  }
  void TearDown() override {
    if (portal_.running()) portal_.terminate();
  }
  void start(bool with_roots = true) {
    weft::SpawnOptions o;
    o.argv = {portal_binary(), socket_};
    if (with_roots) o.argv.insert(o.argv.end(), {"--allow", rw_.string(), "--allow-read", ro_.string()});
    o.inherit_environment = true;
    auto child = weft::ChildProcess::spawn(o);
    ASSERT_TRUE(child.ok());
    portal_ = std::move(*child);
    for (int i = 0; i < 1000 && !fs::exists(socket_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(fs::exists(socket_)) << "portal did not bind its socket";
  }
  json denied(const fs::path& p) { return json{{"error", says::access_denied(p.string())}}; }

  weft::test::TempDir dir_{"portal-test"};
  fs::path base_, rw_, ro_, outside_;
  std::string socket_;
  weft::ChildProcess portal_;
};

TEST_F(PortalTest, WriteReadAndListUseTheCompatShapes) {
  start();
  Client c(socket_);
  EXPECT_EQ(c.raw(json{{"op", "write"}, {"path", (rw_ / "a/b/note.txt").string()}, {"data_b64", b64("hello")}}.dump()),
            "null");
  EXPECT_EQ(fs::status(rw_ / "a/b/note.txt").permissions(), fs::perms(0600));
  EXPECT_EQ(read_text(rw_ / "a/b/note.txt"), "hello");
  EXPECT_EQ(c.call({{"op", "read"}, {"path", (rw_ / "a/b/note.txt").string()}}), (json{{"data_b64", b64("hello")}}));
  write_file(rw_ / "a/B", "");
  write_file(rw_ / "a/-", "");
  EXPECT_EQ(c.call({{"op", "list"}, {"path", (rw_ / "a").string()}}), (json{{"entries", {"-", "B", "b"}}}));
  EXPECT_EQ(c.call({{"op", "read"}, {"path", (ro_ / "readme.txt").string()}}), (json{{"data_b64", b64("read only")}}));
  EXPECT_EQ(c.call({{"op", "read"}, {"path", (rw_ / "missing").string()}}),
            (json{{"error", "No such file or directory"}}));
  EXPECT_EQ(fs::status(socket_).permissions() & fs::perms::all, fs::perms(0600));
}

TEST_F(PortalTest, DotDotOutsideRootsRelativePathsAndNearMissPrefixesAreDenied) {
  fs::create_directories(base_ / "rw2");
  write_file(base_ / "rw2/x", "near miss");
  start();
  Client c(socket_);
  for (const std::string& p : {(rw_ / "../outside/secret.txt").string(), (rw_ / "./x").string(),
                                (outside_ / "secret.txt").string(), std::string("/etc/passwd"),
                                std::string("rw/x"), (base_ / "rw2/x").string(), std::string("")}) {
    EXPECT_EQ(c.call({{"op", "read"}, {"path", p}}), denied(p)) << p;
    EXPECT_EQ(c.call({{"op", "write"}, {"path", p}, {"data_b64", b64("x")}}), denied(p)) << p;
    EXPECT_EQ(c.call({{"op", "list"}, {"path", p}}), denied(p)) << p;
  }
  EXPECT_FALSE(fs::exists(base_ / "rw2/x") && read_text(base_ / "rw2/x") != "near miss");
}

TEST_F(PortalTest, SymlinksInsideARootThatPointOutAreDeniedForEveryOperation) {
  fs::create_symlink(outside_ / "secret.txt", rw_ / "file-link");
  fs::create_symlink(outside_, rw_ / "dir-link");
  fs::create_symlink("../outside", ro_ / "relative-link");
  start();
  Client c(socket_);
  for (const auto& p : {rw_ / "file-link", rw_ / "dir-link/secret.txt", ro_ / "relative-link/secret.txt"})
    EXPECT_EQ(c.call({{"op", "read"}, {"path", p.string()}}), denied(p)) << p;
  EXPECT_EQ(c.call({{"op", "list"}, {"path", (rw_ / "dir-link").string()}}), denied(rw_ / "dir-link"));
  EXPECT_EQ(c.call({{"op", "write"}, {"path", (rw_ / "dir-link/new.txt").string()}, {"data_b64", b64("x")}}),
            denied(rw_ / "dir-link/new.txt"));
  EXPECT_EQ(c.call({{"op", "write"}, {"path", (rw_ / "file-link").string()}, {"data_b64", b64("x")}}),
            denied(rw_ / "file-link"));
  EXPECT_FALSE(fs::exists(outside_ / "new.txt"));
  EXPECT_EQ(read_text(outside_ / "secret.txt"), "SECRET");
}

TEST_F(PortalTest, WithoutRootsEverythingIsDenied) {
  start(false);
  Client c(socket_);
  EXPECT_EQ(c.call({{"op", "read"}, {"path", (ro_ / "readme.txt").string()}}), denied(ro_ / "readme.txt"));
  EXPECT_EQ(c.call({{"op", "list"}, {"path", "/"}}), denied("/"));
  EXPECT_EQ(c.call({{"op", "write"}, {"path", (rw_ / "x").string()}, {"data_b64", b64("x")}}), denied(rw_ / "x"));
  EXPECT_FALSE(fs::exists(rw_ / "x"));
}

TEST_F(PortalTest, WritesUnderAReadOnlyRootAreDenied) {
  start();
  Client c(socket_);
  auto p = ro_ / "readme.txt";
  EXPECT_EQ(c.call({{"op", "write"}, {"path", p.string()}, {"data_b64", b64("changed")}}), denied(p));
  EXPECT_EQ(read_text(p), "read only");
}

TEST_F(PortalTest, ASymlinkedRootIsRefusedAtStartup) {
  fs::create_symlink(outside_, base_ / "link-root");
  weft::SpawnOptions o;
  o.argv = {portal_binary(), socket_, "--allow", (base_ / "link-root").string()};
  o.inherit_environment = true;
  o.null_stdio = true;
  auto child = weft::ChildProcess::spawn(o);
  ASSERT_TRUE(child.ok());
  auto st = child->wait(std::chrono::milliseconds(30000));
  ASSERT_TRUE(st.has_value());
  EXPECT_TRUE(st->exited && st->code == 1) << st->describe();
  EXPECT_FALSE(fs::exists(socket_));
}

TEST_F(PortalTest, MalformedRequestsGetBadRequestAndTheConnectionStays) {
  start();
  Client c(socket_);
  EXPECT_EQ(c.raw("{not json"), bad_request_line(R"(not valid JSON)"));
  EXPECT_EQ(c.raw("[1,2]"), bad_request_line(R"(expected a JSON object)"));
  EXPECT_EQ(c.raw(R"({"path":"/x"})"), bad_request_line(R"(missing \"op\")"));
  EXPECT_EQ(c.raw(R"({"op":"read"})"), bad_request_line(R"(missing \"path\")"));
  EXPECT_EQ(c.raw(R"({"op":"delete","path":"/x"})"), bad_request_line(R"(unknown op 'delete')"));
  EXPECT_EQ(c.call({{"op", "write"}, {"path", (rw_ / "f").string()}, {"data_b64", "@@@="}}),
            (json{{"error", says::bad_request("data_b64 is not valid base64")}}));
  EXPECT_EQ(c.call({{"op", "write"}, {"path", (rw_ / "f").string()}}),
            (json{{"error", says::bad_request("missing \"data_b64\"")}}));
  EXPECT_EQ(c.call({{"op", "read"}, {"path", (ro_ / "readme.txt").string()}}), (json{{"data_b64", b64("read only")}}));
}

TEST_F(PortalTest, SixteenMebibyteFilesRoundTripAndLargerOnesAreRefused) {
  start();
  Client c(socket_);
  std::string big(16u << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 2654435761u) >> 13);
  // Built and checked as raw lines: a JSON library round trip of 22 MB strings only slows the test down.
  std::string encoded = b64(big);
  EXPECT_EQ(c.raw(R"({"op":"write","path":")" + (rw_ / "big.bin").string() + R"(","data_b64":")" + encoded + "\"}"),
            "null");
  std::string r = c.raw(R"({"op":"read","path":")" + (rw_ / "big.bin").string() + "\"}");
  EXPECT_TRUE(r == R"({"data_b64":")" + encoded + "\"}") << r.substr(0, 200);
  write_file(rw_ / "bigger.bin", big + "x");
  EXPECT_EQ(c.call({{"op", "read"}, {"path", (rw_ / "bigger.bin").string()}}), (json{{"error", "File too large"}}));
  std::string too_big = c.raw(R"({"op":"write","path":")" + (rw_ / "w.bin").string() + R"(","data_b64":")" +
                              b64(big + "xyz") + "\"}");
  EXPECT_EQ(too_big, bad_request_line(R"(payload exceeds 16777216 bytes)"));
  EXPECT_FALSE(fs::exists(rw_ / "w.bin"));
}

// A directory inside the root is swapped for a symlink to the outside, over and over, while requests run: every
// answer is the inside content, a denial or "not found" — never the outside file.
TEST_F(PortalTest, ASymlinkSwappedInDuringRequestsNeverLeaksTheOutsideFile) {
  write_file(outside_ / "f", "SECRET");
  write_file(rw_ / "real/f", "inside");
  start();
  std::atomic<bool> stop{false};
  std::thread swapper([&] {
    while (!stop) {
      std::error_code ec;
      fs::rename(rw_ / "real", rw_ / "parked", ec);
      fs::create_symlink(outside_, rw_ / "real", ec);
      fs::remove(rw_ / "real", ec);
      fs::rename(rw_ / "parked", rw_ / "real", ec);
    }
  });
  Client c(socket_);
  int inside = 0, refused = 0;
  for (int i = 0; i < 400; ++i) {
    auto r = c.call({{"op", "read"}, {"path", (rw_ / "real/f").string()}});
    if (r.contains("data_b64")) {
      ASSERT_EQ(unb64(r["data_b64"].get<std::string>()), "inside");
      ++inside;
    } else {
      ++refused;
    }
    auto l = c.call({{"op", "list"}, {"path", (rw_ / "real").string()}});
    if (l.contains("entries")) {
      ASSERT_EQ(l["entries"], json::array({"f"}));
    }
  }
  stop = true;
  swapper.join();
  EXPECT_EQ(inside + refused, 400);
  EXPECT_EQ(read_text(outside_ / "f"), "SECRET");
}

}  // namespace
