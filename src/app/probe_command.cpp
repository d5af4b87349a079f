#include <cstdio>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/flag_parser.h"
#include "app/sampling_flag.h"
#include "core/error.h"
#include "core/printable.h"
#include "output/json_writer.h"
#include "pipeline/run_options.h"
#include "video/probe.h"

namespace signprep::app {
namespace {

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

// The sampling settings the timestamps were taken with.
struct Sampling {
  double target_fps = pipeline::RunOptions{}.target_fps;
  video::SamplingRule rule = pipeline::RunOptions{}.sampling;
};

void print_text(const std::string& name, const video::ProbeResult& probe,
                const Sampling& sampling) {
  const video::VideoInfo& info = probe.info;
  std::ostringstream out;
  out << printable(name) << "\n"
      << "  container   " << info.container << "\n"
      << "  codec       " << info.codec << "\n"
      << "  resolution  " << info.width << "x" << info.height << " (after rotation)\n"
      << "  rotation    " << info.rotation << "\n"
      << "  duration    " << fixed(info.duration_s, 3) << " s\n"
      << "  source fps  " << fixed(info.average_fps, 3) << " average, "
      << fixed(info.nominal_fps, 3) << " nominal\n"
      << "  frames      " << probe.frames_decoded << " decoded\n"
      << "  sampled     " << probe.sampled_timestamps_ms.size() << " at "
      << output::python_float_repr(sampling.target_fps) << " fps ("
      << video::sampling_rule_name(sampling.rule) << " rule), timestamps_ms:";
  for (std::int64_t t : probe.sampled_timestamps_ms) out << " " << t;
  out << "\n";
  if (probe.warning) out << "  warning     " << printable(*probe.warning) << "\n";
  std::cout << out.str();
}

JsonValue to_json(const std::string& name, const video::ProbeResult& probe,
                  const Sampling& sampling) {
  const video::VideoInfo& info = probe.info;
  JsonValue::Array timestamps(probe.sampled_timestamps_ms.begin(),
                              probe.sampled_timestamps_ms.end());
  return JsonValue::Object{
      {"file", name},
      {"container", info.container},
      {"codec", info.codec},
      {"width", info.width},
      {"height", info.height},
      {"rotation", info.rotation},
      {"duration_s", info.duration_s},
      {"average_fps", info.average_fps},
      {"nominal_fps", info.nominal_fps},
      {"frames_decoded", probe.frames_decoded},
      {"target_fps", sampling.target_fps},
      {"sampling", std::string(video::sampling_rule_name(sampling.rule))},
      {"timestamps_ms", std::move(timestamps)},
      {"warning", probe.warning ? JsonValue(*probe.warning) : JsonValue()},
  };
}

}  // namespace

int probe_command(const std::vector<std::string>& args) {
  Sampling sampling;
  bool json = false;
  FlagParser parser("signprep probe VIDEO... [--target-fps N] [--sampling RULE] [--json]",
                    "Prints each video's container, codec, upright resolution, rotation,\n"
                    "duration, frame rates, decoded frame count and sampled timestamps.");
  parser.add_value("--target-fps", "FPS",
                   "sampling rate for the timestamps (default " +
                       output::python_float_repr(sampling.target_fps) + ")",
                   sampling.target_fps);
  add_sampling_flag(parser, sampling.rule);
  parser.add_switch("--json", "print one JSON array instead of text", json);
  const auto videos = parser.parse(args);
  if (!videos) return kExitSuccess;
  if (videos->empty()) throw Error(ErrorKind::kUsage, "probe: no video given (see --help)");
  pipeline::validate_target_fps(sampling.target_fps);

  JsonValue::Array results;
  int failures = 0;
  for (const std::string& video : *videos) {
    try {
      const video::ProbeResult probe =
          video::probe_video(video, sampling.target_fps, sampling.rule);
      if (json) {
        results.push_back(to_json(video, probe, sampling));
      } else {
        print_text(video, probe, sampling);
      }
    } catch (const Error& error) {
      ++failures;
      std::cerr << "signprep: error: " << printable(error.what()) << "\n";
      if (json) results.push_back(JsonValue::Object{{"file", video}, {"error", error.what()}});
    }
  }
  if (json) std::cout << output::dump_json(std::move(results)) << "\n";
  if (failures == 0) return kExitSuccess;
  return failures == static_cast<int>(videos->size()) ? kExitNothingRan : kExitSomeFailed;
}

}  // namespace signprep::app
