// wl_shm: a buffer that declares fewer bytes per row than its pixels need is refused when it is created.

#include <sys/mman.h>
#include <unistd.h>

#include "compositor_fixture.hpp"

using namespace weft::test;

using Shm = CompositorTest;

TEST_F(Shm, ABufferWhoseStrideIsShorterThanARowIsRefusedWithInvalidStride) {
  auto client = connect();
  constexpr int kWidth = 200, kHeight = 200;  // px
  constexpr int kStride = kWidth;             // bytes: a quarter of an ARGB8888 row, yet height × stride fits the pool
  const int fd = ::memfd_create("weft-shm-test", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, kHeight * kStride), 0);
  wl_shm_pool* pool = wl_shm_create_pool(client->shm, fd, kHeight * kStride);
  ::close(fd);
  wl_buffer* buffer = wl_shm_pool_create_buffer(pool, 0, kWidth, kHeight, kStride, WL_SHM_FORMAT_ARGB8888);
  client->roundtrip();

  ASSERT_NE(client->error(), 0) << "the client is disconnected";
  std::string interface;
  EXPECT_EQ(client->protocol_error(&interface), static_cast<uint32_t>(WL_SHM_ERROR_INVALID_STRIDE));
  EXPECT_EQ(interface, "wl_shm_pool");
  wl_buffer_destroy(buffer);
  wl_shm_pool_destroy(pool);
}

TEST_F(Shm, ABufferWithAWholeRowPerStrideIsAccepted) {
  auto client = connect();
  constexpr int kWidth = 20, kHeight = 10, kStride = kWidth * 4;  // px, px, bytes
  const int fd = ::memfd_create("weft-shm-test", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, kHeight * kStride), 0);
  wl_shm_pool* pool = wl_shm_create_pool(client->shm, fd, kHeight * kStride);
  ::close(fd);
  wl_buffer* buffer = wl_shm_pool_create_buffer(pool, 0, kWidth, kHeight, kStride, WL_SHM_FORMAT_XRGB8888);
  client->roundtrip();
  EXPECT_EQ(client->error(), 0);
  wl_buffer_destroy(buffer);
  wl_shm_pool_destroy(pool);
}
