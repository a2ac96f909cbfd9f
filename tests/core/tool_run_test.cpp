// run_tool with real tools: /bin/sh, cat, sleep, head, env.

#include "weft/core/tool_run.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "weft/core/fd.hpp"

namespace {
using namespace std::chrono_literals;
using weft::run_tool;
using weft::ToolOverflow;
using weft::ToolRequest;

ToolRequest sh(const std::string& script, std::chrono::milliseconds timeout = 10s) {
  return ToolRequest{.argv = {"/bin/sh", "-c", script}, .timeout = timeout};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

TEST(RunTool, CapturesStdoutAndStderrApartWithTheExitStatus) {
  auto run = run_tool(sh("printf out; printf err >&2; exit 3"));
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->out, "out");
  EXPECT_EQ(run->err, "err");
  EXPECT_TRUE(run->status.exited);
  EXPECT_EQ(run->status.code, 3);
}

TEST(RunTool, FeedsTheInputOnStdinAndClosesIt) {
  auto run =
      run_tool({.argv = {"cat"}, .input = std::string("hello\nworld"), .timeout = 10s, .env = {"PATH=/usr/bin:/bin"}});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_TRUE(run->status.success()) << run->status.describe();
  EXPECT_EQ(run->out, "hello\nworld");
}

TEST(RunTool, StdinIsEmptyWithoutInput) {
  auto run = run_tool({.argv = {"/bin/cat"}, .timeout = 10s});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_TRUE(run->status.success());
  EXPECT_EQ(run->out, "");
}

TEST(RunTool, DoesNotDeadlockWhenTheToolFillsBothPipesWhileReadingItsInput) {
  // Far beyond a pipe's buffer on all three streams at once.
  std::string input(4u << 20, 'x');
  ToolRequest request = sh("head -c 3000000 /dev/zero >&2 & cat; wait");
  request.input = input;
  request.max_stdout = 8u << 20;
  request.max_stderr = 4u << 20;
  request.env = {"PATH=/usr/bin:/bin"};
  auto run = run_tool(request);
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_TRUE(run->status.success()) << run->status.describe();
  EXPECT_EQ(run->out.size(), input.size());
  EXPECT_EQ(run->out, input);
  EXPECT_EQ(run->err.size(), 3000000u);
}

TEST(RunTool, KillsATimedOutToolAndNamesItInTheError) {
  auto start = std::chrono::steady_clock::now();
  auto run = run_tool({.argv = {"/bin/sleep", "30"}, .timeout = 200ms});
  ASSERT_FALSE(run.ok()) << "sleep 30 finished within 200 ms";
  EXPECT_EQ(run.error().message, "sleep did not finish within 200 ms");
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST(RunTool, TheTimeoutMessageIsTheSpecsExactString) {
  EXPECT_EQ(weft::tool_timeout_message("wl-paste", 5s), "wl-paste did not finish within 5 s");
  EXPECT_EQ(weft::tool_timeout_message("sleep", 1500ms), "sleep did not finish within 1500 ms");
}

TEST(RunTool, TimesOutAToolThatNeverReadsItsInput) {
  auto run = run_tool({.argv = {"/bin/sleep", "30"}, .input = std::string(1u << 20, 'x'), .timeout = 2s});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().message, weft::tool_timeout_message("sleep", 2s));
}

TEST(RunTool, FailsAndKillsAToolThatWritesMoreThanAllowed) {
  ToolRequest request{.argv = {"/usr/bin/head", "-c", "100000", "/dev/zero"}, .timeout = 10s, .max_stdout = 1000};
  auto run = run_tool(request);
  ASSERT_FALSE(run.ok()) << "got " << run->out.size() << " bytes";
  EXPECT_EQ(run.error().message, "head wrote more than 1000 bytes to stdout and was killed");

  auto errors = run_tool({.argv = {"/bin/sh", "-c", "head -c 100000 /dev/zero >&2"}, .timeout = 10s, .max_stderr = 10,
                          .env = {"PATH=/usr/bin:/bin"}});
  ASSERT_FALSE(errors.ok());
  EXPECT_EQ(errors.error().message, "sh wrote more than 10 bytes to stderr and was killed");
}

TEST(RunTool, TruncatesOutputBeyondTheLimitWhenAskedAndLetsTheToolFinish) {
  auto run = run_tool({.argv = {"/usr/bin/head", "-c", "100000", "/dev/zero"},
                       .timeout = 10s,
                       .max_stdout = 1000,
                       .overflow = ToolOverflow::truncate});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_TRUE(run->status.success()) << run->status.describe();
  EXPECT_EQ(run->out, std::string(1000, '\0'));
  EXPECT_TRUE(run->out_truncated);
  EXPECT_FALSE(run->err_truncated);
}

TEST(RunTool, AToolThatExitsWithoutReadingItsInputIsNoError) {
  auto run = run_tool({.argv = {"/bin/sh", "-c", "exit 4"}, .input = std::string(4u << 20, 'x'), .timeout = 10s});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->status.code, 4);
}

