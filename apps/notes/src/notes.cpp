// org.weft.demo.notes — the component side of the notes demo (spec §8.2): a revisioned load/save protocol over IPC.
// Every request reads the stored file again, so a save made by another window of the app is always detected.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>

#include <weft_app.h>
#include <weft_json.h>

#include "notes_store.hpp"

namespace {

// How long to sleep when no message is waiting (ns): short enough that saving feels immediate.
constexpr long kIdlePollNs = 10 * 1000 * 1000;
// IPC payloads the host accepts, in bytes.
constexpr std::size_t kMaxPayloadBytes = 65536;

struct Reply {
  weft_buf buf{};
  Reply() = default;
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply() { weft_buf_free(&buf); }
  Reply& raw(std::string_view s) {
    weft_buf_put(&buf, s.data(), s.size());
    return *this;
  }
  Reply& str(std::string_view s) {
    weft_buf_put_json_string(&buf, s.data(), s.size());
    return *this;
  }
};

// A decoded JSON string member; empty optional-like state when absent or not a string.
struct Text {
  char* ptr = nullptr;
  std::size_t len = 0;
  Text() = default;
  Text(const Text&) = delete;
  Text& operator=(const Text&) = delete;
  ~Text() { std::free(ptr); }
  bool present() const { return ptr != nullptr; }
  std::string_view view() const { return {ptr, len}; }
};

bool get_string(std::string_view msg, const char* key, Text& out) {
  out.ptr = weft_json_object_get_string(msg.data(), msg.size(), key, &out.len);
  return out.present();
}

void send(const Reply& reply) {
  if (reply.buf.failed) {
    std::fprintf(stderr, "notes: out of memory building a reply\n");
    return;
  }
  weft_string error;
  if (!weft_ipc_send_cstr(reply.buf.ptr, &error)) {
    std::fprintf(stderr, "notes: sending a reply failed: %.*s\n", static_cast<int>(error.len), error.ptr);
    weft_string_free(&error);
  }
}

void send_error(std::string_view seq, bool conflict, std::string_view message) {
  Reply reply;
  reply.raw("{\"op\":\"error\",\"seq\":").raw(seq).raw(",\"conflict\":").raw(conflict ? "true" : "false");
  reply.raw(",\"message\":").str(message).raw("}");
  send(reply);
}

void load(const notes::Store& store) {
  notes::ReadResult stored = store.read();
  Reply reply;
  if (!stored.ok) {
    reply.raw("{\"op\":\"error\",\"message\":").str(stored.error).raw("}");
  } else if (!weft_utf8_valid(stored.bytes.data(), stored.bytes.size())) {
    reply.raw("{\"op\":\"error\",\"message\":").str("stored notes are not UTF-8").raw("}");
  } else {
    reply.raw("{\"op\":\"loaded\",\"rev\":").str(notes::revision_of(stored.bytes));
    reply.raw(",\"text\":").str(stored.bytes).raw("}");
    if (reply.buf.len > kMaxPayloadBytes) {  // escaping can grow a 60 KiB text past the payload limit
      Reply too_big;
      too_big.raw("{\"op\":\"error\",\"message\":").str("stored notes are too large to send").raw("}");
      send(too_big);
      return;
    }
  }
  send(reply);
}

void save(const notes::Store& store, std::string_view msg) {
  Text base, text;
  if (!get_string(msg, "base", base) || !get_string(msg, "text", text)) return;  // malformed: no reply
  weft_json_span seq_span;
  std::string_view seq = "null";
  if (weft_json_object_get(msg.data(), msg.size(), "seq", &seq_span)) seq = {seq_span.ptr, seq_span.len};

  notes::ReadResult stored = store.read();
  if (!stored.ok) return send_error(seq, false, stored.error);
  if (notes::revision_of(stored.bytes) != base.view()) return send_error(seq, true, "changed elsewhere");
  if (text.len > notes::kMaxTextBytes)
    return send_error(seq, false, "notes exceed " + std::to_string(notes::kMaxTextBytes) + " bytes");
  std::string error = store.write_atomically(text.view());
  if (!error.empty()) return send_error(seq, false, error);

  Reply reply;
  reply.raw("{\"op\":\"saved\",\"seq\":").raw(seq).raw(",\"rev\":").str(notes::revision_of(text.view())).raw("}");
  send(reply);
}

void handle(const notes::Store& store, std::string_view msg) {
  Text op;
  if (!get_string(msg, "op", op)) return;
  if (op.view() == "load") load(store);
  else if (op.view() == "save") save(store, msg);
  // unknown requests get no reply
}

}  // namespace

int main() {
  notes::Store store("/data");
  store.discard_stale_staging();
  weft_notify_ready();
  for (;;) {
    std::size_t len = 0;
    char* msg = weft_ipc_recv_cstr(&len);
    if (msg == nullptr) {
      timespec idle{0, kIdlePollNs};
      nanosleep(&idle, nullptr);
      continue;
    }
    handle(store, {msg, len});
    std::free(msg);
  }
}
