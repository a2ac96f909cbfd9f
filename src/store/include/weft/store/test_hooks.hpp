#pragma once
// TEST-ONLY fault injection for store mutations, so tests can prove crash safety and lock serialisation against the
// real weft-pack process. Inert unless one of these variables is set:
//   WEFT_PACK_TEST_CRASH_AT=<step>   the process SIGKILLs itself when it reaches <step>
//   WEFT_PACK_TEST_PAUSE_AT=<step>   with WEFT_PACK_TEST_PAUSE_DIR=<dir>: creates <dir>/paused-<step>, then waits
//                                    (≤ 60 s) until <dir>/resume exists
// Steps of an install, in order: staged, locked, revision, owner, link, activated, previous, collected.
// Compiled in only when the build sets WEFT_TEST_HOOKS (debug and asan presets); elsewhere every hook is an empty
// inline function, so installed binaries never read these variables.

#include <string_view>

namespace weft::store {

#ifdef WEFT_TEST_HOOKS
void test_hook(std::string_view step);
#else
inline void test_hook(std::string_view) {}
#endif

}  // namespace weft::store
