// Response header lines into fields (see the header for the rules).

#include "weft/runtime/http_response_head.hpp"

#include <cctype>
#include <cstring>

namespace weft::runtime {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

bool clean_value(std::string_view v) { return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos; }

}  // namespace

bool is_http_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || (c != 0 && std::strchr("!#$%&'*+-.^_`|~", c)))) return false;
  return true;
}

Result<void> HttpResponseHead::add_line(std::string_view line) {
  bytes_ += line.size();
  if (bytes_ > max_bytes_) return fail("response headers exceed " + std::to_string(max_bytes_) + " bytes");
  bool continues = may_continue_ && !line.empty() && (line[0] == ' ' || line[0] == '\t');
  may_continue_ = false;
  if (continues) {
    std::string_view more = trim(line);
    if (more.empty() || !clean_value(more)) return ok();
    std::string& value = fields_.back().second;
    if (!value.empty()) value += ' ';
    value.append(more);
    may_continue_ = true;
    return ok();
  }
  if (line.starts_with("HTTP/")) {
    fields_.clear();
    return ok();
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !is_http_token(line.substr(0, colon))) return ok();
  std::string_view value = trim(line.substr(colon + 1));
  if (!clean_value(value)) return ok();
  std::string name(line.substr(0, colon));
  for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
  fields_.emplace_back(std::move(name), std::string(value));
  may_continue_ = true;
  return ok();
}

}  // namespace weft::runtime
