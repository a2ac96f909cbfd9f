// WASI 0.2 filesystem: preopens and descriptor operations. Every path is resolved with openat2(RESOLVE_BENEATH) from
// the descriptor's directory, so absolute paths, `..` escapes and symlinks leaving the preopen fail; descriptors under
// a read-only preopen refuse every mutation with `read-only`.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_filesystem_paths.hpp"
#include "wasi_state.hpp"
#include "wasi_types.hpp"
#include "weft/core/confined_fs.hpp"

namespace weft::runtime {
namespace {

using State = WasiHost::State;
using Desc = State::Descriptor;
using namespace wasi;  // NOLINT: WIT type spelling

// Directory streams one instance may hold open at once: each holds a descriptor and libc's 32 KiB read buffer.
constexpr size_t kMaxLiveDirectoryStreams = 128;

/// The descriptor-type of a dirent's d_type.
DescriptorType entry_type(unsigned char d_type) {
  switch (d_type) {
    case DT_BLK: return DescriptorType::block_device;
    case DT_CHR: return DescriptorType::character_device;
    case DT_DIR: return DescriptorType::directory;
    case DT_FIFO: return DescriptorType::fifo;
    case DT_LNK: return DescriptorType::symbolic_link;
    case DT_REG: return DescriptorType::regular_file;
    case DT_SOCK: return DescriptorType::socket;
    default: return DescriptorType::unknown;
  }
}

/// The descriptor-type of a file mode.
DescriptorType descriptor_type(mode_t m) {
  if (S_ISDIR(m)) return DescriptorType::directory;
  if (S_ISREG(m)) return DescriptorType::regular_file;
  if (S_ISLNK(m)) return DescriptorType::symbolic_link;
  if (S_ISCHR(m)) return DescriptorType::character_device;
  if (S_ISBLK(m)) return DescriptorType::block_device;
  if (S_ISFIFO(m)) return DescriptorType::fifo;
  if (S_ISSOCK(m)) return DescriptorType::socket;
  return DescriptorType::unknown;
}

std::optional<Datetime> datetime(const timespec& ts) { return Datetime{uint64_t(ts.tv_sec), uint32_t(ts.tv_nsec)}; }

DescriptorStat stat_record(const struct stat& sb) {
  return {descriptor_type(sb.st_mode), sb.st_nlink, uint64_t(sb.st_size), datetime(sb.st_atim),
          datetime(sb.st_mtim), datetime(sb.st_ctim)};
}

/// `timespec` for utimensat/futimens from a new-timestamp.
timespec utime_of(const NewTimestamp& t) {
  switch (t.change) {
    case NewTimestamp::Case::no_change: return {0, UTIME_OMIT};
    case NewTimestamp::Case::now: return {0, UTIME_NOW};
    case NewTimestamp::Case::timestamp: break;
  }
  return {time_t(t.at.seconds), long(t.at.nanoseconds)};
}

}  // namespace

Result<void> WasiHost::open_preopens() {
  for (const auto& p : state_->config.preopens) {
    int fd = ::open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return fail(errno_error("preopen " + p.host_path).message);
    uint32_t r = state_->rep();
    state_->descriptors[r] = {std::make_shared<UniqueFd>(fd), p.read_only, true, true, !p.read_only};
    state_->preopen_reps.push_back({p.guest_path, r});
  }
  return ok();
}


namespace {

/// An error-code answer, for any FsResult<T>.
struct FsFailure {
  FsErrorCode code;
  template <class T> operator FsResult<T>() const { return FsResult<T>::err(code); }  // NOLINT: by design
};
FsFailure fs_err(FsErrorCode code) { return {code}; }
FsFailure errno_err(int err) { return {fs_error_from_errno(err)}; }
template <class T> FsResult<T> fs_ok(T value) { return FsResult<T>::ok(std::move(value)); }
FsResult<None> fs_ok() { return FsResult<None>::ok(); }

/// wasi:filesystem/types on one instance's State. A `[method]descriptor.*` body receives the descriptor `self` names
/// (an unknown rep traps the guest); under a read-only preopen a mutating method answers `read-only` before its body
/// runs. A value (the State's pointer): each binding holds its own copy, so installing allocates nothing for it.
class FilesystemTypes {
 public:
  explicit FilesystemTypes(State& state) : s_(&state) {}
  void install(HostInterface& types);

