// appd's memory-pressure pieces without processes: the PSI parser (real kernel text, malformed and hostile input),
// the reader on a file in PSI's format and on the real /proc/pressure/memory, the two thresholds, and the choice of
// the app to close.
#include "memory_pressure.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "weft/core/fd.hpp"
#include "weft/test/temp_dir.hpp"

namespace weft::appd {
namespace {

constexpr const char* kKernelText =
    "some avg10=12.34 avg60=5.00 avg300=1.25 total=987654321\n"
    "full avg10=3.50 avg60=0.75 avg300=0.00 total=12345\n";

TEST(PsiParser, ReadsBothLinesOfTheKernelsFormat) {
  auto sample = parse_psi(kKernelText);
  ASSERT_TRUE(sample.ok()) << sample.error().message;
  EXPECT_DOUBLE_EQ(sample->some.avg10, 12.34);
  EXPECT_DOUBLE_EQ(sample->some.avg60, 5.0);
  EXPECT_DOUBLE_EQ(sample->some.avg300, 1.25);
  EXPECT_EQ(sample->some.total_us, 987654321u);
  EXPECT_DOUBLE_EQ(sample->full.avg10, 3.5);
  EXPECT_EQ(sample->full.total_us, 12345u);
}

TEST(PsiParser, AcceptsAKernelWithoutTheFullLineAndIgnoresUnknownFields) {
  auto sample = parse_psi("some avg10=1.00 avg60=2.00 avg300=3.00 total=4 future=9\n");
  ASSERT_TRUE(sample.ok()) << sample.error().message;
  EXPECT_DOUBLE_EQ(sample->full.avg10, 0.0);
}

TEST(PsiParser, MalformedInputIsAnErrorThatNamesWhatIsWrong) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"", "PSI: missing 'some' line"},
      {"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", "PSI: missing 'some' line"},
      {"some avg10=0.00 avg60=0.00 total=0\n", "PSI some: missing field avg300"},
      {"some avg10=abc avg60=0.00 avg300=0.00 total=0\n", "PSI some: avg10 'abc' is not a percentage from 0 to 100"},
      {"some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n", "PSI some: avg10 '-1.00' is not a percentage from 0 to 100"},
      {"some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n",
       "PSI some: avg10 '100.01' is not a percentage from 0 to 100"},
      {"some avg10=nan avg60=0.00 avg300=0.00 total=0\n", "PSI some: avg10 'nan' is not a percentage from 0 to 100"},
      {"some avg10=1.00 avg60=0.00 avg300=0.00 total=-5\n", "PSI some: total '-5' is not a count of µs"},
      {"some avg10=1.00 avg60=0.00 avg300=0.00 total=99999999999999999999999\n",
       "PSI some: total '99999999999999999999999' is not a count of µs"},
      {"some avg10 avg60=0.00 avg300=0.00 total=0\n", "PSI some: 'avg10' is not name=value"},
      {"some avg10=1.00 avg10=2.00 avg60=0.00 avg300=0.00 total=0\n", "PSI some: avg10 appears twice"},
      {"some avg10=1.00 avg60=0.00 avg300=0.00 total=0\nsome avg10=1.00 avg60=0.00 avg300=0.00 total=0\n",
       "PSI: two 'some' lines"},
      {"<html>not psi</html>\n", "PSI: unknown line kind '<html>not'"},
  };
  for (const auto& c : cases) {
    auto sample = parse_psi(c.text);
    ASSERT_FALSE(sample.ok()) << c.text;
    EXPECT_EQ(sample.error().message, c.error) << c.text;
  }
  const std::string huge(kMaxPsiBytes + 1, 's');
  auto too_big = parse_psi(huge);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().message, "PSI text exceeds 4096 bytes");
}

TEST(PsiParser, ParsesThisMachinesProcPressureMemory) {
  auto text = read_file("/proc/pressure/memory", kMaxPsiBytes + 1);
  if (!text.ok()) GTEST_SKIP() << "no PSI on this kernel: " << text.error().message;
  auto sample = parse_psi(*text);
  EXPECT_TRUE(sample.ok()) << sample.error().message << "\n" << *text;
}

