#pragma once
// One temporary directory type and the small file helpers every test folder uses.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace weft::test {

/// A fresh 0700 directory under TMPDIR (named weft-<label>-XXXXXX), removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view label = "test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("weft-" + std::string(label) + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern + " failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  /// The moved-from TempDir owns nothing (a fixture that is moved keeps its directory).
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string operator/(std::string_view relative) const { return path_ + "/" + std::string(relative); }

 private:
  std::string path_;
};

/// Writes `content` to `path` (creating parent directories) and sets its mode.
inline void write_file(const std::string& path, std::string_view content,
                       std::filesystem::perms mode = std::filesystem::perms(0644)) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  std::filesystem::permissions(path, mode);
}

/// The whole file as text ("" when it cannot be read).
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace weft::test
