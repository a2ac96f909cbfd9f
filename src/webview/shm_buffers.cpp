#include "shm_buffers.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

namespace weft::webview {

namespace {
const wl_buffer_listener kBufferListener = {[](void* data, wl_buffer*) {
  auto* slot = static_cast<ShmBuffers::Slot*>(data);
  slot->busy = false;
  if (slot->owner->on_release) slot->owner->on_release();
}};
}  // namespace

ShmBuffers::~ShmBuffers() {
  slots_.clear();  // wl_buffer_destroy for every buffer before its memory goes
  for (auto& m : mappings_) munmap(m.address, m.size);
}

Result<void> ShmBuffers::reallocate(int width, int height) {
  for (auto& slot : slots_) slot->retired = true;
  const size_t stride = static_cast<size_t>(width) * 4;
  const size_t buffer_bytes = stride * static_cast<size_t>(height);
  const size_t pool_bytes = buffer_bytes * kBuffersPerPool;
  UniqueFd fd(memfd_create("weft-webview-frames", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return fail(errno_error("memfd_create for " + std::to_string(pool_bytes) + " bytes of frames"));
  if (ftruncate(fd.get(), static_cast<off_t>(pool_bytes)) != 0) return fail(errno_error("ftruncate of the frame pool"));
  void* address = mmap(nullptr, pool_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (address == MAP_FAILED) return fail(errno_error("mmap of the frame pool"));
  WlShmPoolPtr pool(wl_shm_create_pool(shm_, fd.get(), static_cast<int32_t>(pool_bytes)));
  mappings_.push_back({address, pool_bytes, kBuffersPerPool});
  for (int i = 0; i < kBuffersPerPool; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->buffer.reset(wl_shm_pool_create_buffer(pool.get(), static_cast<int32_t>(buffer_bytes * i), width, height,
                                                 static_cast<int32_t>(stride), WL_SHM_FORMAT_ARGB8888));
    slot->pixels = static_cast<uint8_t*>(address) + buffer_bytes * i;
    slot->width = width;
    slot->height = height;
    slot->owner = this;
    wl_buffer_add_listener(slot->buffer.get(), &kBufferListener, slot.get());
    slots_.push_back(std::move(slot));
  }
  width_ = width;
  height_ = height;
  return ok();
}

void ShmBuffers::collect() {
  // Retired buffers go once released; a mapping goes with its last buffer.
  std::erase_if(slots_, [this](const std::unique_ptr<Slot>& slot) {
    if (!slot->retired || slot->busy) return false;
    for (auto& m : mappings_) {
      auto* base = static_cast<uint8_t*>(m.address);
      if (slot->pixels >= base && slot->pixels < base + m.size) --m.users;
    }
    return true;
  });
  std::erase_if(mappings_, [](const Mapping& m) {
    if (m.users > 0) return false;
    munmap(m.address, m.size);
    return true;
  });
}

Result<ShmBuffers::Slot*> ShmBuffers::acquire(int width, int height) {
  if (width <= 0 || height <= 0) return fail("frame size " + std::to_string(width) + "x" + std::to_string(height) + " is not positive");
  if (width != width_ || height != height_) WEFT_TRY_VOID(reallocate(width, height));
  collect();
  for (auto& slot : slots_)
    if (!slot->retired && !slot->busy) return slot.get();
  return static_cast<Slot*>(nullptr);
}

}  // namespace weft::webview
