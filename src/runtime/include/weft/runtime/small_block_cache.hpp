#pragma once
// The per-thread cache of small freed blocks that replaces the global operator new and delete of the programs linking
// `weft-small-block-cache` (small_block_cache.cpp says why, and its bounds).

#include <cstddef>

namespace weft::runtime {

/// The calling thread's cache: the usable bytes it holds, and whether the cache is in use in this program (not under
/// ASan, TSan or valgrind, and only with glibc).
struct SmallBlockCacheStats {
  size_t cached_bytes = 0;
  bool active = false;
};
[[nodiscard]] SmallBlockCacheStats small_block_cache_stats();

/// At most this many usable bytes are cached per thread.
inline constexpr size_t kSmallBlockCacheMaxBytes = 256 * 1024;

}  // namespace weft::runtime
