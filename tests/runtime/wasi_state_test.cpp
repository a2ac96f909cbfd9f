// The WASI host's rep allocation (issue 17): reps are a 32-bit counter that wraps, and a rep still in use is never
// handed out again.
#include <gtest/gtest.h>

#include <limits>

#include "../../src/runtime/wasi_state.hpp"

namespace weft::runtime {
namespace {

TEST(WasiReps, AfterTheCounterWrapsRepsStillInUseAreSkipped) {
  WasiHost::State st;
  st.errors[1] = {"still held by the guest", 0};
  st.pollables[2] = {};
  st.next_rep = std::numeric_limits<uint32_t>::max();
  EXPECT_EQ(st.rep(), std::numeric_limits<uint32_t>::max());
  EXPECT_EQ(st.rep(), 3u) << "0 is never a rep, and 1 and 2 are live";
  EXPECT_EQ(st.errors.at(1).message, "still held by the guest");
}

TEST(WasiReps, ANewObjectNeverOverwritesALiveOneAfterTheWrap) {
  WasiHost::State st;
  uint32_t first = st.new_error("first", 0);
  st.next_rep = first;  // as if 2^32 reps had been handed out since
  uint32_t second = st.new_error("second", 0);
  EXPECT_NE(second, first);
  EXPECT_EQ(st.errors.at(first).message, "first");
  EXPECT_EQ(st.errors.at(second).message, "second");
}

}  // namespace
}  // namespace weft::runtime
