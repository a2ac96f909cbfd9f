#include "weft/store/test_hooks.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

namespace weft::store {

void test_hook(std::string_view step) {
  if (const char* crash = std::getenv("WEFT_PACK_TEST_CRASH_AT"); crash && step == crash) ::raise(SIGKILL);
  const char* pause = std::getenv("WEFT_PACK_TEST_PAUSE_AT");
  const char* dir = std::getenv("WEFT_PACK_TEST_PAUSE_DIR");
  if (!pause || !dir || step != pause) return;
  std::string marker = std::string(dir) + "/paused-" + std::string(step);
  int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  std::string resume = std::string(dir) + "/resume";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (::access(resume.c_str(), F_OK) != 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

}  // namespace weft::store
