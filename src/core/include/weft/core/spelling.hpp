#pragma once
// "Did you mean …?" for names a person typed: manifest keys, capabilities, command-line values.

#include <optional>
#include <span>
#include <string_view>

namespace weft {

/// Edit distance counting an insertion, deletion, substitution or swap of two neighbouring characters as one step
/// (optimal string alignment), so `capabilites` → `capabilities` and `entyr` → `entry` are both 1.
[[nodiscard]] size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word`, if it is close enough to be a likely misspelling: at most 2 edits, and no more
/// edits than half of the longer name (so a short word is not "corrected" into an unrelated one). Ties go to the
/// first candidate.
[[nodiscard]] std::optional<std::string_view> closest_spelling(std::string_view word,
                                                               std::span<const std::string_view> candidates);

}  // namespace weft
