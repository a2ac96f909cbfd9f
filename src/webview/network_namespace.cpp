#include "network_namespace.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "weft/core/fd.hpp"

namespace weft::webview {
namespace {

Result<void> write_proc_file(const char* path, const std::string& content) {
  UniqueFd fd(::open(path, O_WRONLY | O_CLOEXEC));
  if (!fd) return fail(errno_error(std::string("open ") + path));
  if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
    return fail(errno_error(std::string("write ") + path));
  return {};
}

std::string user_namespace_refusal(int error) {
  switch (error) {
    case EPERM:
    case EACCES:
      return "the kernel refuses unprivileged user namespaces (kernel.unprivileged_userns_clone = 0, an AppArmor "
             "userns restriction or a seccomp filter)";
    case ENOSPC:
      return "the user namespace limit is reached (user.max_user_namespaces)";
    case EINVAL:
      return "the process is already multithreaded or the kernel lacks CONFIG_USER_NS/CONFIG_NET_NS";
    default:
      return std::strerror(error);
  }
}

// The user namespace grants this process every capability inside it; nothing here needs them, and WebKit's children
// (non-zero uid) would lose them at execve anyway.
Result<void> drop_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (::syscall(SYS_capset, &header, data) != 0) return fail(errno_error("capset"));
  return {};
}

}  // namespace

const char* describe(NamespaceRoute route) {
  return route == NamespaceRoute::network_only ? "network namespace" : "user and network namespace";
}

Result<NamespaceRoute> enter_empty_network_namespace() {
  if (::unshare(CLONE_NEWNET) == 0) return NamespaceRoute::network_only;
  if (errno != EPERM) return fail(errno_error("unshare(CLONE_NEWNET)"));

  const uid_t uid = ::getuid();
  const gid_t gid = ::getgid();
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
    int error = errno;
    return fail("cannot create an empty network namespace: unshare(CLONE_NEWNET) needs CAP_SYS_ADMIN and "
                "unshare(CLONE_NEWUSER|CLONE_NEWNET) failed: " + user_namespace_refusal(error));
  }
  // A non-dumpable process (e.g. one whose uid changed since exec) cannot open its own /proc/self files: dumpable only
  // while the maps are written, then as before.
  const int dumpable = ::prctl(PR_GET_DUMPABLE);
  if (dumpable == 0) ::prctl(PR_SET_DUMPABLE, 1);
  // setgroups must be denied before an unprivileged process may write gid_map.
  auto mapped = [&]() -> Result<void> {
    WEFT_TRY_VOID(write_proc_file("/proc/self/setgroups", "deny"));
    WEFT_TRY_VOID(write_proc_file("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1\n"));
    WEFT_TRY_VOID(write_proc_file("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1\n"));
    return {};
  }();
  if (dumpable == 0) ::prctl(PR_SET_DUMPABLE, 0);
  WEFT_TRY_VOID(std::move(mapped));
  WEFT_TRY_VOID(drop_capabilities());
  return NamespaceRoute::user_and_network;
}

}  // namespace weft::webview