TEST(PressureLevels, SomeReachingTheReleaseThresholdReleasesAndFullReachingTheStopThresholdStops) {
  const PressureThresholds t{10.0, 5.0};
  PsiSample s;
  EXPECT_EQ(classify(s, t), PressureLevel::none);
  s.some.avg10 = 9.99;
  EXPECT_EQ(classify(s, t), PressureLevel::none);
  s.some.avg10 = 10.0;
  EXPECT_EQ(classify(s, t), PressureLevel::release);
  s.full.avg10 = 5.0;
  EXPECT_EQ(classify(s, t), PressureLevel::stop);
  EXPECT_EQ(parse_pressure_percent("12.5"), 12.5);
  EXPECT_EQ(parse_pressure_percent("0"), std::nullopt) << "0 would fire with no pressure at all";
  EXPECT_EQ(parse_pressure_percent("101"), std::nullopt);
  EXPECT_EQ(parse_pressure_percent("10%"), std::nullopt);
}

TEST(PressureVictim, IsTheLeastRecentlyFocusedRunningBackgroundSessionAndNeverTheForegroundOne) {
  std::vector<PressureCandidate> sessions = {
      {1, 100, true},  // foreground: focused longest ago of all, still never chosen
      {2, 300, true},
      {3, 200, false},  // starting or stopping: left alone
      {4, 250, true},
  };
  EXPECT_EQ(choose_pressure_victim(sessions, 1), 4u);
  EXPECT_EQ(choose_pressure_victim(sessions, 4), 1u);
  EXPECT_EQ(choose_pressure_victim({{7, 100, true}}, 7), std::nullopt) << "only the focused app runs";
  EXPECT_EQ(choose_pressure_victim({{8, 100, true}, {5, 100, true}}, 0), 5u) << "ties go to the older session";
}

TEST(PsiWatch, ReportsSamplesFromAFileInPsiFormatAndSkipsUnreadableOnes) {
  weft::test::TempDir dir("psi");
  const std::string path = dir.path() + "/memory";
  std::vector<double> seen;
  PsiWatch watch(path, 20, 10.0, [&](const PsiSample& s) { seen.push_back(s.some.avg10); });
  watch.start();
  EXPECT_FALSE(watch.waits_on_trigger()) << "a stand-in file is read periodically, never written";
  auto pump_ms = [](int ms) {
    auto deadline = g_get_monotonic_time() + ms * 1000;
    while (g_get_monotonic_time() < deadline) g_main_context_iteration(nullptr, FALSE), ::usleep(2000);
  };
  pump_ms(100);  // no file yet: nothing reported
  EXPECT_TRUE(seen.empty());
  ASSERT_TRUE(write_file_atomic(path, "garbage\n").ok());
  pump_ms(100);
  EXPECT_TRUE(seen.empty()) << "a malformed file is not a sample";
  ASSERT_TRUE(write_file_atomic(path, kKernelText).ok());
  pump_ms(100);
  ASSERT_FALSE(seen.empty());
  EXPECT_DOUBLE_EQ(seen.back(), 12.34);
  EXPECT_EQ(*read_file(path), kKernelText) << "the watch wrote into the file";
}

TEST(PsiWatch, WaitsOnAKernelTriggerWhereThePlatformPermitsOne) {
  std::vector<PsiSample> seen;
  PsiWatch watch("/proc/pressure/memory", 1000, 10.0, [&](const PsiSample& s) { seen.push_back(s); });
  watch.start();
  if (!watch.waits_on_trigger())
    GTEST_SKIP() << "no PSI trigger permitted here (unprivileged before Linux 6.5, or no PSI): periodic reads apply";
  EXPECT_EQ(seen.size(), 1u) << "one reading at start, then the trigger";
}

}  // namespace
}  // namespace weft::appd
