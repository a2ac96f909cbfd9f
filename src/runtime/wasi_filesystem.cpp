// WASI 0.2 filesystem: preopens and descriptor operations. Every path is resolved with openat2(RESOLVE_BENEATH) from
// the descriptor's directory, so absolute paths, `..` escapes and symlinks leaving the preopen fail; descriptors under
// a read-only preopen refuse every mutation with `read-only`.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "wasi_state.hpp"
#include "wasi_types.hpp"
#include "weft/core/confined_fs.hpp"

namespace weft::runtime {
namespace {

using State = WasiHost::State;
using Desc = State::Descriptor;
using namespace wasi;  // NOLINT: WIT type spelling

// descriptor-flags / path-flags / open-flags bits (WASI 0.2 WIT order).
constexpr uint64_t kFlagRead = 1, kFlagWrite = 2, kFlagFileIntegritySync = 4, kFlagDataIntegritySync = 8,
                   kFlagRequestedWriteSync = 16, kFlagMutateDirectory = 32;
constexpr uint64_t kPathSymlinkFollow = 1;
constexpr uint64_t kOpenCreate = 1, kOpenDirectory = 2, kOpenExclusive = 4, kOpenTruncate = 8;
// descriptor-type cases.
constexpr uint32_t kTypeUnknown = 0, kTypeBlock = 1, kTypeChar = 2, kTypeDirectory = 3, kTypeFifo = 4,
                   kTypeSymlink = 5, kTypeRegular = 6, kTypeSocket = 7;
// Directory streams one instance may hold open at once: each holds a descriptor and libc's 32 KiB read buffer.
constexpr size_t kMaxLiveDirectoryStreams = 128;

/// The descriptor-type case of a dirent's d_type.
uint32_t entry_type(unsigned char d_type) {
  switch (d_type) {
    case DT_BLK: return kTypeBlock;
    case DT_CHR: return kTypeChar;
    case DT_DIR: return kTypeDirectory;
    case DT_FIFO: return kTypeFifo;
    case DT_LNK: return kTypeSymlink;
    case DT_REG: return kTypeRegular;
    case DT_SOCK: return kTypeSocket;
    default: return kTypeUnknown;
  }
}

Val fs_err(FsError e) { return Val::err(Val::number(uint32_t(e))); }
Val errno_err(int err) { return fs_err(fs_error_from_errno(err)); }

uint32_t type_of(mode_t m) {
  if (S_ISDIR(m)) return kTypeDirectory;
  if (S_ISREG(m)) return kTypeRegular;
  if (S_ISLNK(m)) return kTypeSymlink;
  if (S_ISCHR(m)) return kTypeChar;
  if (S_ISBLK(m)) return kTypeBlock;
  if (S_ISFIFO(m)) return kTypeFifo;
  if (S_ISSOCK(m)) return kTypeSocket;
  return kTypeUnknown;
}

Val datetime(const timespec& ts) { return Val::some(Val::record({Val::number(uint64_t(ts.tv_sec)), Val::number(uint64_t(ts.tv_nsec))})); }

Val stat_record(const struct stat& sb) {
  return Val::record({Val::number(type_of(sb.st_mode)), Val::number(sb.st_nlink), Val::number(uint64_t(sb.st_size)),
                      datetime(sb.st_atim), datetime(sb.st_mtim), datetime(sb.st_ctim)});
}

// Symlinks and `..` resolve while they stay beneath the preopen; the last component is followed only when the guest
// asked for symlink-follow.
Result<UniqueFd> open_in(int dirfd, const std::string& path, int flags, mode_t mode, bool follow) {
  return open_beneath(dirfd, path, flags | (follow ? 0 : O_NOFOLLOW), mode, kFollowBeneath);
}

// The parent of `path` beneath `dirfd` and its last name for the *at calls; `.` names the directory itself (lstat of
// a preopen's own path arrives as "."), a last name `..` is refused with EINVAL. A trailing slash makes Linux follow
// a symlink in the last place, outside RESOLVE_BENEATH: such a path is first resolved beneath `dirfd`, so it can
// neither leave the preopen nor tell whether something outside exists.
Result<BeneathParent> parent_in(int dirfd, const std::string& path) {
  WEFT_TRY(BeneathParent parent, open_parent_beneath(dirfd, path, kFollowBeneath));
  if (parent.name_as_written() != parent.name()) {
    struct stat sb{};
    if (::fstatat(parent.dir(), parent.name().c_str(), &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(sb.st_mode)) {
      auto target = open_in(dirfd, path, O_PATH, 0, true);
      if (!target && target.error().code != ENOENT && target.error().code != ENOTDIR) return fail(target.error());
    }
  }
  return parent;
}

// Where a new symlink may point: a relative target that, read from the link's directory, stays beneath `base` (the
// descriptor it is created through). Absolute targets and `..` climbing above `base` are refused, so no later
// follow — by this runtime or by a host program reading the app's data — leads outside the preopen. `link_dir` is
// the link's real parent; its depth below `base` comes from the kernel's names of both descriptors.
bool symlink_target_stays_beneath(int base, int link_dir, std::string_view target) {
  if (target.empty()) return true;  // the kernel refuses it with ENOENT
  if (target.front() == '/') return false;
  auto real_path = [](int fd) -> std::string {
    char buf[4096];
    ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
  };
  const std::string base_path = real_path(base), dir_path = real_path(link_dir);
  if (base_path.empty() || dir_path.empty()) return false;
  long depth = 0;
  if (dir_path != base_path) {
    const std::string prefix = base_path == "/" ? "/" : base_path + "/";
    if (!dir_path.starts_with(prefix)) return false;
    depth = long(path_components(std::string_view(dir_path).substr(prefix.size())).size());
  }
  for (std::string_view part : path_components(target)) {
    if (part == "..") --depth;
    else if (part != ".") ++depth;
    if (depth < 0) return false;
  }
  return true;
}

}  // namespace

FsError fs_error_from_errno(int err) {
  switch (err) {
    case EACCES: return FsError::access;
    case EAGAIN: return FsError::would_block;
    case EALREADY: return FsError::already;
    case EBADF: return FsError::bad_descriptor;
    case EBUSY: return FsError::busy;
    case EDQUOT: return FsError::quota;
    case EEXIST: return FsError::exist;
    case EFBIG: return FsError::file_too_large;
    case EILSEQ: return FsError::illegal_byte_sequence;
    case EINTR: return FsError::interrupted;
    case EINVAL: return FsError::invalid;
    case EIO: return FsError::io;
    case EISDIR: return FsError::is_directory;
    case ELOOP: return FsError::loop;
    case EMLINK: return FsError::too_many_links;
    case ENAMETOOLONG: return FsError::name_too_long;
    case ENOENT: return FsError::no_entry;
    case ENOMEM: return FsError::insufficient_memory;
    case ENOSPC: return FsError::insufficient_space;
    case ENOTDIR: return FsError::not_directory;
    case ENOTEMPTY: return FsError::not_empty;
    case ENOTSUP: return FsError::unsupported;
    case ENXIO: return FsError::no_such_device;
    case EOVERFLOW: return FsError::overflow;
    case EPERM: return FsError::not_permitted;
    case EXDEV: return FsError::not_permitted;  // RESOLVE_BENEATH: the path leaves the preopen
    case EPIPE: return FsError::pipe;
    case EROFS: return FsError::read_only;
    case ESPIPE: return FsError::invalid_seek;
    case ETXTBSY: return FsError::text_file_busy;
    default: return FsError::io;
  }
}

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

void install_wasi_filesystem(State& st, HostRegistry& registry) {
  State* s = &st;
  auto& types = registry.add("wasi:filesystem/types@0.2.12");
  types.resources["error"] = registry.find("wasi:io/error@0.2.0")->resources.at("error");
  types.resources["input-stream"] = registry.find("wasi:io/streams@0.2.0")->resources.at("input-stream");
  types.resources["output-stream"] = registry.find("wasi:io/streams@0.2.0")->resources.at("output-stream");
  types.resource("descriptor", [s](uint32_t rep) { s->descriptors.erase(rep); });
  types.resource("directory-entry-stream", [s](uint32_t rep) { s->dirs.erase(rep); });

  auto& preopens = registry.add("wasi:filesystem/preopens@0.2.12");
  preopens.resources["descriptor"] = types.resources["descriptor"];
  preopens.func<List<Tuple<Own<Descriptor>, std::string>>()>("get-directories", [s](auto&) -> Result<Val> {
    std::vector<Val> out;
    for (const auto& [guest, rep] : s->preopen_reps) {
      // Each call hands out a fresh own handle; share the directory fd with the original.
      uint32_t r = s->rep();
      s->descriptors[r] = s->descriptors.at(rep);
      out.push_back(Val::record({Val::handle(r), Val::string(guest)}));
    }
    return Val::list(std::move(out));
  });

  // Every descriptor method: look up `self`, or trap on an unknown rep.
  using Method = std::function<Result<Val>(Desc&, std::vector<Val>&)>;
  auto method = [s](Method body) -> HostCall {
    return [s, body](std::vector<Val>& a) -> Result<Val> {
      auto it = s->descriptors.find(uint32_t(a[0].num));
      if (it == s->descriptors.end()) return fail("unknown descriptor");
      return body(it->second, a);
    };
  };
  auto mutating = [method](Method body) -> HostCall {
    return method([body](Desc& d, std::vector<Val>& a) -> Result<Val> {
      if (d.read_only) return fs_err(FsError::read_only);
      return body(d, a);
    });
  };

  types.func<FsResult<Own<InputStream>>(Borrow<Descriptor>, uint64_t)>(
      "[method]descriptor.read-via-stream", method([s](Desc& d, auto& a) -> Result<Val> {
    if (d.is_directory) return fs_err(FsError::is_directory);
    uint32_t r = s->rep();
    s->inputs[r] = {d.fd->get(), a[1].num, d.fd, nullptr};
    return Val::ok(Val::handle(r));
  }));
  types.func<FsResult<Own<OutputStream>>(Borrow<Descriptor>, uint64_t)>(
      "[method]descriptor.write-via-stream", mutating([s](Desc& d, auto& a) -> Result<Val> {
    if (d.is_directory) return fs_err(FsError::is_directory);
    if (!d.writable) return fs_err(FsError::bad_descriptor);
    uint32_t r = s->rep();
    s->outputs[r] = {d.fd->get(), true, false, a[1].num, d.fd, nullptr};
    return Val::ok(Val::handle(r));
  }));
  types.func<FsResult<Own<OutputStream>>(Borrow<Descriptor>)>(
      "[method]descriptor.append-via-stream", mutating([s](Desc& d, auto&) -> Result<Val> {
    if (d.is_directory) return fs_err(FsError::is_directory);
    if (!d.writable) return fs_err(FsError::bad_descriptor);
    uint32_t r = s->rep();
    s->outputs[r] = {d.fd->get(), true, true, 0, d.fd, nullptr};
    return Val::ok(Val::handle(r));
  }));
  Method nothing = [](Desc&, auto&) -> Result<Val> { return Val::ok(); };
  types.func<FsResult<None>(Borrow<Descriptor>, uint64_t, uint64_t, Advice)>(
      "[method]descriptor.advise", method(nothing));
  // Durability is the app's contract with its storage (temp file + fsync + rename + directory fsync): both reach the
  // host descriptor, directories included, and a failure is reported, never swallowed.
  types.func<FsResult<None>(Borrow<Descriptor>)>(
      "[method]descriptor.sync-data", method([](Desc& d, auto&) -> Result<Val> {
    if (::fdatasync(d.fd->get()) < 0) return errno_err(errno);
    return Val::ok();
  }));
  types.func<FsResult<None>(Borrow<Descriptor>)>("[method]descriptor.sync", method([](Desc& d, auto&) -> Result<Val> {
    if (::fsync(d.fd->get()) < 0) return errno_err(errno);
    return Val::ok();
  }));
  types.func<FsResult<DescriptorFlags>(Borrow<Descriptor>)>(
      "[method]descriptor.get-flags", method([](Desc& d, auto&) -> Result<Val> {
    uint64_t f = (d.readable ? kFlagRead : 0) | (d.writable ? kFlagWrite : 0) |
                 (d.is_directory && !d.read_only ? kFlagMutateDirectory : 0);
    // The sync modes live on the open file description; Linux's O_SYNC includes the O_DSYNC bit.
    const int status = ::fcntl(d.fd->get(), F_GETFL);
    if (status < 0) return errno_err(errno);
    if ((status & O_SYNC) == O_SYNC) f |= kFlagFileIntegritySync;
    else if (status & O_DSYNC) f |= kFlagDataIntegritySync;
    return Val::ok(Val::number(f));
  }));
  types.func<FsResult<DescriptorType>(Borrow<Descriptor>)>(
      "[method]descriptor.get-type", method([](Desc& d, auto&) -> Result<Val> {
    struct stat sb{};
    if (::fstat(d.fd->get(), &sb) < 0) return errno_err(errno);
    return Val::ok(Val::number(type_of(sb.st_mode)));
  }));
  types.func<FsResult<None>(Borrow<Descriptor>, uint64_t)>(
      "[method]descriptor.set-size", mutating([](Desc& d, auto& a) -> Result<Val> {
    if (::ftruncate(d.fd->get(), off_t(a[1].num)) < 0) return errno_err(errno);
    return Val::ok();
  }));
  auto timestamps = [](const Val& atime, const Val& mtime, timespec ts[2]) {
    for (int i = 0; i < 2; ++i) {
      const Val& v = i == 0 ? atime : mtime;  // new-timestamp: no-change | now | timestamp(datetime)
      if (v.index == 0) ts[i].tv_nsec = UTIME_OMIT;
      else if (v.index == 1) ts[i].tv_nsec = UTIME_NOW;
      else ts[i] = {time_t(v.items[0].items[0].num), long(v.items[0].items[1].num)};
    }
  };
  types.func<FsResult<None>(Borrow<Descriptor>, NewTimestamp, NewTimestamp)>(
      "[method]descriptor.set-times", mutating([timestamps](Desc& d, auto& a) -> Result<Val> {
    timespec ts[2]{};
    timestamps(a[1], a[2], ts);
    if (::futimens(d.fd->get(), ts) < 0) return errno_err(errno);
    return Val::ok();
  }));
  types.func<FsResult<Tuple<Bytes, bool>>(Borrow<Descriptor>, uint64_t, uint64_t)>(
      "[method]descriptor.read", method([](Desc& d, auto& a) -> Result<Val> {
    size_t wanted = size_t(std::min<uint64_t>(a[1].num, 1 << 20));
    std::string buf(wanted, '\0');
    ssize_t n = ::pread(d.fd->get(), buf.data(), buf.size(), off_t(a[2].num));
    if (n < 0) return errno_err(errno);
    buf.resize(size_t(n));
    bool eof = size_t(n) < wanted;
    return Val::ok(Val::record({Val::bytes(buf.data(), buf.size()), Val::boolean(eof)}));
  }));
  types.func<FsResult<uint64_t>(Borrow<Descriptor>, Bytes, uint64_t)>(
      "[method]descriptor.write", mutating([](Desc& d, auto& a) -> Result<Val> {
    if (!d.writable) return fs_err(FsError::bad_descriptor);
    ssize_t n = ::pwrite(d.fd->get(), a[1].str.data(), a[1].str.size(), off_t(a[2].num));
    if (n < 0) return errno_err(errno);
    return Val::ok(Val::number(uint64_t(n)));
  }));
  types.func<FsResult<Own<DirectoryEntryStream>>(Borrow<Descriptor>)>(
      "[method]descriptor.read-directory", method([s](Desc& d, auto&) -> Result<Val> {
    if (!d.is_directory) return fs_err(FsError::not_directory);
    if (s->dirs.size() >= kMaxLiveDirectoryStreams) return fs_err(FsError::insufficient_memory);
    auto reader = DirectoryReader::open(d.fd->get());
    if (!reader) return errno_err(reader.error().code);
    uint32_t r = s->rep();
    s->dirs.emplace(r, State::DirStream{std::move(reader).value()});
    return Val::ok(Val::handle(r));
  }));
  types.func<FsResult<Option<DirectoryEntry>>(Borrow<DirectoryEntryStream>)>(
      "[method]directory-entry-stream.read-directory-entry", [s](auto& a) -> Result<Val> {
    auto it = s->dirs.find(uint32_t(a[0].num));
    if (it == s->dirs.end()) return fail("unknown directory-entry-stream");
    auto entry = it->second.reader.next();
    if (!entry) return errno_err(entry.error().code);
    if (!*entry) return Val::ok(Val::none());
    return Val::ok(Val::some(Val::record({Val::number(entry_type((*entry)->type)), Val::string((*entry)->name)})));
  });
  types.func<FsResult<None>(Borrow<Descriptor>, std::string)>(
      "[method]descriptor.create-directory-at", mutating([](Desc& d, auto& a) -> Result<Val> {
    auto p = parent_in(d.fd->get(), a[1].str);
    if (!p) return errno_err(p.error().code);
    if (::mkdirat(p->dir(), p->name_as_written().c_str(), 0777) < 0) return errno_err(errno);
    return Val::ok();
  }));
  types.func<FsResult<DescriptorStat>(Borrow<Descriptor>)>(
      "[method]descriptor.stat", method([](Desc& d, auto&) -> Result<Val> {
    struct stat sb{};
    if (::fstat(d.fd->get(), &sb) < 0) return errno_err(errno);
    return Val::ok(stat_record(sb));
  }));
  types.func<FsResult<DescriptorStat>(Borrow<Descriptor>, PathFlags, std::string)>(
      "[method]descriptor.stat-at", method([](Desc& d, auto& a) -> Result<Val> {
    struct stat sb{};
    if (a[1].num & kPathSymlinkFollow) {
      auto file = open_in(d.fd->get(), a[2].str, O_PATH, 0, true);
      if (!file) return errno_err(file.error().code);
      if (::fstat(file->get(), &sb) < 0) return errno_err(errno);
      return Val::ok(stat_record(sb));
    }
    auto p = parent_in(d.fd->get(), a[2].str);
    if (!p) return errno_err(p.error().code);
    if (::fstatat(p->dir(), p->name_as_written().c_str(), &sb, AT_SYMLINK_NOFOLLOW) < 0) return errno_err(errno);
    return Val::ok(stat_record(sb));
  }));
  types.func<FsResult<None>(Borrow<Descriptor>, PathFlags, std::string, NewTimestamp, NewTimestamp)>(
      "[method]descriptor.set-times-at", mutating([timestamps](Desc& d, auto& a) -> Result<Val> {
    timespec ts[2]{};
    timestamps(a[3], a[4], ts);
    if (a[1].num & kPathSymlinkFollow) {
      // utimensat would follow symlinks with no bound: resolve beneath the preopen, then set the times of what was
      // found through its descriptor (an O_PATH fd works only through its /proc name).
      auto file = open_in(d.fd->get(), a[2].str, O_PATH, 0, true);
      if (!file) return errno_err(file.error().code);
      const std::string self = "/proc/self/fd/" + std::to_string(file->get());
      if (::utimensat(AT_FDCWD, self.c_str(), ts, 0) < 0) return errno_err(errno);
      return Val::ok();
    }
    auto p = parent_in(d.fd->get(), a[2].str);
    if (!p) return errno_err(p.error().code);
    if (::utimensat(p->dir(), p->name_as_written().c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) return errno_err(errno);
    return Val::ok();
  }));
  // link-at / rename-at: from a path under `self` to a path under another (writable) descriptor.
  auto destination = [s](const Val& other_rep, const Val& to_path) -> Result<BeneathParent> {
    auto other = s->descriptors.find(uint32_t(other_rep.num));
    if (other == s->descriptors.end()) return fail(Error("unknown descriptor", EBADF));
    if (other->second.read_only) return fail(Error("read-only", EROFS));
    return parent_in(other->second.fd->get(), to_path.str);
  };
  auto two_paths = [destination](Desc& d, const Val& from_path, const Val& other_rep, const Val& to_path,
                                 int (*op)(int, const char*, int, const char*)) -> Result<Val> {
    auto from = parent_in(d.fd->get(), from_path.str);
    if (!from) return errno_err(from.error().code);
    auto to = destination(other_rep, to_path);
    if (!to) return errno_err(to.error().code);
    if (op(from->dir(), from->name_as_written().c_str(), to->dir(), to->name_as_written().c_str()) < 0)
      return errno_err(errno);
    return Val::ok();
  };
  types.func<FsResult<None>(Borrow<Descriptor>, PathFlags, std::string, Borrow<Descriptor>, std::string)>(
      "[method]descriptor.link-at", mutating([two_paths, destination](Desc& d, auto& a) -> Result<Val> {
    if (a[1].num & kPathSymlinkFollow) {
      // linkat's AT_SYMLINK_FOLLOW would follow without bound: resolve beneath the preopen first and link what was
      // found through its /proc name (a dangling link fails here with no-entry, as on Linux).
      auto source = open_in(d.fd->get(), a[2].str, O_PATH, 0, true);
      if (!source) return errno_err(source.error().code);
      auto to = destination(a[3], a[4]);
      if (!to) return errno_err(to.error().code);
      const std::string self = "/proc/self/fd/" + std::to_string(source->get());
      if (::linkat(AT_FDCWD, self.c_str(), to->dir(), to->name_as_written().c_str(), AT_SYMLINK_FOLLOW) < 0)
        return errno_err(errno);
      return Val::ok();
    }
    return two_paths(d, a[2], a[3], a[4], [](int fd1, const char* p1, int fd2, const char* p2) {
      return ::linkat(fd1, p1, fd2, p2, 0);
    });
  }));
  types.func<FsResult<Own<Descriptor>>(Borrow<Descriptor>, PathFlags, std::string, OpenFlags, DescriptorFlags)>(
      "[method]descriptor.open-at", method([s](Desc& d, auto& a) -> Result<Val> {
    uint64_t path_flags = a[1].num, open_flags = a[3].num, flags = a[4].num;
    bool wants_write = (flags & (kFlagWrite | kFlagMutateDirectory)) || (open_flags & (kOpenCreate | kOpenTruncate));
    if (d.read_only && wants_write) return fs_err(FsError::read_only);
    if (!d.is_directory) return fs_err(FsError::not_directory);
    int oflags = (flags & kFlagWrite) ? ((flags & kFlagRead) ? O_RDWR : O_WRONLY) : O_RDONLY;
    if (open_flags & kOpenCreate) oflags |= O_CREAT;
    if (open_flags & kOpenDirectory) oflags |= O_DIRECTORY;
    if (open_flags & kOpenExclusive) oflags |= O_EXCL;
    if (open_flags & kOpenTruncate) oflags |= O_TRUNC;
    if (flags & (kFlagFileIntegritySync | kFlagRequestedWriteSync)) oflags |= O_SYNC;  // Linux: O_RSYNC == O_SYNC
    else if (flags & kFlagDataIntegritySync) oflags |= O_DSYNC;
    auto file = open_in(d.fd->get(), a[2].str, oflags, 0666, path_flags & kPathSymlinkFollow);
    if (!file && file.error().code == EISDIR && (flags & kFlagWrite) == 0)
      file = open_in(d.fd->get(), a[2].str, O_RDONLY | O_DIRECTORY, 0, true);
    if (!file) return errno_err(file.error().code);
    struct stat sb{};
    ::fstat(file->get(), &sb);
    uint32_t r = s->rep();
    s->descriptors[r] = {std::make_shared<UniqueFd>(std::move(*file)), d.read_only, S_ISDIR(sb.st_mode),
                         (flags & kFlagRead) != 0 || (flags & kFlagWrite) == 0, (flags & kFlagWrite) != 0};
    return Val::ok(Val::handle(r));
  }));
  types.func<FsResult<std::string>(Borrow<Descriptor>, std::string)>(
      "[method]descriptor.readlink-at", method([](Desc& d, auto& a) -> Result<Val> {
    auto p = parent_in(d.fd->get(), a[1].str);
    if (!p) return errno_err(p.error().code);
    char buf[4096];
    ssize_t n = ::readlinkat(p->dir(), p->name_as_written().c_str(), buf, sizeof buf);
    if (n < 0) return errno_err(errno);
    return Val::ok(Val::string(std::string(buf, size_t(n))));
  }));
  types.func<FsResult<None>(Borrow<Descriptor>, std::string)>(
      "[method]descriptor.remove-directory-at", mutating([](Desc& d, auto& a) -> Result<Val> {
    auto p = parent_in(d.fd->get(), a[1].str);
    if (!p) return errno_err(p.error().code);
    if (::unlinkat(p->dir(), p->name_as_written().c_str(), AT_REMOVEDIR) < 0) return errno_err(errno);
    return Val::ok();
  }));
  types.func<FsResult<None>(Borrow<Descriptor>, std::string, Borrow<Descriptor>, std::string)>(
      "[method]descriptor.rename-at",
      mutating([two_paths](Desc& d, auto& a) { return two_paths(d, a[1], a[2], a[3], ::renameat); }));
  types.func<FsResult<None>(Borrow<Descriptor>, std::string, std::string)>(
      "[method]descriptor.symlink-at", mutating([](Desc& d, auto& a) -> Result<Val> {
    auto p = parent_in(d.fd->get(), a[2].str);
    if (!p) return errno_err(p.error().code);
    if (a[1].str.find('\0') != std::string::npos) return fs_err(FsError::invalid);
    if (!symlink_target_stays_beneath(d.fd->get(), p->dir(), a[1].str)) return fs_err(FsError::not_permitted);
    if (::symlinkat(a[1].str.c_str(), p->dir(), p->name_as_written().c_str()) < 0) return errno_err(errno);
    return Val::ok();
  }));
  types.func<FsResult<None>(Borrow<Descriptor>, std::string)>(
      "[method]descriptor.unlink-file-at", mutating([](Desc& d, auto& a) -> Result<Val> {
    auto p = parent_in(d.fd->get(), a[1].str);
    if (!p) return errno_err(p.error().code);
    if (::unlinkat(p->dir(), p->name_as_written().c_str(), 0) < 0) return errno_err(errno);
    return Val::ok();
  }));
  types.func<bool(Borrow<Descriptor>, Borrow<Descriptor>)>(
      "[method]descriptor.is-same-object", method([s](Desc& d, auto& a) -> Result<Val> {
    auto other = s->descriptors.find(uint32_t(a[1].num));
    if (other == s->descriptors.end()) return fail("unknown descriptor");
    struct stat x{}, y{};
    ::fstat(d.fd->get(), &x);
    ::fstat(other->second.fd->get(), &y);
    return Val::boolean(x.st_dev == y.st_dev && x.st_ino == y.st_ino);
  }));
  types.func<FsResult<MetadataHashValue>(Borrow<Descriptor>)>(
      "[method]descriptor.metadata-hash", method([](Desc& d, auto&) -> Result<Val> {
    struct stat sb{};
    if (::fstat(d.fd->get(), &sb) < 0) return errno_err(errno);
    return Val::ok(Val::record({Val::number(sb.st_ino), Val::number(sb.st_dev)}));
  }));
  types.func<FsResult<MetadataHashValue>(Borrow<Descriptor>, PathFlags, std::string)>(
      "[method]descriptor.metadata-hash-at", method([](Desc& d, auto& a) -> Result<Val> {
    auto file = open_in(d.fd->get(), a[2].str, O_PATH, 0, a[1].num & kPathSymlinkFollow);
    if (!file) return errno_err(file.error().code);
    struct stat sb{};
    if (::fstat(file->get(), &sb) < 0) return errno_err(errno);
    return Val::ok(Val::record({Val::number(sb.st_ino), Val::number(sb.st_dev)}));
  }));
  types.func<Option<FsErrorCode>(Borrow<IoError>)>("filesystem-error-code", [s](auto& a) -> Result<Val> {
    auto it = s->errors.find(uint32_t(a[0].num));
    if (it == s->errors.end() || it->second.err == 0) return Val::none();
    return Val::some(Val::number(uint32_t(fs_error_from_errno(it->second.err))));
  });
}

}  // namespace weft::runtime
