#pragma once
// Turns touchpad gestures (begin / update* / end) into navigation gestures past the §2.1 thresholds. Pure logic: the
// input layer feeds it and forwards the result to panel slots.

#include <cstdint>
#include <optional>

namespace weft::compositor {

inline constexpr uint32_t kNavigationMinFingers = 3;
inline constexpr double kSwipeThresholdPx = 100.0;   // |Σdx| or |Σdy|, logical px
inline constexpr double kPinchInThreshold = 0.7;     // final scale at or below
inline constexpr double kPinchOutThreshold = 1.4;    // final scale at or above
inline constexpr uint32_t kHoldThresholdMs = 500;    // ms between hold begin and end

enum class GestureType : uint32_t { swipe = 0, pinch = 1, hold = 2 };

struct NavigationGesture {
  GestureType type;
  uint32_t fingers;
  double dx;  // logical px
  double dy;  // logical px
  friend bool operator==(const NavigationGesture&, const NavigationGesture&) = default;
};

class GestureRecognizer {
 public:
  void begin(GestureType type, uint32_t time_msec, uint32_t fingers);
  /// Swipe/pinch motion; `scale` is the pinch's absolute scale since begin (ignored for swipes).
  void update(GestureType type, double dx, double dy, double scale);
  /// The recognised gesture, if it ended uncancelled past its threshold.
  [[nodiscard]] std::optional<NavigationGesture> end(GestureType type, uint32_t time_msec, bool cancelled);

 private:
  std::optional<GestureType> active_;
  uint32_t fingers_ = 0;
  uint32_t begin_msec_ = 0;
  double dx_ = 0, dy_ = 0, scale_ = 1.0;
};

}  // namespace weft::compositor
