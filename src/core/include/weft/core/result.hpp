#pragma once
// Result<T>: a value or an Error, returned across module and process boundaries instead of throwing.

#include <cassert>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace weft {

/// An error carrying a message that names the thing and the reason, and, where a protocol needs one, a code
/// (e.g. an appd ERROR code such as 403, or a process exit status).
struct Error {
  std::string message;
  int code = 0;

  Error() = default;
  explicit Error(std::string msg, int c = 0) : message(std::move(msg)), code(c) {}

  /// Returns a copy whose message is prefixed with `context: `.
  [[nodiscard]] Error with_context(std::string_view context) const {
    return Error(std::string(context) + ": " + message, code);
  }
};

/// Tag type used to build an error Result: `return fail("bad thing");`.
struct Failure {
  Error error;
};

[[nodiscard]] inline Failure fail(std::string message, int code = 0) { return Failure{Error(std::move(message), code)}; }
[[nodiscard]] inline Failure fail(Error error) { return Failure{std::move(error)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Failure f) : state_(std::in_place_index<1>, std::move(f.error)) {}  // NOLINT(google-explicit-constructor)
  template <class U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, Failure> && !std::is_same_v<std::remove_cvref_t<U>, Result>)
  Result(U&& value) : state_(std::in_place_index<0>, T(std::forward<U>(value))) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(state_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(state_)); }

  template <class U>
  T value_or(U&& fallback) const& { return ok() ? value() : T(std::forward<U>(fallback)); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Failure f) : error_(std::move(f.error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

/// Success value for Result<void>.
[[nodiscard]] inline Result<void> ok() { return {}; }

}  // namespace weft

/// Propagates an error Result from the current function: `WEFT_TRY(auto x, parse(...));` or `WEFT_TRY_VOID(check(...));`.
#define WEFT_CONCAT_INNER(a, b) a##b
#define WEFT_CONCAT(a, b) WEFT_CONCAT_INNER(a, b)
#define WEFT_TRY_IMPL(tmp, decl, expr)            \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return ::weft::fail(std::move(tmp).error()); \
  decl = std::move(tmp).value()
#define WEFT_TRY(decl, expr) WEFT_TRY_IMPL(WEFT_CONCAT(weft_try_, __LINE__), decl, expr)
#define WEFT_TRY_VOID(expr)                                              \
  do {                                                                   \
    auto weft_try_void_ = (expr);                                        \
    if (!weft_try_void_.ok()) return ::weft::fail(std::move(weft_try_void_).error()); \
  } while (0)
