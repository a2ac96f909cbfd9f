// wasi_snapshot_preview1 over the WASI 0.2 host: the preview-1 fd table (stdio, preopens, opened files and their
// offsets) lives here; every operation on a file, directory, stream, clock or random source is the 0.2 host function
// of the same meaning, called through the registry with lifted values, so this file only moves bytes between guest
// memory and those calls and turns `error-code`s into errno.

#include "weft/runtime/wasi_preview1.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace weft::runtime {

namespace preview1 {

Errno errno_of_fs_error(uint32_t error_code) {
  // wasi:filesystem/types.error-code, in WIT case order.
  static constexpr Errno kByCase[] = {
      Errno::access, Errno::again, Errno::already, Errno::badf, Errno::busy, Errno::deadlock, Errno::dquot,
      Errno::exist, Errno::fbig, Errno::ilseq, Errno::inprogress, Errno::intr, Errno::inval, Errno::io, Errno::isdir,
      Errno::loop, Errno::mlink, Errno::msgsize, Errno::nametoolong, Errno::nodev, Errno::noent, Errno::nolck,
      Errno::nomem, Errno::nospc, Errno::notdir, Errno::notempty, Errno::notrecoverable, Errno::notsup, Errno::notty,
      Errno::nxio, Errno::overflow, Errno::perm, Errno::pipe, Errno::rofs, Errno::spipe, Errno::txtbsy, Errno::xdev,
  };
  return error_code < std::size(kByCase) ? kByCase[error_code] : Errno::io;
}

std::optional<std::span<uint8_t>> GuestMemory::range(uint64_t ptr, uint64_t len) const {
  // Guest addresses are u32, so ptr + len cannot wrap a u64.
  if (ptr > bytes_.size() || len > bytes_.size() - ptr) return std::nullopt;
  return bytes_.subspan(size_t(ptr), size_t(len));
}

std::variant<std::vector<std::span<uint8_t>>, Errno> iovecs(const GuestMemory& memory, uint32_t iovs,
                                                           uint32_t count) {
  if (count > kMaxIovecs) return Errno::inval;
  if (!memory.range(iovs, uint64_t(count) * 8)) return Errno::fault;
  std::vector<std::span<uint8_t>> out;
  out.reserve(count);
  uint64_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t buf = *memory.load<uint32_t>(iovs + uint64_t(i) * 8);
    const uint32_t len = *memory.load<uint32_t>(iovs + uint64_t(i) * 8 + 4);
    auto bytes = memory.range(buf, len);
    if (!bytes) return Errno::fault;
    total += len;
    if (total > UINT32_MAX) return Errno::overflow;  // the byte count answered is a u32 (size)
    out.push_back(*bytes);
  }
  return out;
}

}  // namespace preview1

namespace {

using preview1::Errno;
using preview1::GuestMemory;
using CT = CoreType;

// Bytes one read or write moves per call (the 0.2 streams' transfer limit); guests loop on short counts.
constexpr uint64_t kMaxTransfer = 1 << 20;
// Open preview-1 descriptors per instance, preopens and stdio included; one more open answers EMFILE.
constexpr size_t kMaxOpenFds = 1024;
// Subscriptions one poll_oneoff may pass; more is EINVAL.
constexpr uint32_t kMaxSubscriptions = 4096;
// Longest path a guest may pass, bytes (Linux PATH_MAX); longer is ENAMETOOLONG before any copy.
constexpr uint32_t kMaxPathBytes = 4096;

// witx filetype
enum FileType : uint8_t {
  ft_unknown = 0, ft_block = 1, ft_char = 2, ft_dir = 3, ft_file = 4, ft_stream = 6, ft_link = 7
};
// witx fdflags
constexpr uint16_t kFdAppend = 1, kFdDsync = 2, kFdNonblock = 4, kFdRsync = 8, kFdSync = 16;
// witx rights. WEFT's capabilities are its preopens (and their read-only flag), not preview 1's rights: an fd reports
// the rights its kind of descriptor and open mode can exercise, and fd_fdstat_set_rights is ENOTSUP (as the 0.2
// adapter does), so no call is refused for a right.
constexpr uint64_t kAllRights = (uint64_t(1) << 30) - 1;
constexpr uint64_t kRightFdRead = 1 << 1, kRightFdSeek = 1 << 2, kRightFdTell = 1 << 5, kRightFdWrite = 1 << 6;
constexpr uint64_t kRightFdAllocate = 1 << 8, kRightFdReaddir = 1 << 14, kRightPathFilestatSetSize = 1 << 19;
constexpr uint64_t kRightFdFilestatSetSize = 1 << 22;
// Rights meaningful only on a directory: path_create_directory … path_filestat_set_times (bits 9–20, fd_readdir
// among them) and path_symlink, path_remove_directory, path_unlink_file (bits 24–26).
constexpr uint64_t kDirectoryOnlyRights = uint64_t(0x1FFE00) | (uint64_t(7) << 24);
/// Rights of a directory fd: its path operations, syncing, flags and its own stat and times; no reading, writing or
/// seeking, and no path_filestat_set_size (sizes are set through a file's fd).
constexpr uint64_t kDirectoryRights = (kDirectoryOnlyRights & ~kRightPathFilestatSetSize) | (uint64_t(1) << 0) |
                                      (uint64_t(1) << 3) | (uint64_t(1) << 4) | (uint64_t(1) << 21) |
                                      (uint64_t(1) << 23);
/// Rights of a file fd opened readable and/or writable.
constexpr uint64_t file_rights(bool readable, bool writable) {
  uint64_t r = kAllRights & ~kDirectoryOnlyRights;
  if (!readable) r &= ~kRightFdRead;
  if (!writable) r &= ~(kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize);
  return r;
}
/// Rights of a stdio stream.
constexpr uint64_t kStreamRights = kRightFdRead | kRightFdWrite | (uint64_t(1) << 3) /*fd_fdstat_set_flags*/ |
                                   (uint64_t(1) << 21) /*fd_filestat_get*/ | (uint64_t(1) << 27) /*poll*/;

/// The preview-1 filetype of a wasi:filesystem descriptor-type case.
uint8_t file_type(uint64_t descriptor_type) {
  // unknown, block-device, character-device, directory, fifo, symbolic-link, regular-file, socket
  static constexpr uint8_t kByCase[] = {ft_unknown, ft_block, ft_char, ft_dir, ft_unknown, ft_link, ft_file, ft_stream};
  return descriptor_type < std::size(kByCase) ? kByCase[descriptor_type] : uint8_t(ft_unknown);
}

struct Fd {
  enum class Kind { stdin_stream, output_stream, descriptor } kind = Kind::descriptor;
  uint32_t rep = 0;  // the 0.2 input/output-stream or descriptor
  bool directory = false;
  uint64_t offset = 0;  // files: where fd_read/fd_write continue
  uint16_t flags = 0;   // fdflags the guest set that live here (append, nonblock)
  uint64_t rights_base = kStreamRights, rights_inheriting = 0;
  std::optional<std::string> preopen;  // guest path of a preopened directory

  static Fd of(Kind kind, uint32_t rep, bool directory = false) {
    Fd fd;
    fd.kind = kind;
    fd.rep = rep;
    fd.directory = directory;
    return fd;
  }
};

/// Outcome of a preview-1 function: an errno for the guest, or a trap (proc_exit, a host failure).
using Outcome = std::variant<Errno, Trap>;

}  // namespace

