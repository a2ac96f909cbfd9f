#include "weft/core/app_id.hpp"

#include <string>

namespace weft {

Result<void> validate_app_id(std::string_view id) {
  auto bad = [&](const std::string& why) {
    return fail("app id \"" + std::string(id) + "\": " + why, 400);
  };
  if (id.empty()) return bad("is empty");
  size_t segment_count = 0;
  size_t start = 0;
  for (;;) {
    size_t dot = id.find('.', start);
    std::string_view segment = id.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    ++segment_count;
    std::string where = "segment " + std::to_string(segment_count);
    if (segment.empty()) return bad(where + " is empty");
    if (!(segment[0] >= 'a' && segment[0] <= 'z'))
      return bad(where + " \"" + std::string(segment) + "\" must start with a lowercase letter a-z");
    for (char c : segment) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
        return bad(where + " \"" + std::string(segment) + "\" may contain only a-z and 0-9");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (segment_count < 3)
    return bad("needs at least 3 dot-separated segments, has " + std::to_string(segment_count));
  return ok();
}

bool is_valid_app_id(std::string_view id) { return validate_app_id(id).ok(); }

}  // namespace weft
