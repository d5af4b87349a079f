// What a run tells the person watching it: a live one-line bar on a
// terminal, a plain line now and then in a log (Slurm, nohup), nothing with
// --quiet; and the summary at the end. The run (today) or a supervisor
// collecting workers' results (later) feeds it events; it decides when to draw.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace signprep::pipeline {

enum class ProgressStyle {
  kNone,   // --quiet
  kBar,    // redrawn in place on a terminal
  kLines,  // appended lines, for logs
};

// kNone when `quiet`, else kBar when stderr is a terminal, else kLines.
ProgressStyle progress_style(bool quiet);

struct ProgressCounts {
  int total = 0;  // videos in the run
  int done = 0;   // finished, failed ones included
  int failed = 0;
  std::int64_t frames = 0;  // kept frames processed so far
  double elapsed_seconds = 0;
};

// "3/40 videos, 35.2 frames/s, ETA 3m12s, 1 failed"
std::string describe_progress(const ProgressCounts& counts);

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  // A bar is redrawn at most this often: more is flicker and wasted writes.
  static constexpr std::chrono::milliseconds kBarInterval{250};
  // A log gets a line at least this often while the run goes on...
  static constexpr std::chrono::seconds kLineInterval{10};
  // ... and one per tenth of the videos, so that short runs show progress too.
  static constexpr int kLinesPerRun = 10;

  Progress(int total_videos, ProgressStyle style, std::ostream& out,
           std::function<Clock::time_point()> now = Clock::now);
  // Ends a drawn bar's line, so that whatever follows starts on its own.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void frame_kept();
  void video_finished(bool failed);
  // Prints `message` (one line, ending in '\n') above the bar, in every
  // style: errors and warnings are never silenced. Control characters in it
  // are shown escaped (printable_line).
  void print(const std::string& message);
  // The final state, drawn whatever the throttle says.
  void finish();

  ProgressCounts counts() const;

 private:
  void draw_if_due(bool video_boundary);
  void draw();
  void end_bar_line();

  ProgressStyle style_;
  std::ostream& out_;
  std::function<Clock::time_point()> now_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  int total_;
  int done_ = 0;
  int failed_ = 0;
  std::int64_t frames_ = 0;
  bool bar_shown_ = false;  // the cursor stands at the end of a drawn bar
};

struct VideoFailure {
  std::filesystem::path video;  // relative to the input directory
  std::string reason;
};

struct RunSummary {
  int succeeded = 0;
  std::vector<VideoFailure> failed;
  double seconds = 0;                   // wall time of the whole run
  int not_run = 0;                      // videos a stop signal left pending
  int resumed = 0;                      // of the succeeded, those an earlier run wrote (--resume)
  bool stopped = false;                 // SIGINT or SIGTERM ended the run early
  std::int64_t peak_worker_memory = 0;  // bytes, the largest worker's peak resident memory
  std::string hint = {};                // one line on a faster setting, or empty
};

// `message` (one line, perhaps ending in '\n') with every control character
// before that newline escaped (core/printable.h): a file name in it cannot
// start a line of its own or drive the terminal.
std::string printable_line(std::string_view message);

// The Python tool's closing summary (successful, failed, total time, average
// seconds per video, videos per hour), then each failure with its reason.
std::string format_summary(const RunSummary& summary);

}  // namespace signprep::pipeline
