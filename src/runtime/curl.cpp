// The libcurl adapter: trampolines from libcurl's C callbacks to the Transfer's std::functions. Every trampoline
// catches everything: an exception must not unwind through libcurl's frames.

#include "curl.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <exception>

namespace weft::runtime::curl {

Result<Url> Url::parse(const std::string& text, unsigned flags) {
  Url url;
  url.url_.reset(curl_url());
  if (!url.url_) return fail("invalid URL '" + text + "': out of memory");
  CURLUcode rc = curl_url_set(url.url_.get(), CURLUPART_URL, text.c_str(), flags);
  if (rc != CURLUE_OK) return fail("invalid URL '" + text + "': " + curl_url_strerror(rc));
  return url;
}

std::optional<std::string> Url::part(CURLUPart which, unsigned flags) const {
  char* text = nullptr;
  if (curl_url_get(url_.get(), which, &text, flags) != CURLUE_OK || !text) return std::nullopt;
  std::string out(text);
  curl_free(text);
  return out;
}

Result<void> Url::clear(CURLUPart which) {
  if (CURLUcode rc = curl_url_set(url_.get(), which, nullptr, 0); rc != CURLUE_OK)
    return fail(std::string("cannot clear a URL part: ") + curl_url_strerror(rc));
  return ok();
}

Result<void> HeaderList::append(const std::string& line) {
  curl_slist* next = curl_slist_append(list_.get(), line.c_str());
  if (!next) return fail("out of memory for a request header");
  (void)list_.release();  // `next` is the same list, extended
  list_.reset(next);
  return ok();
}

struct Transfer::Callbacks {
  DataSink body, header;
  AddressFilter filter;
  char error[CURL_ERROR_SIZE] = {};
  std::string exception;  // what a callback threw, reported by perform()

  template <class F>
  bool guarded(F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      exception = e.what();
    } catch (...) {
      exception = "unknown exception";
    }
    return false;
  }
  // Returning anything but `n` makes libcurl end the transfer with CURLE_WRITE_ERROR.
  static size_t on_body(char* data, size_t size, size_t n, void* self) {
    auto* c = static_cast<Callbacks*>(self);
    return c->guarded([&] { return !c->body || c->body({data, size * n}); }) ? size * n : 0;
  }
  static size_t on_header(char* data, size_t size, size_t n, void* self) {
    auto* c = static_cast<Callbacks*>(self);
    return c->guarded([&] { return !c->header || c->header({data, size * n}); }) ? size * n : 0;
  }
  static curl_socket_t open_socket(void* self, curlsocktype purpose, curl_sockaddr* address) {
    auto* c = static_cast<Callbacks*>(self);
    bool allowed = c->guarded([&] {
      if (purpose != CURLSOCKTYPE_IPCXN) return false;  // only outgoing connections
      socklen_t need = address->family == AF_INET ? sizeof(sockaddr_in) : address->family == AF_INET6 ? sizeof(sockaddr_in6) : 0;
      if (need == 0 || address->addrlen < need) return false;
      return !c->filter || c->filter(&address->addr);
    });
    if (!allowed) return CURL_SOCKET_BAD;  // libcurl goes on with the next address, if any
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  }
  // Runs once the connection is up, before the request is sent: the peer is checked a second time.
  static int before_request(void* self, char* peer_ip, char*, int peer_port, int) {
    auto* c = static_cast<Callbacks*>(self);
    bool allowed = c->guarded([&] {
      if (!c->filter) return true;
      sockaddr_in v4{};
      sockaddr_in6 v6{};
      if (::inet_pton(AF_INET, peer_ip, &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(uint16_t(peer_port));
        return c->filter(reinterpret_cast<const sockaddr*>(&v4));
      }
      if (::inet_pton(AF_INET6, peer_ip, &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(uint16_t(peer_port));
        return c->filter(reinterpret_cast<const sockaddr*>(&v6));
      }
      return false;
    });
    return allowed ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
  }
};

Transfer::Transfer(EasyPtr easy, std::unique_ptr<Callbacks> callbacks)
    : easy_(std::move(easy)), callbacks_(std::move(callbacks)) {}
Transfer::Transfer(Transfer&&) noexcept = default;
Transfer& Transfer::operator=(Transfer&&) noexcept = default;
Transfer::~Transfer() = default;

Result<Transfer> Transfer::create() {
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);  // once per process, under the static's guard
  if (init != CURLE_OK) return fail(std::string("libcurl cannot be initialised: ") + curl_easy_strerror(init));
  EasyPtr easy(curl_easy_init());
  if (!easy) return fail("libcurl cannot create a transfer");
  Transfer t(std::move(easy), std::make_unique<Callbacks>());
  Callbacks* c = t.callbacks_.get();
  t.set(CURLOPT_ERRORBUFFER, c->error);
  t.set(CURLOPT_NOSIGNAL, 1L);  // the runtime is multi-threaded: no SIGALRM for DNS timeouts
  t.set(CURLOPT_WRITEFUNCTION, &Callbacks::on_body);
  t.set(CURLOPT_WRITEDATA, static_cast<void*>(c));
  t.set(CURLOPT_HEADERFUNCTION, &Callbacks::on_header);
  t.set(CURLOPT_HEADERDATA, static_cast<void*>(c));
  t.set(CURLOPT_OPENSOCKETFUNCTION, &Callbacks::open_socket);
  t.set(CURLOPT_OPENSOCKETDATA, static_cast<void*>(c));
  t.set(CURLOPT_PREREQFUNCTION, &Callbacks::before_request);
  t.set(CURLOPT_PREREQDATA, static_cast<void*>(c));
  return t;
}

void Transfer::on_body(DataSink sink) { callbacks_->body = std::move(sink); }
void Transfer::on_header(DataSink sink) { callbacks_->header = std::move(sink); }
void Transfer::filter_addresses(AddressFilter filter) { callbacks_->filter = std::move(filter); }

Result<void> Transfer::perform() {
  if (setup_error_ != CURLE_OK)
    return fail("libcurl refused option " + std::to_string(setup_option_) + ": " + curl_easy_strerror(setup_error_),
                int(setup_error_));
  callbacks_->error[0] = '\0';
  callbacks_->exception.clear();
  CURLcode rc = curl_easy_perform(easy_.get());
  if (rc == CURLE_OK) return ok();
  if (!callbacks_->exception.empty()) return fail("a transfer callback failed: " + callbacks_->exception, int(rc));
  std::string detail = callbacks_->error[0] ? callbacks_->error : curl_easy_strerror(rc);
  return fail(std::move(detail), int(rc));
}

long Transfer::info(CURLINFO what) const {
  if ((what & CURLINFO_TYPEMASK) == CURLINFO_OFF_T) {
    curl_off_t v = 0;
    return curl_easy_getinfo(easy_.get(), what, &v) == CURLE_OK ? long(v) : 0;
  }
  long v = 0;
  return curl_easy_getinfo(easy_.get(), what, &v) == CURLE_OK ? v : 0;
}

}  // namespace weft::runtime::curl
