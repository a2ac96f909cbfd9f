// Storage of the notes demo (spec §8.2): one UTF-8 file under the app's /data preopen, replaced atomically.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace notes {

/** Largest text a save accepts, in bytes (60 KiB); leaves room for JSON escaping inside a 64 KiB IPC payload. */
inline constexpr std::size_t kMaxTextBytes = 61440;

/** 16 lowercase hex digits of the 64-bit FNV-1a hash of the stored bytes: the revision the page saves against. */
std::string revision_of(std::string_view bytes);

/** Either a value or an error message naming the file and the reason. */
struct ReadResult {
  bool ok = false;
  std::string bytes;  // the stored text when ok (a missing file reads as empty)
  std::string error;
};

class Store {
 public:
  /** dir is the guest path of the data directory, e.g. "/data". */
  explicit Store(std::string dir);

  /** Removes a staging file a crash mid-save left behind; the stored notes are untouched by it. */
  void discard_stale_staging() const;

  [[nodiscard]] ReadResult read() const;

  /** Writes bytes to the staging file, syncs it, renames it over the notes file and syncs the directory.
   *  Returns "" on success, else the error; on failure the staging file is removed and the previous text stays. */
  [[nodiscard]] std::string write_atomically(std::string_view bytes) const;

 private:
  std::string dir_;
  std::string path_;
  std::string staging_path_;
};

}  // namespace notes
