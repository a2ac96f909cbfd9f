#include "bridge_protocol.hpp"

#include <nlohmann/json.hpp>

#include "weft/core/ipc/bridge.hpp"

namespace weft::webview {

namespace {
std::string json_string(std::string_view text) {
  // ASCII-only output: U+2028/2029 and invalid UTF-8 can never break out of the JS string literal it becomes.
  return nlohmann::json(std::string(text)).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}
}  // namespace

std::string bridge_script(uint64_t session_id) {
  std::string script = R"JS((() => {
  'use strict';
  const handler = window.webkit.messageHandlers.)JS";
  script += kBridgeHandlerName;
  script += R"JS(;
  const post = (payload) => handler.postMessage(payload);
  const MAX_BYTES = )JS" + std::to_string(ipc::kMaxPayloadBytes) + R"JS(;
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
