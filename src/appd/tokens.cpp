// Constant-time token comparison (spec §3.2: tokens are compared in constant time).

#include <cstddef>

#include "api.hpp"

namespace weft::appd {

bool tokens_equal(std::string_view a, std::string_view b) {
  // The length is not secret (every token is 32 hex chars); the loop runs over the longer string so a prefix match
  // takes as long as a mismatch, and the accumulator is volatile so the compiler cannot stop at the first difference.
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  volatile unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

}  // namespace weft::appd