struct Preview1Host::State {
  HostRegistry* wasi = nullptr;
  CoreEngine* engine = nullptr;
  std::optional<CoreExtern> memory;
  std::map<uint32_t, Fd> fds;
  bool fds_ready = false;

  GuestMemory guest() {
    if (!memory) return GuestMemory({});
    return GuestMemory(engine->memory(*memory));
  }

  /// Calls the 0.2 host function `fn` of `iface`; an error is what would have trapped a component.
  Result<Val> call(std::string_view iface, std::string_view fn, std::vector<Val> args) {
    const HostInterface* i = wasi->find(iface);
    if (!i) return fail("the WASI host has no " + std::string(iface));
    auto f = i->functions.find(fn);
    if (f == i->functions.end()) return fail("the WASI host has no " + std::string(iface) + "#" + std::string(fn));
    return f->second.call(args);
  }
  void drop(std::string_view iface, const std::string& resource, uint32_t rep) {
    if (const HostInterface* i = wasi->find(iface))
      if (auto r = i->resources.find(resource); r != i->resources.end() && r->second->host_drop)
        r->second->host_drop(rep);
  }
  void release(const Fd& fd) {
    switch (fd.kind) {
      case Fd::Kind::stdin_stream: drop("wasi:io/streams@0.2.0", "input-stream", fd.rep); break;
      case Fd::Kind::output_stream: drop("wasi:io/streams@0.2.0", "output-stream", fd.rep); break;
      case Fd::Kind::descriptor: drop("wasi:filesystem/types@0.2.0", "descriptor", fd.rep); break;
    }
  }

  /// fd 0–2 are stdio, then one per preopen in order: set up at the first call (the 0.2 host hands them out).
  Result<void> open_initial_fds() {
    if (fds_ready) return ok();
    fds_ready = true;
    WEFT_TRY(Val in, call("wasi:cli/stdin@0.2.0", "get-stdin", {}));
    fds[0] = Fd::of(Fd::Kind::stdin_stream, uint32_t(in.num));
    WEFT_TRY(Val out, call("wasi:cli/stdout@0.2.0", "get-stdout", {}));
    fds[1] = Fd::of(Fd::Kind::output_stream, uint32_t(out.num));
    WEFT_TRY(Val err, call("wasi:cli/stderr@0.2.0", "get-stderr", {}));
    fds[2] = Fd::of(Fd::Kind::output_stream, uint32_t(err.num));
    WEFT_TRY(Val dirs, call("wasi:filesystem/preopens@0.2.0", "get-directories", {}));
    uint32_t next = 3;
    for (auto& entry : dirs.items) {
      Fd fd = Fd::of(Fd::Kind::descriptor, uint32_t(entry.items.at(0).num), true);
      fd.rights_base = kDirectoryRights;
      fd.rights_inheriting = kAllRights;
      fd.preopen = entry.items.at(1).str;
      fds[next++] = std::move(fd);
    }
    return ok();
  }

  Fd* find(uint32_t fd) {
    auto it = fds.find(fd);
    return it == fds.end() ? nullptr : &it->second;
  }
  /// The lowest free fd, or none past kMaxOpenFds.
  std::optional<uint32_t> free_fd() const {
    if (fds.size() >= kMaxOpenFds) return std::nullopt;
    uint32_t n = 0;
    for (const auto& [fd, entry] : fds) {
      if (fd != n) break;
      ++n;
    }
    return n;
  }
};

