#include "notes_store.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <utility>

namespace notes {
namespace {

// Stored notes larger than this are refused on read (bytes): far above what a save can write, small enough to
// keep a hostile file from exhausting guest memory.
constexpr std::size_t kMaxStoredBytes = 16 * 1024 * 1024;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  /** Closes now and reports the result: a delayed write error can surface only here. */
  int close() { return ::close(std::exchange(fd_, -1)); }

 private:
  int fd_;
};

std::string describe(const std::string& what, const std::string& path, int err) {
  return what + " " + path + ": " + std::strerror(err);
}

}  // namespace

std::string revision_of(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64-bit offset basis
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;  // FNV-1a 64-bit prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

Store::Store(std::string dir)
    : dir_(std::move(dir)), path_(dir_ + "/notes.txt"), staging_path_(dir_ + "/.notes.txt.saving") {}

void Store::discard_stale_staging() const { ::unlink(staging_path_.c_str()); }

ReadResult Store::read() const {
  ReadResult result;
  Fd fd(::open(path_.c_str(), O_RDONLY));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      result.ok = true;
      return result;
    }
    result.error = describe("cannot open", path_, errno);
    return result;
  }
  char chunk[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      result.error = describe("cannot read", path_, errno);
      return result;
    }
    if (n == 0) break;
    if (result.bytes.size() + static_cast<std::size_t>(n) > kMaxStoredBytes) {
      result.error = path_ + " is larger than " + std::to_string(kMaxStoredBytes) + " bytes";
      return result;
    }
    result.bytes.append(chunk, static_cast<std::size_t>(n));
  }
  result.ok = true;
  return result;
}

std::string Store::write_atomically(std::string_view bytes) const {
  auto fail = [this](const std::string& what, const std::string& path, int err) {
    ::unlink(staging_path_.c_str());
    return describe(what, path, err);
  };
  Fd fd(::open(staging_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
  if (fd.get() < 0) return fail("cannot create", staging_path_, errno);
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write", staging_path_, errno);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("cannot sync", staging_path_, errno);
  if (fd.close() != 0) return fail("cannot close", staging_path_, errno);
  if (::rename(staging_path_.c_str(), path_.c_str()) != 0) return fail("cannot replace", path_, errno);
  // Make the rename itself durable. Best effort: some hosts cannot sync a directory, and the data is already safe.
  Fd dir(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY));
  if (dir.get() >= 0) (void)::fsync(dir.get());
  return {};
}

}  // namespace notes
