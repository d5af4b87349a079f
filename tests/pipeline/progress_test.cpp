#include "pipeline/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace signprep::pipeline {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct FakeClock {
  Progress::Clock::time_point now{};
  std::function<Progress::Clock::time_point()> function() {
    return [this] { return now; };
  }
};

int count(const std::string& text, const std::string& piece) {
  int n = 0;
  for (std::size_t at = text.find(piece); at != std::string::npos; at = text.find(piece, at + 1)) {
    ++n;
  }
  return n;
}

TEST(Progress, DescribesCountsRateEtaAndFailures) {
  EXPECT_EQ(describe_progress({40, 0, 0, 0, 0}), "0/40 videos, 0.0 frames/s, ETA --");
  // 10 videos in 50 s: 30 more take 150 s.
  EXPECT_EQ(describe_progress({40, 10, 2, 1000, 50}),
            "10/40 videos, 20.0 frames/s, ETA 2m30s, 2 failed");
  EXPECT_EQ(describe_progress({3, 1, 0, 10, 4000}), "1/3 videos, 0.0 frames/s, ETA 2h13m");
}

TEST(Progress, BarIsRedrawnInPlaceAtMostFourTimesASecond) {
  FakeClock clock;
  std::ostringstream out;
  {
    Progress progress(2, ProgressStyle::kBar, out, clock.function());
    for (int frame = 0; frame < 100; ++frame) {
      clock.now += 10ms;  // one second in all
      progress.frame_kept();
    }
    progress.video_finished(false);
  }
  EXPECT_EQ(count(out.str(), "\r["), 1 + 4);              // the first draw, then one per 250 ms
  EXPECT_EQ(out.str().find('\n'), out.str().size() - 1);  // one line, ended when done
}

TEST(Progress, MessagesPrintAboveTheBar) {
  FakeClock clock;
  std::ostringstream out;
  Progress progress(1, ProgressStyle::kBar, out, clock.function());
  progress.print("signprep: failed: x\n");
  EXPECT_NE(out.str().find("\x1b[Ksignprep: failed: x\n\r[...."), std::string::npos) << out.str();
}

TEST(Progress, LogsGetALinePerTenthOfTheRunAndEveryTenSeconds) {
  FakeClock clock;
  std::ostringstream out;
  Progress progress(20, ProgressStyle::kLines, out, clock.function());
  for (int video = 0; video < 5; ++video) progress.video_finished(false);
  EXPECT_EQ(count(out.str(), "signprep: progress: "), 2);  // at 2 and 4 of 20
  clock.now += 11s;
  progress.frame_kept();
  EXPECT_EQ(count(out.str(), "signprep: progress: "), 3);
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
}

TEST(Progress, QuietPrintsOnlyMessages) {
  FakeClock clock;
  std::ostringstream out;
  Progress progress(2, ProgressStyle::kNone, out, clock.function());
  clock.now += 1min;
  progress.frame_kept();
  progress.video_finished(true);
  progress.print("signprep: failed: x\n");
  progress.finish();
  EXPECT_EQ(out.str(), "signprep: failed: x\n");
}

// A file name holding a newline or an escape sequence must not forge a log
// line or drive the terminal: only the message's own final newline stays.
TEST(Progress, ControlCharactersInMessagesAreEscaped) {
  FakeClock clock;
  std::ostringstream out;
  Progress progress(1, ProgressStyle::kNone, out, clock.function());
  progress.print("signprep: failed: a\nsignprep: ok\x1b[2J.mp4: cannot open\n");
  EXPECT_EQ(out.str(), "signprep: failed: a\\nsignprep: ok\\x1b[2J.mp4: cannot open\n");
  const std::string summary = format_summary(
      {.succeeded = 0, .failed = {{"b/x\ny.mp4", "b/x\ny.mp4: bad\r"}}, .seconds = 1});
  EXPECT_NE(summary.find("  b/x\\ny.mp4: b/x\\ny.mp4: bad\\r\n"), std::string::npos) << summary;
}

TEST(Progress, SummaryHasThePythonToolsFiguresAndTheFailures) {
  const std::string summary =
      format_summary({.succeeded = 3, .failed = {{"b/bad.mp4", "cannot open"}}, .seconds = 8});
  EXPECT_NE(summary.find("3 of 4 videos written"), std::string::npos) << summary;
  for (const char* line : {"successful:        3\n", "failed:            1\n",
                           "total time:        8.0 s\n", "average per video: 2.00 s\n",
                           "videos per hour:   1800.0\n", "  b/bad.mp4: cannot open\n"}) {
    EXPECT_NE(summary.find(line), std::string::npos) << line << summary;
  }
}

}  // namespace

TEST(Progress, SummaryOfAStoppedRunCountsTheVideosNotRun) {
  const std::string summary =
      format_summary({.succeeded = 2, .failed = {}, .seconds = 4, .not_run = 3, .stopped = true});
  EXPECT_NE(summary.find("2 of 5 videos written"), std::string::npos) << summary;
  EXPECT_NE(summary.find("average per video: 2.00 s"), std::string::npos) << summary;
  EXPECT_NE(summary.find("stopped by a signal; 3 videos not run"), std::string::npos) << summary;
}

}  // namespace signprep::pipeline
