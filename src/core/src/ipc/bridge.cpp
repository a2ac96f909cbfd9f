#include "weft/core/ipc/bridge.hpp"

#include <nlohmann/json.hpp>

namespace weft::ipc {

Result<void> validate_payload(std::string_view payload) {
  if (payload.size() > kMaxPayloadBytes) return fail(std::string(kPayloadTooLarge), 400);
  if (payload.find_first_of("\r\n") != std::string_view::npos) return fail(std::string(kPayloadHasLineBreak), 400);
  return ok();
}

Result<std::string> encode_app_message_line(std::string_view payload) {
  WEFT_TRY_VOID(validate_payload(payload));
  // "type" first, as the spec writes the line (a JSON object would sort its keys); the payload as an ASCII-only JSON
  // string.
  std::string text = nlohmann::json(std::string(payload)).dump(-1, ' ', /*ensure_ascii=*/true,
                                                              nlohmann::json::error_handler_t::replace);
  return "{\"type\":\"APP_MESSAGE\",\"payload\":" + text + "}\n";
}

std::string renderer_crashed_line() { return "{\"type\":\"RENDERER_CRASHED\"}\n"; }

std::string release_memory_line() { return "{\"type\":\"RELEASE_MEMORY\"}\n"; }

std::string dev_reload_line(std::string_view entry) {
  return "{\"type\":\"DEV_RELOAD\",\"entry\":" +
         nlohmann::json(std::string(entry)).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) + "}\n";
}

Result<BridgeLine> decode_bridge_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  nlohmann::json value = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) return fail("bridge line is not a JSON object", 400);
  auto type = value.find("type");
  if (type == value.end() || !type->is_string()) return fail("bridge line has no string \"type\"", 400);
  BridgeLine decoded;
  decoded.type = type->get<std::string>();
  if (decoded.type == "APP_MESSAGE") {
    auto payload = value.find("payload");
    if (payload == value.end() || !payload->is_string()) return fail("APP_MESSAGE without a string payload", 400);
    decoded.kind = BridgeLine::Kind::app_message;
    decoded.payload = payload->get<std::string>();
  } else if (decoded.type == "RENDERER_CRASHED") {
    decoded.kind = BridgeLine::Kind::renderer_crashed;
  } else if (decoded.type == "RELEASE_MEMORY") {
    decoded.kind = BridgeLine::Kind::release_memory;
  } else if (decoded.type == "DEV_RELOAD") {
    auto entry = value.find("entry");
    if (entry == value.end() || !entry->is_string()) return fail("DEV_RELOAD without a string entry", 400);
    decoded.kind = BridgeLine::Kind::dev_reload;
    decoded.entry = entry->get<std::string>();
  }
  return decoded;
}

Result<std::vector<std::string>> LineSplitter::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  while (!bytes.empty()) {
    size_t newline = bytes.find('\n');
    std::string_view chunk = bytes.substr(0, newline);
    if (partial_.size() + chunk.size() > max_line_) return fail("line exceeds " + std::to_string(max_line_) + " bytes");
    partial_.append(chunk);
    if (newline == std::string_view::npos) break;
    lines.push_back(std::move(partial_));
    partial_.clear();
    bytes.remove_prefix(newline + 1);
  }
  return lines;
}

}  // namespace weft::ipc
