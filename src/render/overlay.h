// Draws one frame's keypoints with Cairo: the 78 points, or Holistic's whole
// output where the .npz holds it (--keypoints full: all 33 pose points, the
// hands, the whole face mesh as dots); bones and points, a colour per block
// (pose, left hand, right hand, face), points present but not visible hollow
// and grey, and a caption (time, occlusion flag) in the top-left corner.
// Private to render/.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <span>
#include <string>

namespace signprep::render {

struct FrameKeypoints {
  std::span<const float> xy;              // 156: (x, y) per keypoint, normalised
  std::span<const std::uint8_t> visible;  // 78
};

// One frame of --keypoints full's blocks, each empty where not found.
struct FrameLandmarks {
  std::span<const float> pose;                   // 33 x (x, y, z, visibility)
  std::span<const float> left_hand, right_hand;  // 21 x (x, y, z)
  std::span<const float> face;                   // 468 or 478 x (x, y, z)
};

// The box the frame occupies on the surface, in pixels.
struct Box {
  double x = 0, y = 0, width = 0, height = 0;
};

void draw_keypoints(cairo_t* cr, const Box& box, const FrameKeypoints& frame);
void draw_landmarks(cairo_t* cr, const Box& box, const FrameLandmarks& frame);
void draw_caption(cairo_t* cr, const Box& box, const std::string& text);

}  // namespace signprep::render
