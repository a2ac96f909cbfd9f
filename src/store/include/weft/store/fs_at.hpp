#pragma once
// The store's own file-name helpers: random names and portable names. Confined opens, the directory reader and the
// directory helpers live in weft/core/confined_fs.hpp, durable writes and reads in weft/core/fd.hpp (both included
// here for src/pack/cli/images.cpp, which still reaches them through this header).

#include <string>
#include <string_view>

#include "weft/core/confined_fs.hpp"
#include "weft/core/fd.hpp"
#include "weft/core/result.hpp"

namespace weft::store {

/// `n` random bytes as lowercase hex (for temporary names and tokens).
[[nodiscard]] std::string random_hex(size_t n_bytes);

/// True for a name component that is valid UTF-8 without control characters (U+0000–U+001F, U+007F).
[[nodiscard]] bool is_portable_name(std::string_view name);

}  // namespace weft::store
