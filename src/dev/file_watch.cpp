#include "file_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace weft::dev {
namespace {
constexpr uint32_t kEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM;
}

Result<FileWatch> FileWatch::create() {
  FileWatch watch;
  watch.fd_ = UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!watch.fd_) return fail(errno_error("inotify_init1"));
  return watch;
}

Result<void> FileWatch::add_directory(const std::string& dir, const std::string& root) {
  int wd = ::inotify_add_watch(fd_.get(), dir.c_str(), kEvents);
  if (wd < 0) return fail(errno_error("inotify_add_watch " + dir));
  watches_[wd] = {dir, root};
  return ok();
}

Result<void> FileWatch::add_tree(const std::string& root) {
  WEFT_TRY_VOID(add_directory(root, root));
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec); !ec && it != std::filesystem::end(it);
       it.increment(ec))
    if (it->is_directory(ec) && !it->is_symlink(ec)) WEFT_TRY_VOID(add_directory(it->path().string(), root));
  if (ec) return fail("cannot list " + root + ": " + ec.message());
  return ok();
}

std::vector<std::string> FileWatch::read_changes() {
  std::vector<std::string> roots;
  alignas(inotify_event) char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    for (char* p = buffer; p < buffer + n;) {
      auto* event = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + event->len;
      auto watch = watches_.find(event->wd);
      if (watch == watches_.end()) continue;
      auto [dir, root] = watch->second;
      std::string name = event->len ? event->name : "";
      // Editors' swap and backup files are not the app's files.
      if (name.empty() || name[0] == '.' || name.back() == '~' || name.ends_with(".swp")) continue;
      if ((event->mask & (IN_CREATE | IN_MOVED_TO)) && (event->mask & IN_ISDIR)) (void)add_directory(dir + "/" + name, root);
      if (std::find(roots.begin(), roots.end(), root) == roots.end()) roots.push_back(root);
    }
  }
  return roots;
}

}  // namespace weft::dev
