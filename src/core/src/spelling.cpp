#include "weft/core/spelling.hpp"

#include <algorithm>
#include <vector>

namespace weft {
namespace {
constexpr size_t kMaxSuggestionEdits = 2;
}  // namespace

size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic-programming table: the swap rule looks two rows back.
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    before.swap(previous);
    previous.swap(current);
  }
  return previous[b.size()];
}

std::optional<std::string_view> closest_spelling(std::string_view word, std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  size_t best_distance = kMaxSuggestionEdits + 1;
  for (std::string_view c : candidates) {
    // The distance is at least the difference in length: a candidate that far off is skipped without the
    // quadratic table, so a hostile 4 KiB "capability" costs as little as a typo does.
    size_t length_gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (length_gap > kMaxSuggestionEdits) continue;
    size_t d = edit_distance(word, c);
    if (d < best_distance && d * 2 <= std::max(word.size(), c.size())) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace weft
