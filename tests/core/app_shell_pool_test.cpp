// The control channel of a pre-started app shell (weft/core/ipc/app_shell_pool.hpp): the binding line round-trips,
// every field is checked on both sides, and its three fds travel with its first byte.
#include <gtest/gtest.h>
#include <unistd.h>

#include "weft/core/fd.hpp"
#include "weft/core/ipc/app_shell_pool.hpp"

namespace weft::ipc {
namespace {

PoolBinding valid() {
  return {.app_id = "org.weft.demo.counter",
          .session_id = 7,
          .entry = "/home/u/.local/share/weft/apps/org.weft.demo.counter/rev/ui/index.html",
          .ready_token = "0123456789abcdef0123456789abcdef",
          .cache_dir = "/run/user/1/weft/shell-7/cache"};
}

TEST(PoolBinding, ABindingLineRoundTrips) {
  auto line = encode_pool_binding(valid());
  ASSERT_TRUE(line.ok()) << line.error().message;
  EXPECT_EQ(line->back(), '\n');
  EXPECT_EQ(line->find('\n'), line->size() - 1) << "one line";
  auto decoded = decode_pool_binding(*line);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, valid());
}

TEST(PoolBinding, InvalidFieldsAreRefusedWhenEncodingAndWhenDecoding) {
  auto with = [](auto change) {
    PoolBinding b = valid();
    change(b);
    return b;
  };
  for (const PoolBinding& bad : {with([](PoolBinding& b) { b.app_id = "../evil"; }),
                                 with([](PoolBinding& b) { b.session_id = 0; }),
                                 with([](PoolBinding& b) { b.entry = "relative/index.html"; }),
                                 with([](PoolBinding& b) { b.cache_dir = ""; }),
                                 with([](PoolBinding& b) { b.ready_token = "READY"; })}) {
    EXPECT_FALSE(encode_pool_binding(bad).ok());
  }
  for (const char* line : {"", "WARM", "[]", R"({"type":"BIND_SESSION"})",
                           R"({"type":"OTHER","app_id":"org.a.b","session_id":1,"entry":"/e","ready_token":"0123456789abcdef0123456789abcdef","cache_dir":"/c"})",
                           R"({"type":"BIND_SESSION","app_id":"org.a.b","session_id":-1,"entry":"/e","ready_token":"0123456789abcdef0123456789abcdef","cache_dir":"/c"})",
                           R"({"type":"BIND_SESSION","app_id":"org.a.b","session_id":1,"entry":"/e","ready_token":"0123456789ABCDEF0123456789ABCDEF","cache_dir":"/c"})"})
    EXPECT_FALSE(decode_pool_binding(line).ok()) << line;
  EXPECT_TRUE(decode_pool_binding(R"({"type":"BIND_SESSION","app_id":"org.a.b","session_id":1,"entry":"/e","ready_token":"0123456789abcdef0123456789abcdef","cache_dir":"/c"})").ok());
  EXPECT_FALSE(decode_pool_binding(std::string(kMaxPoolBindingBytes + 1, ' ')).ok());
}

TEST(PoolBinding, TheThreeFdsArriveInOrderWithTheLinesFirstByte) {
  auto channel = unix_socket_pair();
  ASSERT_TRUE(channel.ok());
  auto a = make_pipe(), b = make_pipe(), c = make_pipe();
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto line = encode_pool_binding(valid());
  ASSERT_TRUE(line.ok());
  const int fds[kPoolBindingFdCount] = {a->second.get(), b->second.get(), c->second.get()};
  ASSERT_TRUE(send_with_fds(channel->first.get(), std::span(reinterpret_cast<const uint8_t*>(line->data()), line->size()), fds).ok());
  uint8_t buffer[kMaxPoolBindingBytes];
  auto chunk = receive_with_fds(channel->second.get(), buffer);
  ASSERT_TRUE(chunk.ok()) << chunk.error().message;
  ASSERT_EQ(chunk->fds.size(), 3u);
  // Each received fd is the write end of its pipe: what goes in arrives at the matching read end.
  for (int i = 0; i < 3; ++i) ASSERT_EQ(::write(chunk->fds[i].get(), &"abc"[i], 1), 1);
  char got = 0;
  for (auto* pipe : {&*a, &*b, &*c}) {
    ASSERT_EQ(::read(pipe->first.get(), &got, 1), 1);
    EXPECT_EQ(got, "abc"[pipe == &*a ? 0 : pipe == &*b ? 1 : 2]);
  }
  EXPECT_FALSE(send_with_fds(channel->first.get(), std::span(reinterpret_cast<const uint8_t*>(line->data()), line->size()),
                             std::span<const int>()).ok())
      << "a binding without fds is refused before it is sent";
}

}  // namespace
}  // namespace weft::ipc
