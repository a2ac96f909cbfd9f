// Fuzz target: bundle extraction (§5.7) takes any bytes as a `.app.tar.zst` (or plain tar) and either extracts a
// package beneath its destination or refuses with a named error; it never writes outside the destination, never
// creates a link, and never leaves a partial tree behind a refusal it reports as success.
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "weft/core/fd.hpp"
#include "weft/store/bundle.hpp"

namespace {

namespace fs = std::filesystem;

struct Fixture {
  std::string base, archive, dest, outside;
  weft::UniqueFd base_fd, outside_fd;
  Fixture() {
    std::string templ = (fs::temp_directory_path() / "weft-fuzz-bundle-XXXXXX").string();
    if (!::mkdtemp(templ.data())) __builtin_trap();
    base = templ;
    archive = base + "/input.app.tar.zst";
    dest = base + "/dest";
    outside = base + "/outside";
    fs::create_directories(outside);
    base_fd = weft::UniqueFd(::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    outside_fd = weft::UniqueFd(::open(outside.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!base_fd || !outside_fd) __builtin_trap();
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
};

// The checks walk directories with getdents64 into one static buffer: opendir and std::filesystem allocate a 32 KiB
// buffer per directory, which under AddressSanitizer cost more than the extraction itself.
alignas(8) char dirent_buffer[4096];

/// The entries of the directory open at `dir_fd` from its start, into dirent_buffer: bytes read (0 at the end).
long read_entries(int dir_fd) {
  if (::lseek(dir_fd, 0, SEEK_SET) != 0) __builtin_trap();
  long n = ::syscall(SYS_getdents64, dir_fd, dirent_buffer, sizeof dirent_buffer);
  if (n < 0) __builtin_trap();
  return n;
}

bool is_dot_or_dotdot(std::string_view name) { return name == "." || name == ".."; }

/// True when the directory open at `dir_fd` has no entry besides "." and "..".
bool directory_is_empty(int dir_fd) {
  long n = read_entries(dir_fd);
  for (long at = 0; at < n;) {
    auto* entry = reinterpret_cast<dirent64*>(dirent_buffer + at);
    at += entry->d_reclen;
    if (!is_dot_or_dotdot(entry->d_name)) return false;
  }
  return true;  // "." and ".." fit one read: a directory with other entries shows one in the first read
}

/// Empties the directory open at `dir_fd`, trapping on anything but regular files and directories (a link or a
/// device in the extraction is a finding). It deletes as it reads, so it reads again from the start after each
/// subdirectory (whose walk reuses the buffer) and after each buffer of files.
void check_and_empty(int dir_fd) {
  for (;;) {
    long n = read_entries(dir_fd);
    bool removed = false;
    for (long at = 0; at < n;) {
      auto* entry = reinterpret_cast<dirent64*>(dirent_buffer + at);
      at += entry->d_reclen;
      if (is_dot_or_dotdot(entry->d_name)) continue;
      unsigned char type = entry->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st {};
        if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) __builtin_trap();
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
      }
      removed = true;
      if (type == DT_REG) {
        if (::unlinkat(dir_fd, entry->d_name, 0) != 0) __builtin_trap();
        continue;
      }
      if (type != DT_DIR) __builtin_trap();  // a link, device, FIFO or socket in the extraction
      std::string name = entry->d_name;
      {
        weft::UniqueFd sub(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub) __builtin_trap();
        check_and_empty(sub.get());
      }
      if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) __builtin_trap();
      break;  // the buffer now holds the subdirectory's entries
    }
    if (!removed) return;
  }
}

void write_input(const std::string& path, const uint8_t* data, size_t size) {
  weft::UniqueFd out(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!out) __builtin_trap();
  for (size_t done = 0; done < size;) {
    ssize_t n = ::write(out.get(), data + done, size - done);
    if (n <= 0) __builtin_trap();
    done += size_t(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  write_input(fixture.archive, data, size);
  if (::mkdirat(fixture.base_fd.get(), "dest", 0700) != 0) __builtin_trap();
  weft::UniqueFd dest(::open(fixture.dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dest) __builtin_trap();
  auto extracted = weft::store::extract_bundle(fixture.archive, dest.get());
  if (!extracted.ok() && extracted.error().message.empty()) __builtin_trap();  // every refusal names its reason
  if (!directory_is_empty(fixture.outside_fd.get())) __builtin_trap();         // written outside the destination
  check_and_empty(dest.get());                                                  // links and devices trap
  if (::unlinkat(fixture.base_fd.get(), "dest", AT_REMOVEDIR) != 0) __builtin_trap();
  return 0;
}
