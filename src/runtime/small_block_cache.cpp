// The global operator new and delete of the programs that link this object (weft-runtime, runtime_bench and the
// runtime's test programs): a per-thread cache of small freed blocks in front of glibc's malloc.
//
// Why: an instantiate makes and frees a few thousand small objects (resolved types, host bindings, map nodes, the
// linker's records); glibc's per-thread cache keeps only 7 blocks of a size, so the rest of a teardown's frees went to
// its fast and unsorted bins, and the next instance's allocations came back through `_int_malloc`'s slow paths,
// `malloc_consolidate` and `unlink_chunk` (≈ 30 % of an AOT instantiate loop in `perf`). Measured with glibc's own
// tunable (`GLIBC_TUNABLES=glibc.malloc.tcache_count=256`, which a process cannot set for itself): the counter's
// instantiate 74–84 → 53–56 µs, its teardown 20–30 → 13–15 µs. This cache does the same for C++ allocations.
//
// Bounded: blocks up to kMaxBlock bytes, at most kMaxCachedBytes per thread (counted by usable size); a thread's
// blocks go back to malloc when it exits. Safe across threads: each thread has its own lists (no lock, no sharing);
// a block freed on another thread than its allocation's is a malloc block like any other, and glibc's `free` takes
// it from any thread. Blocks are plain malloc blocks, so `free` of one and `operator delete` of a malloc block stay
// as (un)defined as before. Left out under ASan/TSan (they replace new and delete to check them) and under valgrind
// (checked once per thread: a cached block would hide a use after free from memcheck).

#include "weft/runtime/small_block_cache.hpp"

#include <malloc.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define WEFT_HAVE_VALGRIND_H 1
#endif
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WEFT_SMALL_BLOCK_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define WEFT_SMALL_BLOCK_CACHE 0
#endif
#endif
#if !defined(WEFT_SMALL_BLOCK_CACHE) && defined(__GLIBC__)
#define WEFT_SMALL_BLOCK_CACHE 1
#endif
#if !defined(WEFT_SMALL_BLOCK_CACHE)
#define WEFT_SMALL_BLOCK_CACHE 0
#endif


#if WEFT_SMALL_BLOCK_CACHE

namespace {

constexpr size_t kGranule = 16;             // bytes: glibc's chunk alignment on 64-bit
constexpr size_t kMaxBlock = 512;           // bytes: larger blocks are not cached
constexpr size_t kClasses = kMaxBlock / kGranule + 1;
constexpr size_t kMaxCachedBytes = weft::runtime::kSmallBlockCacheMaxBytes;  // per thread

struct FreeBlock {
  FreeBlock* next;
};

// Class k holds blocks whose usable size is at least k × 16 bytes: a block freed goes to floor(usable / 16), a request
// of n bytes takes from ceil(n / 16). So any block handed out is at least as large as asked, whatever glibc's chunk
// layout; a miss allocates ceil(n / 16) × 16 bytes so that its block comes back to the class it is asked from.
// Trivially destructible and constant-initialised: usable from any other thread-local's destructor, before or after
// the drain below.
struct ThreadCache {
  FreeBlock* heads[kClasses];
  size_t bytes;
  enum : uint8_t { unknown, on, off, retired } state;  // retired: the thread is exiting, blocks go to free()
};
thread_local constinit ThreadCache t_cache{};

/// Gives the thread's blocks back to malloc when it exits; constructed at the thread's first cached free.
struct Drain {
  ~Drain() {
    for (auto*& head : t_cache.heads)
      while (FreeBlock* b = head) {
        head = b->next;
        std::free(b);
      }
    t_cache.bytes = 0;
    t_cache.state = ThreadCache::retired;
  }
};
thread_local Drain t_drain;

bool cache_on() {
  if (t_cache.state == ThreadCache::unknown) {
    bool valgrind = false;
#ifdef WEFT_HAVE_VALGRIND_H
    valgrind = RUNNING_ON_VALGRIND != 0;
#endif
    if (valgrind) {
      t_cache.state = ThreadCache::off;
    } else {
      t_cache.state = ThreadCache::on;
      (void)&t_drain;  // constructs it, which registers its destructor for this thread's exit
    }
  }
  return t_cache.state == ThreadCache::on;
}

void* allocate(size_t n) {
  const size_t k = (n + kGranule - 1) / kGranule;
  if (k < kClasses && k > 0 && t_cache.state == ThreadCache::on) {
    if (FreeBlock* b = t_cache.heads[k]) {
      t_cache.heads[k] = b->next;
      t_cache.bytes -= k * kGranule;
      return b;
    }
  }
  const size_t bytes = k > 0 && k < kClasses ? k * kGranule : (n ? n : 1);
  for (;;) {
    if (void* p = std::malloc(bytes)) return p;
    std::new_handler handler = std::get_new_handler();
    if (!handler) throw std::bad_alloc();
    handler();
  }
}

/// Caches `p` in class `k` (its usable size is at least k × 16 bytes) or frees it.
void release_to(void* p, size_t k) noexcept {
  if (cache_on()) {
    if (k > 0 && k < kClasses && t_cache.bytes + k * kGranule <= kMaxCachedBytes) {
      auto* b = static_cast<FreeBlock*>(p);
      b->next = t_cache.heads[k];
      t_cache.heads[k] = b;
      t_cache.bytes += k * kGranule;
      return;
    }
  }
  std::free(p);
}

/// A block of unknown size: its class from what malloc says it holds.
void release(void* p) noexcept {
  if (p) release_to(p, ::malloc_usable_size(p) / kGranule);
}

/// A block operator new made for `n` bytes (the sized delete's guarantee): allocate() gave it at least ceil(n / 16)
/// × 16 usable bytes, hit or miss, so that is its class without asking malloc (`malloc_usable_size` was ≈ 6 % of the
/// instantiate loop).
void release_sized(void* p, size_t n) noexcept {
  if (p) release_to(p, (n + kGranule - 1) / kGranule);
}

}  // namespace

void* operator new(size_t n) { return allocate(n); }
void* operator new[](size_t n) { return allocate(n); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, size_t n) noexcept { release_sized(p, n); }
void operator delete[](void* p, size_t n) noexcept { release_sized(p, n); }

weft::runtime::SmallBlockCacheStats weft::runtime::small_block_cache_stats() {
  return {t_cache.bytes, cache_on()};
}

#else

weft::runtime::SmallBlockCacheStats weft::runtime::small_block_cache_stats() { return {}; }

#endif
