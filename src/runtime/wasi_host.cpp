// WasiHost: owns the WASI state and registers its interfaces.

#include "wasi_state.hpp"

namespace weft::runtime {

WasiHost::WasiHost(WasiConfig config) : state_(std::make_unique<State>()) { state_->config = std::move(config); }
WasiHost::~WasiHost() = default;

void WasiHost::install(HostRegistry& registry) {
  install_wasi_cli_io(*state_, registry);
  install_wasi_filesystem(*state_, registry);
  if (state_->config.http_client) install_wasi_http(*state_, registry);
}

std::optional<int> WasiHost::exit_status() const { return state_->exit_status; }

}  // namespace weft::runtime
