#include "weft/store/fs_at.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <sodium.h>

#include "weft/store/crypto.hpp"

namespace weft::store {
namespace {

Failure errno_fail(std::string_view what, int err) {
  return fail(Error(std::string(what) + ": " + std::strerror(err), err));
}

}  // namespace

Result<void> fsync_fd(int fd, std::string_view what) {
  if (::fsync(fd) != 0) return errno_fail(std::string("fsync ") + std::string(what), errno);
  return ok();
}

Result<void> sync_filesystem(int fd, std::string_view what) {
  if (::syncfs(fd) != 0) return errno_fail(std::string("syncfs ") + std::string(what), errno);
  return ok();
}

std::string random_hex(size_t n_bytes) {
  (void)crypto_init();
  std::vector<uint8_t> bytes(n_bytes);
  randombytes_buf(bytes.data(), bytes.size());
  return to_hex(bytes);
}

bool is_portable_name(std::string_view name) {
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  // sodium has no UTF-8 validator: a small strict decoder (no overlongs, no surrogates, ≤ U+10FFFF).
  size_t i = 0;
  while (i < name.size()) {
    auto c = static_cast<unsigned char>(name[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > name.size()) return false;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(name[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

Result<std::string> read_fd(int fd, size_t max_bytes, std::string_view what) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_fail(std::string("read ") + std::string(what), errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return fail(std::string(what) + " exceeds " + std::to_string(max_bytes) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace weft::store

namespace weft::store {

Result<void> write_file_exclusive_at(int dirfd, const std::string& name, std::string_view content, mode_t mode) {
  int fd = ::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return errno_fail("create " + name, errno);
  UniqueFd owned(fd);
  if (::fchmod(fd, mode) != 0) return errno_fail("chmod " + name, errno);
  WEFT_TRY_VOID(write_all(fd, content));
  return fsync_fd(fd, name);
}

Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content, mode_t mode) {
  std::string tmp = "." + name + ".tmp-" + random_hex(8);
  if (auto w = write_file_exclusive_at(dirfd, tmp, content, mode); !w) {
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return w;
  }
  if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return errno_fail("rename to " + name, err);
  }
  return fsync_fd(dirfd, "directory of " + name);
}

}  // namespace weft::store
