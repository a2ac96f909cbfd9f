#include "weft/core/ipc/appd_messages.hpp"
#include "weft/core/ipc/errors.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

namespace {
using namespace weft::ipc::appd;

// One example of every message of the appd API, with non-default values in every field.
std::vector<Message> every_message() {
  return {
      LaunchApp{"org.weft.demo.counter", 9},
      TerminateApp{7, true},
      ActivateApp{7},
      QueryAppState{12},
      QueryRunning{},
      QueryInstalledApps{},
      IpcForward{3, R"({"op":"get"})"},
      PanelGesture{1, 3, -120.5, 42.25},
      Hello{"app", 5, "0123456789abcdef0123456789abcdef"},
      Hello{"system", std::nullopt, "ffffffffffffffffffffffffffffffff"},
      AppMessage{R"({"op":"count","count":-3})"},
      LaunchAck{7, "org.weft.demo.counter"},
      AppReady{7, "org.weft.demo.counter"},
      RunningApps{{{1, "org.a.b"}, {4, "org.c.d"}}},
      RunningApps{},
      AppState{7, "stopping"},
      InstalledApps{{{"org.weft.demo.counter", "Counter", "0.1.0"}, {"org.weft.demo.notes", "Notes", ""}}},
      IpcMessage{7, "hello ünïcode"},
      NavigationGesture{0, 4, 100.0, -0.5},
      ErrorReply{404, weft::ipc::error_message::session_not_found(7)},
      AppClosed{3, "org.weft.demo.counter", "memory pressure"},
  };
}

std::span<const uint8_t> bytes(const std::vector<uint8_t>& v) { return {v.data(), v.size()}; }

std::vector<uint8_t> packed(const auto& build) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(&buf);
  build(pk);
  return {reinterpret_cast<const uint8_t*>(buf.data()), reinterpret_cast<const uint8_t*>(buf.data()) + buf.size()};
}

TEST(AppdMessages, EveryMessageRoundTripsThroughMsgpackMaps) {
  for (const Message& m : every_message()) {
    auto decoded = from_msgpack(bytes(to_msgpack_map(m)));
    ASSERT_TRUE(decoded.ok()) << type_name(m) << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, m) << type_name(m);
  }
}

TEST(AppdMessages, EveryMessageRoundTripsThroughPositionalArrays) {
  for (const Message& m : every_message()) {
    auto decoded = from_msgpack(bytes(to_msgpack_array(m)));
    ASSERT_TRUE(decoded.ok()) << type_name(m) << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, m) << type_name(m);
  }
}

TEST(AppdMessages, EveryMessageRoundTripsThroughJson) {
  for (const Message& m : every_message()) {
    auto decoded = from_json_text(to_json_text(m));
    ASSERT_TRUE(decoded.ok()) << type_name(m) << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, m) << type_name(m);
  }
}

TEST(AppdMessages, MapsCarryTheScreamingSnakeCaseTypeTag) {
  auto j = to_json(LaunchApp{"org.x.y", 0});
  EXPECT_EQ(j, nlohmann::json::parse(R"({"type":"LAUNCH_APP","app_id":"org.x.y","surface_id":0})"));
  auto h = to_json(Hello{"system", std::nullopt, "t"});
  EXPECT_EQ(h, nlohmann::json::parse(R"({"type":"HELLO","role":"system","token":"t"})"));
}

TEST(AppdMessages, ResponsesAreEmittedAsReferenceStylePositionalArrays) {
  // ["LAUNCH_ACK",7,"org.x.y"] exactly as the reference encodes it.
  std::vector<uint8_t> expected = {0x93, 0xaa, 'L', 'A', 'U', 'N', 'C', 'H', '_', 'A', 'C', 'K',
                                   0x07, 0xa7, 'o', 'r', 'g', '.', 'x', '.', 'y'};
  EXPECT_EQ(to_msgpack_array(LaunchAck{7, "org.x.y"}), expected);
  // ["RUNNING_APPS",[[7,"org.x.y"]]]
  auto running = to_msgpack_array(RunningApps{{{7, "org.x.y"}}});
  auto want = packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(std::string("RUNNING_APPS"));
    pk.pack_array(1);
    pk.pack_array(2);
    pk.pack_uint8(7);
    pk.pack(std::string("org.x.y"));
  });
  EXPECT_EQ(running, want);
}