 private:
  enum class Access { read, mutate };
  /// Registers `[method]descriptor.<name>`, served by `body` on the descriptor `self` names.
  template <Access access, class R, class... A>
  void method(HostInterface& types, const char* name, R (FilesystemTypes::*body)(Desc&, A...));

  FsResult<Own<InputStream>> read_via_stream(Desc& d, uint64_t offset);
  FsResult<Own<OutputStream>> write_via_stream(Desc& d, uint64_t offset);
  FsResult<Own<OutputStream>> append_via_stream(Desc& d);
  FsResult<None> advise(Desc& d, uint64_t offset, uint64_t length, Advice advice);
  FsResult<None> sync_data(Desc& d);
  FsResult<None> sync(Desc& d);
  FsResult<DescriptorFlags> get_flags(Desc& d);
  FsResult<DescriptorType> get_type(Desc& d);
  FsResult<None> set_size(Desc& d, uint64_t size);
  FsResult<None> set_times(Desc& d, NewTimestamp atime, NewTimestamp mtime);
  FsResult<std::pair<Bytes, bool>> read(Desc& d, uint64_t length, uint64_t offset);
  FsResult<uint64_t> write(Desc& d, Bytes buffer, uint64_t offset);
  FsResult<Own<DirectoryEntryStream>> read_directory(Desc& d);
  FsResult<None> create_directory_at(Desc& d, std::string path);
  FsResult<DescriptorStat> stat(Desc& d);
  FsResult<DescriptorStat> stat_at(Desc& d, PathFlags path_flags, std::string path);
  FsResult<None> set_times_at(Desc& d, PathFlags path_flags, std::string path, NewTimestamp atime,
                              NewTimestamp mtime);
  FsResult<None> link_at(Desc& d, PathFlags old_path_flags, std::string old_path, Borrow<Descriptor> new_descriptor,
                         std::string new_path);
  FsResult<Own<Descriptor>> open_at(Desc& d, PathFlags path_flags, std::string path, OpenFlags open_flags,
                                    DescriptorFlags flags);
  FsResult<std::string> readlink_at(Desc& d, std::string path);
  FsResult<None> remove_directory_at(Desc& d, std::string path);
  FsResult<None> rename_at(Desc& d, std::string old_path, Borrow<Descriptor> new_descriptor, std::string new_path);
  FsResult<None> symlink_at(Desc& d, std::string old_path, std::string new_path);
  FsResult<None> unlink_file_at(Desc& d, std::string path);
  Result<bool> is_same_object(Desc& d, Borrow<Descriptor> other);
  FsResult<MetadataHashValue> metadata_hash(Desc& d);
  FsResult<MetadataHashValue> metadata_hash_at(Desc& d, PathFlags path_flags, std::string path);

  Result<FsResult<std::optional<DirectoryEntry>>> read_directory_entry(Borrow<DirectoryEntryStream> self);
  std::optional<FsErrorCode> filesystem_error_code(Borrow<IoError> error);

  /// The parent of `path` under `other`, the writable destination descriptor of link-at/rename-at.
  Result<BeneathParent> destination(Borrow<Descriptor> other, const std::string& path);
  /// link-at without symlink-follow, rename-at: `op` from a path under `d` to a path under `other`.
  FsResult<None> two_paths(Desc& d, const std::string& from_path, Borrow<Descriptor> other, const std::string& to_path,
                           int (*op)(int, const char*, int, const char*));

  State* s_;  // borrowed: the State outlives every registry its interfaces are installed in
};

/// wasi:filesystem/preopens: the preopened directories, each call with fresh own handles.
class FilesystemPreopens {
 public:
  explicit FilesystemPreopens(State& state) : s_(&state) {}

