// Fuzz target: response header lines (as libcurl hands them to the header callback) into fields. The cap holds, and
// every field that comes out has a lowercase token name and a value free of CR, LF, NUL and surrounding blanks.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "weft/runtime/http_response_head.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr size_t kCap = 4096;  // bytes: small so the fuzzer reaches the limit quickly
  std::string_view text(reinterpret_cast<const char*>(data), size);
  weft::runtime::HttpResponseHead head(kCap);
  size_t fed = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(pos, end - pos);
    pos = end;
    fed += line.size();
    bool accepted = head.add_line(line).ok();
    if (accepted != (fed <= kCap)) __builtin_trap();
    if (!accepted) return 0;
  }
  size_t kept = 0;
  for (const auto& [name, value] : head.fields()) {
    if (!weft::runtime::is_http_token(name)) __builtin_trap();
    for (char c : name)
      if (c >= 'A' && c <= 'Z') __builtin_trap();
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) __builtin_trap();
    if (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' || value.back() == '\t'))
      __builtin_trap();
    kept += name.size() + value.size();
  }
  if (kept > fed) __builtin_trap();
  return 0;
}
