#include "websocket_streams.hpp"

#include <cstring>

// ---- A pollable output stream that counts the bytes written through it ----
// libsoup-3 queues outgoing WebSocket frames without bound and offers no "buffered amount". Each accepted TCP
// connection is handed to libsoup wrapped in this stream, so the server knows exactly how many bytes libsoup has
// written to the socket; bytes handed to libsoup minus bytes written is what libsoup still holds.

struct WeftCountingOutputStream {
  GOutputStream parent;
  GOutputStream* base;   // the socket's output stream (owned reference)
  GIOStream* socket;     // the accepted connection (owned reference); closed with this stream
  guint64 written;       // bytes written to `base` so far
};
struct WeftCountingOutputStreamClass {
  GOutputStreamClass parent_class;
};

static void weft_counting_output_stream_pollable_init(GPollableOutputStreamInterface* iface);
G_DEFINE_TYPE_WITH_CODE(WeftCountingOutputStream, weft_counting_output_stream, G_TYPE_OUTPUT_STREAM,
                        G_IMPLEMENT_INTERFACE(G_TYPE_POLLABLE_OUTPUT_STREAM, weft_counting_output_stream_pollable_init))

static WeftCountingOutputStream* as_counting(gpointer stream) {
  return G_TYPE_CHECK_INSTANCE_CAST(stream, weft_counting_output_stream_get_type(), WeftCountingOutputStream);
}

static gssize weft_counting_write(GOutputStream* stream, const void* buffer, gsize count, GCancellable* cancellable,
                                  GError** error) {
  WeftCountingOutputStream* self = as_counting(stream);
  const gssize n = g_output_stream_write(self->base, buffer, count, cancellable, error);
  if (n > 0) self->written += static_cast<guint64>(n);
  return n;
}

static gboolean weft_counting_close(GOutputStream* stream, GCancellable* cancellable, GError** error) {
  // Closing the connection closes the socket; closing only its output stream would not.
  return g_io_stream_close(as_counting(stream)->socket, cancellable, error);
}

static void weft_counting_dispose(GObject* object) {
  WeftCountingOutputStream* self = as_counting(object);
  g_clear_object(&self->base);
  g_clear_object(&self->socket);
  G_OBJECT_CLASS(weft_counting_output_stream_parent_class)->dispose(object);
}

static void weft_counting_output_stream_class_init(WeftCountingOutputStreamClass* klass) {
  G_OBJECT_CLASS(klass)->dispose = weft_counting_dispose;
  G_OUTPUT_STREAM_CLASS(klass)->write_fn = weft_counting_write;
  G_OUTPUT_STREAM_CLASS(klass)->close_fn = weft_counting_close;
}

static void weft_counting_output_stream_init(WeftCountingOutputStream*) {}

static gboolean weft_counting_can_poll(GPollableOutputStream* stream) {
  return g_pollable_output_stream_can_poll(G_POLLABLE_OUTPUT_STREAM(as_counting(stream)->base));
}
static gboolean weft_counting_is_writable(GPollableOutputStream* stream) {
  return g_pollable_output_stream_is_writable(G_POLLABLE_OUTPUT_STREAM(as_counting(stream)->base));
}
static GSource* weft_counting_create_source(GPollableOutputStream* stream, GCancellable* cancellable) {
  GSource* base = g_pollable_output_stream_create_source(G_POLLABLE_OUTPUT_STREAM(as_counting(stream)->base), nullptr);
  GSource* source = g_pollable_source_new_full(stream, base, cancellable);
  g_source_unref(base);
  return source;
}
static gssize weft_counting_write_nonblocking(GPollableOutputStream* stream, const void* buffer, gsize count,
                                              GError** error) {
  WeftCountingOutputStream* self = as_counting(stream);
  const gssize n =
      g_pollable_output_stream_write_nonblocking(G_POLLABLE_OUTPUT_STREAM(self->base), buffer, count, nullptr, error);
  if (n > 0) self->written += static_cast<guint64>(n);
  return n;
}

