#pragma once
// `weft-dev ipc <session id | app id> [LINE]`: sends LINE (or each line of stdin) to a running development app's
// component through appd (DEV_IPC_EXCHANGE) and prints every line the component sent back within --wait ms. Looks for
// the app in the desktops of this user: `$XDG_RUNTIME_DIR/weft/appd.sock` and those weft-dev started
// (`$XDG_RUNTIME_DIR/weft-dev-*/weft/appd.sock`).

#include <cstdint>
#include <optional>
#include <string>

namespace weft::dev {

struct IpcOptions {
  std::string target;               // session id or app id
  std::optional<std::string> line;  // else stdin, one exchange per line
  uint32_t wait_ms = 1000;
};

[[nodiscard]] int ipc_exchange(const IpcOptions& options);

}  // namespace weft::dev
