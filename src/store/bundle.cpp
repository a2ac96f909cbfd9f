#include "weft/store/bundle.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <set>
#include <vector>

#include "weft/core/app_id.hpp"
#include "weft/core/confined_fs.hpp"
#include "weft/core/manifest.hpp"
#include "weft/store/fs_at.hpp"
#include "weft/store/package_tree.hpp"

namespace weft::store {
namespace {

// libarchive owners (one line per handle type).
using ArchiveReader = std::unique_ptr<archive, decltype(&archive_read_free)>;
using ArchiveWriter = std::unique_ptr<archive, decltype(&archive_write_free)>;
using ArchiveEntry = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

// Bytes per read/write while copying file data, and libarchive's read block. 64 KiB stays below the sizes that
// malloc serves with a fresh mmap (glibc's 128 KiB threshold, AddressSanitizer's large allocator), which each cost
// a map, page faults on first touch and an unmap per archive opened or file copied.
constexpr size_t kIoChunk = 64 * 1024;

std::string archive_problem(archive* a, std::string_view what) {
  const char* msg = archive_error_string(a);
  return std::string(what) + ": " + (msg ? msg : "unknown libarchive error");
}

std::string strip_trailing_slashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

/// Copies the current entry's data to `fd` through `buf` of kIoChunk bytes (one buffer for the whole extraction).
Result<void> copy_entry_data(archive* a, int fd, const std::string& path, uint64_t& total, char* buf) {
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, kIoChunk);
    if (n < 0) return fail(archive_problem(a, path));
    if (n == 0) return ok();
    total += static_cast<uint64_t>(n);
    if (total > kMaxPackageBytes) return fail("bundle exceeds " + std::to_string(kMaxPackageBytes) + " bytes");
    WEFT_TRY_VOID(write_all(fd, std::string_view(buf, static_cast<size_t>(n))));
  }
}

// One pass over the archive. With dest_fd < 0 it only validates every header (names, types, sizes, count), so a
// refused bundle writes nothing at all; the second pass extracts.
Result<std::string> read_bundle_pass(const std::string& archive_path, int dest_fd) {
  ArchiveReader a(archive_read_new(), archive_read_free);
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());  // ustar, pax and GNU (long names) alike
  if (archive_read_open_filename(a.get(), archive_path.c_str(), kIoChunk) != ARCHIVE_OK)
    return fail(archive_problem(a.get(), archive_path));
  std::string top;
  size_t entries = 0;
  uint64_t total = 0;
  std::set<std::string> files;
  // Made at the first file extracted (the validating pass copies no data), and not zero-filled: reads overwrite it.
  std::unique_ptr<char[]> copy_buffer;
  for (;;) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return fail(archive_problem(a.get(), archive_path));
    if (++entries > kMaxPackageEntries)
      return fail("bundle has more than " + std::to_string(kMaxPackageEntries) + " entries");
    const char* raw = archive_entry_pathname(entry);
    if (!raw || !*raw) return fail("bundle entry without a name");
    std::string path = strip_trailing_slashes(raw);
    if (path.front() == '/') return fail("bundle entry '" + path + "' is an absolute path");
    if (auto v = validate_entry_path(path); !v) return fail("bundle entry " + v.error().message);
    std::string first = path.substr(0, path.find('/'));
    if (top.empty()) top = first;
    if (first != top) return fail("bundle entry '" + path + "' is outside the top directory '" + top + "/'");
    if (archive_entry_hardlink(entry) || archive_entry_symlink(entry) || archive_entry_filetype(entry) == AE_IFLNK)
      return fail("bundle entry '" + path + "' is a link; bundles hold only files and directories");
    auto type = archive_entry_filetype(entry);
    if (type != AE_IFREG && type != AE_IFDIR)
      return fail("bundle entry '" + path + "' is a device or special file; bundles hold only files and directories");
    int64_t declared = archive_entry_size(entry);
    if (declared < 0 || static_cast<uint64_t>(declared) > kMaxPackageBytes - total)
      return fail("bundle exceeds " + std::to_string(kMaxPackageBytes) + " bytes");
    if (path == top) {
      if (type != AE_IFDIR) return fail("bundle top entry '" + top + "' is not a directory");
      continue;
    }
    std::string rel = path.substr(top.size() + 1);
    if (type == AE_IFREG && !files.insert(rel).second) return fail("bundle entry '" + path + "' appears twice");
    if (dest_fd < 0) {
      total += static_cast<uint64_t>(declared);
      continue;
    }
    if (type == AE_IFDIR) {
      WEFT_TRY(UniqueFd d, make_dirs_beneath(dest_fd, rel, 0755));
      continue;
    }
    PathTail tail = split_parent(rel);
    std::string name(tail.name);
    WEFT_TRY(UniqueFd parent_fd, make_dirs_beneath(dest_fd, tail.parent, 0755));
    mode_t mode = normalized_mode(false, archive_entry_perm(entry));
    int fd = ::openat(parent_fd.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
      if (errno == EEXIST) return fail("bundle entry '" + path + "' appears twice");
      return fail(errno_error("extract " + path));
    }
    UniqueFd out(fd);
    if (::fchmod(fd, mode) != 0) return fail(errno_error("chmod " + path));
    if (!copy_buffer) copy_buffer = std::make_unique_for_overwrite<char[]>(kIoChunk);
    WEFT_TRY_VOID(copy_entry_data(a.get(), fd, path, total, copy_buffer.get()));
  }
  if (top.empty()) return fail("bundle " + archive_path + " is empty");
  if (dest_fd < 0) return top;
  WEFT_TRY_VOID(sync_filesystem(dest_fd, "extraction directory"));
  return top;
}

}  // namespace