TEST(RunTool, StopsReadingWhenTheToolExitsEvenIfABackgroundChildHoldsThePipes) {
  auto start = std::chrono::steady_clock::now();
  auto run = run_tool(sh("/bin/sleep 3 & echo started"));
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->out, "started\n");
  EXPECT_LT(seconds_since(start), 2.5);
}

TEST(RunTool, SendsUncapturedStreamsToDevNull) {
  ToolRequest request = sh("echo out; echo err >&2; test -c /proc/self/fd/1 && test -c /proc/self/fd/2");
  request.capture_stdout = request.capture_stderr = false;
  auto run = run_tool(request);
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_TRUE(run->status.success()) << "stdout and stderr are not character devices: " << run->status.describe();
  EXPECT_EQ(run->out, "");
  EXPECT_EQ(run->err, "");
}

TEST(RunTool, GivesTheToolExactlyTheEnvironmentAsked) {
  auto run = run_tool({.argv = {"/usr/bin/env"}, .timeout = 10s, .env = {"WEFT_A=1", "WEFT_B=two"}});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->out, "WEFT_A=1\nWEFT_B=two\n");
}

TEST(RunTool, PassesExtraFdsUnderTheirNumbers) {
  auto pipe = weft::make_pipe();
  ASSERT_TRUE(pipe.ok());
  ASSERT_TRUE(weft::write_all(pipe->second.get(), std::string_view("via fd 3")).ok());
  pipe->second.reset();
  ToolRequest request = sh("/bin/cat <&3");
  request.extra_fds = {{pipe->first.get(), 3}};
  auto run = run_tool(request);
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->out, "via fd 3");
}

TEST(RunTool, ReportsAToolThatCannotStart) {
  auto run = run_tool({.argv = {"/nonexistent/weft-tool"}, .timeout = 10s});
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.error().message.find("cannot start /nonexistent/weft-tool"), std::string::npos) << run.error().message;
}

TEST(RunTool, RefusesARequestWithoutTimeout) {
  auto run = run_tool({.argv = {"/bin/true"}});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().message, "run_tool: no timeout given for true");
}

TEST(RunToolChecked, NamesTheToolHowItEndedAndWhatItSaid) {
  auto run = weft::run_tool_checked(sh("echo ignored; echo 'no space left' >&2; exit 2"));
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().message, "sh failed (exited with status 2):\nno space left");

  auto quiet = weft::run_tool_checked(sh("echo only stdout; exit 1"));
  ASSERT_FALSE(quiet.ok());
  EXPECT_EQ(quiet.error().message, "sh failed (exited with status 1):\nonly stdout");

  auto fine = weft::run_tool_checked(sh("echo fine"));
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_EQ(fine->out, "fine\n");
}

}  // namespace