namespace {

using S = Preview1Host::State;
constexpr const char* kTypes = "wasi:filesystem/types@0.2.0";

/// A `result<T, error-code>` of a filesystem call: its value, or the errno of its error.
struct FsAnswer {
  Errno error = Errno::success;
  Val value;
};
Result<FsAnswer> fs_answer(Result<Val> r) {
  if (!r) return fail(std::move(r).error());
  if (r->index != 0) return FsAnswer{preview1::errno_of_fs_error(uint32_t(r->items.at(0).num)), {}};
  return FsAnswer{Errno::success, r->items.empty() ? Val{} : std::move(r->items[0])};
}

/// A guest string [ptr, ptr + len): EFAULT outside memory, ENAMETOOLONG past kMaxPathBytes.
std::variant<std::string, Errno> guest_path(const GuestMemory& m, uint32_t ptr, uint32_t len) {
  if (len > kMaxPathBytes) return Errno::nametoolong;
  auto bytes = m.range(ptr, len);
  if (!bytes) return Errno::fault;
  return std::string(bytes->begin(), bytes->end());
}

/// Copies `text` to guest memory at `ptr` (its room checked); EFAULT when it does not fit in the memory.
bool put_bytes(const GuestMemory& m, uint32_t ptr, std::string_view text) {
  auto dest = m.range(ptr, text.size());
  if (!dest) return false;
  std::copy(text.begin(), text.end(), dest->begin());
  return true;
}

/// Writes `bytes` to a guest iovec list in order; the count written.
uint64_t scatter(const std::vector<std::span<uint8_t>>& bufs, std::string_view bytes) {
  uint64_t done = 0;
  for (auto buf : bufs) {
    const size_t n = std::min<size_t>(buf.size(), bytes.size() - done);
    std::copy_n(bytes.data() + done, n, buf.data());
    done += n;
    if (done == bytes.size()) break;
  }
  return done;
}

/// The bytes of a guest iovec list, at most kMaxTransfer of them.
std::string gather(const std::vector<std::span<uint8_t>>& bufs) {
  std::string out;
  for (auto buf : bufs) {
    const size_t n = std::min<size_t>(buf.size(), kMaxTransfer - out.size());
    out.append(reinterpret_cast<const char*>(buf.data()), n);
    if (out.size() == kMaxTransfer) break;
  }
  return out;
}

uint64_t total_size(const std::vector<std::span<uint8_t>>& bufs) {
  uint64_t n = 0;
  for (auto b : bufs) n += b.size();
  return n;
}

/// `wasi:clocks/wall-clock.datetime` in nanoseconds.
uint64_t datetime_ns(const Val& v) { return v.items.at(0).num * 1'000'000'000 + v.items.at(1).num; }
/// An `option<datetime>` in nanoseconds (0 when absent).
uint64_t optional_datetime_ns(const Val& v) { return v.index == 0 ? 0 : datetime_ns(v.items.at(0)); }

/// A new-timestamp for one of fd/path_filestat_set_times' pair of flags.
std::variant<Val, Errno> new_timestamp(uint64_t ns, uint16_t fst, uint16_t set_bit, uint16_t now_bit) {
  if ((fst & set_bit) && (fst & now_bit)) return Errno::inval;
  if (fst & now_bit) return Val::cases(1);
  if (fst & set_bit) return Val::cases(2, Val::record({Val::number(ns / 1'000'000'000), Val::number(ns % 1'000'000'000)}));
  return Val::cases(0);
}

/// The preview-1 filestat (64 bytes) of a descriptor-stat and its metadata hash.
bool store_filestat(const GuestMemory& m, uint32_t ptr, const Val& stat, uint64_t dev, uint64_t ino) {
  auto out = m.range(ptr, 64);
  if (!out) return false;
  std::fill(out->begin(), out->end(), 0);
  (void)m.store<uint64_t>(ptr, dev);
  (void)m.store<uint64_t>(ptr + 8, ino);
  (void)m.store<uint8_t>(ptr + 16, file_type(stat.items.at(0).num));
  (void)m.store<uint64_t>(ptr + 24, stat.items.at(1).num);
  (void)m.store<uint64_t>(ptr + 32, stat.items.at(2).num);
  (void)m.store<uint64_t>(ptr + 40, optional_datetime_ns(stat.items.at(3)));
  (void)m.store<uint64_t>(ptr + 48, optional_datetime_ns(stat.items.at(4)));
  (void)m.store<uint64_t>(ptr + 56, optional_datetime_ns(stat.items.at(5)));
  return true;
}

#define P1_TRY_ERRNO(var, expr)                              \
  auto var##_or = (expr);                                    \
  if (auto* e = std::get_if<Errno>(&var##_or)) return *e;    \
  auto& var = std::get<0>(var##_or)
#define P1_TRY_HOST(var, expr)                               \
  auto var##_r = (expr);                                     \
  if (!var##_r) return Trap{"host", var##_r.error().message}; \
  auto& var = *var##_r

/// The preview-1 functions, each on the State and the guest's i32/i64 arguments.
class Functions {
 public:
  explicit Functions(std::shared_ptr<S> s) : s_(std::move(s)) {}

  struct Entry {
    CoreFuncType type;
    std::function<Outcome(std::span<const CoreValue>)> body;
  };
  std::map<std::string, Entry, std::less<>> table();

 private:
  std::shared_ptr<S> s_;

  // ---- args, environ: both are lists of strings copied out NUL-terminated ----
  /// `wasi:cli/environment.get-arguments`, or its `get-environment` as `NAME=value` strings.
  Result<std::vector<std::string>> strings(bool environment) {
    WEFT_TRY(Val list, s_->call("wasi:cli/environment@0.2.0", environment ? "get-environment" : "get-arguments", {}));
    std::vector<std::string> out;
    out.reserve(list.items.size());
    for (auto& item : list.items)
      out.push_back(environment ? item.items.at(0).str + "=" + item.items.at(1).str : std::move(item.str));
    return out;
  }
  Outcome strings_sizes(bool environment, uint32_t count_ptr, uint32_t size_ptr) {
    P1_TRY_HOST(list, strings(environment));
    uint64_t bytes = 0;
    for (const auto& text : list) bytes += text.size() + 1;
    if (bytes > UINT32_MAX) return Errno::overflow;
    auto m = s_->guest();
    if (!m.store<uint32_t>(count_ptr, uint32_t(list.size())) || !m.store<uint32_t>(size_ptr, uint32_t(bytes)))
      return Errno::fault;
    return Errno::success;
  }
  Outcome strings_get(bool environment, uint32_t pointers, uint32_t buffer) {
    P1_TRY_HOST(list, strings(environment));
    auto m = s_->guest();
    uint64_t at = buffer;
    for (size_t i = 0; i < list.size(); ++i) {
      if (!m.store<uint32_t>(pointers + uint64_t(i) * 4, uint32_t(at))) return Errno::fault;
      if (at > UINT32_MAX || !put_bytes(m, uint32_t(at), std::string_view(list[i].c_str(), list[i].size() + 1)))
        return Errno::fault;
      at += list[i].size() + 1;
    }
    return Errno::success;
  }

  // ---- clocks, random, scheduling ----
  Result<std::optional<uint64_t>> clock_now(uint32_t id) {
    if (id == 0) {
      WEFT_TRY(Val now, s_->call("wasi:clocks/wall-clock@0.2.0", "now", {}));
      return std::optional<uint64_t>(datetime_ns(now));
    }
    if (id == 1) {
      WEFT_TRY(Val now, s_->call("wasi:clocks/monotonic-clock@0.2.0", "now", {}));
      return std::optional<uint64_t>(now.num);
    }
    return std::optional<uint64_t>();  // CPU-time clocks: WASI 0.2 has none
  }
  Outcome clock_res_get(uint32_t id, uint32_t out) {
    uint64_t ns = 0;
    if (id == 0) {
      P1_TRY_HOST(res, s_->call("wasi:clocks/wall-clock@0.2.0", "resolution", {}));
      ns = datetime_ns(res);
    } else if (id == 1) {
      P1_TRY_HOST(res, s_->call("wasi:clocks/monotonic-clock@0.2.0", "resolution", {}));
      ns = res.num;
    } else {
      return Errno::inval;
    }
    return s_->guest().store<uint64_t>(out, ns) ? Errno::success : Errno::fault;
  }
  Outcome clock_time_get(uint32_t id, uint64_t /*precision*/, uint32_t out) {
    P1_TRY_HOST(now, clock_now(id));
    if (!now) return Errno::inval;
    return s_->guest().store<uint64_t>(out, *now) ? Errno::success : Errno::fault;
  }
  Outcome random_get(uint32_t buf, uint32_t len) {
    if (!s_->guest().range(buf, len)) return Errno::fault;
    for (uint64_t done = 0; done < len;) {
      P1_TRY_HOST(bytes, s_->call("wasi:random/random@0.2.0", "get-random-bytes", {Val::number(len - done)}));
      if (bytes.str.empty()) return Errno::io;
      auto dest = *s_->guest().range(buf + done, bytes.str.size());
      std::copy(bytes.str.begin(), bytes.str.end(), dest.begin());
      done += bytes.str.size();
    }
    return Errno::success;
  }
  Outcome proc_exit(uint32_t status) {
    // wasi:cli/exit passes a status of 0–255 through; anything larger reaches the host as a failure (status 1).
    if (status <= 255) (void)s_->call("wasi:cli/exit@0.2.0", "exit-with-code", {Val::number(status)});
    else (void)s_->call("wasi:cli/exit@0.2.0", "exit", {Val::cases(1)});
    return Trap{"exit", "proc_exit(" + std::to_string(status) + ")"};
  }

  // ---- descriptors ----
  /// The descriptor fd names, or EBADF (stdio and unknown fds).
  std::variant<Fd*, Errno> descriptor(uint32_t fd) {
    Fd* f = s_->find(fd);
    if (!f || f->kind != Fd::Kind::descriptor) return Errno::badf;
    return f;
  }
  /// A directory fd for the path_* functions: EBADF unknown, ENOTDIR not a directory.
  std::variant<Fd*, Errno> directory(uint32_t fd) {
    Fd* f = s_->find(fd);
    if (!f) return Errno::badf;
    if (f->kind != Fd::Kind::descriptor || !f->directory) return Errno::notdir;
    return f;
  }
  /// Calls `[method]descriptor.<method>` on `rep` with `args` after it.
  Result<FsAnswer> method(uint32_t rep, const char* name, std::vector<Val> args = {}) {
    args.insert(args.begin(), Val::handle(rep));
    return fs_answer(s_->call(kTypes, std::string("[method]descriptor.") + name, std::move(args)));
  }
  /// A method whose answer is only success or an errno.
  Outcome simple(uint32_t rep, const char* name, std::vector<Val> args = {}) {
    P1_TRY_HOST(a, method(rep, name, std::move(args)));
    return a.error;
  }

  Outcome fd_close(uint32_t fd) {
    auto it = s_->fds.find(fd);
    if (it == s_->fds.end()) return Errno::badf;
    s_->release(it->second);
    s_->fds.erase(it);
    return Errno::success;
  }
  Outcome fd_renumber(uint32_t from, uint32_t to) {
    auto a = s_->fds.find(from), b = s_->fds.find(to);
    if (a == s_->fds.end() || b == s_->fds.end()) return Errno::badf;
    if (from == to) return Errno::success;
    s_->release(b->second);
    b->second = std::move(a->second);
    s_->fds.erase(a);
    return Errno::success;
  }
  Outcome fd_fdstat_get(uint32_t fd, uint32_t out) {
    Fd* f = s_->find(fd);
    if (!f) return Errno::badf;
    uint8_t type = ft_char;
    uint16_t flags = f->flags;
    if (f->kind == Fd::Kind::descriptor) {
      P1_TRY_HOST(t, method(f->rep, "get-type"));
      if (t.error != Errno::success) return t.error;
      type = file_type(t.value.num);
      P1_TRY_HOST(g, method(f->rep, "get-flags"));
      if (g.error != Errno::success) return g.error;
      // descriptor-flags: read, write, file-integrity-sync, data-integrity-sync, requested-write-sync, …
      if (g.value.num & 4) flags |= kFdSync;
      if (g.value.num & 8) flags |= kFdDsync;
      if (g.value.num & 16) flags |= kFdRsync;
    }
    auto m = s_->guest();
    auto room = m.range(out, 24);
    if (!room) return Errno::fault;
    std::fill(room->begin(), room->end(), 0);
    (void)m.store<uint8_t>(out, type);
    (void)m.store<uint16_t>(out + 2, flags);
    (void)m.store<uint64_t>(out + 8, f->rights_base);
    (void)m.store<uint64_t>(out + 16, f->rights_inheriting);
    return Errno::success;
  }
  Outcome fd_fdstat_set_flags(uint32_t fd, uint32_t flags) {
    Fd* f = s_->find(fd);
    if (!f) return Errno::badf;
    // The sync modes are chosen at open (an open file description's O_SYNC cannot be changed on Linux).
    if (flags & (kFdDsync | kFdRsync | kFdSync)) return Errno::notsup;
    if (flags & ~uint32_t(kFdAppend | kFdNonblock)) return Errno::inval;
    f->flags = uint16_t(flags);
    return Errno::success;
  }
  Outcome fd_fdstat_set_rights(uint32_t fd, uint64_t, uint64_t) {
    return s_->find(fd) ? Errno::notsup : Errno::badf;  // see kAllRights: rights are reported, not narrowed
  }
  Outcome filestat_of(uint32_t rep, uint32_t out, std::optional<std::pair<uint64_t, std::string>> at) {
    P1_TRY_HOST(st, at ? method(rep, "stat-at", {Val::number(at->first), Val::string(at->second)})
                       : method(rep, "stat"));
    if (st.error != Errno::success) return st.error;
    P1_TRY_HOST(hash, at ? method(rep, "metadata-hash-at", {Val::number(at->first), Val::string(at->second)})
                         : method(rep, "metadata-hash"));
    if (hash.error != Errno::success) return hash.error;
    // metadata-hash is {inode, device} of the file (wasi_filesystem.cpp).
    const uint64_t ino = hash.value.items.at(0).num, dev = hash.value.items.at(1).num;
    return store_filestat(s_->guest(), out, st.value, dev, ino) ? Errno::success : Errno::fault;
  }
  Outcome fd_filestat_get(uint32_t fd, uint32_t out) {
    Fd* f = s_->find(fd);
    if (!f) return Errno::badf;
    if (f->kind != Fd::Kind::descriptor) {
      auto m = s_->guest();
      auto room = m.range(out, 64);
      if (!room) return Errno::fault;
      std::fill(room->begin(), room->end(), 0);
      (void)m.store<uint8_t>(out + 16, ft_char);
      return Errno::success;
    }
    return filestat_of(f->rep, out, std::nullopt);
  }
  Outcome fd_filestat_set_size(uint32_t fd, uint64_t size) {
    P1_TRY_ERRNO(f, descriptor(fd));
    return simple(f->rep, "set-size", {Val::number(size)});
  }
  Outcome fd_filestat_set_times(uint32_t fd, uint64_t atim, uint64_t mtim, uint32_t fst) {
    P1_TRY_ERRNO(f, descriptor(fd));
    P1_TRY_ERRNO(a, new_timestamp(atim, uint16_t(fst), 1, 2));
    P1_TRY_ERRNO(m, new_timestamp(mtim, uint16_t(fst), 4, 8));
    if (fst & ~uint32_t(15)) return Errno::inval;
    return simple(f->rep, "set-times", {a, m});
  }
  Outcome fd_advise(uint32_t fd, uint64_t offset, uint64_t len, uint32_t advice) {
    P1_TRY_ERRNO(f, descriptor(fd));
    if (advice > 5) return Errno::inval;
    return simple(f->rep, "advise", {Val::number(offset), Val::number(len), Val::number(advice)});
  }
  Outcome fd_allocate(uint32_t fd, uint64_t, uint64_t) {
    P1_TRY_ERRNO(f, descriptor(fd));
    return f->directory ? Errno::badf : Errno::notsup;  // WASI 0.2 has no allocate
  }
  Outcome fd_sync(uint32_t fd, const char* which) {
    P1_TRY_ERRNO(f, descriptor(fd));
    return simple(f->rep, which);
  }

  /// Reads into `bufs` from `f` at `offset` (files) or its stream; the count read.
  std::variant<uint64_t, Errno, Trap> read_into(Fd& f, const std::vector<std::span<uint8_t>>& bufs, uint64_t offset) {
    const uint64_t want = std::min(total_size(bufs), kMaxTransfer);
    if (f.kind == Fd::Kind::output_stream) return Errno::badf;
    if (f.kind == Fd::Kind::stdin_stream) {
      auto r = s_->call("wasi:io/streams@0.2.0", "[method]input-stream.blocking-read",
                        {Val::handle(f.rep), Val::number(want)});
      if (!r) return Trap{"host", r.error().message};
      if (r->index != 0) return uint64_t(0);  // closed: end of input
      return scatter(bufs, r->items.at(0).str);
    }
    if (f.directory) return Errno::isdir;
    auto a = method(f.rep, "read", {Val::number(want), Val::number(offset)});
    if (!a) return Trap{"host", a.error().message};
    if (a->error != Errno::success) return a->error;
    return scatter(bufs, a->value.items.at(0).str);
  }
  /// All of `bytes` to the 0.2 output-stream `rep`; the count, EIO when the stream failed.
  std::variant<uint64_t, Errno, Trap> write_stream(uint32_t rep, const std::string& bytes) {
    auto r = s_->call("wasi:io/streams@0.2.0", "[method]output-stream.blocking-write-and-flush",
                      {Val::handle(rep), Val::bytes(bytes.data(), bytes.size())});
    if (!r) return Trap{"host", r.error().message};
    if (r->index != 0) return Errno::io;
    return uint64_t(bytes.size());
  }
  /// Writes the bytes of `bufs` to `f` at `offset` (files; append mode: at the end) or its stream; the count.
  std::variant<uint64_t, Errno, Trap> write_from(Fd& f, const std::vector<std::span<uint8_t>>& bufs, uint64_t offset,
                                                 bool append) {
    const std::string bytes = gather(bufs);
    if (f.kind == Fd::Kind::stdin_stream) return Errno::badf;
    if (f.kind == Fd::Kind::output_stream) return write_stream(f.rep, bytes);
    if (f.directory) return Errno::isdir;
    if (append) {
      auto stream = method(f.rep, "append-via-stream");
      if (!stream) return Trap{"host", stream.error().message};
      if (stream->error != Errno::success) return stream->error;
      const uint32_t rep = uint32_t(stream->value.num);
      auto written = write_stream(rep, bytes);
      s_->drop("wasi:io/streams@0.2.0", "output-stream", rep);
      return written;
    }
    auto a = method(f.rep, "write", {Val::bytes(bytes.data(), bytes.size()), Val::number(offset)});
    if (!a) return Trap{"host", a.error().message};
    if (a->error != Errno::success) return a->error;
    return a->value.num;
  }
  template <class Transfer>
  Outcome transfer(uint32_t fd, uint32_t iovs, uint32_t count, uint32_t done_ptr, Transfer op) {
    Fd* f = s_->find(fd);
    if (!f) return Errno::badf;
    auto m = s_->guest();
    P1_TRY_ERRNO(bufs, preview1::iovecs(m, iovs, count));
    if (!m.range(done_ptr, 4)) return Errno::fault;
    auto r = op(*f, bufs);
    if (auto* e = std::get_if<Errno>(&r)) return *e;
    if (auto* t = std::get_if<Trap>(&r)) return *t;
    return s_->guest().store<uint32_t>(done_ptr, uint32_t(std::get<uint64_t>(r))) ? Errno::success : Errno::fault;
  }
  Outcome fd_read(uint32_t fd, uint32_t iovs, uint32_t count, uint32_t nread) {
    return transfer(fd, iovs, count, nread, [&](Fd& f, const auto& bufs) {
      auto r = read_into(f, bufs, f.offset);
      if (auto* n = std::get_if<uint64_t>(&r)) f.offset += *n;
      return r;
    });
  }
  Outcome fd_pread(uint32_t fd, uint32_t iovs, uint32_t count, uint64_t offset, uint32_t nread) {
    return transfer(fd, iovs, count, nread, [&](Fd& f, const auto& bufs) -> std::variant<uint64_t, Errno, Trap> {
      if (f.kind != Fd::Kind::descriptor) return Errno::spipe;
      return read_into(f, bufs, offset);
    });
  }
  Outcome fd_write(uint32_t fd, uint32_t iovs, uint32_t count, uint32_t nwritten) {
    return transfer(fd, iovs, count, nwritten, [&](Fd& f, const auto& bufs) {
      const bool append = f.flags & kFdAppend;
      auto r = write_from(f, bufs, f.offset, append);
      if (auto* n = std::get_if<uint64_t>(&r)) {
        if (append && f.kind == Fd::Kind::descriptor) {
          auto st = method(f.rep, "stat");
          if (st && st->error == Errno::success) f.offset = st->value.items.at(2).num;
        } else {
          f.offset += *n;
        }
      }
      return r;
    });
  }
  Outcome fd_pwrite(uint32_t fd, uint32_t iovs, uint32_t count, uint64_t offset, uint32_t nwritten) {
    return transfer(fd, iovs, count, nwritten, [&](Fd& f, const auto& bufs) -> std::variant<uint64_t, Errno, Trap> {
      if (f.kind != Fd::Kind::descriptor) return Errno::spipe;
      return write_from(f, bufs, offset, false);
    });
  }
  Outcome fd_seek(uint32_t fd, int64_t delta, uint32_t whence, uint32_t out) {
    Fd* f = s_->find(fd);
    if (!f) return Errno::badf;
    if (f->kind != Fd::Kind::descriptor) return Errno::spipe;
    if (f->directory) return Errno::badf;
    int64_t base = 0;
    switch (whence) {
      case 0: break;
      case 1: base = int64_t(f->offset); break;
      case 2: {
        P1_TRY_HOST(st, method(f->rep, "stat"));
        if (st.error != Errno::success) return st.error;
        base = int64_t(st.value.items.at(2).num);
        break;
      }
      default: return Errno::inval;
    }
    int64_t target = 0;
    if (__builtin_add_overflow(base, delta, &target)) return Errno::overflow;
    if (target < 0) return Errno::inval;
    if (!s_->guest().store<uint64_t>(out, uint64_t(target))) return Errno::fault;
    f->offset = uint64_t(target);
    return Errno::success;
  }
  Outcome fd_tell(uint32_t fd, uint32_t out) {
    Fd* f = s_->find(fd);
    if (!f) return Errno::badf;
    if (f->kind != Fd::Kind::descriptor) return Errno::spipe;
    if (f->directory) return Errno::badf;
    return s_->guest().store<uint64_t>(out, f->offset) ? Errno::success : Errno::fault;
  }
  Outcome fd_prestat_get(uint32_t fd, uint32_t out) {
    Fd* f = s_->find(fd);
    if (!f) return Errno::badf;
    if (!f->preopen) return Errno::badf;
    auto m = s_->guest();
    if (!m.store<uint32_t>(out, 0) || !m.store<uint32_t>(out + 4, uint32_t(f->preopen->size()))) return Errno::fault;
    return Errno::success;
  }
  Outcome fd_prestat_dir_name(uint32_t fd, uint32_t path, uint32_t len) {
    Fd* f = s_->find(fd);
    if (!f || !f->preopen) return Errno::badf;
    if (!s_->guest().range(path, len)) return Errno::fault;  // the whole buffer the guest names must be its own
    if (len < f->preopen->size()) return Errno::nametoolong;
    return put_bytes(s_->guest(), path, *f->preopen) ? Errno::success : Errno::fault;
  }

  /// One directory entry of fd_readdir: its name, filetype and inode.
  struct Dirent {
    std::string name;
    uint8_t type = ft_unknown;
    uint64_t ino = 0;
  };
  Outcome fd_readdir(uint32_t fd, uint32_t buf, uint32_t buf_len, uint64_t cookie, uint32_t used_ptr) {
    P1_TRY_ERRNO(f, descriptor(fd));
    auto m0 = s_->guest();
    if (!m0.range(buf, buf_len) || !m0.range(used_ptr, 4)) return Errno::fault;
    if (!f->directory) return Errno::notdir;
    // The cookie is the index of the next entry (`.` and `..` first, as POSIX readdir lists them); each call reads
    // the directory from its start and skips `cookie` entries, so no listing is held between calls.
    std::vector<Dirent> entries;
    P1_TRY_HOST(self_hash, method(f->rep, "metadata-hash"));
    const uint64_t self_ino = self_hash.error == Errno::success ? self_hash.value.items.at(0).num : 0;
    uint64_t index = 0;
    uint64_t used = 0;
    auto emit = [&](const Dirent& d) -> bool {  // false once the buffer is full
      if (index++ < cookie) return true;
      unsigned char header[24] = {};
      const uint64_t next = index;
      const uint32_t namlen = uint32_t(d.name.size());
      std::memcpy(header, &next, 8);
      std::memcpy(header + 8, &d.ino, 8);
      std::memcpy(header + 16, &namlen, 4);
      header[20] = d.type;
      std::string record(reinterpret_cast<const char*>(header), 24);
      record += d.name;
      auto m = s_->guest();
      const uint64_t room = buf_len - used;
      const size_t n = size_t(std::min<uint64_t>(room, record.size()));
      (void)put_bytes(m, uint32_t(buf + used), std::string_view(record.data(), n));
      used += n;
      return used < buf_len;
    };
    bool more = emit({".", ft_dir, self_ino}) && emit({"..", ft_dir, 0});
    if (more) {
      P1_TRY_HOST(stream, method(f->rep, "read-directory"));
      if (stream.error != Errno::success) return stream.error;
      const uint32_t stream_rep = uint32_t(stream.value.num);
      Errno failure = Errno::success;
      while (more) {
        auto e = fs_answer(s_->call(kTypes, "[method]directory-entry-stream.read-directory-entry",
                                    {Val::handle(stream_rep)}));
        if (!e) {
          s_->drop(kTypes, "directory-entry-stream", stream_rep);
          return Trap{"host", e.error().message};
        }
        if (e->error != Errno::success) {
          failure = e->error;
          break;
        }
        if (e->value.index == 0) break;  // end of the directory
        const Val& entry = e->value.items.at(0);
        Dirent d{entry.items.at(1).str, file_type(entry.items.at(0).num), 0};
        if (index >= cookie) {  // only entries the guest receives pay for their inode
          auto hash = method(f->rep, "metadata-hash-at", {Val::number(0), Val::string(d.name)});
          if (hash && hash->error == Errno::success) d.ino = hash->value.items.at(0).num;
        }
        more = emit(d);
      }
      s_->drop(kTypes, "directory-entry-stream", stream_rep);
      if (failure != Errno::success) return failure;
    }
    return s_->guest().store<uint32_t>(used_ptr, uint32_t(used)) ? Errno::success : Errno::fault;
  }

  // ---- paths ----
  Outcome path_call(uint32_t fd, uint32_t path, uint32_t len, const char* name,
                    std::function<std::vector<Val>(std::string)> args) {
    P1_TRY_ERRNO(dir, directory(fd));
    P1_TRY_ERRNO(p, guest_path(s_->guest(), path, len));
    return simple(dir->rep, name, args(std::move(p)));
  }
  Outcome path_create_directory(uint32_t fd, uint32_t path, uint32_t len) {
    return path_call(fd, path, len, "create-directory-at", [](std::string p) { return std::vector{Val::string(p)}; });
  }
  Outcome path_remove_directory(uint32_t fd, uint32_t path, uint32_t len) {
    return path_call(fd, path, len, "remove-directory-at", [](std::string p) { return std::vector{Val::string(p)}; });
  }
  Outcome path_unlink_file(uint32_t fd, uint32_t path, uint32_t len) {
    return path_call(fd, path, len, "unlink-file-at", [](std::string p) { return std::vector{Val::string(p)}; });
  }
  Outcome path_filestat_get(uint32_t fd, uint32_t flags, uint32_t path, uint32_t len, uint32_t out) {
    P1_TRY_ERRNO(dir, directory(fd));
    P1_TRY_ERRNO(p, guest_path(s_->guest(), path, len));
    return filestat_of(dir->rep, out, std::pair<uint64_t, std::string>{flags & 1, p});
  }
  Outcome path_filestat_set_times(uint32_t fd, uint32_t flags, uint32_t path, uint32_t len, uint64_t atim,
                                  uint64_t mtim, uint32_t fst) {
    P1_TRY_ERRNO(a, new_timestamp(atim, uint16_t(fst), 1, 2));
    P1_TRY_ERRNO(m, new_timestamp(mtim, uint16_t(fst), 4, 8));
    if (fst & ~uint32_t(15)) return Errno::inval;
    return path_call(fd, path, len, "set-times-at", [&](std::string p) {
      return std::vector{Val::number(flags & 1), Val::string(p), a, m};
    });
  }
  Outcome path_readlink(uint32_t fd, uint32_t path, uint32_t len, uint32_t buf, uint32_t buf_len, uint32_t used) {
    P1_TRY_ERRNO(dir, directory(fd));
    P1_TRY_ERRNO(p, guest_path(s_->guest(), path, len));
    if (!s_->guest().range(buf, buf_len) || !s_->guest().range(used, 4)) return Errno::fault;
    P1_TRY_HOST(a, method(dir->rep, "readlink-at", {Val::string(p)}));
    if (a.error != Errno::success) return a.error;
    const std::string& target = a.value.str;
    const size_t n = std::min<size_t>(target.size(), buf_len);  // truncated to the buffer, as readlink(2)
    auto m = s_->guest();
    (void)put_bytes(m, buf, std::string_view(target.data(), n));
    return m.store<uint32_t>(used, uint32_t(n)) ? Errno::success : Errno::fault;
  }
  Outcome two_paths(uint32_t fd, uint32_t old_path, uint32_t old_len, uint32_t new_fd, uint32_t new_path,
                    uint32_t new_len, const char* name, std::optional<uint32_t> follow) {
    P1_TRY_ERRNO(from, directory(fd));
    P1_TRY_ERRNO(to, directory(new_fd));
    P1_TRY_ERRNO(a, guest_path(s_->guest(), old_path, old_len));
    P1_TRY_ERRNO(b, guest_path(s_->guest(), new_path, new_len));
    std::vector<Val> args;
    if (follow) args.push_back(Val::number(*follow & 1));
    args.insert(args.end(), {Val::string(a), Val::handle(to->rep), Val::string(b)});
    return simple(from->rep, name, std::move(args));
  }
  Outcome path_symlink(uint32_t old_path, uint32_t old_len, uint32_t fd, uint32_t new_path, uint32_t new_len) {
    P1_TRY_ERRNO(dir, directory(fd));
    P1_TRY_ERRNO(target, guest_path(s_->guest(), old_path, old_len));
    P1_TRY_ERRNO(link, guest_path(s_->guest(), new_path, new_len));
    return simple(dir->rep, "symlink-at", {Val::string(target), Val::string(link)});
  }
  Outcome path_open(uint32_t fd, uint32_t lookup, uint32_t path, uint32_t len, uint32_t oflags, uint64_t rights,
                    uint64_t /*inheriting*/, uint32_t fdflags, uint32_t out) {
    P1_TRY_ERRNO(dir, directory(fd));
    P1_TRY_ERRNO(p, guest_path(s_->guest(), path, len));
    if (!s_->guest().range(out, 4)) return Errno::fault;
    if (oflags & ~uint32_t(15)) return Errno::inval;
    if (fdflags & ~uint32_t(31)) return Errno::inval;
    const auto next = s_->free_fd();
    if (!next) return Errno::mfile;
    // descriptor-flags from the rights asked for and the sync fdflags; oflags and lookupflags have the same bits as
    // open-flags and path-flags.
    uint64_t flags = 0;
    if (rights & (kRightFdRead | kRightFdReaddir)) flags |= 1;
    if (rights & (kRightFdWrite | kRightFdAllocate | kRightFdFilestatSetSize)) flags |= 2;
    if (fdflags & kFdSync) flags |= 4;
    if (fdflags & kFdDsync) flags |= 8;
    if (fdflags & kFdRsync) flags |= 16;
    // As on Linux, a directory asked for with the write right is EISDIR (a directory fd's rights have no FD_WRITE).
    P1_TRY_HOST(opened, method(dir->rep, "open-at", {Val::number(lookup & 1), Val::string(p), Val::number(oflags),
                                                     Val::number(flags)}));
    if (opened.error != Errno::success) return opened.error;
    Fd entry = Fd::of(Fd::Kind::descriptor, uint32_t(opened.value.num));
    auto type = method(entry.rep, "get-type");
    entry.directory = type && type->error == Errno::success && type->value.num == 3;
    entry.flags = uint16_t(fdflags & (kFdAppend | kFdNonblock));
    entry.rights_base = entry.directory ? kDirectoryRights : file_rights(flags & 1, flags & 2);
    entry.rights_inheriting = entry.directory ? kAllRights : 0;
    s_->fds[*next] = std::move(entry);
    (void)s_->guest().store<uint32_t>(out, *next);
    return Errno::success;
  }

  // ---- poll_oneoff ----
  Outcome poll_oneoff(uint32_t in, uint32_t out, uint32_t count, uint32_t nevents_ptr) {
    if (count == 0) return Errno::inval;
    auto m = s_->guest();
    // Subscriptions are 48 bytes, events 32; a count the memory cannot hold is EFAULT before anything is read.
    if (!m.range(in, uint64_t(count) * 48) || !m.range(out, uint64_t(count) * 32) || !m.range(nevents_ptr, 4))
      return Errno::fault;
    // The host keeps a few words per subscription: a bound keeps that independent of the guest's memory size.
    if (count > kMaxSubscriptions) return Errno::inval;
    struct Event {
      uint64_t userdata;
      Errno error;
      uint8_t type;
    };
    std::vector<Event> ready;
    std::optional<uint64_t> earliest;  // monotonic ns of the first clock deadline
    std::vector<std::pair<uint64_t, uint64_t>> clocks;  // userdata, monotonic deadline
    P1_TRY_HOST(now_or, clock_now(1));
    const uint64_t now = now_or.value_or(0);
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t sub = in + uint64_t(i) * 48;
      const uint64_t userdata = *m.load<uint64_t>(sub);
      const uint8_t tag = *m.load<uint8_t>(sub + 8);
      if (tag == 0) {  // clock
        const uint32_t id = *m.load<uint32_t>(sub + 16);
        const uint64_t timeout = *m.load<uint64_t>(sub + 24);
        const uint16_t abstime = *m.load<uint16_t>(sub + 40) & 1;
        P1_TRY_HOST(clock_now_or, clock_now(id));
        if (!clock_now_or) {
          ready.push_back({userdata, Errno::inval, 0});
          continue;
        }
        uint64_t wait = abstime ? (timeout > *clock_now_or ? timeout - *clock_now_or : 0) : timeout;
        const uint64_t deadline = now + std::min<uint64_t>(wait, uint64_t(1) << 62);
        clocks.emplace_back(userdata, deadline);
        if (!earliest || deadline < *earliest) earliest = deadline;
      } else if (tag == 1 || tag == 2) {  // fd_read, fd_write: files and stdio never block
        const uint32_t fd = *m.load<uint32_t>(sub + 16);
        Fd* f = s_->find(fd);
        Errno e = Errno::success;
        if (!f) e = Errno::badf;
        else if (tag == 1 && f->kind == Fd::Kind::output_stream) e = Errno::badf;
        else if (tag == 2 && f->kind == Fd::Kind::stdin_stream) e = Errno::badf;
        ready.push_back({userdata, e, tag});
      } else {
        return Errno::inval;
      }
    }
    if (ready.empty() && earliest) {
      // Sleeps on the 0.2 host's pollable for the earliest deadline.
      P1_TRY_HOST(pollable, s_->call("wasi:clocks/monotonic-clock@0.2.0", "subscribe-instant", {Val::number(*earliest)}));
      auto blocked = s_->call("wasi:io/poll@0.2.0", "[method]pollable.block", {Val::handle(uint32_t(pollable.num))});
      s_->drop("wasi:io/poll@0.2.0", "pollable", uint32_t(pollable.num));
      if (!blocked) return Trap{"host", blocked.error().message};
      P1_TRY_HOST(after, clock_now(1));
      for (auto [userdata, deadline] : clocks)
        if (deadline <= after.value_or(0)) ready.push_back({userdata, Errno::success, 0});
    }
    m = s_->guest();
    for (size_t i = 0; i < ready.size(); ++i) {
      const uint64_t ev = out + uint64_t(i) * 32;
      std::fill_n(m.range(ev, 32)->begin(), 32, 0);
      (void)m.store<uint64_t>(ev, ready[i].userdata);
      (void)m.store<uint16_t>(ev + 8, uint16_t(ready[i].error));
      (void)m.store<uint8_t>(ev + 10, ready[i].type);
    }
    (void)m.store<uint32_t>(nevents_ptr, uint32_t(ready.size()));
    return Errno::success;
  }

  // ---- sockets: WASI 0.2's sockets refuse everything (spec §4.3), so no fd is ever a socket ----
  Outcome not_a_socket(uint32_t fd) { return s_->find(fd) ? Errno::notsock : Errno::badf; }
};

/// Arguments by index as the types the preview-1 signature gives them.
uint32_t a32(std::span<const CoreValue> a, size_t i) { return a[i].as_i32(); }
uint64_t a64(std::span<const CoreValue> a, size_t i) { return a[i].as_i64(); }

std::map<std::string, Functions::Entry, std::less<>> Functions::table() {
  const CoreFuncType i32_1{{CT::i32}, {CT::i32}}, i32_2{{CT::i32, CT::i32}, {CT::i32}},
      i32_3{{CT::i32, CT::i32, CT::i32}, {CT::i32}}, i32_4{{CT::i32, CT::i32, CT::i32, CT::i32}, {CT::i32}},
      i32_5{{CT::i32, CT::i32, CT::i32, CT::i32, CT::i32}, {CT::i32}};
  std::map<std::string, Entry, std::less<>> t;
  auto add = [&](const char* name, CoreFuncType type, std::function<Outcome(std::span<const CoreValue>)> body) {
    t[name] = {std::move(type), std::move(body)};
  };
  // The bodies own a copy of this object (shared_ptr), so `self` outlives every call.
  auto keep = std::make_shared<Functions>(*this);
  Functions* self = keep.get();
#define P1(name, type, ...) add(name, type, [keep, self](std::span<const CoreValue> a) -> Outcome { return __VA_ARGS__; })
  P1("args_sizes_get", i32_2, self->strings_sizes(false, a32(a, 0), a32(a, 1)));
  P1("args_get", i32_2, self->strings_get(false, a32(a, 0), a32(a, 1)));
  P1("environ_sizes_get", i32_2, self->strings_sizes(true, a32(a, 0), a32(a, 1)));
  P1("environ_get", i32_2, self->strings_get(true, a32(a, 0), a32(a, 1)));
  P1("clock_res_get", i32_2, self->clock_res_get(a32(a, 0), a32(a, 1)));
  P1("clock_time_get", (CoreFuncType{{CT::i32, CT::i64, CT::i32}, {CT::i32}}),
     self->clock_time_get(a32(a, 0), a64(a, 1), a32(a, 2)));
  P1("random_get", i32_2, self->random_get(a32(a, 0), a32(a, 1)));
  P1("sched_yield", (CoreFuncType{{}, {CT::i32}}), ((void)a, std::this_thread::yield(), Outcome(Errno::success)));
  P1("proc_raise", i32_1, ((void)a, Outcome(Errno::notsup)));  // no signals in WASI 0.2
  P1("proc_exit", (CoreFuncType{{CT::i32}, {}}), self->proc_exit(a32(a, 0)));
  P1("fd_close", i32_1, self->fd_close(a32(a, 0)));
  P1("fd_renumber", i32_2, self->fd_renumber(a32(a, 0), a32(a, 1)));
  P1("fd_fdstat_get", i32_2, self->fd_fdstat_get(a32(a, 0), a32(a, 1)));
  P1("fd_fdstat_set_flags", i32_2, self->fd_fdstat_set_flags(a32(a, 0), a32(a, 1)));
  P1("fd_fdstat_set_rights", (CoreFuncType{{CT::i32, CT::i64, CT::i64}, {CT::i32}}),
     self->fd_fdstat_set_rights(a32(a, 0), a64(a, 1), a64(a, 2)));
  P1("fd_filestat_get", i32_2, self->fd_filestat_get(a32(a, 0), a32(a, 1)));
  P1("fd_filestat_set_size", (CoreFuncType{{CT::i32, CT::i64}, {CT::i32}}),
     self->fd_filestat_set_size(a32(a, 0), a64(a, 1)));
  P1("fd_filestat_set_times", (CoreFuncType{{CT::i32, CT::i64, CT::i64, CT::i32}, {CT::i32}}),
     self->fd_filestat_set_times(a32(a, 0), a64(a, 1), a64(a, 2), a32(a, 3)));
  P1("fd_advise", (CoreFuncType{{CT::i32, CT::i64, CT::i64, CT::i32}, {CT::i32}}),
     self->fd_advise(a32(a, 0), a64(a, 1), a64(a, 2), a32(a, 3)));
  P1("fd_allocate", (CoreFuncType{{CT::i32, CT::i64, CT::i64}, {CT::i32}}),
     self->fd_allocate(a32(a, 0), a64(a, 1), a64(a, 2)));
  P1("fd_datasync", i32_1, self->fd_sync(a32(a, 0), "sync-data"));
  P1("fd_sync", i32_1, self->fd_sync(a32(a, 0), "sync"));
  P1("fd_read", i32_4, self->fd_read(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3)));
  P1("fd_write", i32_4, self->fd_write(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3)));
  P1("fd_pread", (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i64, CT::i32}, {CT::i32}}),
     self->fd_pread(a32(a, 0), a32(a, 1), a32(a, 2), a64(a, 3), a32(a, 4)));
  P1("fd_pwrite", (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i64, CT::i32}, {CT::i32}}),
     self->fd_pwrite(a32(a, 0), a32(a, 1), a32(a, 2), a64(a, 3), a32(a, 4)));
  P1("fd_seek", (CoreFuncType{{CT::i32, CT::i64, CT::i32, CT::i32}, {CT::i32}}),
     self->fd_seek(a32(a, 0), int64_t(a64(a, 1)), a32(a, 2), a32(a, 3)));
  P1("fd_tell", i32_2, self->fd_tell(a32(a, 0), a32(a, 1)));
  P1("fd_prestat_get", i32_2, self->fd_prestat_get(a32(a, 0), a32(a, 1)));
  P1("fd_prestat_dir_name", i32_3, self->fd_prestat_dir_name(a32(a, 0), a32(a, 1), a32(a, 2)));
  P1("fd_readdir", (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i64, CT::i32}, {CT::i32}}),
     self->fd_readdir(a32(a, 0), a32(a, 1), a32(a, 2), a64(a, 3), a32(a, 4)));
  P1("path_create_directory", i32_3, self->path_create_directory(a32(a, 0), a32(a, 1), a32(a, 2)));
  P1("path_remove_directory", i32_3, self->path_remove_directory(a32(a, 0), a32(a, 1), a32(a, 2)));
  P1("path_unlink_file", i32_3, self->path_unlink_file(a32(a, 0), a32(a, 1), a32(a, 2)));
  P1("path_filestat_get", i32_5, self->path_filestat_get(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4)));
  P1("path_filestat_set_times",
     (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i32, CT::i64, CT::i64, CT::i32}, {CT::i32}}),
     self->path_filestat_set_times(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a64(a, 4), a64(a, 5), a32(a, 6)));
  P1("path_readlink", (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i32, CT::i32, CT::i32}, {CT::i32}}),
     self->path_readlink(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4), a32(a, 5)));
  P1("path_link", (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i32, CT::i32, CT::i32, CT::i32}, {CT::i32}}),
     self->two_paths(a32(a, 0), a32(a, 2), a32(a, 3), a32(a, 4), a32(a, 5), a32(a, 6), "link-at", a32(a, 1)));
  P1("path_rename", (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i32, CT::i32, CT::i32}, {CT::i32}}),
     self->two_paths(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4), a32(a, 5), "rename-at", std::nullopt));
  P1("path_symlink", i32_5, self->path_symlink(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4)));
  P1("path_open",
     (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i32, CT::i32, CT::i64, CT::i64, CT::i32, CT::i32}, {CT::i32}}),
     self->path_open(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4), a64(a, 5), a64(a, 6), a32(a, 7),
                     a32(a, 8)));
  P1("poll_oneoff", i32_4, self->poll_oneoff(a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3)));
  P1("sock_accept", i32_3, self->not_a_socket(a32(a, 0)));
  P1("sock_recv", (CoreFuncType{{CT::i32, CT::i32, CT::i32, CT::i32, CT::i32, CT::i32}, {CT::i32}}),
     self->not_a_socket(a32(a, 0)));
  P1("sock_send", i32_5, self->not_a_socket(a32(a, 0)));
  P1("sock_shutdown", i32_2, self->not_a_socket(a32(a, 0)));
