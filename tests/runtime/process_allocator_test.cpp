// The programs that run components use mimalloc for the whole process (src/runtime/CMakeLists.txt says why and how):
// what operator new, malloc and libc's and libstdc++'s own allocations hand out lies in mimalloc's heap, not glibc's.
// Builds with a sanitizer (which owns the allocator there) are left out, and so is a run under valgrind (told to
// replace mimalloc, memcheck hands out its own blocks).

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>

#if WEFT_MIMALLOC
#include <mimalloc.h>
#endif
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define WEFT_RUNNING_ON_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#else
#define WEFT_RUNNING_ON_VALGRIND() false
#endif

namespace {

class ProcessAllocator : public ::testing::Test {
 protected:
  void SetUp() override {
#if !WEFT_MIMALLOC
    GTEST_SKIP() << "this build does not link mimalloc (WEFT_MIMALLOC=OFF: a sanitizer build)";
#endif
    if (WEFT_RUNNING_ON_VALGRIND()) GTEST_SKIP() << "valgrind's allocator replaces mimalloc's";
  }

  static bool in_mimalloc_heap([[maybe_unused]] const void* p) {
#if WEFT_MIMALLOC
    return mi_is_in_heap_region(p);
#else
    return false;
#endif
  }
};

TEST_F(ProcessAllocator, OperatorNewAndMallocBothHandOutMimallocBlocks) {
  auto object = std::make_unique<std::array<char, 40>>();
  EXPECT_TRUE(in_mimalloc_heap(object.get()));
  void* block = std::malloc(40);
  ASSERT_NE(block, nullptr);
  EXPECT_TRUE(in_mimalloc_heap(block));
  std::free(block);
  // A large block too (glibc would mmap it on its own).
  void* large = std::malloc(8 << 20);
  ASSERT_NE(large, nullptr);
  EXPECT_TRUE(in_mimalloc_heap(large));
  std::free(large);
}

TEST_F(ProcessAllocator, AllocationsMadeInsideLibcAndLibstdcxxComeFromMimallocToo) {
  char* copy = ::strdup("made by libc's strdup");  // libc's own call to malloc
  ASSERT_NE(copy, nullptr);
  EXPECT_TRUE(in_mimalloc_heap(copy));
  std::free(copy);
  std::ostringstream text;  // its buffer is grown by libstdc++'s compiled code, not by inline code of this test
  for (int i = 0; i < 1000; ++i) text << "grow the string buffer ";
  const std::string& grown = text.str();
  EXPECT_TRUE(in_mimalloc_heap(grown.data()));
}

TEST_F(ProcessAllocator, AGlibcHeapAddressIsNotTakenForAMimallocOne) {
  // The check above can fail: memory mimalloc did not hand out (this test's stack) is not in its heap.
  int on_the_stack = 0;
  EXPECT_FALSE(in_mimalloc_heap(&on_the_stack));
}

}  // namespace
