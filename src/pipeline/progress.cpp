#include "pipeline/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/printable.h"

namespace signprep::pipeline {
namespace {

constexpr int kBarWidth = 24;
constexpr const char* kClearToEndOfLine = "\x1b[K";

// "45s", "3m12s", "2h05m": short enough for a one-line bar.
std::string short_duration(double seconds) {
  const auto total = static_cast<long long>(std::llround(seconds));
  char text[32];
  if (total < 60) {
    std::snprintf(text, sizeof text, "%llds", total);
  } else if (total < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", total / 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", total / 3600, total % 3600 / 60);
  }
  return text;
}

std::string bar(const ProgressCounts& counts) {
  const int filled = counts.total == 0 ? kBarWidth : kBarWidth * counts.done / counts.total;
  return "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
}

std::string fixed(double value, int decimals) {
  std::ostringstream text;
  text.setf(std::ios::fixed);
  text.precision(decimals);
  text << value;
  return text.str();
}

}  // namespace

ProgressStyle progress_style(bool quiet) {
  if (quiet) return ProgressStyle::kNone;
  return isatty(STDERR_FILENO) ? ProgressStyle::kBar : ProgressStyle::kLines;
}

std::string describe_progress(const ProgressCounts& counts) {
  const double elapsed = counts.elapsed_seconds;
  std::string text =
      std::to_string(counts.done) + "/" + std::to_string(counts.total) + " videos, " +
      fixed(elapsed > 0 ? static_cast<double>(counts.frames) / elapsed : 0, 1) + " frames/s, ETA ";
  // Videos so far are the best guess of the rest's length: the run knows
  // nothing of a video's length before decoding it.
  text += counts.done == 0 ? "--"
                           : short_duration(elapsed / counts.done * (counts.total - counts.done));
  if (counts.failed > 0) text += ", " + std::to_string(counts.failed) + " failed";
  return text;
}

Progress::Progress(int total_videos, ProgressStyle style, std::ostream& out,
                   std::function<Clock::time_point()> now)
    : style_(style),
      out_(out),
      now_(std::move(now)),
      start_(now_()),
      last_draw_(start_),
      total_(total_videos) {
  if (style_ == ProgressStyle::kBar) draw();
}

Progress::~Progress() {
  end_bar_line();
}

ProgressCounts Progress::counts() const {
  return {total_, done_, failed_, frames_, std::chrono::duration<double>(now_() - start_).count()};
}

void Progress::frame_kept() {
  ++frames_;
  draw_if_due(false);
}

void Progress::video_finished(bool failed) {
  ++done_;
  if (failed) ++failed_;
  draw_if_due(true);
}

void Progress::print(const std::string& message) {
  if (bar_shown_) out_ << "\r" << kClearToEndOfLine;
  out_ << printable_line(message) << std::flush;
  bar_shown_ = false;
  if (style_ == ProgressStyle::kBar) draw();
}

void Progress::finish() {
  if (style_ != ProgressStyle::kNone) draw();
  end_bar_line();
}

void Progress::draw_if_due(bool video_boundary) {
  const Clock::duration since = now_() - last_draw_;
  switch (style_) {
    case ProgressStyle::kNone:
      return;
    case ProgressStyle::kBar:
      if (since >= kBarInterval) draw();
      return;
    case ProgressStyle::kLines: {
      const int step = std::max(1, total_ / kLinesPerRun);
      const bool step_reached = video_boundary && done_ % step == 0 && done_ < total_;
      if (since >= kLineInterval || step_reached) draw();
      return;
    }
  }
}

void Progress::draw() {
  last_draw_ = now_();
  const std::string text = describe_progress(counts());
  if (style_ == ProgressStyle::kBar) {
    out_ << "\r" << bar(counts()) << text << kClearToEndOfLine << std::flush;
    bar_shown_ = true;
  } else {
    out_ << "signprep: progress: " << text << "\n" << std::flush;
  }
}

void Progress::end_bar_line() {
  if (bar_shown_) out_ << "\n" << std::flush;
  bar_shown_ = false;
}

std::string printable_line(std::string_view message) {
  const bool ends_line = message.ends_with('\n');
  if (ends_line) message.remove_suffix(1);
  return printable(message) + (ends_line ? "\n" : "");
}

std::string format_summary(const RunSummary& summary) {
  const int processed = summary.succeeded + static_cast<int>(summary.failed.size());
  const int total = processed + summary.not_run;
  // The rates are this run's: resumed videos cost it nothing.
  const int ran = processed - summary.resumed;
  const double per_video = ran > 0 ? summary.seconds / ran : 0;
  const double per_hour = summary.seconds > 0 ? ran * 3600 / summary.seconds : 0;
  std::string text =
      "signprep: " + std::to_string(summary.succeeded) + " of " + std::to_string(total) +
      " videos written\n" + "  successful:        " + std::to_string(summary.succeeded) + "\n" +
      "  failed:            " + std::to_string(summary.failed.size()) + "\n" +
      (summary.resumed > 0 ? "  resumed:           " + std::to_string(summary.resumed) +
                                 " (written by an earlier run)\n"
                           : std::string()) +
      "  total time:        " + fixed(summary.seconds, 1) + " s\n" +
      "  average per video: " + fixed(per_video, 2) + " s\n" +
      "  videos per hour:   " + fixed(per_hour, 1) + "\n";
  if (summary.peak_worker_memory > 0) {
    text += "  peak worker memory: " + std::to_string(summary.peak_worker_memory / (1024 * 1024)) +
            " MiB\n";
  }
  if (!summary.hint.empty()) text += "signprep: note: " + summary.hint + "\n";
  if (summary.stopped) {
    text += "signprep: stopped by a signal; " + std::to_string(summary.not_run) +
            " videos not run (run_report.json lists them as pending)\n";
  }
  if (summary.failed.empty()) return text;
  text += "signprep: failed videos:\n";
  for (const VideoFailure& failure : summary.failed) {
    text +=
        "  " + printable(failure.video.generic_string()) + ": " + printable(failure.reason) + "\n";
  }
  return text;
}

}  // namespace signprep::pipeline
