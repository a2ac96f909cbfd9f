#pragma once
// Double-buffered wl_shm storage for presenting WPE frames: one memfd pool holding two ARGB8888 buffers of the current
// size. A buffer is written only after the compositor released it; a size change retires the old buffers, which are
// destroyed when released.

#include <cstdint>
#include <functional>
#include <vector>

#include "wayland_connection.hpp"
#include "weft/core/fd.hpp"

namespace weft::webview {

class ShmBuffers {
 public:
  explicit ShmBuffers(wl_shm* shm) : shm_(shm) {}
  ~ShmBuffers();
  ShmBuffers(const ShmBuffers&) = delete;
  ShmBuffers& operator=(const ShmBuffers&) = delete;

  struct Slot {
    WlBufferPtr buffer;
    uint8_t* pixels = nullptr;  // mapped, premultiplied ARGB8888, stride = width * 4
    int width = 0;
    int height = 0;
    bool busy = false;      // attached and not yet released by the compositor
    bool retired = false;   // from an older size: destroy on release
    ShmBuffers* owner = nullptr;
  };

  /// A free buffer of exactly width×height (bytes B,G,R,A per pixel), or null when both are still held by the
  /// compositor (the caller drops the frame). Errors when the pool cannot be created.
  [[nodiscard]] Result<Slot*> acquire(int width, int height);
  static constexpr int kBuffersPerPool = 2;
  /// Runs after the compositor released a buffer (a held-back frame can be shown then).
  std::function<void()> on_release;

 private:
  Result<void> reallocate(int width, int height);
  void collect();

  wl_shm* shm_;
  std::vector<std::unique_ptr<Slot>> slots_;
  struct Mapping {
    void* address = nullptr;
    size_t size = 0;
    int users = 0;
  };
  std::vector<Mapping> mappings_;
  int width_ = 0;
  int height_ = 0;
};

}  // namespace weft::webview
