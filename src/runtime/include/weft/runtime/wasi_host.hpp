#pragma once
// The WASI 0.2 host (spec §4.3): cli, clocks, random, io (error, poll, streams) and filesystem (types, preopens) with
// per-preopen read-only enforcement; every path stays beneath its preopen (openat2 RESOLVE_BENEATH).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "weft/core/fd.hpp"
#include "weft/runtime/host.hpp"

namespace weft::runtime {

struct Preopen {
  std::string host_path;
  std::string guest_path;  // absolute, e.g. `/data`
  bool read_only = true;
};

/// Bytes of one HTTP body either way (spec §4.5): the wasi:http request sink, weft:app/fetch and every response.
constexpr size_t kMaxHttpBody = size_t(16) << 20;

/// A response of an outgoing HTTP request: status, header fields (names lowercase, in order) and the body.
struct HttpResponse {
  uint16_t status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// Performs one outgoing request (url, method, headers, body) under the host's policy; errors are refusal strings.
using HttpClient = std::function<Result<HttpResponse>(const std::string& url, const std::string& method,
                                                      const std::vector<std::pair<std::string, std::string>>& headers,
                                                      const std::optional<std::string>& body)>;

struct WasiConfig {
  std::vector<std::pair<std::string, std::string>> environment;
  /// `wasi:cli/environment.get-arguments`: the app id as argv[0], then development arguments.
  std::vector<std::string> arguments;
  std::vector<Preopen> preopens;
  int stdout_fd = 1;
  int stderr_fd = 2;
  /// Serves `wasi:http/outgoing-handler`; without it the wasi:http interfaces are not provided.
  HttpClient http_client;
};

class WasiHost {
 public:
  explicit WasiHost(WasiConfig config);
  ~WasiHost();
  WasiHost(const WasiHost&) = delete;
  WasiHost& operator=(const WasiHost&) = delete;

  /// Opens the preopen directories; an error names the directory that cannot be opened.
  [[nodiscard]] Result<void> open_preopens();
  /// Registers every WASI 0.2 interface this host implements.
  void install(HostRegistry& registry);
  /// Set once the guest called `wasi:cli/exit.exit`.
  [[nodiscard]] std::optional<int> exit_status() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace weft::runtime
