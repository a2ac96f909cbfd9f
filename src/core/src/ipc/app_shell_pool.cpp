#include "weft/core/ipc/app_shell_pool.hpp"

#include <nlohmann/json.hpp>

#include "weft/core/app_id.hpp"
#include "weft/core/ready.hpp"

namespace weft::ipc {
namespace {

constexpr size_t kMaxPathBytes = 4096;  // PATH_MAX

Result<void> check(const PoolBinding& b) {
  if (!validate_app_id(b.app_id).ok()) return fail("pool binding: invalid app_id", 400);
  if (b.session_id == 0) return fail("pool binding: session_id must be > 0", 400);
  for (const auto* path : {&b.entry, &b.cache_dir})
    if (path->empty() || path->front() != '/' || path->size() > kMaxPathBytes || path->find('\0') != std::string::npos)
      return fail("pool binding: entry and cache_dir must be absolute paths", 400);
  if (!ready::is_valid_token(b.ready_token)) return fail("pool binding: ready_token is not 32 lowercase hex", 400);
  return ok();
}

}  // namespace

Result<std::string> encode_pool_binding(const PoolBinding& binding) {
  WEFT_TRY_VOID(check(binding));
  nlohmann::json line = {{"type", "BIND_SESSION"},         {"app_id", binding.app_id},
                         {"session_id", binding.session_id}, {"entry", binding.entry},
                         {"ready_token", binding.ready_token}, {"cache_dir", binding.cache_dir}};
  std::string text = line.dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::json::error_handler_t::strict);
  if (text.size() + 1 > kMaxPoolBindingBytes) return fail("pool binding: line too long", 400);
  return text + "\n";
}

Result<PoolBinding> decode_pool_binding(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (line.size() > kMaxPoolBindingBytes) return fail("pool binding: line too long", 400);
  nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return fail("pool binding: not a JSON object", 400);
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = value.find(key);
    if (it == value.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  if (text("type") != "BIND_SESSION") return fail("pool binding: type is not BIND_SESSION", 400);
  auto sid = value.find("session_id");
  if (sid == value.end() || !sid->is_number_unsigned()) return fail("pool binding: session_id is not a number", 400);
  PoolBinding b;
  b.session_id = sid->get<uint64_t>();
  auto app_id = text("app_id"), entry = text("entry"), token = text("ready_token"), cache = text("cache_dir");
  if (!app_id || !entry || !token || !cache) return fail("pool binding: a string field is missing", 400);
  b.app_id = std::move(*app_id);
  b.entry = std::move(*entry);
  b.ready_token = std::move(*token);
  b.cache_dir = std::move(*cache);
  WEFT_TRY_VOID(check(b));
  return b;
}

}  // namespace weft::ipc
