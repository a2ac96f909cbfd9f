#include "bridge_protocol.hpp"

#include <nlohmann/json.hpp>

namespace weft::webview {

namespace {
std::string json_string(std::string_view text) {
  // ASCII-only output: U+2028/2029 and invalid UTF-8 can never break out of the JS string literal it becomes.
  return nlohmann::json(std::string(text)).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}
}  // namespace

Result<void> check_bridge_payload(std::string_view payload) {
  if (payload.size() > kMaxBridgePayloadBytes)
    return fail("payload exceeds " + std::to_string(kMaxBridgePayloadBytes) + " bytes", 400);
  if (payload.find_first_of("\r\n") != std::string_view::npos) return fail("payload contains a line break", 400);
  return ok();
}

Result<std::string> encode_app_message(std::string_view payload) {
  WEFT_TRY_VOID(check_bridge_payload(payload));
  return "{\"type\":\"APP_MESSAGE\",\"payload\":" + json_string(payload) + "}\n";
}

Result<std::optional<std::string>> decode_bridge_line(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  nlohmann::json value = nlohmann::json::parse(line, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return fail("bridge line is not a JSON object");
  auto type = value.find("type");
  if (type == value.end() || !type->is_string()) return fail("bridge line has no string \"type\"");
  if (*type != "APP_MESSAGE") return std::optional<std::string>();
  auto payload = value.find("payload");
  if (payload == value.end() || !payload->is_string()) return fail("APP_MESSAGE without a string payload");
  return std::optional<std::string>(payload->get<std::string>());
}

std::string renderer_crashed_line() { return "{\"type\":\"RENDERER_CRASHED\"}\n"; }

Result<std::vector<std::string>> LineSplitter::feed(std::string_view bytes) {
  std::vector<std::string> lines;
  while (!bytes.empty()) {
    size_t newline = bytes.find('\n');
    std::string_view chunk = bytes.substr(0, newline);
    if (partial_.size() + chunk.size() > max_line_)
      return fail("bridge line exceeds " + std::to_string(max_line_) + " bytes");
    partial_.append(chunk);
    if (newline == std::string_view::npos) break;
    lines.push_back(std::move(partial_));
    partial_.clear();
    bytes.remove_prefix(newline + 1);
  }
  return lines;
}

std::string bridge_script(uint64_t session_id) {
  std::string script = R"JS((() => {
  'use strict';
  const handler = window.webkit.messageHandlers.)JS";
  script += kBridgeHandlerName;
  script += R"JS(;
  const post = (payload) => handler.postMessage(payload);
  const MAX_BYTES = )JS" + std::to_string(kMaxBridgePayloadBytes) + R"JS(;
  const MAX_BUFFERED = )JS" + std::to_string(kMaxBufferedPayloads) + R"JS(;
  const encoder = new TextEncoder();
  const pending = [];
  let listener = null;
  let flushing = false;
  const flush = () => {
    flushing = false;
    while (pending.length && typeof listener === 'function') {
      const payload = pending.shift();
      try { listener(payload); } catch (e) { console.error('weftIpc.onmessage threw', e); }
    }
  };
  const schedule = () => {
    if (!flushing && typeof listener === 'function') { flushing = true; queueMicrotask(flush); }
  };
  const deliver = (payload) => {
    pending.push(String(payload));
    if (pending.length > MAX_BUFFERED) pending.shift();
    schedule();
  };
  const ipc = {};
  Object.defineProperty(ipc, 'send', { enumerable: true, value: (value) => {
    let payload = value;
    if (typeof value !== 'string') {
      try { payload = JSON.stringify(value); } catch (e) { throw new TypeError('weftIpc.send: ' + e.message); }
      if (typeof payload !== 'string') throw new TypeError('weftIpc.send: the value cannot be serialised');
    }
    if (encoder.encode(payload).length > MAX_BYTES) throw new RangeError('weftIpc.send: payload exceeds ' + MAX_BYTES + ' bytes');
    if (/[\r\n]/.test(payload)) throw new RangeError('weftIpc.send: payload contains a line break');
    post(payload);
  }});
  Object.defineProperty(ipc, 'onmessage', { enumerable: true,
    get: () => listener,
    set: (fn) => { listener = fn; schedule(); } });
  Object.freeze(ipc);
  Object.defineProperty(window, 'weftIpc', { value: ipc, enumerable: true });
  Object.defineProperty(window, 'weftSessionId', { value: )JS" + std::to_string(session_id) + R"JS(, enumerable: true });
  Object.defineProperty(window, '__weftDeliver', { value: deliver });
})();
)JS";
  return script;
}

std::string delivery_call(std::string_view payload) { return "window.__weftDeliver(" + json_string(payload) + ");"; }

}  // namespace weft::webview
