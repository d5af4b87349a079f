// The 78-keypoint frame layout the Python tool writes, and a clip's sequence
// of such frames. Layout: pose25 (pose landmarks 0..24), left_hand21,
// right_hand21, face11 (face mesh indices kFaceMeshIndices); each point is
// (x, y) normalised to the frame.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace signprep::features {

inline constexpr int kPosePoints = 25;
inline constexpr int kHandPoints = 21;
inline constexpr int kFacePoints = 11;
inline constexpr int kKeypointCount = kPosePoints + 2 * kHandPoints + kFacePoints;  // 78
inline constexpr int kDimsPerFrame = 2 * kKeypointCount;                            // 156

// First keypoint index of each block within a frame.
inline constexpr int kPoseBegin = 0;
inline constexpr int kLeftHandBegin = kPoseBegin + kPosePoints;       // 25
inline constexpr int kRightHandBegin = kLeftHandBegin + kHandPoints;  // 46
inline constexpr int kFaceBegin = kRightHandBegin + kHandPoints;      // 67

// Face mesh landmark indices of the 11 face keypoints, in order.
inline constexpr std::array<int, kFacePoints> kFaceMeshIndices = {1,   33,  263, 133, 362, 61,
                                                                  291, 105, 334, 199, 4};

// A clip's keypoints, frame-major: xy[t * kDimsPerFrame + 2 * k + {0,1}] and
// visible[t * kKeypointCount + k]. visible holds 0/1 bytes so that it can be
// written as a numpy bool array without conversion.
struct KeypointSequence {
  int frames = 0;
  std::vector<float> xy;
  std::vector<std::uint8_t> visible;

  explicit KeypointSequence(int frame_count = 0)
      : frames(frame_count),
        xy(static_cast<std::size_t>(frame_count) * kDimsPerFrame, 0.0f),
        visible(static_cast<std::size_t>(frame_count) * kKeypointCount, 0) {}

  float& x(int t, int k) { return xy[static_cast<std::size_t>(t) * kDimsPerFrame + 2 * k]; }
  float& y(int t, int k) { return xy[static_cast<std::size_t>(t) * kDimsPerFrame + 2 * k + 1]; }
  float x(int t, int k) const { return xy[static_cast<std::size_t>(t) * kDimsPerFrame + 2 * k]; }
  float y(int t, int k) const {
    return xy[static_cast<std::size_t>(t) * kDimsPerFrame + 2 * k + 1];
  }
  bool is_visible(int t, int k) const {
    return visible[static_cast<std::size_t>(t) * kKeypointCount + k] != 0;
  }
  void set_visible(int t, int k, bool v) {
    visible[static_cast<std::size_t>(t) * kKeypointCount + k] = v ? 1 : 0;
  }
};

}  // namespace signprep::features
