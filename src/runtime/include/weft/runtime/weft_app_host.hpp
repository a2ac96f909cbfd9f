#pragma once
// The `weft:app@0.1.0` host (spec §4.2, §4.4): notify, ipc, fetch, notifications and clipboard, with per-import
// grant checks and the spec's exact refusal strings.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/core/capability.hpp"
#include "weft/core/fd.hpp"
#include "weft/runtime/host.hpp"
#include "weft/runtime/wasi_host.hpp"

namespace weft::runtime {

/// Payload limit of one IPC message, bytes (the line, without its newline).
constexpr size_t kMaxIpcMessage = 65536;

struct WeftAppConfig {
  std::string app_id;
  std::vector<Capability> grants;
  UniqueFd ipc;  // connected relay socket, or invalid without --ipc-socket
  /// How long ipc.send waits for a relay that does not read before it gives the connection up.
  std::chrono::milliseconds ipc_send_limit = std::chrono::seconds(10);
};

class WeftAppHost {
 public:
  explicit WeftAppHost(WeftAppConfig config);
  ~WeftAppHost();
  WeftAppHost(const WeftAppHost&) = delete;
  WeftAppHost& operator=(const WeftAppHost&) = delete;

  void install(HostRegistry& registry);

  struct State;

 private:
  std::unique_ptr<State> state_;
};

/// The grant check of `fetch` for `host` (lowercase): empty when allowed, else the refusal string.
[[nodiscard]] std::string fetch_refusal(const std::vector<Capability>& grants, const std::string& host);

/// One HTTP request under the §4.5 policy (grant check, scheme, method, header rules, public addresses only unless an
/// IPv4 address is granted exactly, size limits, timeouts); redirects are returned. Errors are the spec's strings.
[[nodiscard]] Result<HttpResponse> http_request(const std::vector<Capability>& grants, const std::string& url,
                                                const std::string& method,
                                                const std::vector<std::pair<std::string, std::string>>& headers,
                                                const std::optional<std::string>& body);

/// Performs an HTTP request under the §4.5 policy (scheme, method, headers, address checks, size limits, timeouts).
/// Returns `response {status, content-type, body}` as a Val, or the error string.
[[nodiscard]] Result<Val> perform_fetch(const std::vector<Capability>& grants, const std::string& url,
                                        const std::string& method,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        const std::optional<std::string>& body);

}  // namespace weft::runtime