TEST(AppdMessages, DecodesAReferenceLaunchRequestWrittenAsRawBytes) {
  // ["LAUNCH_APP","org.x.y",0]
  std::vector<uint8_t> raw = {0x93, 0xaa, 'L', 'A', 'U', 'N', 'C', 'H', '_', 'A', 'P', 'P',
                              0xa7, 'o', 'r', 'g', '.', 'x', '.', 'y', 0x00};
  auto m = from_msgpack(bytes(raw));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(*m, Message(LaunchApp{"org.x.y", 0}));
}

TEST(AppdMessages, PositionalArraysMayOmitTrailingOptionalFields) {
  auto launch = from_msgpack(bytes(packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(std::string("LAUNCH_APP"));
    pk.pack(std::string("org.x.y"));
  })));
  ASSERT_TRUE(launch.ok()) << launch.error().message;
  EXPECT_EQ(std::get<LaunchApp>(*launch).surface_id, 0u);
  auto terminate = from_msgpack(bytes(packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(std::string("TERMINATE_APP"));
    pk.pack_uint64(5);
  })));
  ASSERT_TRUE(terminate.ok());
  EXPECT_EQ(*terminate, Message(TerminateApp{5, false}));
}

TEST(AppdMessages, AcceptsAnyIntegerWidthAndEitherFloatWidth) {
  auto gesture = from_msgpack(bytes(packed([](auto& pk) {
    pk.pack_array(5);
    pk.pack(std::string("PANEL_GESTURE"));
    pk.pack_uint64(1);    // u64 encoding of a small value
    pk.pack_uint16(3);
    pk.pack_float(1.5f);  // float32
    pk.pack_double(-2.25);
  })));
  ASSERT_TRUE(gesture.ok()) << gesture.error().message;
  EXPECT_EQ(*gesture, Message(PanelGesture{1, 3, 1.5, -2.25}));
  auto big = from_msgpack(bytes(packed([](auto& pk) {
    pk.pack_map(2);
    pk.pack(std::string("type"));
    pk.pack(std::string("ACTIVATE_APP"));
    pk.pack(std::string("session_id"));
    pk.pack_uint64(1ull << 40);
  })));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(std::get<ActivateApp>(*big).session_id, 1ull << 40);
}

TEST(AppdMessages, DecodesNestedRecordsGivenAsMapsInsideArrays) {
  auto running = from_msgpack(bytes(packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(std::string("RUNNING_APPS"));
    pk.pack_array(1);
    pk.pack_map(2);
    pk.pack(std::string("app_id"));
    pk.pack(std::string("org.x.y"));
    pk.pack(std::string("session_id"));
    pk.pack_uint32(9);
  })));
  ASSERT_TRUE(running.ok()) << running.error().message;
  EXPECT_EQ(*running, Message(RunningApps{{{9, "org.x.y"}}}));
}

TEST(AppdMessages, NamesTheProblemWithABadField) {
  auto wrong_type = from_json_text(R"({"type":"LAUNCH_APP","app_id":5})");
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.error().message, "LAUNCH_APP.app_id must be a string");
  auto missing = from_json_text(R"({"type":"IPC_FORWARD","session_id":1})");
  EXPECT_EQ(missing.error().message, "IPC_FORWARD: missing field payload");
  auto negative = from_json_text(R"({"type":"ACTIVATE_APP","session_id":-1})");
  EXPECT_EQ(negative.error().message, "ACTIVATE_APP.session_id must be an unsigned integer");
  auto too_wide = from_json_text(R"({"type":"ERROR","code":4294967296,"message":"x"})");
  EXPECT_EQ(too_wide.error().message, "ERROR.code must be an unsigned 32-bit integer");
  auto nested = from_json_text(R"({"type":"RUNNING_APPS","sessions":[{"session_id":1}]})");
  EXPECT_EQ(nested.error().message, "RUNNING_APPS.sessions[0]: missing field app_id");
}

