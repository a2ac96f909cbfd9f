#pragma once
// appd's Unix socket API (spec §3.1): `WEFT_APPD_SOCKET` (0600), peers of another uid refused (SO_PEERCRED), u32-LE
// frames of one MessagePack value (map or positional array) each way, one response per request in request order,
// responses emitted as positional arrays, no broadcasts. Runs on the GLib default main context.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "api.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/glib.hpp"
#include "weft/core/result.hpp"

namespace weft::appd {

class UnixApiServer {
 public:
  /// Per-connection bounds (§9: every queue is bounded). Exceeding either closes the connection.
  struct Limits {
    size_t max_queued_bytes = 4u << 20;  // bytes of encoded responses not yet written to the socket
    size_t max_queued_messages = 256;    // responses not yet written, and also requests not yet answered
  };

  /// Binds `path` (mode 0600, a stale socket file is replaced) and serves requests through `handler`, which must
  /// outlive the server.
  [[nodiscard]] static Result<std::unique_ptr<UnixApiServer>> listen(const std::string& path, RequestHandler& handler,
                                                                     Limits limits);
  [[nodiscard]] static Result<std::unique_ptr<UnixApiServer>> listen(const std::string& path, RequestHandler& handler) {
    return listen(path, handler, Limits{});
  }
  /// Closes every client and removes the socket file.
  ~UnixApiServer();
  UnixApiServer(const UnixApiServer&) = delete;
  UnixApiServer& operator=(const UnixApiServer&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  /// Open client connections (for diagnostics and tests).
  [[nodiscard]] size_t client_count() const { return connections_.size(); }

  class Connection;  // one accepted client (unix_api.cpp)

 private:
  UnixApiServer(std::string path, UniqueFd listener, RequestHandler& handler, Limits limits);
  static gboolean on_listener_readable(gint fd, GIOCondition condition, gpointer data);
  void accept_pending();
  void forget(uint64_t id);

  std::string path_;
  UniqueFd listener_;
  RequestHandler& handler_;
  Limits limits_;
  glib::SourceId listen_watch_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;
};

}  // namespace weft::appd
