#include "weft/core/fd.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <random>

namespace weft {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Error errno_error(std::string_view what, int code) {
  return Error(std::string(what) + ": " + std::strerror(errno), code);
}

Result<PeerCredentials> peer_credentials(int socket_fd) {
  struct ucred cred {};
  socklen_t len = sizeof cred;
  if (::getsockopt(socket_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return fail(errno_error("SO_PEERCRED"));
  return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

namespace {
Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    return fail("socket path '" + path + "' is empty or longer than " + std::to_string(sizeof addr.sun_path - 1) +
                " bytes");
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}
}  // namespace

Result<UniqueFd> listen_unix(const std::string& path, unsigned mode, int backlog) {
  if (auto checked = unix_address(path); !checked) return fail(checked.error());
  // The socket is bound and listening under a private name first and then renamed into place, so a client that sees
  // `path` can always connect (bound-but-not-listening sockets refuse connections with ECONNREFUSED).
  // A path too long for a staging name beside it is bound in place (the window between bind and listen remains).
  std::string staging = path + "." + std::to_string(::getpid()) + ".new";
  if (!unix_address(staging)) staging = path;
  WEFT_TRY(sockaddr_un addr, unix_address(staging));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail(errno_error("socket"));
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0 && !S_ISSOCK(st.st_mode))
    return fail("cannot listen on " + path + ": a non-socket file is in the way");
  ::unlink(staging.c_str());  // a stale socket (in place) or a staging name left by a crashed process with our pid
  // Bind under a restrictive umask so the socket is never briefly wider than `mode`.
  mode_t old = ::umask(0177);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (rc != 0) return fail(errno_error("bind " + path));
  auto discard = [&](const std::string& what) {
    Error error = errno_error(what + " " + path);
    ::unlink(staging.c_str());
    return fail(std::move(error));
  };
  if (::chmod(staging.c_str(), mode) != 0) return discard("chmod");
  if (::listen(fd.get(), backlog) != 0) return discard("listen");
  if (staging != path && ::rename(staging.c_str(), path.c_str()) != 0) return discard("rename into");
  return fd;
}

Result<UniqueFd> connect_unix(const std::string& path) {
  WEFT_TRY(sockaddr_un addr, unix_address(path));
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail(errno_error("socket"));
  int rc;
  do rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  while (rc != 0 && errno == EINTR);
  if (rc != 0) return fail(errno_error("connect " + path));
  return fd;
}

Result<std::pair<UniqueFd, UniqueFd>> unix_socket_pair() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return fail(errno_error("socketpair"));
  return std::pair<UniqueFd, UniqueFd>{UniqueFd(sv[0]), UniqueFd(sv[1])};
}

Result<std::pair<UniqueFd, UniqueFd>> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail(errno_error("pipe2"));
  return std::pair<UniqueFd, UniqueFd>{UniqueFd(p[0]), UniqueFd(p[1])};
}

Result<void> set_nonblocking(int fd, bool nonblocking) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) return fail(errno_error("fcntl F_GETFL"));
  flags = nonblocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (::fcntl(fd, F_SETFL, flags) != 0) return fail(errno_error("fcntl F_SETFL"));
  return ok();
}

Result<void> set_cloexec(int fd, bool cloexec) {
  int flags = ::fcntl(fd, F_GETFD);
  if (flags < 0) return fail(errno_error("fcntl F_GETFD"));
  flags = cloexec ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
  if (::fcntl(fd, F_SETFD, flags) != 0) return fail(errno_error("fcntl F_SETFD"));
  return ok();
}

Result<void> write_all(int fd, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno_error("write"));
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

Result<void> write_all(int fd, std::string_view text) {
  return write_all(fd, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

Result<void> send_with_fd(int socket_fd, std::span<const uint8_t> bytes, int fd_to_send) {
  return send_with_fds(socket_fd, bytes, std::span<const int>(&fd_to_send, 1));
}

Result<void> send_with_fds(int socket_fd, std::span<const uint8_t> bytes, std::span<const int> fds_to_send) {
  constexpr size_t kMaxFds = 8;  // what receive_with_fds makes room for
  if (bytes.empty()) return fail("send_with_fds needs at least one byte to carry the fds");
  if (fds_to_send.empty() || fds_to_send.size() > kMaxFds) return fail("send_with_fds sends 1 to 8 fds");
  iovec iov{const_cast<uint8_t*>(bytes.data()), bytes.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds_to_send.size());
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int) * fds_to_send.size());
  std::memcpy(CMSG_DATA(cmsg), fds_to_send.data(), sizeof(int) * fds_to_send.size());
  ssize_t n;
  do n = ::sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail(errno_error("sendmsg"));
  size_t sent = static_cast<size_t>(n);
  while (sent < bytes.size()) {
    ssize_t m = ::send(socket_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (m < 0) {
      if (errno == EINTR) continue;
      return fail(errno_error("send"));
    }
    sent += static_cast<size_t>(m);
  }
  return ok();
}

Result<ReceivedChunk> receive_with_fds(int socket_fd, std::span<uint8_t> buffer) {
  iovec iov{buffer.data(), buffer.size()};
  // Room for a handful of fds so a peer sending several is detected (and all of them are closed) rather than truncated.
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 8)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = ::recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0) return fail(errno_error("recvmsg", errno));
  ReceivedChunk chunk;
  chunk.bytes = static_cast<size_t>(n);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
      chunk.fds.emplace_back(fd);
    }
  }
  return chunk;
}