static void weft_counting_output_stream_pollable_init(GPollableOutputStreamInterface* iface) {
  iface->can_poll = weft_counting_can_poll;
  iface->is_writable = weft_counting_is_writable;
  iface->create_source = weft_counting_create_source;
  iface->write_nonblocking = weft_counting_write_nonblocking;
}

// ---- A pollable input stream that bounds incoming WebSocket messages ----
// libsoup 3.2 caps each incoming frame (max-incoming-payload-size) but reassembles a fragmented message without
// limit (max-total-message-size only exists from libsoup 3.8). This stream sees every byte libsoup reads, follows
// the client's frame headers (RFC 6455 §5.2) after the HTTP request, and fails the read once one message carries
// more data than allowed, before libsoup buffers it.

struct WeftMessageGuard {
  enum Phase : uint8_t { http, header, payload };
  Phase phase;
  uint8_t crlf_matched;   // bytes of "\r\n\r\n" matched at the end of the HTTP request so far
  uint8_t head[14];       // frame header being collected (2..14 bytes)
  uint8_t head_length;
  uint8_t head_needed;
  guint64 payload_left;   // bytes of the current frame's payload still to come
  guint64 message_bytes;  // data bytes of the current (possibly fragmented) message
  guint64 max_message;    // bytes

  /// Follows `n` more bytes; false once a message exceeds max_message.
  bool feed(const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n;) {
      if (phase == http) {
        static constexpr uint8_t kEnd[4] = {'\r', '\n', '\r', '\n'};
        crlf_matched = p[i] == kEnd[crlf_matched] ? crlf_matched + 1 : (p[i] == '\r' ? 1 : 0);
        ++i;
        if (crlf_matched == 4) start_header();
      } else if (phase == payload) {
        const size_t skip = payload_left < n - i ? static_cast<size_t>(payload_left) : n - i;
        i += skip;
        payload_left -= skip;
        if (payload_left == 0) start_header();
      } else {
        head[head_length++] = p[i++];
        if (head_length == 2) {
          const uint8_t length7 = head[1] & 0x7f;
          head_needed = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((head[1] & 0x80) ? 4 : 0);
        }
        if (head_length == head_needed && !header_complete()) return false;
      }
    }
    return true;
  }
  void start_header() {
    phase = header;
    head_length = 0;
    head_needed = 2;
  }
  bool header_complete() {
    const uint8_t length7 = head[1] & 0x7f;
    guint64 length = length7;
    const int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
    if (extended) {
      length = 0;
      for (int k = 0; k < extended; ++k) length = (length << 8) | head[2 + k];
    }
    const uint8_t opcode = head[0] & 0x0f;
    const bool fin = (head[0] & 0x80) != 0;
    if (opcode < 8) {  // text, binary or continuation: counts toward the message
      if (length > max_message || message_bytes + length > max_message) return false;
      message_bytes = fin ? 0 : message_bytes + length;
    }
    payload_left = length;
    if (payload_left > 0) phase = payload;
    else start_header();
    return true;
  }
};

struct WeftGuardedInputStream {
  GInputStream parent;
  GInputStream* base;  // the socket's input stream (owned reference)
  WeftMessageGuard guard;
};
struct WeftGuardedInputStreamClass {
  GInputStreamClass parent_class;
};

static void weft_guarded_input_stream_pollable_init(GPollableInputStreamInterface* iface);
G_DEFINE_TYPE_WITH_CODE(WeftGuardedInputStream, weft_guarded_input_stream, G_TYPE_INPUT_STREAM,
                        G_IMPLEMENT_INTERFACE(G_TYPE_POLLABLE_INPUT_STREAM, weft_guarded_input_stream_pollable_init))

static WeftGuardedInputStream* as_guarded(gpointer stream) {
  return G_TYPE_CHECK_INSTANCE_CAST(stream, weft_guarded_input_stream_get_type(), WeftGuardedInputStream);
}

