#pragma once
// RAII file descriptors and the few socket calls every WEFT process needs (Unix sockets, SO_PEERCRED, SCM_RIGHTS).

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "weft/core/result.hpp"

namespace weft {

/// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  void reset(int fd = -1) noexcept;

 private:
  int fd_ = -1;
};

/// Error text for the current errno: `<what>: <strerror>`.
[[nodiscard]] Error errno_error(std::string_view what, int code = 0);

/// Credentials of a Unix-socket peer, from SO_PEERCRED.
struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};
[[nodiscard]] Result<PeerCredentials> peer_credentials(int socket_fd);

/// Binds and listens on a Unix stream socket at `path` with mode `mode` (an existing stale socket file is replaced).
[[nodiscard]] Result<UniqueFd> listen_unix(const std::string& path, unsigned mode = 0600, int backlog = 16);
/// Connects a Unix stream socket to `path`.
[[nodiscard]] Result<UniqueFd> connect_unix(const std::string& path);
/// socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC).
[[nodiscard]] Result<std::pair<UniqueFd, UniqueFd>> unix_socket_pair();
/// pipe2(O_CLOEXEC): {read end, write end}.
[[nodiscard]] Result<std::pair<UniqueFd, UniqueFd>> make_pipe();

[[nodiscard]] Result<void> set_nonblocking(int fd, bool nonblocking = true);
[[nodiscard]] Result<void> set_cloexec(int fd, bool cloexec = true);
/// An fd a parent handed over by number in the environment variable `name` (e.g. WEFT_BRIDGE_FD=4): the variable is
/// removed and the fd marked close-on-exec before it is returned, so nothing this process starts inherits either.
/// Nothing when the variable is unset or empty; an error naming the variable when it is not an open fd ≥ `lowest`.
[[nodiscard]] Result<std::optional<UniqueFd>> take_fd_from_environment(const char* name, int lowest = 3);

/// Writes all bytes, retrying on EINTR/partial writes (blocking fds).
[[nodiscard]] Result<void> write_all(int fd, std::span<const uint8_t> bytes);
[[nodiscard]] Result<void> write_all(int fd, std::string_view text);

/// sendmsg with the bytes and exactly one fd as SCM_RIGHTS on the same message (blocking; writes all bytes, the fd
/// rides with the first byte).
[[nodiscard]] Result<void> send_with_fd(int socket_fd, std::span<const uint8_t> bytes, int fd_to_send);
/// As send_with_fd with several fds (1–8) on the first sendmsg, in the order given.
[[nodiscard]] Result<void> send_with_fds(int socket_fd, std::span<const uint8_t> bytes, std::span<const int> fds_to_send);

/// One recvmsg: bytes read (0 = EOF) and any fds that arrived (all owned; extra fds beyond the first are kept so the
/// caller can treat them as a violation).
struct ReceivedChunk {
  size_t bytes = 0;
  std::vector<UniqueFd> fds;
};
[[nodiscard]] Result<ReceivedChunk> receive_with_fds(int socket_fd, std::span<uint8_t> buffer);

/// A regular file opened for reading, with its status at open time.
struct OpenedRegularFile {
  UniqueFd fd;
  struct stat status {};
};
/// Opens `path` for reading only if it is a regular file, without waiting: the open is non-blocking (a FIFO would wait
/// for a writer) and anything but a regular file is refused with "<path> is not a regular file" (code EINVAL). With
/// `follow_last_link` false a link in the last place fails (ELOOP). Error code = errno otherwise.
[[nodiscard]] Result<OpenedRegularFile> open_regular_file(const std::string& path, bool follow_last_link = true);

/// Reads a whole (small) regular file into a string; `max_bytes` bounds it.
[[nodiscard]] Result<std::string> read_file(const std::string& path, size_t max_bytes = 16u << 20);
/// Reads an already opened file to its end (bounded by `max_bytes`); errors name `what`, code = errno.
[[nodiscard]] Result<std::string> read_fd(int fd, size_t max_bytes, std::string_view what);
/// Writes a file atomically: temporary name in the same directory, fsync, rename over `path`.
[[nodiscard]] Result<void> write_file_atomic(const std::string& path, std::string_view content, unsigned mode = 0600);
/// Writes `name` in `dirfd` atomically: temporary name, fsync, renameat over `name`, then fsync of the directory.
/// Errors carry the errno as code.
[[nodiscard]] Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content,
                                                mode_t mode);
/// Creates `name` in `dirfd` exclusively (O_EXCL | O_NOFOLLOW: never overwrites, never follows) with `content` and
/// fsyncs it. Errors carry the errno as code (EEXIST when the name is taken).
[[nodiscard]] Result<void> write_file_exclusive_at(int dirfd, const std::string& name, std::string_view content,
                                                   mode_t mode);

/// fsync(2); the error names `what`, code = errno.
[[nodiscard]] Result<void> fsync_fd(int fd, std::string_view what);
/// syncfs(2) on the filesystem holding `fd`: one call makes a whole staged tree (files and directory entries)
/// durable, instead of one fsync per file.
[[nodiscard]] Result<void> sync_filesystem(int fd, std::string_view what);

}  // namespace weft
