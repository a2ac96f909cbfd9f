#pragma once
// One SDK demo app under weft-runtime, answering over a test-side relay socket (demo_apps_test.cpp, js_aot_test.cpp).

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "runtime_process.hpp"
#include "weft/core/fd.hpp"
#include "weft/test/accept_within.hpp"

namespace weft::runtime {

/// weft-runtime running one demo with a test-side relay socket.
class Demo {
 public:
  /// `env`: more variables besides the readiness pair. The runtime's stderr goes to `<dir>/stderr`.
  Demo(const std::string& app_id, const std::string& module, std::vector<std::string> extra = {},
       std::vector<std::string> env = {}) {
    std::string sock = dir / "relay.sock";
    auto l = listen_unix(sock);
    EXPECT_TRUE(l.ok());
    listener = std::move(l).value();
    SpawnOptions o;
    o.argv = {test::runtime_binary(), app_id, "3", "--module", module, "--ipc-socket", sock};
    o.argv.insert(o.argv.end(), extra.begin(), extra.end());
    o.env = {"WEFT_READY_TOKEN=0123456789abcdef0123456789abcdef", "WEFT_READY_FD=3"};
    o.env.insert(o.env.end(), env.begin(), env.end());
    auto ready = make_pipe().value();
    UniqueFd err(::open((dir / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    o.fd_map = {{ready.second.get(), 3}, {err.get(), 2}};
    o.null_stdio = true;
    auto c = ChildProcess::spawn(o);
    EXPECT_TRUE(c.ok());
    child = std::move(c).value();
    ready.second.reset();
    ready_fd = std::move(ready.first);
    conn = weft::test::accept_within(listener.get());
  }

  /// What the runtime wrote to stderr so far.
  std::string err() const {
    std::ifstream in(dir / "stderr");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string ready_line() {
    std::string line;
    char c;
    while (::read(ready_fd.get(), &c, 1) == 1) line += c;
    return line;
  }

  /// Sends one request line and returns the reply line.
  std::string ask(const std::string& request) {
    EXPECT_TRUE(write_all(conn.get(), request + "\n").ok());
    std::string reply;
    char c;
    while (::read(conn.get(), &c, 1) == 1 && c != '\n') reply += c;
    return reply;
  }

  test::TempDir dir;
  UniqueFd listener, conn, ready_fd;
  ChildProcess child;  // terminated by its destructor: demos serve until killed
};

}  // namespace weft::runtime
