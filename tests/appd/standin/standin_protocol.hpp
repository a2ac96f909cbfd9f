#pragma once
// What the STAND-IN app shell (standin_app_shell.cpp) and the tests that drive it agree on. Tests only: the real
// weft-app-shell never speaks this. The stand-in connects to a Unix socket the test listens on, introduces itself with
// one hello line, then relays bridge lines (§6.3) raw in both directions; one control line from the test makes it close
// its end of WEFT_BRIDGE_FD.

#include <string_view>

namespace weft::appd::standin {

/// Socket name inside `$XDG_RUNTIME_DIR` (the runtime directory appd gives its children).
inline constexpr std::string_view kShellSocketName = "standin-app-shell.sock";
/// "type" of the stand-in's first line: `{"type":…,"app_id":…,"session_id":N,"bridge_token":…}`.
inline constexpr std::string_view kHelloType = "STANDIN_HELLO";
/// A line from the test that is not relayed: the stand-in closes its bridge fd (the session's fd bridge detaches, so a
/// WebSocket app role can take the session's one bridge slot, §3.2).
inline constexpr std::string_view kCloseBridgeLine = R"({"type":"STANDIN_CLOSE_BRIDGE"})";

}  // namespace weft::appd::standin
