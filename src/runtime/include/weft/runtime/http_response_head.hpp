#pragma once
// The one part of an HTTP response weft-runtime parses itself: the header lines libcurl hands its header callback,
// collected into fields for weft:app/fetch and wasi:http under a size cap. (libcurl parses the status line, the
// framing and the body.)

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/core/result.hpp"

namespace weft::runtime {

/// Cap on all header lines of one response together, bytes: interim (1xx) heads and trailers count too.
constexpr size_t kMaxResponseHead = 256u << 10;

/// The header fields of a response, built line by line.
class HttpResponseHead {
 public:
  /// `max_bytes`: the cap on all lines together (tests and the fuzz target use a small one).
  explicit HttpResponseHead(size_t max_bytes = kMaxResponseHead) : max_bytes_(max_bytes) {}
  /// Takes one line as delivered (CRLF or LF included). A status line (`HTTP/…`) starts a new head, so after interim
  /// 1xx responses only the final head's fields remain; a line starting with SP or HT continues the previous field
  /// (obsolete folding); lines without a `token:` prefix, or whose value holds CR, LF or NUL inside, are dropped.
  /// Fails once the lines exceed the cap.
  [[nodiscard]] Result<void> add_line(std::string_view line);
  /// Fields in arrival order: names lowercase tokens, values free of CR, LF and NUL, without surrounding spaces or tabs.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> take_fields() { return std::move(fields_); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  bool may_continue_ = false;  // the previous line was a field that a folded line may extend
};

/// Whether `s` is an HTTP token (RFC 9110 §5.6.2): a field name or a method.
[[nodiscard]] bool is_http_token(std::string_view s);

}  // namespace weft::runtime