  std::vector<std::pair<Own<Descriptor>, std::string>> get_directories() {
    std::vector<std::pair<Own<Descriptor>, std::string>> out;
    for (const auto& [guest, rep] : s_->preopen_reps) {
      // A fresh own handle per call, sharing the directory fd with the original.
      uint32_t r = s_->rep();
      s_->descriptors[r] = s_->descriptors.at(rep);
      out.emplace_back(Own<Descriptor>{r}, guest);
    }
    return out;
  }

 private:
  State* s_;
};

template <FilesystemTypes::Access access, class R, class... A>
void FilesystemTypes::method(HostInterface& types, const char* name, R (FilesystemTypes::*body)(Desc&, A...)) {
  using Out = typename detail::Returned<R>::type;
  types.wrap(std::string("[method]descriptor.") + name,
             [self = *this, body](Borrow<Descriptor> d, A... args) mutable -> Result<Out> {
    auto it = self.s_->descriptors.find(d.rep);
    if (it == self.s_->descriptors.end()) return fail("unknown descriptor");
    if constexpr (access == Access::mutate)
      if (it->second.read_only) return Out(fs_err(FsErrorCode::read_only));
    return (self.*body)(it->second, std::move(args)...);
  });
}

void FilesystemTypes::install(HostInterface& types) {
  constexpr auto read = Access::read, mutate = Access::mutate;
  using T = FilesystemTypes;
  method<read>(types, "read-via-stream", &T::read_via_stream);
  method<mutate>(types, "write-via-stream", &T::write_via_stream);
  method<mutate>(types, "append-via-stream", &T::append_via_stream);
  method<read>(types, "advise", &T::advise);
  method<read>(types, "sync-data", &T::sync_data);
  method<read>(types, "sync", &T::sync);
  method<read>(types, "get-flags", &T::get_flags);
  method<read>(types, "get-type", &T::get_type);
  method<mutate>(types, "set-size", &T::set_size);
  method<mutate>(types, "set-times", &T::set_times);
  method<read>(types, "read", &T::read);
  method<mutate>(types, "write", &T::write);
  method<read>(types, "read-directory", &T::read_directory);
  method<mutate>(types, "create-directory-at", &T::create_directory_at);
  method<read>(types, "stat", &T::stat);
  method<read>(types, "stat-at", &T::stat_at);
  method<mutate>(types, "set-times-at", &T::set_times_at);
  method<mutate>(types, "link-at", &T::link_at);
  method<read>(types, "open-at", &T::open_at);  // checks read-only against what it is asked to open
  method<read>(types, "readlink-at", &T::readlink_at);
  method<mutate>(types, "remove-directory-at", &T::remove_directory_at);
  method<mutate>(types, "rename-at", &T::rename_at);
  method<mutate>(types, "symlink-at", &T::symlink_at);
  method<mutate>(types, "unlink-file-at", &T::unlink_file_at);
  method<read>(types, "is-same-object", &T::is_same_object);
  method<read>(types, "metadata-hash", &T::metadata_hash);
  method<read>(types, "metadata-hash-at", &T::metadata_hash_at);
  types.wrap("[method]directory-entry-stream.read-directory-entry",
             [self = *this](Borrow<DirectoryEntryStream> stream) mutable { return self.read_directory_entry(stream); });
  types.wrap("filesystem-error-code", [self = *this](Borrow<IoError> error) mutable {
    return self.filesystem_error_code(error);
  });
}

FsResult<Own<InputStream>> FilesystemTypes::read_via_stream(Desc& d, uint64_t offset) {
  if (d.is_directory) return fs_err(FsErrorCode::is_directory);
  uint32_t r = s_->rep();
  s_->inputs[r] = {d.fd->get(), offset, d.fd, nullptr};
  return fs_ok(Own<InputStream>{r});
}

FsResult<Own<OutputStream>> FilesystemTypes::write_via_stream(Desc& d, uint64_t offset) {
  if (d.is_directory) return fs_err(FsErrorCode::is_directory);
  if (!d.writable) return fs_err(FsErrorCode::bad_descriptor);
  uint32_t r = s_->rep();
  s_->outputs[r] = {d.fd->get(), true, false, offset, d.fd, nullptr};
  return fs_ok(Own<OutputStream>{r});
}

FsResult<Own<OutputStream>> FilesystemTypes::append_via_stream(Desc& d) {
  if (d.is_directory) return fs_err(FsErrorCode::is_directory);
  if (!d.writable) return fs_err(FsErrorCode::bad_descriptor);
  uint32_t r = s_->rep();
  s_->outputs[r] = {d.fd->get(), true, true, 0, d.fd, nullptr};
  return fs_ok(Own<OutputStream>{r});
}

FsResult<None> FilesystemTypes::advise(Desc&, uint64_t, uint64_t, Advice) { return fs_ok(); }

// Durability is the app's contract with its storage (temp file + fsync + rename + directory fsync): both reach the
// host descriptor, directories included, and a failure is reported, never swallowed.
FsResult<None> FilesystemTypes::sync_data(Desc& d) {
  if (::fdatasync(d.fd->get()) < 0) return errno_err(errno);
  return fs_ok();
}

FsResult<None> FilesystemTypes::sync(Desc& d) {
  if (::fsync(d.fd->get()) < 0) return errno_err(errno);
  return fs_ok();
}

FsResult<DescriptorFlags> FilesystemTypes::get_flags(Desc& d) {
  DescriptorFlags f;
  f.bits = (d.readable ? DescriptorFlags::read : 0) | (d.writable ? DescriptorFlags::write : 0) |
           (d.is_directory && !d.read_only ? DescriptorFlags::mutate_directory : 0);
  // The sync modes live on the open file description; Linux's O_SYNC includes the O_DSYNC bit.
  const int status = ::fcntl(d.fd->get(), F_GETFL);
  if (status < 0) return errno_err(errno);
  if ((status & O_SYNC) == O_SYNC) f.bits |= DescriptorFlags::file_integrity_sync;
  else if (status & O_DSYNC) f.bits |= DescriptorFlags::data_integrity_sync;
  return fs_ok(f);
}

FsResult<DescriptorType> FilesystemTypes::get_type(Desc& d) {
  struct stat sb{};
  if (::fstat(d.fd->get(), &sb) < 0) return errno_err(errno);
  return fs_ok(descriptor_type(sb.st_mode));
}

FsResult<None> FilesystemTypes::set_size(Desc& d, uint64_t size) {
  if (::ftruncate(d.fd->get(), off_t(size)) < 0) return errno_err(errno);
  return fs_ok();
}

FsResult<None> FilesystemTypes::set_times(Desc& d, NewTimestamp atime, NewTimestamp mtime) {
  const timespec ts[2] = {utime_of(atime), utime_of(mtime)};
  if (::futimens(d.fd->get(), ts) < 0) return errno_err(errno);
  return fs_ok();
}

FsResult<std::pair<Bytes, bool>> FilesystemTypes::read(Desc& d, uint64_t length, uint64_t offset) {
  size_t wanted = size_t(std::min<uint64_t>(length, 1 << 20));  // bytes per call
  std::string buf(wanted, '\0');
  ssize_t n = ::pread(d.fd->get(), buf.data(), buf.size(), off_t(offset));
  if (n < 0) return errno_err(errno);
  buf.resize(size_t(n));
  bool eof = size_t(n) < wanted;
  return fs_ok(std::pair<Bytes, bool>{Bytes{std::move(buf)}, eof});
}

FsResult<uint64_t> FilesystemTypes::write(Desc& d, Bytes buffer, uint64_t offset) {
  if (!d.writable) return fs_err(FsErrorCode::bad_descriptor);
  ssize_t n = ::pwrite(d.fd->get(), buffer.data.data(), buffer.data.size(), off_t(offset));
  if (n < 0) return errno_err(errno);
  return fs_ok(uint64_t(n));
}

FsResult<Own<DirectoryEntryStream>> FilesystemTypes::read_directory(Desc& d) {
  if (!d.is_directory) return fs_err(FsErrorCode::not_directory);
  if (s_->dirs.size() >= kMaxLiveDirectoryStreams) return fs_err(FsErrorCode::insufficient_memory);
  auto reader = DirectoryReader::open(d.fd->get());
  if (!reader) return errno_err(reader.error().code);
  uint32_t r = s_->rep();
  s_->dirs.emplace(r, State::DirStream{std::move(reader).value()});
  return fs_ok(Own<DirectoryEntryStream>{r});
}

Result<FsResult<std::optional<DirectoryEntry>>> FilesystemTypes::read_directory_entry(
    Borrow<DirectoryEntryStream> self) {
  using Answer = FsResult<std::optional<DirectoryEntry>>;
  auto it = s_->dirs.find(self.rep);
  if (it == s_->dirs.end()) return fail("unknown directory-entry-stream");
  auto entry = it->second.reader.next();
  if (!entry) return Answer(errno_err(entry.error().code));
  if (!*entry) return Answer::ok(std::nullopt);
  return Answer::ok(DirectoryEntry{entry_type((*entry)->type), (*entry)->name});
}

FsResult<None> FilesystemTypes::create_directory_at(Desc& d, std::string path) {
  auto p = parent_in(d.fd->get(), path);
  if (!p) return errno_err(p.error().code);
  if (::mkdirat(p->dir(), p->name_as_written().c_str(), 0777) < 0) return errno_err(errno);
  return fs_ok();
}

FsResult<DescriptorStat> FilesystemTypes::stat(Desc& d) {
  struct stat sb{};
  if (::fstat(d.fd->get(), &sb) < 0) return errno_err(errno);
  return fs_ok(stat_record(sb));
}

FsResult<DescriptorStat> FilesystemTypes::stat_at(Desc& d, PathFlags path_flags, std::string path) {
  struct stat sb{};
  if (path_flags.has(PathFlags::symlink_follow)) {
    auto file = open_in(d.fd->get(), path, O_PATH, 0, true);
    if (!file) return errno_err(file.error().code);
    if (::fstat(file->get(), &sb) < 0) return errno_err(errno);
    return fs_ok(stat_record(sb));
  }
  auto p = parent_in(d.fd->get(), path);
  if (!p) return errno_err(p.error().code);
  if (::fstatat(p->dir(), p->name_as_written().c_str(), &sb, AT_SYMLINK_NOFOLLOW) < 0) return errno_err(errno);
  return fs_ok(stat_record(sb));
}

FsResult<None> FilesystemTypes::set_times_at(Desc& d, PathFlags path_flags, std::string path, NewTimestamp atime,
                                             NewTimestamp mtime) {
  const timespec ts[2] = {utime_of(atime), utime_of(mtime)};
  if (path_flags.has(PathFlags::symlink_follow)) {
    // utimensat would follow symlinks with no bound: resolve beneath the preopen, then set the times of what was
    // found through its descriptor (an O_PATH fd works only through its /proc name).
    auto file = open_in(d.fd->get(), path, O_PATH, 0, true);
    if (!file) return errno_err(file.error().code);
    const std::string self = "/proc/self/fd/" + std::to_string(file->get());
    if (::utimensat(AT_FDCWD, self.c_str(), ts, 0) < 0) return errno_err(errno);
    return fs_ok();
  }
  auto p = parent_in(d.fd->get(), path);
  if (!p) return errno_err(p.error().code);
  if (::utimensat(p->dir(), p->name_as_written().c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) return errno_err(errno);
  return fs_ok();
}

Result<BeneathParent> FilesystemTypes::destination(Borrow<Descriptor> other, const std::string& path) {
  auto it = s_->descriptors.find(other.rep);
  if (it == s_->descriptors.end()) return fail(Error("unknown descriptor", EBADF));
  if (it->second.read_only) return fail(Error("read-only", EROFS));
  return parent_in(it->second.fd->get(), path);
}

FsResult<None> FilesystemTypes::two_paths(Desc& d, const std::string& from_path, Borrow<Descriptor> other,
                                          const std::string& to_path, int (*op)(int, const char*, int, const char*)) {
  auto from = parent_in(d.fd->get(), from_path);
  if (!from) return errno_err(from.error().code);
  auto to = destination(other, to_path);
  if (!to) return errno_err(to.error().code);
  if (op(from->dir(), from->name_as_written().c_str(), to->dir(), to->name_as_written().c_str()) < 0)
    return errno_err(errno);
  return fs_ok();
}

FsResult<None> FilesystemTypes::link_at(Desc& d, PathFlags old_path_flags, std::string old_path,
                                        Borrow<Descriptor> new_descriptor, std::string new_path) {
  if (old_path_flags.has(PathFlags::symlink_follow)) {
    // linkat's AT_SYMLINK_FOLLOW would follow without bound: resolve beneath the preopen first and link what was
    // found through its /proc name (a dangling link fails here with no-entry, as on Linux).
    auto source = open_in(d.fd->get(), old_path, O_PATH, 0, true);
    if (!source) return errno_err(source.error().code);
    auto to = destination(new_descriptor, new_path);
    if (!to) return errno_err(to.error().code);
    const std::string self = "/proc/self/fd/" + std::to_string(source->get());
    if (::linkat(AT_FDCWD, self.c_str(), to->dir(), to->name_as_written().c_str(), AT_SYMLINK_FOLLOW) < 0)
      return errno_err(errno);
    return fs_ok();
  }
  return two_paths(d, old_path, new_descriptor, new_path, [](int fd1, const char* p1, int fd2, const char* p2) {
    return ::linkat(fd1, p1, fd2, p2, 0);
  });
}

FsResult<Own<Descriptor>> FilesystemTypes::open_at(Desc& d, PathFlags path_flags, std::string path,
                                                   OpenFlags open_flags, DescriptorFlags flags) {
  using F = DescriptorFlags;
  bool wants_write =
      flags.has(F::write | F::mutate_directory) || open_flags.has(OpenFlags::create | OpenFlags::truncate);
  if (d.read_only && wants_write) return fs_err(FsErrorCode::read_only);
  if (!d.is_directory) return fs_err(FsErrorCode::not_directory);
  int oflags = flags.has(F::write) ? (flags.has(F::read) ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (open_flags.has(OpenFlags::create)) oflags |= O_CREAT;
  if (open_flags.has(OpenFlags::directory)) oflags |= O_DIRECTORY;
  if (open_flags.has(OpenFlags::exclusive)) oflags |= O_EXCL;
  if (open_flags.has(OpenFlags::truncate)) oflags |= O_TRUNC;
  if (flags.has(F::file_integrity_sync | F::requested_write_sync)) oflags |= O_SYNC;  // Linux: O_RSYNC == O_SYNC
  else if (flags.has(F::data_integrity_sync)) oflags |= O_DSYNC;
  auto file = open_in(d.fd->get(), path, oflags, 0666, path_flags.has(PathFlags::symlink_follow));
  if (!file && file.error().code == EISDIR && !flags.has(F::write))
    file = open_in(d.fd->get(), path, O_RDONLY | O_DIRECTORY, 0, true);
  if (!file) return errno_err(file.error().code);
  struct stat sb{};
  ::fstat(file->get(), &sb);
  uint32_t r = s_->rep();
  s_->descriptors[r] = {std::make_shared<UniqueFd>(std::move(*file)), d.read_only, S_ISDIR(sb.st_mode),
                        flags.has(F::read) || !flags.has(F::write), flags.has(F::write)};
  return fs_ok(Own<Descriptor>{r});
}

FsResult<std::string> FilesystemTypes::readlink_at(Desc& d, std::string path) {
  auto p = parent_in(d.fd->get(), path);
  if (!p) return errno_err(p.error().code);
  char buf[4096];
  ssize_t n = ::readlinkat(p->dir(), p->name_as_written().c_str(), buf, sizeof buf);
  if (n < 0) return errno_err(errno);
  return fs_ok(std::string(buf, size_t(n)));
}

FsResult<None> FilesystemTypes::remove_directory_at(Desc& d, std::string path) {
  auto p = parent_in(d.fd->get(), path);
  if (!p) return errno_err(p.error().code);
  if (::unlinkat(p->dir(), p->name_as_written().c_str(), AT_REMOVEDIR) < 0) return errno_err(errno);
  return fs_ok();
}

FsResult<None> FilesystemTypes::rename_at(Desc& d, std::string old_path, Borrow<Descriptor> new_descriptor,
                                          std::string new_path) {
  return two_paths(d, old_path, new_descriptor, new_path, ::renameat);
}

FsResult<None> FilesystemTypes::symlink_at(Desc& d, std::string old_path, std::string new_path) {
  auto p = parent_in(d.fd->get(), new_path);
  if (!p) return errno_err(p.error().code);
  if (old_path.find('\0') != std::string::npos) return fs_err(FsErrorCode::invalid);
  if (!symlink_target_stays_beneath(d.fd->get(), p->dir(), old_path)) return fs_err(FsErrorCode::not_permitted);
  if (::symlinkat(old_path.c_str(), p->dir(), p->name_as_written().c_str()) < 0) return errno_err(errno);
  return fs_ok();
}

FsResult<None> FilesystemTypes::unlink_file_at(Desc& d, std::string path) {
  auto p = parent_in(d.fd->get(), path);
  if (!p) return errno_err(p.error().code);
  if (::unlinkat(p->dir(), p->name_as_written().c_str(), 0) < 0) return errno_err(errno);
  return fs_ok();
}

Result<bool> FilesystemTypes::is_same_object(Desc& d, Borrow<Descriptor> other) {
  auto it = s_->descriptors.find(other.rep);
  if (it == s_->descriptors.end()) return fail("unknown descriptor");
  struct stat x{}, y{};
  ::fstat(d.fd->get(), &x);
  ::fstat(it->second.fd->get(), &y);
  return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

FsResult<MetadataHashValue> FilesystemTypes::metadata_hash(Desc& d) {
  struct stat sb{};
  if (::fstat(d.fd->get(), &sb) < 0) return errno_err(errno);
  return fs_ok(MetadataHashValue{sb.st_ino, sb.st_dev});
}

FsResult<MetadataHashValue> FilesystemTypes::metadata_hash_at(Desc& d, PathFlags path_flags, std::string path) {
  auto file = open_in(d.fd->get(), path, O_PATH, 0, path_flags.has(PathFlags::symlink_follow));
  if (!file) return errno_err(file.error().code);
  struct stat sb{};
  if (::fstat(file->get(), &sb) < 0) return errno_err(errno);
  return fs_ok(MetadataHashValue{sb.st_ino, sb.st_dev});
}

std::optional<FsErrorCode> FilesystemTypes::filesystem_error_code(Borrow<IoError> error) {
  auto it = s_->errors.find(error.rep);
  if (it == s_->errors.end() || it->second.err == 0) return std::nullopt;
  return fs_error_from_errno(it->second.err);
}

}  // namespace

void install_wasi_filesystem(State& st, HostRegistry& registry) {
  State* s = &st;
  auto& types = registry.add("wasi:filesystem/types@0.2.12");
  types.resources["error"] = registry.find("wasi:io/error@0.2.0")->resources.at("error");
  types.resources["input-stream"] = registry.find("wasi:io/streams@0.2.0")->resources.at("input-stream");
  types.resources["output-stream"] = registry.find("wasi:io/streams@0.2.0")->resources.at("output-stream");
  types.resource("descriptor", [s](uint32_t rep) { s->descriptors.erase(rep); });
  types.resource("directory-entry-stream", [s](uint32_t rep) { s->dirs.erase(rep); });
  FilesystemTypes(st).install(types);

  auto& preopens = registry.add("wasi:filesystem/preopens@0.2.12");
  preopens.resources["descriptor"] = types.resources["descriptor"];
  preopens.wrap("get-directories", [preopen = FilesystemPreopens(st)]() mutable { return preopen.get_directories(); });
}

}  // namespace weft::runtime
