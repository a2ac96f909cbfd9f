#pragma once
// Internal to weft-runtime: the WASI host's resource objects, keyed by rep (the value the canonical ABI stores in the
// guest's handle table).

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <map>

#include "weft/core/confined_fs.hpp"
#include "wasi_types.hpp"
#include "weft/runtime/wasi_host.hpp"

namespace weft::runtime {

/// The `wasi:filesystem/types.error-code` of an errno.
[[nodiscard]] wasi::FsErrorCode fs_error_from_errno(int err);

struct HttpState;
/// Whether an object of wasi_http.cpp has rep `r`.
[[nodiscard]] bool http_rep_in_use(const HttpState& http, uint32_t r);

struct WasiHost::State {
  WasiConfig config;
  std::shared_ptr<HttpState> http;  // wasi_http.cpp
  std::optional<int> exit_status;
  uint32_t next_rep = 1;

  struct OutputStream {
    int fd = -1;          // borrowed (stdout/stderr) or owned by a descriptor
    bool positional = false;  // files: pwrite at offset
    bool append = false;
    uint64_t offset = 0;
    std::shared_ptr<UniqueFd> keep;  // keeps a file open while the stream lives
    std::shared_ptr<std::string> sink;  // memory stream (an outgoing HTTP body) instead of an fd
  };
  struct InputStream {
    int fd = -1;  // -1: empty stream (stdin), unless `source` is set
    uint64_t offset = 0;
    std::shared_ptr<UniqueFd> keep;
    std::shared_ptr<const std::string> source;  // memory stream (an incoming HTTP body)
  };
  struct Descriptor {
    std::shared_ptr<UniqueFd> fd;
    bool read_only = true;
    bool is_directory = false;
    bool readable = true, writable = false;
  };
  struct Pollable {
    std::optional<std::chrono::steady_clock::time_point> deadline;  // none: always ready
  };
  struct IoError {
    std::string message;
    int err = 0;  // errno, for filesystem-error-code
  };
  /// Entries are read from the directory as the guest asks for them (a snapshot per stream would let a guest hold
  /// the whole listing of a large directory once per stream it opens).
  struct DirStream {
    DirectoryReader reader;
  };

  std::vector<std::pair<std::string, uint32_t>> preopen_reps;  // guest path, descriptor rep
  std::map<uint32_t, OutputStream> outputs;
  std::map<uint32_t, InputStream> inputs;
  std::map<uint32_t, Descriptor> descriptors;
  std::map<uint32_t, Pollable> pollables;
  std::map<uint32_t, IoError> errors;
  std::map<uint32_t, DirStream> dirs;

  /// A rep no live host object has. The counter is 32 bits and wraps after 2^32 allocations; a value still in use
  /// is skipped (handing it out again would overwrite the live object). Live objects are bounded by the guest's
  /// handle limit (kMaxLiveHandles), so the search ends.
  uint32_t rep() {
    while (next_rep == 0 || rep_in_use(next_rep)) ++next_rep;
    return next_rep++;
  }
  [[nodiscard]] bool rep_in_use(uint32_t r) const {
    return outputs.count(r) || inputs.count(r) || descriptors.count(r) || pollables.count(r) || errors.count(r) ||
           dirs.count(r) || std::any_of(preopen_reps.begin(), preopen_reps.end(), [r](auto& p) { return p.second == r; }) ||
           (http && http_rep_in_use(*http, r));
  }
  uint32_t new_error(std::string message, int err) {
    uint32_t r = rep();
    errors[r] = {std::move(message), err};
    return r;
  }
  uint32_t ready_pollable() {
    uint32_t r = rep();
    pollables[r] = {};
    return r;
  }
};

void install_wasi_cli_io(WasiHost::State& st, HostRegistry& registry);
void install_wasi_filesystem(WasiHost::State& st, HostRegistry& registry);
void install_wasi_http(WasiHost::State& st, HostRegistry& registry);

}  // namespace weft::runtime