Result<OpenedRegularFile> open_regular_file(const std::string& path, bool follow_last_link) {
  int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow_last_link ? 0 : O_NOFOLLOW);
  OpenedRegularFile file;
  file.fd = UniqueFd(::open(path.c_str(), flags));
  if (!file.fd) return fail(errno_error("open " + path));
  if (::fstat(file.fd.get(), &file.status) != 0) return fail(errno_error("stat " + path));
  if (!S_ISREG(file.status.st_mode)) return fail(Error(path + " is not a regular file", EINVAL));
  if (::fcntl(file.fd.get(), F_SETFL, ::fcntl(file.fd.get(), F_GETFL) & ~O_NONBLOCK) != 0)
    return fail(errno_error("fcntl " + path));
  return file;
}

Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  WEFT_TRY(OpenedRegularFile file, open_regular_file(path));
  return read_fd(file.fd.get(), max_bytes, path);
}

Result<std::string> read_fd(int fd, size_t max_bytes, std::string_view what) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno_error("read " + std::string(what), errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return fail(std::string(what) + " exceeds " + std::to_string(max_bytes) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<void> fsync_fd(int fd, std::string_view what) {
  if (::fsync(fd) != 0) return fail(errno_error("fsync " + std::string(what), errno));
  return ok();
}

Result<void> sync_filesystem(int fd, std::string_view what) {
  if (::syncfs(fd) != 0) return fail(errno_error("syncfs " + std::string(what), errno));
  return ok();
}

Result<void> write_file_exclusive_at(int dirfd, const std::string& name, std::string_view content, mode_t mode) {
  UniqueFd fd(::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd) return fail(errno_error("create " + name, errno));
  if (::fchmod(fd.get(), mode) != 0) return fail(errno_error("chmod " + name, errno));
  WEFT_TRY_VOID(write_all(fd.get(), content));
  return fsync_fd(fd.get(), name);
}

Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content, mode_t mode) {
  std::random_device rd;
  char suffix[17];
  std::snprintf(suffix, sizeof suffix, "%08x%08x", rd(), rd());
  std::string tmp = "." + name + ".tmp-" + suffix;
  if (auto w = write_file_exclusive_at(dirfd, tmp, content, mode); !w) {
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return w;
  }
  if (::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) {
    Error error = errno_error("rename to " + name, errno);
    ::unlinkat(dirfd, tmp.c_str(), 0);
    return fail(std::move(error));
  }
  return fsync_fd(dirfd, "directory of " + name);
}

Result<void> write_file_atomic(const std::string& path, std::string_view content, unsigned mode) {
  std::random_device rd;
  std::string tmp = path + ".tmp-" + std::to_string(rd()) + std::to_string(::getpid());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
  if (!fd) return fail(errno_error("create " + tmp));
  auto cleanup_and_fail = [&](Error e) {
    ::unlink(tmp.c_str());
    return fail(std::move(e));
  };
  if (::fchmod(fd.get(), mode) != 0) return cleanup_and_fail(errno_error("fchmod " + tmp));
  if (auto w = write_all(fd.get(), content); !w) return cleanup_and_fail(w.error());
  if (::fsync(fd.get()) != 0) return cleanup_and_fail(errno_error("fsync " + tmp));
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) return cleanup_and_fail(errno_error("rename to " + path));
  return ok();
}

Result<std::optional<UniqueFd>> take_fd_from_environment(const char* name, int lowest) {
  const char* text = std::getenv(name);
  if (!text || !*text) {
    ::unsetenv(name);
    return std::optional<UniqueFd>();
  }
  std::string value = text;
  ::unsetenv(name);
  char* end = nullptr;
  errno = 0;
  long fd = std::strtol(value.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || fd < lowest || fd > 65535)
    return fail(std::string(name) + " '" + value + "' is not an fd number");
  UniqueFd owned(static_cast<int>(fd));
  if (auto cloexec = set_cloexec(owned.get()); !cloexec)
    return fail(std::string(name) + " " + value + " is not an open fd: " + cloexec.error().message);
  return std::optional<UniqueFd>(std::move(owned));
}

}  // namespace weft
