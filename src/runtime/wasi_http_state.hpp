#pragma once
// Internal to weft-runtime: the wasi:http host's objects (wasi_http.cpp), keyed by rep like WasiHost::State's.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "weft/core/result.hpp"
#include "weft/runtime/wasi_host.hpp"

namespace weft::runtime {

/// The wasi:http objects of one instance.
struct HttpState {
  /// Header bytes every live `fields` of the instance holds together (entries are shared between handles, so a
  /// guest making more handles costs nothing; only `clone`, `set`, `append` and `from-list` add bytes).
  struct FieldBytes {
    size_t live = 0;
  };
  class Fields {
   public:
    explicit Fields(std::shared_ptr<FieldBytes> account) : account_(std::move(account)) {}
    ~Fields() { account_->live -= bytes_; }
    Fields(const Fields&) = delete;
    Fields& operator=(const Fields&) = delete;

    /// Adds one entry (`name` lowercase) within both budgets; a refusal names the budget it would pass.
    [[nodiscard]] Result<void> add(std::string name, std::string value);
    void remove(const std::string& name);
    /// A mutable copy, charged to the same account.
    [[nodiscard]] Result<std::shared_ptr<Fields>> clone() const;
    [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
    bool immutable = false;

   private:
    std::vector<std::pair<std::string, std::string>> entries_;  // names lowercase
    size_t bytes_ = 0;
    std::shared_ptr<FieldBytes> account_;
  };
  std::shared_ptr<FieldBytes> field_bytes = std::make_shared<FieldBytes>();
  struct OutgoingBody {
    std::shared_ptr<std::string> data = std::make_shared<std::string>();
    bool stream_taken = false;
  };
  struct OutgoingRequest {
    std::string method = "GET", scheme = "https", authority, path = "/";
    std::shared_ptr<Fields> headers;
    std::shared_ptr<OutgoingBody> body;  // set once body() was called
  };
  struct Future {
    OutgoingRequest request;
    std::optional<Result<HttpResponse>> result;
    bool taken = false;
  };
  struct IncomingResponse {
    uint16_t status = 0;
    std::shared_ptr<Fields> headers;
    std::shared_ptr<const std::string> body;
    bool consumed = false;
  };
  std::map<uint32_t, std::shared_ptr<Fields>> fields;
  std::map<uint32_t, OutgoingRequest> requests;
  std::map<uint32_t, std::shared_ptr<OutgoingBody>> bodies;
  std::map<uint32_t, Future> futures;
  std::map<uint32_t, IncomingResponse> responses;
  std::map<uint32_t, std::pair<std::shared_ptr<const std::string>, bool>> incoming_bodies;  // body, stream taken
};

}  // namespace weft::runtime
