#include "portal_requests.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include "weft/core/confined_fs.hpp"
#include "weft/store/fs_at.hpp"

namespace weft::portal {
namespace {

using json = nlohmann::json;

constexpr size_t kReadChunk = 3 * 65536;  // bytes; a multiple of 3 so chunks encode to unpadded base64 pieces
// No links and no mount crossings beneath a portal root.
constexpr BeneathPolicy kPortalPolicy{.same_mount = true};

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

Result<void> send(int fd, const json& j) { return write_all(fd, dump(j)); }
Result<void> send_error(int fd, const std::string& message) { return send(fd, json{{"error", message}}); }
Result<void> denied(int fd, std::string_view path) { return send_error(fd, "access denied: " + std::string(path)); }

// Resolution failures that mean "not beneath the root without links or mount crossings" are access denials; the
// rest (missing file, not a directory, …) report the system's text.
bool is_confinement_errno(int e) { return e == ELOOP || e == EXDEV || e == EACCES || e == EPERM || e == EAGAIN; }

Result<void> send_system_error(int fd, std::string_view path, int err) {
  if (is_confinement_errno(err)) return denied(fd, path);
  return send_error(fd, std::strerror(err));
}

Result<void> do_read(const ResolvedPath& where, std::string_view path, int out) {
  auto file = open_beneath(where.root->fd.get(), where.rest, O_RDONLY | O_NONBLOCK, 0, kPortalPolicy);
  if (!file) return send_system_error(out, path, file.error().code);
  struct stat st {};
  if (::fstat(file->get(), &st) != 0) return send_error(out, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return send_error(out, std::strerror(EISDIR));
  if (!S_ISREG(st.st_mode)) return denied(out, path);
  if (static_cast<uint64_t>(st.st_size) > kMaxPayloadBytes) return send_error(out, std::strerror(EFBIG));
  // Read everything first (bounded) so an I/O error can still become a clean error line.
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t have = 0;
  for (;;) {
    if (have == data.size()) {
      char probe;
      ssize_t extra = ::read(file->get(), &probe, 1);  // the file grew after fstat
      if (extra > 0) return send_error(out, std::strerror(EFBIG));
      break;
    }
    ssize_t n = ::read(file->get(), data.data() + have, data.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return send_error(out, std::strerror(errno));
    if (n == 0) {
      data.resize(have);  // the file shrank after fstat
      break;
    }
    have += static_cast<size_t>(n);
  }
  WEFT_TRY_VOID(write_all(out, std::string_view("{\"data_b64\":\"")));
  std::string encoded(sodium_base64_ENCODED_LEN(kReadChunk, sodium_base64_VARIANT_ORIGINAL), '\0');
  for (size_t off = 0; off < data.size(); off += kReadChunk) {
    size_t len = std::min(kReadChunk, data.size() - off);
    sodium_bin2base64(encoded.data(), encoded.size(), reinterpret_cast<const unsigned char*>(data.data() + off), len,
                      sodium_base64_VARIANT_ORIGINAL);
    WEFT_TRY_VOID(write_all(out, std::string_view(encoded.c_str())));
  }
  return write_all(out, std::string_view("\"}\n"));
}

Result<void> do_list(const ResolvedPath& where, std::string_view path, int out) {
  auto dir = open_beneath(where.root->fd.get(), where.rest, O_RDONLY | O_DIRECTORY, 0, kPortalPolicy);
  if (!dir) return send_system_error(out, path, dir.error().code);
  auto names = list_directory(dir->get());
  if (!names) return send_error(out, std::strerror(names.error().code));
  return send(out, json{{"entries", *names}});
}

Result<void> do_write(const ResolvedPath& where, std::string_view path, const json& request, int out) {
  if (!where.root->writable) return denied(out, path);
  auto data_it = request.find("data_b64");
  if (data_it == request.end() || !data_it->is_string()) return send_error(out, "bad request: missing \"data_b64\"");
  const std::string& b64 = data_it->get_ref<const std::string&>();
  if (b64.size() / 4 * 3 > kMaxPayloadBytes + 2)
    return send_error(out, "bad request: payload exceeds " + std::to_string(kMaxPayloadBytes) + " bytes");
  std::string data(b64.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(data.data()), data.size(), b64.data(), b64.size(), nullptr,
                        &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != b64.data() + b64.size())
    return send_error(out, "bad request: data_b64 is not valid base64");
  data.resize(len);
  if (len > kMaxPayloadBytes)
    return send_error(out, "bad request: payload exceeds " + std::to_string(kMaxPayloadBytes) + " bytes");
  if (where.rest.empty()) return send_error(out, std::strerror(EISDIR));

  PathTail tail = split_parent(where.rest);
  std::string name(tail.name);
  auto dir = make_dirs_beneath(where.root->fd.get(), tail.parent, 0700, kPortalPolicy.same_mount);
  if (!dir) return send_system_error(out, path, dir.error().code);
  struct stat st {};
  if (::fstatat(dir->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode)) return denied(out, path);
    if (S_ISDIR(st.st_mode)) return send_error(out, std::strerror(EISDIR));
    if (!S_ISREG(st.st_mode)) return denied(out, path);
  }
  std::string tmp = "." + name + ".portal-" + store::random_hex(6);
  int fd = ::openat(dir->get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return send_error(out, std::strerror(errno));
  UniqueFd file(fd);
  auto written = write_all(fd, data);
  int err = written ? (::fsync(fd) == 0 ? 0 : errno) : EIO;
  file.reset();
  if (err == 0 && ::renameat(dir->get(), tmp.c_str(), dir->get(), name.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlinkat(dir->get(), tmp.c_str(), 0);
    return send_error(out, std::strerror(err));
  }
  (void)::fsync(dir->get());
  return write_all(out, std::string_view("null\n"));
}

}  // namespace

Result<void> handle_request(const std::vector<PortalRoot>& roots, std::string_view line, int out) {
  json request = json::parse(line, nullptr, false);
  if (request.is_discarded()) return send_error(out, "bad request: not valid JSON");
  if (!request.is_object()) return send_error(out, "bad request: expected a JSON object");
  auto op_it = request.find("op");
  if (op_it == request.end() || !op_it->is_string()) return send_error(out, "bad request: missing \"op\"");
  auto path_it = request.find("path");
  if (path_it == request.end() || !path_it->is_string()) return send_error(out, "bad request: missing \"path\"");
  const std::string& op = op_it->get_ref<const std::string&>();
  const std::string& path = path_it->get_ref<const std::string&>();
  if (op != "read" && op != "write" && op != "list") return send_error(out, "bad request: unknown op '" + op + "'");
  auto where = resolve_request_path(roots, path);
  if (!where) return denied(out, path);
  if (op == "read") return do_read(*where, path, out);
  if (op == "list") return do_list(*where, path, out);
  return do_write(*where, path, request, out);
}

}  // namespace weft::portal
