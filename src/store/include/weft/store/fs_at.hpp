#pragma once
// The store's file helpers: durable writes into a directory, random names, portable names. Confined opens, the
// directory reader and the directory helpers live in weft/core/confined_fs.hpp (included here for the callers that
// still reach them through this header).

#include <sys/stat.h>

#include <string>
#include <string_view>

#include "weft/core/confined_fs.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::store {

[[nodiscard]] Result<void> fsync_fd(int fd, std::string_view what);
/// syncfs(2) on the filesystem holding `fd`: one call makes a whole staged tree (files and directory entries)
/// durable, instead of one fsync per file.
[[nodiscard]] Result<void> sync_filesystem(int fd, std::string_view what);

/// `n` random bytes as lowercase hex (for temporary names and tokens).
[[nodiscard]] std::string random_hex(size_t n_bytes);

/// True for a name component that is valid UTF-8 without control characters (U+0000–U+001F, U+007F).
[[nodiscard]] bool is_portable_name(std::string_view name);

/// Reads an already opened regular file fully (bounded); error names `what`.
[[nodiscard]] Result<std::string> read_fd(int fd, size_t max_bytes, std::string_view what);

}  // namespace weft::store

namespace weft::store {
/// Writes `name` in `dirfd` atomically: temporary name, fsync, renameat over `name`, then fsync of the directory.
[[nodiscard]] Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content,
                                                mode_t mode);
/// Creates `name` in `dirfd` exclusively (O_EXCL: never overwrites) with `content` and fsyncs it.
[[nodiscard]] Result<void> write_file_exclusive_at(int dirfd, const std::string& name, std::string_view content,
                                                   mode_t mode);
}  // namespace weft::store
