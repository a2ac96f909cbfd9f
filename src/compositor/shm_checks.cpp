#include "shm_checks.hpp"

#include <string>
#include <string_view>

namespace weft::compositor {

int shm_bytes_per_pixel(uint32_t format) {
  switch (format) {
    // wl_shm spells the two mandatory formats 0 and 1; every other one is its DRM fourcc.
    case WL_SHM_FORMAT_ARGB8888:
    case WL_SHM_FORMAT_XRGB8888:
    case DRM_FORMAT_ABGR8888:
    case DRM_FORMAT_XBGR8888:
    case DRM_FORMAT_RGBA8888:
    case DRM_FORMAT_RGBX8888:
    case DRM_FORMAT_BGRA8888:
    case DRM_FORMAT_BGRX8888:
    case DRM_FORMAT_ARGB2101010:
    case DRM_FORMAT_XRGB2101010:
    case DRM_FORMAT_ABGR2101010:
    case DRM_FORMAT_XBGR2101010:
      return 4;
    case DRM_FORMAT_RGB565:
    case DRM_FORMAT_BGR565:
    case DRM_FORMAT_ARGB1555:
    case DRM_FORMAT_XRGB1555:
    case DRM_FORMAT_ARGB4444:
    case DRM_FORMAT_XRGB4444:
      return 2;
    default:
      return 0;
  }
}

ShmChecks::ShmChecks(wl_display* display)
    : logger_(wl_display_add_protocol_logger(display, &ShmChecks::on_request, this)) {}

void ShmChecks::on_request(void*, wl_protocol_logger_type type, const wl_protocol_logger_message* message) {
  if (type != WL_PROTOCOL_LOGGER_REQUEST || std::string_view(message->message->name) != "create_buffer") return;
  if (std::string_view(wl_resource_get_class(message->resource)) != "wl_shm_pool") return;
  // create_buffer(id, offset, width, height, stride, format)
  if (message->arguments_count != 6) return;
  const int64_t width = message->arguments[2].i;   // px
  const int64_t stride = message->arguments[4].i;  // bytes per row
  const int bytes_per_pixel = shm_bytes_per_pixel(message->arguments[5].u);
  if (bytes_per_pixel == 0 || width <= 0 || stride >= width * bytes_per_pixel) return;
  wl_resource_post_error(message->resource, WL_SHM_ERROR_INVALID_STRIDE,
                         "stride %lld is shorter than a row of %lld pixels (%lld bytes)",
                         static_cast<long long>(stride), static_cast<long long>(width),
                         static_cast<long long>(width * bytes_per_pixel));
}

}  // namespace weft::compositor