/// Passes a read result through the guard: a message over the limit turns the read into an error.
static gssize weft_guarded_check(WeftGuardedInputStream* self, const void* buffer, gssize n, GError** error) {
  if (n > 0 && !self->guard.feed(static_cast<const uint8_t*>(buffer), static_cast<size_t>(n))) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, "WebSocket message over %" G_GUINT64_FORMAT " bytes",
                self->guard.max_message);
    return -1;
  }
  return n;
}

static gssize weft_guarded_read(GInputStream* stream, void* buffer, gsize count, GCancellable* cancellable,
                                GError** error) {
  WeftGuardedInputStream* self = as_guarded(stream);
  return weft_guarded_check(self, buffer, g_input_stream_read(self->base, buffer, count, cancellable, error), error);
}

static gboolean weft_guarded_close(GInputStream*, GCancellable*, GError**) {
  return TRUE;  // the socket closes with the counting output stream
}

static void weft_guarded_dispose(GObject* object) {
  g_clear_object(&as_guarded(object)->base);
  G_OBJECT_CLASS(weft_guarded_input_stream_parent_class)->dispose(object);
}

static void weft_guarded_input_stream_class_init(WeftGuardedInputStreamClass* klass) {
  G_OBJECT_CLASS(klass)->dispose = weft_guarded_dispose;
  G_INPUT_STREAM_CLASS(klass)->read_fn = weft_guarded_read;
  G_INPUT_STREAM_CLASS(klass)->close_fn = weft_guarded_close;
}

static void weft_guarded_input_stream_init(WeftGuardedInputStream*) {}

static gboolean weft_guarded_can_poll(GPollableInputStream* stream) {
  return g_pollable_input_stream_can_poll(G_POLLABLE_INPUT_STREAM(as_guarded(stream)->base));
}
static gboolean weft_guarded_is_readable(GPollableInputStream* stream) {
  return g_pollable_input_stream_is_readable(G_POLLABLE_INPUT_STREAM(as_guarded(stream)->base));
}
static GSource* weft_guarded_create_source(GPollableInputStream* stream, GCancellable* cancellable) {
  GSource* base = g_pollable_input_stream_create_source(G_POLLABLE_INPUT_STREAM(as_guarded(stream)->base), nullptr);
  GSource* source = g_pollable_source_new_full(stream, base, cancellable);
  g_source_unref(base);
  return source;
}
static gssize weft_guarded_read_nonblocking(GPollableInputStream* stream, void* buffer, gsize count, GError** error) {
  WeftGuardedInputStream* self = as_guarded(stream);
  const gssize n =
      g_pollable_input_stream_read_nonblocking(G_POLLABLE_INPUT_STREAM(self->base), buffer, count, nullptr, error);
  return weft_guarded_check(self, buffer, n, error);
}

static void weft_guarded_input_stream_pollable_init(GPollableInputStreamInterface* iface) {
  iface->can_poll = weft_guarded_can_poll;
  iface->is_readable = weft_guarded_is_readable;
  iface->create_source = weft_guarded_create_source;
  iface->read_nonblocking = weft_guarded_read_nonblocking;
}

namespace weft::appd {

GOutputStream* counting_output_stream_new(GIOStream* socket) {
  auto* counter = as_counting(g_object_new(weft_counting_output_stream_get_type(), nullptr));
  counter->base = G_OUTPUT_STREAM(g_object_ref(g_io_stream_get_output_stream(socket)));
  counter->socket = G_IO_STREAM(g_object_ref(socket));
  return G_OUTPUT_STREAM(counter);
}

uint64_t counting_output_stream_written(GOutputStream* stream) { return as_counting(stream)->written; }

GInputStream* guarded_input_stream_new(GInputStream* base, size_t max_message) {
  auto* guarded = as_guarded(g_object_new(weft_guarded_input_stream_get_type(), nullptr));
  guarded->base = G_INPUT_STREAM(g_object_ref(base));
  guarded->guard = WeftMessageGuard{};
  guarded->guard.max_message = max_message;
  return G_INPUT_STREAM(guarded);
}

}  // namespace weft::appd
