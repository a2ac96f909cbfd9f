// wl_shm: a buffer that declares fewer bytes per row than its pixels need is refused when it is created.

#include <sys/mman.h>
#include <unistd.h>

#include "compositor_fixture.hpp"

using namespace weft::test;

namespace {

/// A wl_shm pool of exactly height × stride bytes and one buffer over all of it, as declared (px, px, bytes).
struct DeclaredBuffer {
  wl_shm_pool* pool = nullptr;
  wl_buffer* buffer = nullptr;
  DeclaredBuffer(TestClient& client, int width, int height, int stride, uint32_t format) {
    const int fd = ::memfd_create("weft-shm-test", MFD_CLOEXEC);
    if (fd < 0 || ::ftruncate(fd, static_cast<off_t>(height) * stride) != 0) {
      ADD_FAILURE() << "memfd for the pool";
      if (fd >= 0) ::close(fd);
      return;
    }
    pool = wl_shm_create_pool(client.shm, fd, height * stride);
    ::close(fd);
    buffer = wl_shm_pool_create_buffer(pool, 0, width, height, stride, format);
    client.roundtrip();
  }
  ~DeclaredBuffer() {
    if (buffer) wl_buffer_destroy(buffer);
    if (pool) wl_shm_pool_destroy(pool);
  }
  DeclaredBuffer(const DeclaredBuffer&) = delete;
  DeclaredBuffer& operator=(const DeclaredBuffer&) = delete;
};

}  // namespace

using Shm = CompositorTest;

TEST_F(Shm, ABufferWhoseStrideIsShorterThanARowIsRefusedWithInvalidStride) {
  auto client = connect();
  constexpr int kWidth = 200, kHeight = 200;  // px
  constexpr int kStride = kWidth;             // bytes: a quarter of an ARGB8888 row, yet height × stride fits the pool
  DeclaredBuffer declared(*client, kWidth, kHeight, kStride, WL_SHM_FORMAT_ARGB8888);

  ASSERT_NE(client->error(), 0) << "the client is disconnected";
  std::string interface;
  EXPECT_EQ(client->protocol_error(&interface), static_cast<uint32_t>(WL_SHM_ERROR_INVALID_STRIDE));
  EXPECT_EQ(interface, "wl_shm_pool");
}

TEST_F(Shm, ABufferWithAWholeRowPerStrideIsAccepted) {
  auto client = connect();
  constexpr int kWidth = 20, kHeight = 10, kStride = kWidth * 4;  // px, px, bytes
  DeclaredBuffer declared(*client, kWidth, kHeight, kStride, WL_SHM_FORMAT_XRGB8888);
  EXPECT_EQ(client->error(), 0);
}
