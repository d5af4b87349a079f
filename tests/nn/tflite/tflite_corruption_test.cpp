// Damaged copies of the 13 models: truncations must be Error(kModel), and
// byte-flipped copies must load or be Error(kModel), never crash, hang or
// throw anything else. Run under the sanitizers (SIGNPREP_SANITIZE=ON) this
// also checks that no damage makes the reader read outside the file. The
// fuzz target (fuzz/tflite_reader_fuzz.cpp) explores further.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "nn/tflite/tflite_reader.h"
#include "nn/tflite/tflite_test_util.h"

namespace signprep::nn {
namespace {

const std::vector<std::string> kModels = {
    "face_detection_short_range",   "face_landmark",      "face_landmark_with_attention",
    "hand_landmark_full",           "hand_recrop",        "palm_detection_full",
    "palm_detection_lite",          "pose_detection",     "pose_landmark_full",
    "pose_landmark_heavy",          "pose_landmark_lite", "selfie_segmentation",
    "selfie_segmentation_landscape"};

// Loads `bytes`; true if it loaded, false if it was an Error(kModel). Any
// other outcome fails the test.
bool loads(std::span<const std::byte> bytes, const std::string& what) {
  try {
    read_tflite(bytes, "damaged");
    return true;
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kModel) << what << ": " << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("damaged: ", 0), 0u) << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": unexpected exception " << e.what();
  }
  return false;
}

std::uint32_t fnv1a(const std::string& text) {
  std::uint32_t hash = 2166136261u;
  for (const char c : text) hash = (hash ^ static_cast<std::uint8_t>(c)) * 16777619u;
  return hash;
}

class CorruptionTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CorruptionTest, TruncatedCopiesAreErrors) {
  const std::vector<std::byte> file = test::read_bytes(test::model_path(GetParam()));
  ASSERT_TRUE(loads(file, "intact"));
  for (const std::size_t length : {std::size_t{0}, std::size_t{4}, std::size_t{8}, std::size_t{100},
                                   file.size() / 2, file.size() - 1}) {
    EXPECT_FALSE(loads(std::span(file).first(length), "truncated to " + std::to_string(length)))
        << "truncated to " << length << " bytes";
  }
}

// 20 copies, each with 1 to 4 flipped bytes: 10 in the last 64 KiB and 5 in
// the first 4 KiB, where TFLite files keep most of their tables and vectors,
// and 5 anywhere. Deterministic: seeded from the model name.
TEST_P(CorruptionTest, ByteFlippedCopiesLoadOrAreErrors) {
  std::vector<std::byte> file = test::read_bytes(test::model_path(GetParam()));
  std::mt19937 random(fnv1a(GetParam()));
  const std::size_t tail = std::min<std::size_t>(file.size(), 65536);
  const std::size_t head = std::min<std::size_t>(file.size(), 4096);
  int rejected = 0;
  for (int copy = 0; copy < 20; ++copy) {
    const auto [first, span] = copy < 10   ? std::pair{file.size() - tail, tail}
                               : copy < 15 ? std::pair{std::size_t{0}, head}
                                           : std::pair{std::size_t{0}, file.size()};
    std::vector<std::pair<std::size_t, std::byte>> flips;
    const int count = std::uniform_int_distribution<int>(1, 4)(random);
    for (int i = 0; i < count; ++i) {
      const std::size_t pos =
          first + std::uniform_int_distribution<std::size_t>(0, span - 1)(random);
      const auto mask = static_cast<std::byte>(std::uniform_int_distribution<int>(1, 255)(random));
      flips.emplace_back(pos, mask);
      file[pos] ^= mask;
    }
    rejected += loads(file, "copy " + std::to_string(copy)) ? 0 : 1;
    for (const auto& [pos, mask] : flips) file[pos] ^= mask;  // undo
  }
  RecordProperty("rejected_copies", rejected);
}

INSTANTIATE_TEST_SUITE_P(Models, CorruptionTest, ::testing::ValuesIn(kModels),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace signprep::nn
