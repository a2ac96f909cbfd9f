#pragma once
// `wasi_snapshot_preview1` for core modules (`weft-runtime --module file.wasm` with a wasm32-wasip1 module: a
// development and conformance path; packages still hold components only, spec §5.1). Every function translates the
// preview-1 ABI (guest pointers, iovecs, errno) onto the WASI 0.2 host functions of a HostRegistry the WasiHost
// installed in, so each operation has one implementation (wasi_filesystem.cpp, wasi_cli_io.cpp) whichever ABI the
// guest speaks. Every guest pointer and length is checked against the memory: a bad one is answered with an errno
// (EFAULT, EINVAL, EOVERFLOW), never trusted.

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "weft/runtime/core_engine.hpp"
#include "weft/runtime/host.hpp"

namespace weft::runtime {

namespace preview1 {

/// Preview-1 errno values (the witx `errno` enum).
enum class Errno : uint16_t {
  success = 0, too_big = 1, access = 2, again = 6, already = 7, badf = 8, busy = 10, deadlock = 16, dquot = 19,
  exist = 20, fault = 21, fbig = 22, ilseq = 25, inprogress = 26, intr = 27, inval = 28, io = 29, isdir = 31,
  loop = 32, mfile = 33, mlink = 34, msgsize = 35, nametoolong = 37, nodev = 43, noent = 44, nolck = 46, nomem = 48,
  nospc = 51, nosys = 52, notdir = 54, notempty = 55, notrecoverable = 56, notsock = 57, notsup = 58, notty = 59,
  nxio = 60, overflow = 61, perm = 63, pipe = 64, rofs = 69, spipe = 70, txtbsy = 74, xdev = 75, notcapable = 76,
};

/// The preview-1 errno of a `wasi:filesystem/types.error-code` case index.
[[nodiscard]] Errno errno_of_fs_error(uint32_t error_code);

/// A guest's linear memory as the preview-1 functions see it. Every access names a guest address and a length; an
/// access that does not lie wholly inside the memory (overflow of address + length included) is refused.
class GuestMemory {
 public:
  explicit GuestMemory(std::span<uint8_t> bytes) : bytes_(bytes) {}

  /// Bytes [ptr, ptr + len), or none when they are not all inside the memory.
  [[nodiscard]] std::optional<std::span<uint8_t>> range(uint64_t ptr, uint64_t len) const;
  template <class T> [[nodiscard]] bool store(uint64_t ptr, T value) const {
    auto r = range(ptr, sizeof(T));
    if (!r) return false;
    std::memcpy(r->data(), &value, sizeof(T));  // wasm and every host WEFT runs on are little-endian
    return true;
  }
  template <class T> [[nodiscard]] std::optional<T> load(uint64_t ptr) const {
    auto r = range(ptr, sizeof(T));
    if (!r) return std::nullopt;
    T value;
    std::memcpy(&value, r->data(), sizeof(T));
    return value;
  }
  [[nodiscard]] size_t size() const { return bytes_.size(); }

 private:
  std::span<uint8_t> bytes_;
};

/// Largest number of iovecs one call may pass (POSIX IOV_MAX on Linux); more is EINVAL.
constexpr uint32_t kMaxIovecs = 1024;

/// The buffers of an iovec array at `iovs` (`count` entries of {u32 buf, u32 len}): EFAULT when the array or any
/// buffer lies outside the memory, EINVAL when `count` exceeds kMaxIovecs, EOVERFLOW when the lengths add past
/// what one call can report (u32).
[[nodiscard]] std::variant<std::vector<std::span<uint8_t>>, Errno> iovecs(const GuestMemory& memory, uint32_t iovs,
                                                                        uint32_t count);

}  // namespace preview1

/// The `wasi_snapshot_preview1` host of one core-module instance.
class Preview1Host {
 public:
  /// `wasi` is the registry a WasiHost installed its interfaces in; it must outlive this host.
  explicit Preview1Host(HostRegistry& wasi);
  ~Preview1Host();
  Preview1Host(const Preview1Host&) = delete;
  Preview1Host& operator=(const Preview1Host&) = delete;

  /// One extern per import of the module, in import order; an import this host does not provide, or one declared
  /// with another type than the preview-1 function's, is an error naming it.
  [[nodiscard]] Result<std::vector<CoreExtern>> link(CoreEngine& engine, const std::vector<CoreImport>& imports);
  /// The instance's exported memory, which every pointer refers to; until it is set every pointer is EFAULT.
  void set_memory(CoreExtern memory);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace weft::runtime
