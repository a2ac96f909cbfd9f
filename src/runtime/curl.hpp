#pragma once
// The one adapter over libcurl, the runtime's HTTP client (spec §4.5, stack.md): one-line owners for its handles, its
// URL parser, and a transfer whose callbacks are std::functions that never let an exception into libcurl. Internal to
// weft-runtime-host: nothing else includes <curl/curl.h>.

#include <curl/curl.h>
#include <sys/socket.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "weft/core/result.hpp"

namespace weft::runtime::curl {

struct EasyDelete { void operator()(CURL* h) const { curl_easy_cleanup(h); } };
struct UrlDelete { void operator()(CURLU* u) const { curl_url_cleanup(u); } };
struct SlistDelete { void operator()(curl_slist* l) const { curl_slist_free_all(l); } };
using EasyPtr = std::unique_ptr<CURL, EasyDelete>;
using UrlPtr = std::unique_ptr<CURLU, UrlDelete>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDelete>;

/// A URL as libcurl parses it. Handing the parsed handle to the transfer (CURLOPT_CURLU) means the host the policy
/// checked is the host libcurl connects to: there is no second parser to disagree with.
class Url {
 public:
  /// Parses `text` with CURLU_* `flags`; the error names the URL and libcurl's reason.
  [[nodiscard]] static Result<Url> parse(const std::string& text, unsigned flags);
  /// One part, or nothing when the URL has none.
  [[nodiscard]] std::optional<std::string> part(CURLUPart which, unsigned flags = 0) const;
  /// Removes one part (e.g. the user name, so it is never sent).
  [[nodiscard]] Result<void> clear(CURLUPart which);
  [[nodiscard]] CURLU* get() const { return url_.get(); }

 private:
  UrlPtr url_;
};

/// Request header lines for CURLOPT_HTTPHEADER ("Name: value"; "Name:" removes one libcurl would add).
class HeaderList {
 public:
  [[nodiscard]] Result<void> append(const std::string& line);
  [[nodiscard]] curl_slist* get() const { return list_.get(); }

 private:
  SlistPtr list_;
};

/// One easy transfer. Options are set with set(); the first option libcurl refuses fails perform(), naming it.
/// Callbacks return false to abort the transfer; one that throws aborts it too, and perform() reports the exception.
class Transfer {
 public:
  /// Receives a piece of the body, or one header line (status lines and trailers included, CRLF kept).
  using DataSink = std::function<bool(std::string_view)>;
  /// Decides whether libcurl may connect to `address`; asked for every address it tries, and again for the peer of
  /// the established connection before the request is sent.
  using AddressFilter = std::function<bool(const sockaddr* address)>;

  /// Initialises libcurl for the process on first use.
  [[nodiscard]] static Result<Transfer> create();
  Transfer(Transfer&&) noexcept;
  Transfer& operator=(Transfer&&) noexcept;
  ~Transfer();

  template <class T>
  void set(CURLoption option, T value) {
    CURLcode rc = curl_easy_setopt(easy_.get(), option, value);
    if (rc != CURLE_OK && setup_error_ == CURLE_OK) {
      setup_error_ = rc;
      setup_option_ = int(option);
    }
  }
  void on_body(DataSink sink);
  void on_header(DataSink sink);
  void filter_addresses(AddressFilter filter);

  /// Runs the transfer. The error's message is libcurl's detail for it, its code the CURLcode.
  [[nodiscard]] Result<void> perform();
  /// A numeric CURLINFO_* value (0 when libcurl has none).
  [[nodiscard]] long info(CURLINFO what) const;

 private:
  struct Callbacks;  // on the heap, so the pointers libcurl holds survive a move of the Transfer
  Transfer(EasyPtr easy, std::unique_ptr<Callbacks> callbacks);

  EasyPtr easy_;
  std::unique_ptr<Callbacks> callbacks_;
  CURLcode setup_error_ = CURLE_OK;
  int setup_option_ = 0;
};

}  // namespace weft::runtime::curl
