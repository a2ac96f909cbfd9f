#pragma once
// The pixel predicates every test that looks at a screen uses, for any image type whose `at(x, y)` gives a colour
// with 8-bit r, g, b members and that has `width` and `height`: a web view's frame (webview::Image), a compositor
// capture (the compositor tests' Png, weft-session's Frame). The images themselves come from the production capture
// code; what a test asks of them is written here once.

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <ostream>
#include <string>

#include "weft/core/result.hpp"

namespace weft::test {

/// An opaque 8-bit colour.
struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};
inline std::ostream& operator<<(std::ostream& out, const Rgb& c) {
  return out << "rgb(" << int(c.r) << "," << int(c.g) << "," << int(c.b) << ")";
}

/// The default tolerance (per channel, 0..255) of near(): antialiasing and llvmpipe rounding.
inline constexpr int kColourTolerance = 8;
/// The default tolerance of fraction_different(): above rendering noise, below a changed glyph or widget.
inline constexpr int kChangeTolerance = 24;

/// True when every channel of `a` is within `tolerance` of `b` (alpha too when both colours have one).
template <class A, class B>
[[nodiscard]] bool near(const A& a, const B& b, int tolerance = kColourTolerance) {
  const bool alpha_near = [&] {
    if constexpr (requires { a.a; b.a; }) return std::abs(int(a.a) - int(b.a)) <= tolerance;
    return true;
  }();
  return alpha_near && std::abs(int(a.r) - int(b.r)) <= tolerance && std::abs(int(a.g) - int(b.g)) <= tolerance &&
         std::abs(int(a.b) - int(b.b)) <= tolerance;
}

/// Share (0..1) of the pixels of the rectangle (clipped to the image) whose colour is near `colour`.
template <class Image, class Colour>
[[nodiscard]] double fraction_near(const Image& image, int x, int y, int w, int h, const Colour& colour,
                                   int tolerance = kColourTolerance) {
  long hits = 0, total = 0;
  for (int j = std::max(0, y); j < std::min(int(image.height), y + h); ++j)
    for (int i = std::max(0, x); i < std::min(int(image.width), x + w); ++i) {
      ++total;
      if (near(image.at(i, j), colour, tolerance)) ++hits;
    }
  return total ? double(hits) / double(total) : 0.0;
}

/// Share (0..1) of the pixels of the rectangle that differ (any channel by more than `tolerance`) between two images;
/// 1 when their sizes differ.
template <class Image>
[[nodiscard]] double fraction_different(const Image& a, const Image& b, int x, int y, int w, int h,
                                        int tolerance = kChangeTolerance) {
  if (a.width != b.width || a.height != b.height) return 1.0;
  long differ = 0, total = 0;
  for (int j = std::max(0, y); j < std::min(int(a.height), y + h); ++j)
    for (int i = std::max(0, x); i < std::min(int(a.width), x + w); ++i) {
      ++total;
      if (!near(a.at(i, j), b.at(i, j), tolerance)) ++differ;
    }
  return total ? double(differ) / double(total) : 0.0;
}

/// Writes `image` as `$<env_var>/<name>` when that variable is set (captures kept for docs and for looking at a
/// failure); ok() when it is not. `write_png(image, path)` is the image type's own encoder (e.g. webview's), found by
/// argument-dependent lookup.
template <class Image>
[[nodiscard]] Result<void> keep_png(const Image& image, const char* env_var, const std::string& name) {
  const char* dir = std::getenv(env_var);
  if (!dir) return ok();
  return write_png(image, std::string(dir) + "/" + name);
}

/// The WEFT desktop as the system page draws it (ui/system-ui.html), for tests that read captures of it.
namespace desktop {
inline constexpr int kTaskbar = 48;  // px high, at the bottom of the output
inline constexpr Rgb kTaskbarColour{20, 22, 28};
inline constexpr Rgb kDesktopColour{28, 36, 54};
inline constexpr Rgb kAccent{91, 138, 245};              // launcher icons, the counter's − and + buttons
inline constexpr Rgb kOnline{63, 185, 80};               // the taskbar's status dot once the page reached appd
inline constexpr Rgb kCard{0x1f, 0x23, 0x2b};            // the demo apps' cards
inline constexpr Rgb kNegative{0xf0, 0x64, 0x6a};        // the counter's value below zero

/// The taskbar fills the bottom kTaskbar px of a capture of the whole output (its launcher button and status area
/// left out) and its status dot says the page is connected to appd.
template <class Image>
[[nodiscard]] bool taskbar_connected(const Image& frame) {
  const int width = int(frame.width), height = int(frame.height);
  return fraction_near(frame, 100, height - kTaskbar + 4, width - 250, kTaskbar - 8, kTaskbarColour, 4) > 0.9 &&
         fraction_near(frame, width - 110, height - kTaskbar, 110, kTaskbar, kOnline, 16) > 0;
}
}  // namespace desktop

}  // namespace weft::test
