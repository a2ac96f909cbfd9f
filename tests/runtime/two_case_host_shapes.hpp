#pragma once
// The host functions of fixtures/host_shapes.wat whose results are two-case (option/result) shapes the return area's
// inline path (host_direct.hpp, lower_direct) serves: shared by the AOT host-call tests and the direct-entry tests,
// which must see the same values from both.

#include <cstdint>
#include <optional>
#include <string>

#include "weft/runtime/host.hpp"

namespace weft::runtime::test_shapes {

/// Wraps `poll` (weft:app/ipc.recv's shape: always none), `maybe` (option<u64>), `judge` (result<bool, f32>) and
/// `code` (option<char>) into `iface`.
inline void wrap_two_case_shapes(HostInterface& iface) {
  iface.wrap("poll", []() -> std::optional<std::string> { return std::nullopt; });
  iface.wrap("maybe", [](uint32_t n) -> std::optional<uint64_t> {
    if (!n) return std::nullopt;
    return uint64_t(n) * 0x100000001u;
  });
  iface.wrap("judge", [](uint32_t n) -> wit::Res<bool, float> {
    if (n % 2) return wit::Res<bool, float>::err(float(n) / 2);
    return wit::Res<bool, float>::ok(n % 4 == 0);
  });
  iface.wrap("code", [](uint32_t n) -> std::optional<char32_t> {
    if (!n) return std::nullopt;
    return char32_t(n);
  });
}

}  // namespace weft::runtime::test_shapes
