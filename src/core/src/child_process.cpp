#include "weft/core/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace weft {

std::string ExitStatus::describe() const {
  if (exited) return "exited with status " + std::to_string(code);
  return std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)), own_group_(o.own_group_), status_(std::exchange(o.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (running()) terminate();
    pid_ = std::exchange(o.pid_, -1);
    own_group_ = o.own_group_;
    status_ = std::exchange(o.status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (running()) terminate();
}

Result<ChildProcess> ChildProcess::spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return fail("spawn: empty argv");
  // Everything the child touches after fork is prepared here: only async-signal-safe calls happen in the child.
  std::vector<char*> argv;
  for (const auto& a : options.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (options.inherit_environment)
    for (char** e = environ; *e; ++e) envp.push_back(*e);
  for (const auto& e : options.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  int max_target = 2;
  for (auto [from, to] : options.fd_map) max_target = std::max(max_target, to);
  bool mapped[1024] = {};
  for (auto [from, to] : options.fd_map) {
    if (to < 0 || to >= 1024 || from < 0) return fail("spawn: fd map entry out of range");
    mapped[to] = true;
  }
  // An exec failure is reported through a CLOEXEC pipe: the parent reads errno, or EOF on success.
  WEFT_TRY(auto err_pipe, make_pipe());
  const char* program = argv[0];
  const bool search_path = std::strchr(program, '/') == nullptr;

  pid_t pid = ::fork();
  if (pid < 0) return fail(errno_error("fork"));
  if (pid == 0) {
    auto die = [&](int e) {
      (void)!::write(err_pipe.second.get(), &e, sizeof e);
      ::_exit(127);
    };
    if (options.new_process_group) ::setpgid(0, 0);
    if (options.cgroup_procs_fd >= 0 && ::write(options.cgroup_procs_fd, "0", 1) != 1) die(errno);
    ::signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Move every source above all targets first so one mapping never clobbers another's source.
    int high[64];
    size_t n = std::min<size_t>(options.fd_map.size(), 64);
    for (size_t i = 0; i < n; ++i) {
      high[i] = ::fcntl(options.fd_map[i].first, F_DUPFD_CLOEXEC, max_target + 1 + 64);
      if (high[i] < 0) die(errno);
    }
    for (size_t i = 0; i < n; ++i) {
      if (::dup2(high[i], options.fd_map[i].second) < 0) die(errno);  // dup2 clears CLOEXEC on the target
    }
    if (options.null_stdio) {
      int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
      for (int fd = 0; fd <= 2; ++fd)
        if (!mapped[fd] && devnull >= 0) ::dup2(devnull, fd);
    }
    for (int fd = 3; fd <= max_target; ++fd)
      if (!mapped[fd] && fd != err_pipe.second.get()) ::close(fd);
    // Close everything above the targets except the error pipe (CLOEXEC closes it on success).
    int errfd = err_pipe.second.get();
    if (errfd > max_target + 1) ::close_range(max_target + 1, errfd - 1, 0);
    ::close_range(std::max(errfd, max_target) + 1, ~0U, 0);
    if (errfd <= max_target) ::close_range(max_target + 1, ~0U, 0);
    if (options.working_dir && ::chdir(options.working_dir->c_str()) != 0) die(errno);
    if (search_path)
      ::execvpe(program, argv.data(), envp.data());
    else
      ::execve(program, argv.data(), envp.data());
    die(errno);
  }
  err_pipe.second.reset();
  ChildProcess child;
  child.pid_ = pid;
  child.own_group_ = options.new_process_group;
  int child_errno = 0;
  ssize_t got;
  do got = ::read(err_pipe.first.get(), &child_errno, sizeof child_errno);
  while (got < 0 && errno == EINTR);
  if (got == sizeof child_errno) {
    child.wait();
    child.pid_ = -1;
    return fail("cannot start " + options.argv[0] + ": " + std::strerror(child_errno));
  }
  return child;
}

namespace {
ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}
}  // namespace

std::optional<ExitStatus> ChildProcess::try_wait() {
  if (status_ || pid_ <= 0) return status_;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) status_ = decode(status);
  else if (r < 0 && errno == ECHILD) status_ = ExitStatus{};  // reaped elsewhere (e.g. a SIGCHLD handler)
  return status_;
}

std::optional<ExitStatus> ChildProcess::wait(std::optional<std::chrono::milliseconds> timeout) {
  if (status_ || pid_ <= 0) return status_;
  if (!timeout) {
    int status = 0;
    pid_t r;
    do r = ::waitpid(pid_, &status, 0);
    while (r < 0 && errno == EINTR);
    status_ = (r == pid_) ? decode(status) : ExitStatus{};
    return status_;
  }
  auto deadline = std::chrono::steady_clock::now() + *timeout;
  // Poll with a short sleep: portable across processes that own no SIGCHLD handler or pidfd support in their loop.
  for (;;) {
    if (try_wait()) return status_;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void ChildProcess::signal(int sig) {
  if (!running()) return;
  if (own_group_) ::kill(-pid_, sig);
  else ::kill(pid_, sig);
}

ExitStatus ChildProcess::terminate(std::chrono::milliseconds grace) {
  if (!running()) return status_.value_or(ExitStatus{});
  signal(SIGTERM);
  if (auto s = wait(grace)) return *s;
  signal(SIGKILL);
  return wait().value_or(ExitStatus{});
}

}  // namespace weft
