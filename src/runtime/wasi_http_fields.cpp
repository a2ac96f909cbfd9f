// wasi:http fields and their byte budget, and which reps the wasi:http objects hold.

#include "wasi_http_state.hpp"
#include "wasi_state.hpp"
#include "weft/runtime/http_response_head.hpp"

namespace weft::runtime {

namespace {

// A `fields` holds at most what a response head may carry (the parser's own cap); all of an instance's fields
// together at most as much as one request body. Each entry also costs its two strings' bookkeeping.
constexpr size_t kMaxFieldsBytes = kMaxResponseHead;
constexpr size_t kMaxLiveFieldBytes = size_t(16) << 20;
constexpr size_t kFieldEntryOverhead = 2 * sizeof(std::string);

}  // namespace

Result<void> HttpState::Fields::add(std::string name, std::string value) {
  size_t cost = name.size() + value.size() + kFieldEntryOverhead;
  if (bytes_ + cost > kMaxFieldsBytes)
    return fail("fields: header entries past " + std::to_string(kMaxFieldsBytes) + " bytes in one fields");
  if (account_->live + cost > kMaxLiveFieldBytes)
    return fail("fields: header entries past " + std::to_string(kMaxLiveFieldBytes) + " bytes across all live fields");
  entries_.emplace_back(std::move(name), std::move(value));
  bytes_ += cost;
  account_->live += cost;
  return {};
}

void HttpState::Fields::remove(const std::string& name) {
  std::erase_if(entries_, [&](const auto& e) {
    if (e.first != name) return false;
    size_t cost = e.first.size() + e.second.size() + kFieldEntryOverhead;
    bytes_ -= cost;
    account_->live -= cost;
    return true;
  });
}

Result<std::shared_ptr<HttpState::Fields>> HttpState::Fields::clone() const {
  auto copy = std::make_shared<Fields>(account_);
  for (const auto& [name, value] : entries_) WEFT_TRY_VOID(copy->add(name, value));
  return copy;
}

bool http_rep_in_use(const HttpState& h, uint32_t r) {
  return h.fields.count(r) || h.requests.count(r) || h.bodies.count(r) || h.futures.count(r) || h.responses.count(r) ||
         h.incoming_bodies.count(r);
}

}  // namespace weft::runtime