Result<std::string> extract_bundle(const std::string& archive_path, int dest_fd) {
  WEFT_TRY_VOID(read_bundle_pass(archive_path, -1));
  return read_bundle_pass(archive_path, dest_fd);
}

Result<std::string> unbundle(const std::string& archive_path, const std::string& out_dir) {
  WEFT_TRY(UniqueFd out_fd, open_dir(out_dir));
  std::string tmp = ".unbundle-" + random_hex(8);
  WEFT_TRY(UniqueFd dest, ensure_dir_at(out_fd.get(), tmp, 0755));
  auto cleanup = [&] { (void)remove_tree_at(out_fd.get(), tmp); };
  auto top = extract_bundle(archive_path, dest.get());
  if (!top) {
    cleanup();
    return fail(top.error());
  }
  auto manifest = load_manifest(out_dir + "/" + tmp);
  if (!manifest) {
    cleanup();
    return fail(manifest.error().with_context(archive_path));
  }
  if (manifest->id != *top) {
    cleanup();
    return fail("bundle top directory '" + *top + "' differs from the manifest id '" + manifest->id + "'");
  }
  if (::fchmod(dest.get(), 0755) != 0 ||
      ::renameat2(out_fd.get(), tmp.c_str(), out_fd.get(), top->c_str(), RENAME_NOREPLACE) != 0) {
    auto e = errno_error(out_dir + "/" + *top);
    cleanup();
    return fail(e);
  }
  return out_dir + "/" + *top;
}

Result<std::string> write_bundle(const std::string& package_dir, const std::string& out_dir) {
  WEFT_TRY(Manifest manifest, load_manifest(package_dir));
  WEFT_TRY(UniqueFd pkg, open_dir(package_dir));
  WEFT_TRY(auto entries, list_package_tree(pkg.get()));
  WEFT_TRY(UniqueFd out_fd, open_dir(out_dir));
  std::string name = manifest.id + kBundleSuffix;
  if (lstat_at(out_fd.get(), name).ok()) return fail(out_dir + "/" + name + " already exists; not overwriting it");
  std::string tmp = "." + name + ".tmp-" + random_hex(8);
  int raw_fd = ::openat(out_fd.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (raw_fd < 0) return fail(errno_error("create " + out_dir + "/" + tmp));
  UniqueFd file(raw_fd);
  auto failed = [&](Error e) {
    ::unlinkat(out_fd.get(), tmp.c_str(), 0);
    return fail(std::move(e));
  };

  ArchiveWriter a(archive_write_new(), archive_write_free);
  if (archive_write_add_filter_zstd(a.get()) != ARCHIVE_OK || archive_write_set_format_pax(a.get()) != ARCHIVE_OK ||
      archive_write_open_fd(a.get(), file.get()) != ARCHIVE_OK)
    return failed(Error(archive_problem(a.get(), "bundle writer")));

  auto write_header = [&](const std::string& path, bool dir, mode_t mode, uint64_t size) -> Result<void> {
    ArchiveEntry e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), normalized_mode(dir, mode));
    archive_entry_set_size(e.get(), dir ? 0 : static_cast<la_int64_t>(size));
    archive_entry_set_mtime(e.get(), 0, 0);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return fail(archive_problem(a.get(), path));
    return ok();
  };

  if (auto r = write_header(manifest.id + "/", true, 0755, 0); !r) return failed(r.error());
  std::vector<char> buf(kIoChunk);
  for (const auto& entry : entries) {
    std::string path = manifest.id + "/" + entry.path + (entry.directory ? "/" : "");
    if (auto r = write_header(path, entry.directory, entry.mode, entry.size); !r) return failed(r.error());
    if (entry.directory) continue;
    auto in = open_beneath(pkg.get(), entry.path, O_RDONLY);
    if (!in) return failed(in.error());
    uint64_t written = 0;
    for (;;) {
      ssize_t n = ::read(in->get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return failed(errno_error("read " + entry.path));
      if (n == 0) break;
      written += static_cast<uint64_t>(n);
      if (written > entry.size) break;
      if (archive_write_data(a.get(), buf.data(), static_cast<size_t>(n)) < 0)
        return failed(Error(archive_problem(a.get(), path)));
    }
    if (written != entry.size) return failed(Error("'" + entry.path + "' changed while it was being bundled"));
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return failed(Error(archive_problem(a.get(), "bundle writer")));
  if (auto r = fsync_fd(file.get(), tmp); !r) return failed(r.error());
  if (::linkat(out_fd.get(), tmp.c_str(), out_fd.get(), name.c_str(), 0) != 0)
    return failed(errno_error(out_dir + "/" + name));
  ::unlinkat(out_fd.get(), tmp.c_str(), 0);
  return out_dir + "/" + name;
}

}  // namespace weft::store
