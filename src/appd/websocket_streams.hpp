#pragma once
// Two GIO streams that sit between an accepted WebSocket connection and libsoup-3, so appd can bound what libsoup
// buffers in either direction (spec §3.2: outbound ≤ 256 messages or 4 MiB, messages ≤ 1 MiB):
//  - a counting output stream: bytes actually written to the socket, so "handed to libsoup − written" is exact;
//  - a guarded input stream: follows the client's frame headers and fails the read once one (possibly fragmented)
//    message exceeds the limit, before libsoup reassembles it.

#include <gio/gio.h>

#include <cstddef>
#include <cstdint>

namespace weft::appd {

/// A new output stream writing to `socket`'s output stream (both referenced; closing it closes `socket`).
[[nodiscard]] GOutputStream* counting_output_stream_new(GIOStream* socket);
/// Bytes written through `stream` (a counting output stream) so far.
[[nodiscard]] uint64_t counting_output_stream_written(GOutputStream* stream);

/// A new input stream reading from `base` that fails once an incoming WebSocket message exceeds `max_message` bytes.
[[nodiscard]] GInputStream* guarded_input_stream_new(GInputStream* base, size_t max_message);

}  // namespace weft::appd
