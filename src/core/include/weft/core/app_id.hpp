#pragma once
// App id grammar (spec §5.2, compat): at least three '.'-separated segments, each [a-z][a-z0-9]*.
// A valid id is safe as one path component.

#include <string_view>

#include "weft/core/result.hpp"

namespace weft {

/// ok, or an error naming the bad segment, e.g. `app id "org.X.y": segment 2 "X" must start with a lowercase letter`.
[[nodiscard]] Result<void> validate_app_id(std::string_view id);
[[nodiscard]] bool is_valid_app_id(std::string_view id);

}  // namespace weft
