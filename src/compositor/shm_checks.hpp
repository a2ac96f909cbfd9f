#pragma once
// wl_shm checks libwayland's wl_shm leaves out. Its wl_shm_pool.create_buffer checks only that height × stride fits
// in the pool; a stride shorter than a row of pixels passes, and the renderer then reads each row past the bytes the
// client declared (the last row past the end of the pool). Such a buffer is refused when it is created, with
// wl_shm.error.invalid_stride, as the protocol lets the compositor do.

#include "wlr.hpp"

namespace weft::compositor {

class ShmChecks {
 public:
  explicit ShmChecks(wl_display* display);
  ShmChecks(const ShmChecks&) = delete;
  ShmChecks& operator=(const ShmChecks&) = delete;

 private:
  // Sees each request before its handler runs, so the error is posted before the buffer exists.
  static void on_request(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message);

  wlr::ProtocolLoggerPtr logger_;
};

/// Bytes per pixel of a wl_shm format the renderer can read, 0 for any other (no stride check is possible).
[[nodiscard]] int shm_bytes_per_pixel(uint32_t format);

}  // namespace weft::compositor
