// weft:app/clipboard through the real weft-compositor (headless, pixman): wl-copy/wl-paste speak its data-control, and
// an independent wl-paste sees what the guest copied. Needs the full tree (weft-compositor) and wl-clipboard.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "runtime_process.hpp"

namespace weft::runtime {
namespace {

TEST(Clipboard, TextCopiedByAGuestIsOnTheCompositorsClipboardAndReadsBack) {
  if (std::string(WEFT_RT_COMPOSITOR).empty()) GTEST_SKIP() << "weft-compositor is not part of this build";
  if (!std::filesystem::exists("/usr/bin/wl-copy")) GTEST_SKIP() << "needs wl-clipboard (/usr/bin/wl-copy)";
  WEFT_SKIP_UNLESS_BUILT(std::string(WEFT_RT_FIXTURES) + "/app.wasm");
  test::TempDir xdg;
  ::chmod(xdg.path().c_str(), 0700);
  auto out = make_pipe().value();
  SpawnOptions o;
  o.argv = {WEFT_RT_COMPOSITOR, "--backend=headless"};
  o.env = {"XDG_RUNTIME_DIR=" + xdg.path(), "WLR_BACKENDS=headless", "WLR_RENDERER=pixman"};
  o.fd_map = {{out.second.get(), 1}};
  o.null_stdio = true;
  auto compositor = ChildProcess::spawn(o);
  ASSERT_TRUE(compositor.ok()) << compositor.error().message;
  out.second.reset();
  std::string display;
  char c;
  while (::read(out.first.get(), &c, 1) == 1 && c != '\n') display += c;
  ASSERT_FALSE(display.empty()) << "the compositor printed no socket name";

  test::TempDir dir;
  std::filesystem::create_directories(dir / "ro");
  std::ofstream(dir / "ro/mode.txt") << "clipboard\n";
  std::vector<std::string> env = {"XDG_RUNTIME_DIR=" + xdg.path(), "WAYLAND_DISPLAY=" + display};
  auto run = test::run_runtime({"org.weft.test", "1", "--module", std::string(WEFT_RT_FIXTURES) + "/app.wasm",
                                "--preopen", (dir / "ro") + "::/ro::ro", "--grant", "sys:clipboard:read",
                                "--grant", "sys:clipboard:write"},
                               env);
  EXPECT_TRUE(run.status.success()) << run.status.describe() << run.err;
  EXPECT_NE(run.out.find("clipboard write: ok\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("clipboard read: ok: copied by the guest \xe2\x9c\x93\n"), std::string::npos) << run.out;

  // An independent client sees the guest's text on the compositor's clipboard.
  auto paste_out = make_pipe().value();
  SpawnOptions paste;
  paste.argv = {"/usr/bin/wl-paste", "--no-newline"};
  paste.env = env;
  paste.fd_map = {{paste_out.second.get(), 1}};
  paste.null_stdio = true;
  auto p = ChildProcess::spawn(paste);
  ASSERT_TRUE(p.ok());
  paste_out.second.reset();
  std::string pasted;
  char buf[256];
  ssize_t n;
  while ((n = ::read(paste_out.first.get(), buf, sizeof buf)) > 0) pasted.append(buf, size_t(n));
  EXPECT_EQ(pasted, "copied by the guest \xe2\x9c\x93");
}

}  // namespace
}  // namespace weft::runtime
