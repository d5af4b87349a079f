// The run report's cost per video at different run sizes (issue 25): a
// RunReport of N inputs in a temporary OUT, each input recorded as written
// (a record as a real clip's: two outputs with their sizes), timed per call
// to record(); then the whole report written at the end, which is what each
// video cost before the journal (rewritten whole, at most a tenth of the run). A cost per video
// that does not grow with N is what the journal is for. Also the heap the
// report holds per input once every video is recorded (glibc's mallinfo2:
// what the supervisor keeps for the report, the inputs' names included).
//
//     build/report_bench [N...]   (default 1000 10000 100000)
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/run_report.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void measure(std::size_t count, const std::filesystem::path& out) {
  signprep::pipeline::RunOptions options;
  options.write_keypoints = true;
  options.output_dir = out;
  std::vector<std::string> inputs;
  for (std::size_t i = 0; i < count; ++i) {
    inputs.push_back("signer" + std::to_string(i % 50) + "/clip_" + std::to_string(i) + ".mp4");
  }
  const std::size_t heap_before = mallinfo2().uordblks;
  Clock::time_point start = Clock::now();
  signprep::pipeline::RunReport report(options, inputs);
  const double opening = seconds_since(start);
  // Each call timed; the medians of the first and the last tenth side by side
  // show whether a video's cost grows with the run (medians: the machine is
  // shared, and a call that an other process delays is not the report's).
  std::vector<double> calls;
  calls.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    signprep::pipeline::VideoRecord video;
    video.input = inputs[i];
    video.status = signprep::pipeline::VideoStatus::kOk;
    video.frames = 6;
    video.seconds = 0.123;
    video.outputs = {std::filesystem::path(inputs[i]).replace_extension(".npz"),
                     std::filesystem::path(inputs[i]).replace_extension(".parquet")};
    video.bytes = {123456, 65432};
    start = Clock::now();
    report.record(i, std::move(video));
    calls.push_back(seconds_since(start));
  }
  const double held = static_cast<double>(mallinfo2().uordblks - heap_before);
  const std::size_t tenth = std::max<std::size_t>(1, count / 10);
  const auto median = [](std::vector<double> part) {
    std::nth_element(part.begin(), part.begin() + part.size() / 2, part.end());
    return part[part.size() / 2];
  };
  const double first = median({calls.begin(), calls.begin() + tenth});
  const double last = median({calls.end() - tenth, calls.end()});
  double total = 0;
  for (const double call : calls) total += call;
  start = Clock::now();
  report.finish(0, std::nullopt);
  const double finishing = seconds_since(start);
  std::printf(
      "%8zu videos: record() median %.2f us/video in the first tenth, %.2f us in the last, "
      "mean %.2f us; whole report at start %.3f s, at the end %.3f s (%.0f bytes/video); "
      "held %.0f bytes/input\n",
      count, first * 1e6, last * 1e6, total / static_cast<double>(count) * 1e6, opening, finishing,
      static_cast<double>(std::filesystem::file_size(options.report_path())) /
          static_cast<double>(count),
      held / static_cast<double>(count));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> counts;
  for (int i = 1; i < argc; ++i) counts.push_back(std::stoul(argv[i]));
  if (counts.empty()) counts = {1000, 10000, 100000};
  const std::filesystem::path out = std::filesystem::temp_directory_path() /
                                    ("signprep-report-bench-" + std::to_string(::getpid()));
  for (const std::size_t count : counts) {
    std::filesystem::create_directories(out);
    measure(count, out);
    std::filesystem::remove_all(out);
  }
}