#undef P1
  return t;
}

}  // namespace

Preview1Host::Preview1Host(HostRegistry& wasi) : state_(std::make_shared<State>()) { state_->wasi = &wasi; }
Preview1Host::~Preview1Host() = default;

void Preview1Host::set_memory(CoreExtern memory) { state_->memory = memory; }

Result<std::vector<CoreExtern>> Preview1Host::link(CoreEngine& engine, const std::vector<CoreImport>& imports) {
  state_->engine = &engine;
  auto table = Functions(state_).table();
  std::vector<CoreExtern> externs;
  for (const auto& import : imports) {
    const std::string what = import.module + "." + import.name;
    if (import.module != "wasi_snapshot_preview1")
      return fail("import " + what + ": only wasi_snapshot_preview1 functions are provided to core modules");
    auto it = table.find(import.name);
    if (it == table.end()) return fail("import " + what + ": no such wasi_snapshot_preview1 function");
    if (import.kind != CoreExternKind::func)
      return fail("import " + what + " is a " + kind_name(import.kind) + ", expected a func");
    if (!(import.func_type == it->second.type))
      return fail("import " + what + " has type " + describe(import.func_type) + ", expected " +
                  describe(it->second.type));
    auto body = it->second.body;
    externs.push_back(engine.host_function(
        it->second.type, [state = state_, body](std::span<const CoreValue> args, std::span<CoreValue> results)
                             -> std::optional<Trap> {
          if (auto r = state->open_initial_fds(); !r) return Trap{"host", r.error().message};
          Outcome outcome = body(args);
          if (auto* trap = std::get_if<Trap>(&outcome)) return std::move(*trap);
          if (!results.empty()) results[0] = CoreValue::i32(uint32_t(std::get<Errno>(outcome)));
          return std::nullopt;
        }));
  }
  return externs;
}

}  // namespace weft::runtime
