// The per-thread cache of small freed blocks that replaces operator new and delete in the programs that run
// components (small_block_cache.cpp): blocks are large enough, reused on their thread, bounded, and given back to
// malloc when their thread exits, also when they were allocated on another thread.

#include "weft/runtime/small_block_cache.hpp"

#include <gtest/gtest.h>
#include <malloc.h>

#include <array>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace weft::runtime {
namespace {

TEST(SmallBlockCache, EveryBlockHandedOutIsAtLeastAsLargeAsAskedBeforeAndAfterItWasCached) {
  for (int round = 0; round < 2; ++round) {  // the second round takes the first round's blocks from the cache
    std::vector<char*> blocks;
    for (size_t n = 1; n <= 700; ++n) {
      char* p = new char[n];
      ASSERT_GE(::malloc_usable_size(p), n);
      std::memset(p, int(n), n);
      blocks.push_back(p);
    }
    for (size_t n = 1; n <= 700; ++n) {
      ASSERT_EQ(static_cast<unsigned char>(blocks[n - 1][n - 1]), static_cast<unsigned char>(n));
      delete[] blocks[n - 1];
    }
  }
}

TEST(SmallBlockCache, AFreedSmallBlockIsHandedOutAgainToTheNextRequestOfItsSizeOnItsThread) {
  if (!small_block_cache_stats().active) GTEST_SKIP() << "the cache is not in use in this build";
  auto* first = new std::array<char, 40>;
  void* address = first;
  delete first;
  auto* second = new std::array<char, 40>;
  EXPECT_EQ(static_cast<void*>(second), address);
  delete second;
}

TEST(SmallBlockCache, AThreadCachesAtMostItsBoundAndGivesEveryBlockBackToMallocWhenItExits) {
  if (!small_block_cache_stats().active) GTEST_SKIP() << "the cache is not in use in this build";
  const size_t in_use_before = ::mallinfo2().uordblks;
  size_t cached_in_thread = 0;
  std::thread([&] {
    std::vector<std::unique_ptr<std::array<char, 48>>> blocks;
    for (int i = 0; i < 20000; ++i) blocks.push_back(std::make_unique<std::array<char, 48>>());  // ≈ 1 MB
    blocks.clear();
    blocks.shrink_to_fit();
    cached_in_thread = small_block_cache_stats().cached_bytes;
  }).join();
  EXPECT_GT(cached_in_thread, 0u);
  EXPECT_LE(cached_in_thread, kSmallBlockCacheMaxBytes);
  // What the thread cached (up to 256 KiB) is free again: only a few allocations of the test itself may remain.
  const size_t in_use_after = ::mallinfo2().uordblks;
  EXPECT_LT(in_use_after, in_use_before + 16 * 1024) << "in use before " << in_use_before << ", after " << in_use_after;
}

TEST(SmallBlockCache, BlocksAllocatedOnOneThreadAndFreedOnAnotherGoBackToMallocWhenThatThreadExits) {
  if (!small_block_cache_stats().active) GTEST_SKIP() << "the cache is not in use in this build";
  std::vector<std::array<char, 100>*> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back(new std::array<char, 100>{});
  const size_t in_use_before_free = ::mallinfo2().uordblks;
  std::thread([&] {
    for (auto* b : blocks) delete b;
  }).join();
  blocks.clear();
  EXPECT_LT(::mallinfo2().uordblks, in_use_before_free - 100 * 1000 + 16 * 1024);
}

}  // namespace
}  // namespace weft::runtime