TEST(AppdMessages, RejectsUnknownTypesAndUntaggedMessages) {
  EXPECT_EQ(from_json_text(R"({"type":"REBOOT"})").error().message, "unknown message type 'REBOOT'");
  EXPECT_EQ(from_json_text(R"({"app_id":"x"})").error().message, "message has no \"type\" field");
  EXPECT_EQ(from_json_text(R"({"type":7})").error().message, "message \"type\" must be a string");
  EXPECT_EQ(from_json_text(R"(["LAUNCH_APP","org.x.y"])").error().message, "message must be a map");
  EXPECT_EQ(from_json_text("{nope").error().message, "malformed JSON");
  auto empty = from_msgpack(bytes(packed([](auto& pk) { pk.pack_array(0); })));
  EXPECT_EQ(empty.error().message, "message is an empty array (expected the type tag first)");
  auto scalar = from_msgpack(bytes(packed([](auto& pk) { pk.pack_uint8(3); })));
  EXPECT_EQ(scalar.error().message, "message must be a map or an array");
}

TEST(AppdMessages, RejectsUndecodableMsgpack) {
  std::vector<uint8_t> truncated = to_msgpack_map(LaunchApp{"org.x.y", 0});
  truncated.pop_back();
  EXPECT_EQ(from_msgpack(bytes(truncated)).error().message, "undecodable MessagePack: the body ends inside a value");
  std::vector<uint8_t> trailing = to_msgpack_map(QueryRunning{});
  trailing.push_back(0xc0);
  EXPECT_EQ(from_msgpack(bytes(trailing)).error().message,
            "undecodable MessagePack: 1 trailing bytes after the value");
  std::vector<uint8_t> reserved = {0xc1};  // never-used type byte
  EXPECT_FALSE(from_msgpack(bytes(reserved)).ok());
  EXPECT_FALSE(from_msgpack({}).ok());
}

TEST(AppdMessages, RejectsPathologicallyDeepNesting) {
  std::vector<uint8_t> deep(1000, 0x91);  // [[[[…]]]]
  deep.push_back(0xc0);
  auto r = from_msgpack(bytes(deep));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("undecodable MessagePack", 0), 0u);
}

// Sixteen nested array headers each claiming 2^20 elements, 80 bytes in all: a decoder that reserves storage for a
// claim before reading its elements needs 16 × 24 MiB. Decoded in a child whose address space has 128 MiB to spare.
TEST(AppdMessages, ElementsClaimedButNotPresentAreRefusedWithoutReservingStorageForThem) {
  std::vector<uint8_t> claims;
  for (int level = 0; level < 16; ++level) claims.insert(claims.end(), {0xdd, 0x00, 0x10, 0x00, 0x00});
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::ifstream status("/proc/self/status");
    std::string line;
    uint64_t vm_kib = 0;
    while (std::getline(status, line))
      if (line.rfind("VmSize:", 0) == 0) vm_kib = std::stoull(line.substr(7));
    rlimit spare{(vm_kib << 10) + (128ull << 20), RLIM_INFINITY};
    if (vm_kib == 0 || ::setrlimit(RLIMIT_AS, &spare) != 0) ::_exit(4);
    auto decoded = from_msgpack(bytes(claims));
    if (decoded.ok()) ::_exit(2);
    ::_exit(decoded.error().message == "undecodable MessagePack: the body ends inside a value" ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the decoder crashed (signal " << WTERMSIG(status) << ")";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: accepted, 3: refused for another reason (out of memory), 4: no rlimit";
}

TEST(AppdMessages, PayloadRulesRejectOversizeAndLineBreaks) {
  EXPECT_TRUE(validate_payload(std::string(kMaxPayloadBytes, 'x')).ok());
  EXPECT_EQ(validate_payload(std::string(kMaxPayloadBytes + 1, 'x')).error().message, "payload exceeds 65536 bytes");
  EXPECT_EQ(validate_payload("a\nb").error().message, "payload contains a line break");
  EXPECT_EQ(validate_payload("a\rb").error().code, 400);
}

TEST(AppdMessages, OnlyUnixApiRequestsCountAsRequests) {
  EXPECT_TRUE(is_request(LaunchApp{}));
  EXPECT_TRUE(is_request(PanelGesture{}));
  EXPECT_FALSE(is_request(Hello{}));
  EXPECT_FALSE(is_request(AppMessage{}));
  EXPECT_FALSE(is_request(LaunchAck{}));
  EXPECT_FALSE(is_request(ErrorReply{}));
}

}  // namespace
