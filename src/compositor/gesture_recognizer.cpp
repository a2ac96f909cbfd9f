#include "gesture_recognizer.hpp"

#include <cmath>

namespace weft::compositor {

void GestureRecognizer::begin(GestureType type, uint32_t time_msec, uint32_t fingers) {
  active_ = type;
  fingers_ = fingers;
  begin_msec_ = time_msec;
  dx_ = dy_ = 0;
  scale_ = 1.0;
}

void GestureRecognizer::update(GestureType type, double dx, double dy, double scale) {
  if (active_ != type) return;
  dx_ += dx;
  dy_ += dy;
  if (type == GestureType::pinch) scale_ = scale;
}

std::optional<NavigationGesture> GestureRecognizer::end(GestureType type, uint32_t time_msec, bool cancelled) {
  if (active_ != type) return std::nullopt;
  active_.reset();
  if (cancelled || fingers_ < kNavigationMinFingers) return std::nullopt;
  switch (type) {
    case GestureType::swipe:
      if (std::abs(dx_) >= kSwipeThresholdPx || std::abs(dy_) >= kSwipeThresholdPx)
        return NavigationGesture{type, fingers_, dx_, dy_};
      break;
    case GestureType::pinch:
      if (scale_ <= kPinchInThreshold || scale_ >= kPinchOutThreshold)
        return NavigationGesture{type, fingers_, dx_, dy_};
      break;
    case GestureType::hold:
      // Unsigned difference: correct across the 32-bit millisecond wrap.
      if (time_msec - begin_msec_ >= kHoldThresholdMs) return NavigationGesture{type, fingers_, 0, 0};
      break;
  }
  return std::nullopt;
}

}  // namespace weft::compositor
