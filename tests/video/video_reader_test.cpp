// VideoReader's pixels against ffmpeg's own (the CLI applies rotation itself):
// frames must come out upright and in RGB order.
#include "video/video_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "test_support.h"
#include "video/frame_sampler.h"
#include "video/probe.h"

namespace signprep::video {
namespace {

const std::string kSample = std::string(SIGNPREP_SAMPLES_DIR) + "/wave_webcam_540x720p30.mp4";

int shell(const std::string& command) {
  return std::system(command.c_str());
}

// The first frame as the ffmpeg command line decodes it, upright (its
// autorotation), as packed RGB: the command MediaPipe's reference runs decode
// with (../shared/reference/holistic_js).
std::vector<std::uint8_t> ffmpeg_first_frame(const std::string& path) {
  const std::string command = "ffmpeg -v error -i '" + path +
                              "' -vf scale=in_color_matrix=bt601:flags=bicubic -frames:v 1 "
                              "-f rawvideo -pix_fmt rgb24 -";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::vector<std::uint8_t> bytes;
  std::uint8_t buffer[65536];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0;) {
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  return bytes;
}

// A rotation tag, and whether the sample is first re-encoded as 10-bit HEVC
// (what phones record): from 10 bits swscale filters chroma and dithers
// across both axes, so only rotating the planes before the conversion, as
// the ffmpeg command line does, gives its pixels.
struct Orientation {
  int rotate_tag;
  int bits;  // 8: the sample as it is; 10: re-encoded (ints: gtest prints the bytes, no padding)
};

class UprightFrames : public ::testing::TestWithParam<Orientation> {};

TEST_P(UprightFrames, EqualFfmpegsAfterRotation) {
  test::TempDir dir;
  const auto [rotate_tag, bits] = GetParam();
  std::string source = kSample;
  if (bits == 10) {
    source = (dir.path() / "ten_bit.mp4").string();
    ASSERT_EQ(shell("ffmpeg -v error -i '" + kSample +
                    "' -frames:v 2 -c:v libx265 -pix_fmt yuv420p10le -x265-params log-level=0 '" +
                    source + "'"),
              0);
  }
  const std::string rotated = (dir.path() / "rotated.mp4").string();
  ASSERT_EQ(shell("ffmpeg -v error -i '" + source + "' -c copy -metadata:s:v:0 rotate=" +
                  std::to_string(rotate_tag) + " '" + rotated + "'"),
            0);
  VideoReader reader(rotated);
  ASSERT_TRUE(reader.next_frame());
  const image::Image frame = reader.to_rgb();
  const std::vector<std::uint8_t> reference = ffmpeg_first_frame(rotated);
  const bool sideways = rotate_tag % 180 != 0;
  EXPECT_EQ(frame.width, sideways ? 720 : 540);
  EXPECT_EQ(frame.height, sideways ? 540 : 720);
  // Same decoder, same conversion, same rotation: the same bytes. (Rotating
  // the RGB picture instead differs in 22% of the 10-bit values, by up to 52.)
  EXPECT_TRUE(frame.pixels == reference);
}

INSTANTIATE_TEST_SUITE_P(RotationTags, UprightFrames,
                         ::testing::Values(Orientation{0, 8}, Orientation{90, 8},
                                           Orientation{180, 8}, Orientation{270, 8},
                                           Orientation{0, 10}, Orientation{90, 10},
                                           Orientation{180, 10}, Orientation{270, 10}),
                         [](const ::testing::TestParamInfo<Orientation>& param_info) {
                           return "rotate" + std::to_string(param_info.param.rotate_tag) +
                                  (param_info.param.bits == 10 ? "_10bit_hevc" : "_8bit");
                         });

TEST(VideoReader, TimestampsStartAtZeroAndIncrease) {
  VideoReader reader(kSample);
  double previous = -1;
  while (reader.next_frame()) {
    if (reader.frames_decoded() == 1) {
      EXPECT_EQ(reader.timestamp_ms(), 0.0);
    }
    EXPECT_GT(reader.timestamp_ms(), previous);
    previous = reader.timestamp_ms();
  }
  EXPECT_EQ(reader.frames_decoded(), 58);
  EXPECT_FALSE(reader.damage());
  EXPECT_NEAR(previous, 57 * 1000.0 * 12 / 359, 0.5);  // 359/12 fps
}

TEST(VideoReader, MissingFileIsAnInputErrorNamingIt) {
  try {
    VideoReader reader("/no/such/video.mp4");
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kInput);
    EXPECT_NE(std::string(error.what()).find("/no/such/video.mp4"), std::string::npos);
  }
}

// The run orders its clips by this estimate; ffprobe's format duration is
// the same header field read by an independent program.
TEST(HeaderDuration, MatchesFfprobesFormatDuration) {
  const std::string command =
      "ffprobe -v error -show_entries format=duration -of csv=p=0 '" + kSample + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  double expected = 0;
  ASSERT_EQ(std::fscanf(pipe.get(), "%lf", &expected), 1);
  const std::optional<double> duration = header_duration_seconds(kSample);
  ASSERT_TRUE(duration);
  EXPECT_NEAR(*duration, expected, 1e-6);  // ffprobe prints microseconds
}

TEST(HeaderDuration, NothingForWhatIsNotAVideo) {
  test::TempDir dir;
  const auto text = dir.path() / "notes.mp4";
  std::FILE* file = std::fopen(text.c_str(), "w");
  std::fputs("not a video", file);
  std::fclose(file);
  EXPECT_FALSE(header_duration_seconds(text));
  EXPECT_FALSE(header_duration_seconds("/no/such/video.mp4"));
}

TEST(FrameSampler, KeepsAFrameThatLandsOnASlotDespiteRounding) {
  FrameSampler sampler(30);
  // 3 * (1000/30) accumulates to 100.00000000000001 > 100.
  EXPECT_TRUE(sampler.keep(0));
  EXPECT_TRUE(sampler.keep(33.333333333333336));
  EXPECT_TRUE(sampler.keep(66.66666666666667));
  EXPECT_TRUE(sampler.keep(100.0));
  EXPECT_FALSE(sampler.keep(120.0));
  EXPECT_EQ(FrameSampler::stored_timestamp(66.66666666666667), 66);
}

TEST(FrameSampler, PythonRuleDropsAFrameThatItsFloatSlotOvershoots) {
  // 50 fps at 30: slots summed in seconds reach 0.1 s as 0.1 exactly, but
  // 1.2 s as 1.2000000000000002 s, just after the frame at 1200 ms.
  FrameSampler python(30, SamplingRule::kPython);
  FrameSampler on_slot(30, SamplingRule::kOnSlot);
  std::vector<double> python_kept;
  std::vector<double> on_slot_kept;
  for (int frame = 0; frame <= 62; ++frame) {
    const double time_ms = static_cast<double>(256 * frame) * (1.0 / 12800) * 1000.0;
    if (python.keep(time_ms)) python_kept.push_back(time_ms);
    if (on_slot.keep(time_ms)) on_slot_kept.push_back(time_ms);
  }
  ASSERT_EQ(python_kept.size(), on_slot_kept.size());
  EXPECT_EQ(python_kept[3], 100.0);
  EXPECT_EQ(on_slot_kept[36], 1200.0);
  EXPECT_EQ(python_kept[36], 1220.0);
}

TEST(FrameSampler, RuleNamesRoundTrip) {
  for (const SamplingRule rule : {SamplingRule::kOnSlot, SamplingRule::kPython}) {
    EXPECT_EQ(parse_sampling_rule(sampling_rule_name(rule)), rule);
  }
  EXPECT_FALSE(parse_sampling_rule("Python"));
}

TEST(FrameSampler, SlotsAdvanceFromTheSlotNotFromTheFrame) {
  FrameSampler sampler(10);  // slots 0, 100, 200, ...
  EXPECT_TRUE(sampler.keep(0));
  EXPECT_FALSE(sampler.keep(99.9));
  EXPECT_TRUE(sampler.keep(150));  // slot 100 -> next slot 200, not 250
  EXPECT_TRUE(sampler.keep(200));
  EXPECT_TRUE(sampler.keep(520));  // after a hole, the lagging slots catch up one per frame
  EXPECT_TRUE(sampler.keep(530));
}

// signprep validate requires strictly increasing timestamps_ms: of frames
// that share a stored millisecond (a source whose frames repeat a
// timestamp), only the first is kept, under both rules.
TEST(FrameSampler, NeverKeepsTwoFramesWithOneStoredTimestamp) {
  for (const SamplingRule rule : {SamplingRule::kOnSlot, SamplingRule::kPython}) {
    FrameSampler sampler(30, rule);  // slots 0, 33.3, 66.7, 100, ...
    EXPECT_TRUE(sampler.keep(0));
    EXPECT_FALSE(sampler.keep(0));  // a repeated timestamp
    EXPECT_TRUE(sampler.keep(100));
    EXPECT_FALSE(sampler.keep(100));    // the lagging slot 66.7 would take it
    EXPECT_FALSE(sampler.keep(100.5));  // another time, the same stored millisecond
    EXPECT_TRUE(sampler.keep(200));     // the slot that stayed takes the next frame
  }
}

TEST(FrameSampler, RatesAboveOneFramePerMillisecondAreRefused) {
  EXPECT_NO_THROW(FrameSampler{kMaxTargetFps});
  EXPECT_THROW(FrameSampler{kMaxTargetFps * 2}, std::invalid_argument);
}

}  // namespace
}  // namespace signprep::video
